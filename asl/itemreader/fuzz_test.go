package itemreader_test

import (
	"errors"
	"io"
	"testing"

	"github.com/sluicehq/sluice/asl/itemreader"
)

// fuzzRead reads body with the request's InputType and checks the reader's contract: it ends with
// io.EOF or an *Error (never a panic, never another error), and items are JSON-shaped.
func fuzzRead(t *testing.T, r itemreader.Request, body string) {
	store := newMemStore()
	store.put("b", "k", body)
	r.Resource, r.Bucket, r.Key = getObject, "b", "k"
	it, err := itemreader.Open(t.Context(), store, r)
	if err != nil {
		var ie *itemreader.Error
		if !errors.As(err, &ie) {
			t.Fatalf("Open: %v is not an *Error", err)
		}
		return
	}
	defer it.Close()
	for range 10_000 {
		v, err := it.Next(t.Context())
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			var ie *itemreader.Error
			if !errors.As(err, &ie) {
				t.Fatalf("Next: %v is not an *Error", err)
			}
			if _, err2 := it.Next(t.Context()); err2 != err {
				t.Fatalf("after a failure Next = %v, want the same failure", err2)
			}
			return
		}
		if r.InputType == "CSV" {
			if _, ok := v.(map[string]any); !ok {
				t.Fatalf("CSV item %T is not an object", v)
			}
		}
	}
}

func FuzzCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a,b\n\"x,\"\"y\"\"\",z\r\n", "a\n\"unterminated\n", "a,b\n1,2,3\n", "", "a;b\n;\n", "\xff\xfe,\n"} {
		f.Add(s, uint8(0), false)
	}
	delims := []string{"COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"}
	f.Fuzz(func(t *testing.T, body string, delim uint8, given bool) {
		r := itemreader.Request{InputType: "CSV", CSVDelimiter: delims[int(delim)%len(delims)]}
		if given {
			r.CSVHeaderLocation, r.CSVHeaders = "GIVEN", []string{"x", "y"}
		}
		fuzzRead(t, r, body)
	})
}

func FuzzJSON(f *testing.F) {
	for _, s := range []string{`[1,"a",{"b":[null]}]`, `[`, `{"a":1}`, `[1] x`, ` [ ] `, `[1,]`, `"x"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) { fuzzRead(t, itemreader.Request{InputType: "JSON"}, body) })
}

func FuzzJSONL(f *testing.F) {
	for _, s := range []string{"{\"a\":1}\n[2]\n", "1 2\n", "\n\n", "{\n}", "\"x\"\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) { fuzzRead(t, itemreader.Request{InputType: "JSONL"}, body) })
}

func FuzzManifest(f *testing.F) {
	for _, s := range []string{
		`{"destinationBucket":"arn:aws:s3:::b","fileFormat":"CSV","fileSchema":"Bucket, Key","files":[{"key":"k"}]}`,
		`{"fileFormat":"CSV","fileSchema":"","files":[]}`, `[]`, `{"fileFormat":"Parquet"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) { fuzzRead(t, itemreader.Request{InputType: "MANIFEST"}, body) })
}
