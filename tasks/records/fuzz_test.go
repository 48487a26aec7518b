package records

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// fuzzReader checks, for arbitrary input, that reading ends (with io.EOF or one of the documented error
// types, which readAll insists on), that lines never go backwards, and that the result does not depend on
// how the source splits its bytes.
func fuzzReader(f *testing.F, format Format, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	s := mustSchema(f, testSchema)
	f.Fuzz(func(t *testing.T, in []byte) {
		whole := readAll(t, NewReader(bytes.NewReader(in), Type{Format: format}, s, WithMaxRecordBytes(256)))
		split := readAll(t, NewReader(iotest.HalfReader(bytes.NewReader(in)), Type{Format: format}, s, WithMaxRecordBytes(256)))
		if diff := cmp.Diff(split, whole); diff != "" {
			t.Fatalf("reading in small pieces differs from reading whole (-pieces +whole):\n%s", diff)
		}
		var last int64
		for _, r := range whole.Rows {
			if r.Line < last || r.Line < 1 {
				t.Fatalf("record lines go %d then %d", last, r.Line)
			}
			last = r.Line
		}
	})
}

func FuzzCSV(f *testing.F) {
	fuzzReader(f, CSV, "id,n,note\na,1,x\n", "\ufeffid\r\n\"a\"\"b\",\n", "id,note\n\"x\ny\",z\n", "id\n\"a\n", "n,id\n1\n2,b,c\n", "id\n\xff")
}

func FuzzJSONL(f *testing.F) {
	fuzzReader(f, JSONL, "{\"id\":\"a\",\"n\":1}\n{\"note\":null}\n", "[1]\n\"x\"\n{} {}\n", "{\"id\":{\"a\":[1,{}]}}", "{\"id\":\"\\u00e9\"}\r\n\n", "{\"id\"")
}

func FuzzJSON(f *testing.F) {
	fuzzReader(f, JSON, "[{\"id\":\"a\",\"n\":1},\n{\"note\":null}]", "[]", "[1,[2],{\"x\":{}}]", "[{\"id\":\"a\"}] x", "{\"id\":1}", "[{\"id\":\"a\",\"id\":2}")
}

func TestSourceErrorInsideQuotedField(t *testing.T) {
	// A source failure inside an open quoted field is the source's error, not a CSV syntax error.
	s := mustSchema(t, testSchema)
	src := io.MultiReader(bytes.NewReader([]byte("id\n\"a\n")), iotest.ErrReader(io.ErrNoProgress))
	got := readAll(t, NewReader(src, Type{Format: CSV}, s))
	if diff := cmp.Diff(got, result{Err: "source"}); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
}
