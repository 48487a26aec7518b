package process

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/sluicehq/sluice/tasks/records"
	"github.com/sluicehq/sluice/tasks/schema"
)

func ordersSchema(tb testing.TB) *schema.Schema {
	tb.Helper()
	doc, err := os.ReadFile("testdata/orders.schema.json")
	if err != nil {
		tb.Fatal(err)
	}
	s, err := schema.Parse(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// FuzzEncode checks the encoder against the schema's own coercion: a record the schema accepts becomes
// one line of valid JSON with every column in schema order and the coerced values; a record it refuses
// leaves the output and the statistics untouched.
func FuzzEncode(f *testing.F) {
	f.Add(" ORD-000001 ", "007", "2.50", "new", "TRUE", "2024-03-01", "2024-03-01 10:00:00+01:00", "  hello  ", uint8(0))
	f.Add("ORD-000002", "1", "1e2", "paid", "", "2024-02-29", "2024-03-01T09:00:00.120Z", "", uint8(0xff))
	f.Add("ORD-000003", "3", "-0.5", "shipped", "false", "2023-12-31", "2024-01-01t00:00:00", "a \"quoted\"\n\ttab \x01", uint8(0x10))
	f.Add("ORD-0003", "x", "NaN", "lost", "maybe", "2023-02-30", "yesterday", "\u2028", uint8(0x81))
	s := ordersSchema(f)
	f.Fuzz(func(t *testing.T, id, qty, price, status, gift, day, created, note string, kinds uint8) {
		texts := []string{id, qty, price, status, gift, day, created, note}
		rec := &records.Record{Line: 7, Values: make([]schema.Raw, len(texts))}
		for i, text := range texts {
			rec.Values[i] = schema.Raw{Kind: schema.RawText, Text: text}
			if kinds&(1<<i) != 0 { // the bit picks another kind: missing for the optional, null otherwise
				rec.Values[i] = schema.Raw{Kind: schema.RawNull}
				if !s.Columns[i].Required {
					rec.Values[i] = schema.Raw{Kind: schema.RawMissing}
				}
			}
		}
		for _, text := range texts {
			if !validUTF8(text) {
				return // the readers yield only valid UTF-8
			}
		}
		enc := newEncoder(s)
		prefix := []byte("previous line\n")
		out, err := enc.appendRecord(bytes.Clone(prefix), rec)
		if err != nil {
			if !bytes.Equal(out, prefix) {
				t.Fatalf("refused record changed the output: %q", out)
			}
			for i, st := range enc.stats {
				if st.count != 0 || st.nulls != 0 {
					t.Fatalf("refused record changed the statistics of column %d", i)
				}
			}
			return
		}
		line, ok := bytes.CutPrefix(out, prefix)
		if !ok || len(line) == 0 || line[len(line)-1] != '\n' || bytes.Count(line, []byte("\n")) != 1 {
			t.Fatalf("not one line after the prefix: %q", out)
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			t.Fatalf("line %q does not open an object: %v", line, err)
		}
		for i, c := range s.Columns {
			key, err := dec.Token()
			if err != nil || key != c.Name {
				t.Fatalf("member %d of %q: got %v (%v), want %q", i, line, key, err, c.Name)
			}
			var got any
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("value of %s in %q: %v", c.Name, line, err)
			}
			want, err := s.Columns[i].Coerce(rec.Values[i])
			if err != nil {
				t.Fatalf("the encoder accepted what Coerce refuses: %s: %v", c.Name, err)
			}
			if !sameValue(got, want) {
				t.Fatalf("%s: got %#v, want %#v in %q", c.Name, got, want.Any(), line)
			}
		}
		if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
			t.Fatalf("line %q has more than the schema's columns", line)
		}
	})
}

func validUTF8(s string) bool { return utf8.ValidString(s) }

// sameValue compares a decoded JSON value with a coerced one.
func sameValue(got any, want schema.Value) bool {
	switch want.Kind {
	case schema.KindNull:
		return got == nil
	case schema.KindString, schema.KindDate, schema.KindTimestamp:
		return got == want.Str
	case schema.KindBoolean:
		return got == want.Bool
	case schema.KindInteger:
		n, ok := got.(json.Number)
		return ok && string(n) == strconv.FormatInt(want.Int, 10)
	case schema.KindNumber:
		n, ok := got.(json.Number)
		f, err := strconv.ParseFloat(string(n), 64)
		return ok && err == nil && f == want.Float
	}
	return false
}
