package records

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

type csvRecord struct {
	Line   int64
	Fields []string
}

func scanAll(in []byte, delim rune) ([]csvRecord, bool) {
	c := newCSVScanner(bytes.NewReader(in), delim)
	var out []csvRecord
	for {
		fields, line, err := c.read()
		if errors.Is(err, io.EOF) {
			return out, false
		}
		if err != nil {
			return out, true
		}
		out = append(out, csvRecord{Line: line, Fields: append([]string(nil), fields...)})
	}
}

func stdlibAll(in []byte, delim rune) ([]csvRecord, bool) {
	r := csv.NewReader(bytes.NewReader(in))
	r.Comma = delim
	r.FieldsPerRecord = -1
	var out []csvRecord
	for {
		fields, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, false
		}
		if err != nil {
			return out, true
		}
		line, _ := r.FieldPos(0)
		out = append(out, csvRecord{Line: int64(line), Fields: fields})
	}
}

// FuzzCSVScanner checks the scanner against encoding/csv (LazyQuotes off): the same records, on the
// same lines, and an error at the same record.
func FuzzCSVScanner(f *testing.F) {
	for _, s := range []string{"a,b\nc,d\n", "\"a\"\"b\",c\r\n", "\"x\ny\",z\n\nw", "a\"b\n", "\"a\"b\n", "\"open\n", "a,\r\n,\n", "a\r", "\"a\r\nb\"\n", "é;ü\n"} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, in []byte, semicolon bool) {
		if !utf8.Valid(in) {
			t.Skip("the scanner reads only checked UTF-8")
		}
		delim := ','
		if semicolon {
			delim = ';'
		}
		got, gotErr := scanAll(in, delim)
		want, wantErr := stdlibAll(in, delim)
		if diff := cmp.Diff(got, want); diff != "" || gotErr != wantErr {
			t.Fatalf("records of %q (-scanner +encoding/csv):\n%s\nerror: scanner %v, encoding/csv %v", in, diff, gotErr, wantErr)
		}
	})
}
