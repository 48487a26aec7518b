package records

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicehq/sluice/tasks/schema"
)

const testSchema = `{"name":"t","columns":[
	{"name":"id","type":"string","required":true},
	{"name":"n","type":"integer"},
	{"name":"note","type":"string","nullable":true}]}`

func mustSchema(t testing.TB, doc string) *schema.Schema {
	t.Helper()
	s, err := schema.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// row is a Record in a form that is easy to write in a table.
type row struct {
	Line     int64
	Values   []string // "text" for RawText, "#n" for RawNumber, "?" missing, "null", "{}" composite, "!" bool
	Problems []string // codes
}

type result struct {
	Rows []row
	Err  string // error code (Error.Code, "header", "source") or "" for a clean io.EOF
}

func show(v schema.Raw) string {
	switch v.Kind {
	case schema.RawMissing:
		return "?"
	case schema.RawNull:
		return "null"
	case schema.RawNumber:
		return "#" + v.Text
	case schema.RawBool:
		return "!" + v.Text
	case schema.RawComposite:
		return "{}"
	}
	return v.Text
}

func readAll(t testing.TB, r *Reader) result {
	t.Helper()
	var res result
	for {
		rec, err := r.Next()
		if err != nil {
			var e *Error
			var he *HeaderError
			var se *SourceError
			switch {
			case errors.Is(err, io.EOF):
			case errors.As(err, &e):
				res.Err = e.Code + "@" + itoa(e.Line)
			case errors.As(err, &he):
				for _, p := range he.Problems {
					res.Err += p.Code + ":" + p.Column + "@" + itoa(p.Line) + " "
				}
			case errors.As(err, &se):
				res.Err = "source"
			default:
				t.Fatalf("Next: unexpected error type %T: %v", err, err)
			}
			if _, again := r.Next(); !errors.Is(again, err) && again != err {
				t.Fatalf("Next after %v: got %v, want the same error", err, again)
			}
			return res
		}
		w := row{Line: rec.Line}
		for _, v := range rec.Values {
			w.Values = append(w.Values, show(v))
		}
		for _, p := range rec.Problems {
			w.Problems = append(w.Problems, p.Code)
		}
		res.Rows = append(res.Rows, w)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestReader(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		in     string
		want   result
	}{
		{"csv", CSV, "id,n,note\na,1,x\nb,,\n", result{Rows: []row{{Line: 2, Values: []string{"a", "1", "x"}}, {Line: 3, Values: []string{"b", "", ""}}}}},
		{"csv bom crlf reordered", CSV, "\ufeffn, id \r\n1,a\r\n", result{Rows: []row{{Line: 2, Values: []string{"a", "1", "?"}}}}},
		{"csv quoted multiline", CSV, "id,note\n\"a,1\",\"x\ny\"\nb,z\n", result{Rows: []row{{Line: 2, Values: []string{"a,1", "?", "x\ny"}}, {Line: 4, Values: []string{"b", "?", "z"}}}}},
		{"csv no final newline", CSV, "id\na", result{Rows: []row{{Line: 2, Values: []string{"a", "?", "?"}}}}},
		{"csv blank lines", CSV, "id\n\na\n\n", result{Rows: []row{{Line: 3, Values: []string{"a", "?", "?"}}}}},
		{"csv field count", CSV, "id,n\na\nb,2\n", result{Rows: []row{{Line: 2, Problems: []string{CodeColumns}}, {Line: 3, Values: []string{"b", "2", "?"}}}}},
		{"csv bare quote", CSV, "id\na\"b\n", result{Err: "syntax@2"}},
		{"csv open quote", CSV, "id\n\"ab\n", result{Err: "syntax@2"}},
		{"csv header problems", CSV, "n,n,zz\n1,2,3\n", result{Err: "header:n@1 header:zz@1 header:id@1 "}},
		{"csv empty", CSV, "", result{Err: "header:@1 "}},
		{"csv bad utf8", CSV, "id\na\nb\xff\n", result{Rows: []row{{Line: 2, Values: []string{"a", "?", "?"}}}, Err: "utf8@3"}},
		{"csv truncated utf8", CSV, "id\na\xc3", result{Err: "utf8@2"}},
		{"jsonl", JSONL, "{\"id\":\"a\",\"n\":1,\"note\":null}\n\n  {\"n\":\"2\",\"id\":\"b\"}\r\n{\"id\":true,\"n\":[1,{\"x\":2}],\"note\":{}}", result{Rows: []row{
			{Line: 1, Values: []string{"a", "#1", "null"}},
			{Line: 3, Values: []string{"b", "2", "?"}},
			{Line: 4, Values: []string{"!true", "{}", "{}"}},
		}}},
		{"jsonl record problems", JSONL, "{\"id\":\"a\",\"x\":{\"y\":1},\"id\":\"b\"}\n[1]\n\"s\"\n{\"id\":\"c\"} {}\n{\"id\":\"d\"}\n", result{Rows: []row{
			{Line: 1, Values: []string{"a", "?", "?"}, Problems: []string{CodeUnknown, CodeDuplicate}},
			{Line: 2, Problems: []string{CodeRecord}},
			{Line: 3, Problems: []string{CodeRecord}},
			{Line: 4, Problems: []string{CodeSyntax}},
			{Line: 5, Values: []string{"d", "?", "?"}},
		}}},
		{"jsonl split record", JSONL, "{\"id\":\"a\",\n\"n\":1}\n", result{Err: "syntax@1"}},
		{"jsonl malformed", JSONL, "{\"id\":\"a\"}\n{\"id\" \"b\"}\n", result{Rows: []row{{Line: 1, Values: []string{"a", "?", "?"}}}, Err: "syntax@2"}},
		{"jsonl bad utf8 in string", JSONL, "{\"id\":\"a\"}\n{\"id\":\"\xed\xa0\x80\"}\n", result{Rows: []row{{Line: 1, Values: []string{"a", "?", "?"}}}, Err: "utf8@2"}},
		{"json", JSON, "[\n  {\"id\": \"a\", \"n\": 1},\n  {\"id\": \"b\",\n   \"note\": \"x\"}\n]\n", result{Rows: []row{
			{Line: 2, Values: []string{"a", "#1", "?"}},
			{Line: 3, Values: []string{"b", "?", "x"}},
		}}},
		{"json empty array", JSON, " [ ] ", result{}},
		{"json not array", JSON, "\n{\"id\":\"a\"}", result{Err: "syntax@2"}},
		{"json empty", JSON, "", result{Err: "syntax@1"}},
		{"json non-object record", JSON, "[1,\n[2],\n{\"id\":\"a\"}]", result{Rows: []row{
			{Line: 1, Problems: []string{CodeRecord}},
			{Line: 2, Problems: []string{CodeRecord}},
			{Line: 3, Values: []string{"a", "?", "?"}},
		}}},
		{"json trailing data", JSON, "[]\n[]", result{Err: "syntax@2"}},
		{"json truncated", JSON, "[{\"id\":\"a\"},\n{\"id\":", result{Rows: []row{{Line: 1, Values: []string{"a", "?", "?"}}}, Err: "syntax@2"}},
		{"json malformed", JSON, "[{\"id\":\"a\"}\n\n{\"id\":\"b\"}]", result{Rows: []row{{Line: 1, Values: []string{"a", "?", "?"}}}, Err: "syntax@3"}},
	}
	s := mustSchema(t, testSchema)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One byte at a time too, so that every split of a UTF-8 sequence or token is exercised.
			for _, src := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in))} {
				got := readAll(t, NewReader(src, Type{Format: tt.format}, s))
				if diff := cmp.Diff(got, tt.want); diff != "" {
					t.Errorf("records (-got +want):\n%s", diff)
				}
			}
		})
	}
}

func gz(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGzip(t *testing.T) {
	s := mustSchema(t, testSchema)
	good := gz(t, "id\na\n")
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)-5] ^= 0xff // the CRC-32 trailer
	tests := []struct {
		name string
		in   []byte
		want result
	}{
		{"good", good, result{Rows: []row{{Line: 2, Values: []string{"a", "?", "?"}}}}},
		{"concatenated members", append(bytes.Clone(good), gz(t, "b\n")...), result{Rows: []row{{Line: 2, Values: []string{"a", "?", "?"}}, {Line: 3, Values: []string{"b", "?", "?"}}}}},
		{"not gzip", []byte("id\na\n"), result{Err: "gzip@0"}},
		{"empty", nil, result{Err: "gzip@0"}},
		{"truncated trailer", good[:len(good)-4], result{Rows: []row{{Line: 2, Values: []string{"a", "?", "?"}}}, Err: "gzip@0"}},
		{"truncated data", good[:12], result{Err: "gzip@0"}},
		{"checksum", corrupt, result{Rows: []row{{Line: 2, Values: []string{"a", "?", "?"}}}, Err: "gzip@0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, NewReader(bytes.NewReader(tt.in), Type{Format: CSV, Gzip: true}, s))
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("records (-got +want):\n%s", diff)
			}
		})
	}
}

func TestRecordSizeLimit(t *testing.T) {
	s := mustSchema(t, testSchema)
	long := strings.Repeat("x", 5000)
	tests := []struct {
		name   string
		format Format
		in     string
		want   result
	}{
		{"csv", CSV, "id\na\n" + long + "\nb\n", result{Rows: []row{{Line: 2, Values: []string{"a", "?", "?"}}}, Err: "recordSize@3"}},
		{"csv fits", CSV, "id\n" + long[:1000] + "\n", result{Rows: []row{{Line: 2, Values: []string{long[:1000], "?", "?"}}}}},
		{"jsonl", JSONL, "{\"id\":\"a\"}\n{\"id\":\"" + long + "\"}\n", result{Rows: []row{{Line: 1, Values: []string{"a", "?", "?"}}}, Err: "recordSize@2"}},
		{"json", JSON, "[{\"id\":\"a\"},\n{\"id\":\"" + long + "\"}]", result{Rows: []row{{Line: 1, Values: []string{"a", "?", "?"}}}, Err: "recordSize@2"}},
		{"json many small records", JSON, "[" + strings.Repeat("{\"id\":\"a\"},", 300) + "{\"id\":\"b\"}]", result{Rows: func() []row {
			rows := make([]row, 301)
			for i := range rows {
				rows[i] = row{Line: 1, Values: []string{"a", "?", "?"}}
			}
			rows[300].Values[0] = "b"
			return rows
		}()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, NewReader(strings.NewReader(tt.in), Type{Format: tt.format}, s, WithMaxRecordBytes(4096)))
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("records (-got +want):\n%s", diff)
			}
		})
	}
}

func TestSourceError(t *testing.T) {
	s := mustSchema(t, testSchema)
	boom := errors.New("connection reset")
	for _, typ := range []Type{{Format: CSV}, {Format: JSONL}, {Format: JSON}, {Format: CSV, Gzip: true}} {
		t.Run(string(typ.Format)+map[bool]string{true: ".gz"}[typ.Gzip], func(t *testing.T) {
			prefix := map[Format]string{CSV: "id\n", JSONL: "{\"id\":\"a\"}\n", JSON: "["}[typ.Format]
			src := io.MultiReader(strings.NewReader(prefix), iotest.ErrReader(boom))
			if typ.Gzip {
				src = io.MultiReader(bytes.NewReader(gz(t, "id\na\n")[:12]), iotest.ErrReader(boom))
			}
			r := NewReader(src, typ, s)
			var err error
			for err == nil {
				_, err = r.Next()
			}
			var se *SourceError
			if !errors.As(err, &se) || !errors.Is(err, boom) {
				t.Fatalf("Next: got %v (%T), want a *SourceError wrapping the source's error", err, err)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		key  string
		want Type
		ok   bool
	}{
		{"incoming/orders/a.csv", Type{Format: CSV}, true},
		{"incoming/orders/a.CSV.GZ", Type{Format: CSV, Gzip: true}, true},
		{"incoming/orders/a.jsonl", Type{Format: JSONL}, true},
		{"incoming/orders/a.ndjson.gz", Type{Format: JSONL, Gzip: true}, true},
		{"incoming/orders/a.b.json", Type{Format: JSON}, true},
		{"incoming/orders/a.txt", Type{}, false},
		{"incoming/orders/a.gz", Type{}, false},
		{"incoming/orders/.csv", Type{}, false},
		{"incoming/orders/csv", Type{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, err := Detect(tt.key)
			var ue *UnknownFormatError
			if tt.ok != (err == nil) || (err != nil && !errors.As(err, &ue)) {
				t.Fatalf("Detect(%q): error %v, want ok=%v", tt.key, err, tt.ok)
			}
			if got != tt.want {
				t.Errorf("Detect(%q): got %+v, want %+v", tt.key, got, tt.want)
			}
		})
	}
}

// A row with one field says "1 field", not "1 fields".
func TestFieldCountMessage(t *testing.T) {
	if got, want := fields1(1), "1 field"; got != want {
		t.Errorf("fields1(1) = %q, want %q", got, want)
	}
	if got, want := fields1(3), "3 fields"; got != want {
		t.Errorf("fields1(3) = %q, want %q", got, want)
	}
}
