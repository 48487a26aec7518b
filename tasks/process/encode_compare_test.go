package process

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/records"
	"github.com/sluicehq/sluice/tasks/schema"
)

// refEncoder is the encoder as it was before values were coerced straight into the output: every value
// coerced by schema.Column.Coerce first, then the line written with schema.Value.AppendJSON. The tests
// hold the encoder to it.
type refEncoder struct {
	columns []schema.Column
	keys    [][]byte
	stats   []columnStats
	values  []schema.Value
}

func newRefEncoder(s *schema.Schema) *refEncoder {
	keys := make([][]byte, len(s.Columns))
	for i, c := range s.Columns {
		sep := ","
		if i == 0 {
			sep = "{"
		}
		keys[i] = append(schema.AppendJSONString([]byte(sep), c.Name), ':')
	}
	return &refEncoder{columns: s.Columns, keys: keys, stats: make([]columnStats, len(s.Columns)), values: make([]schema.Value, len(s.Columns))}
}

func (e *refEncoder) appendRecord(dst []byte, rec *records.Record) ([]byte, error) {
	if err := structureError(rec, len(e.columns)); err != nil {
		return dst, err
	}
	for i := range e.columns {
		v, err := e.columns[i].Coerce(rec.Values[i])
		if err != nil {
			ve := &tasks.InvalidObjectError{Line: rec.Line, Column: e.columns[i].Name, Code: schema.CodeType, Message: err.Error()}
			if sv, ok := err.(*schema.ValueError); ok {
				ve.Code = sv.Code
			}
			return dst, ve
		}
		e.values[i] = v
	}
	if len(e.columns) == 0 {
		dst = append(dst, '{')
	}
	for i, v := range e.values {
		dst = append(dst, e.keys[i]...)
		dst = v.AppendJSON(dst)
		addGeneric(&e.stats[i], v)
	}
	return append(dst, '}', '\n'), nil
}

// compareSchema is the benchmark's schema with a nullable column of every type that has none there.
const compareSchema = `{"name":"cmp","columns":[
	{"name":"order_id","type":"string","required":true,"pattern":"ORD-[0-9]{3}"},
	{"name":"line","type":"integer","required":true,"min":1,"max":999},
	{"name":"sku","type":"string","required":true,"maxLength":6},
	{"name":"quantity","type":"integer","nullable":true},
	{"name":"unit_price","type":"number","required":true,"min":0},
	{"name":"currency","type":"string","required":true,"enum":["EUR","USD","GBP"]},
	{"name":"paid","type":"boolean","nullable":true},
	{"name":"order_date","type":"date","required":true},
	{"name":"created_at","type":"timestamp","required":true},
	{"name":"seen","type":"timestamp","nullable":true,"min":"2024-01-01T00:00:00Z"},
	{"name":"amount","type":"decimal","nullable":true,"precision":6,"scale":2},
	{"name":"ratio","type":"number","nullable":true},
	{"name":"note","type":"string","nullable":true},
	{"name":"a \"quoted\" name longer than a key's fixed room","type":"integer","nullable":true}]}`

// genField makes the text of one field, mostly acceptable for the column, sometimes not.
func genField(rng *rand.Rand, c *schema.Column) string {
	two := func(n int) string { return strconv.Itoa(100 + n)[1:] }
	bad := rng.IntN(60) == 0
	var s string
	switch c.Type {
	case "string":
		s = [...]string{"ORD-" + strconv.Itoa(100+rng.IntN(900)), "EUR", "USD", "GBP", "SKU-" + strconv.Itoa(rng.IntN(100)),
			"żółw", "a \"quoted\" note\\", "", "  ", "x" + strings.Repeat("y", rng.IntN(300))}[rng.IntN(10)]
	case "integer":
		s = strconv.Itoa(rng.IntN(1200) - 100)
		if rng.IntN(10) == 0 {
			s = "+00" + s
		}
	case "number":
		s = strconv.Itoa(rng.IntN(20000)-10) + "." + strconv.Itoa(rng.IntN(1000))
		if rng.IntN(10) == 0 {
			s = [...]string{"-0", "1e3", ".5", "5.", "12345678901234567", "-0.000"}[rng.IntN(6)]
		}
	case "decimal":
		s = strconv.Itoa(rng.IntN(20000)) + "." + two(rng.IntN(100))
	case "boolean":
		s = [...]string{"true", "false", "TRUE", "False", ""}[rng.IntN(5)]
	case "date":
		s = "2024-" + two(1+rng.IntN(12)) + "-" + two(1+rng.IntN(28))
	case "timestamp":
		s = strconv.Itoa(2023+rng.IntN(2)) + "-" + two(1+rng.IntN(12)) + "-" + two(1+rng.IntN(28)) + [...]string{"T", " "}[rng.IntN(2)] +
			two(rng.IntN(24)) + ":" + two(rng.IntN(60)) + ":" + two(rng.IntN(60))
		if rng.IntN(2) == 0 {
			s += "." + strconv.Itoa(rng.IntN(1000000))
		}
		s += [...]string{"Z", "+01:00", "-0530", ""}[rng.IntN(4)]
	}
	if bad {
		s = [...]string{"x", "2024-13-01", "1,5", "-", "ORD-12345", "maybe", "99999999999999999999"}[rng.IntN(7)]
	}
	if rng.IntN(8) == 0 {
		s = " " + s + "\t"
	}
	return s
}

// TestEncoderMatchesReference holds the encoder to refEncoder on generated records: the same bytes, the
// same error (type, line, column, code, message) for each record, and the same statistics.
func TestEncoderMatchesReference(t *testing.T) {
	s, err := schema.Parse([]byte(compareSchema))
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 99))
		enc, ref := newEncoder(s), newRefEncoder(s)
		var got, want []byte
		for line := int64(2); line < 5000; line++ {
			rec := &records.Record{Line: line, Values: make([]schema.Raw, len(s.Columns))}
			for i := range s.Columns {
				rec.Values[i] = schema.Raw{Kind: schema.RawText, Text: genField(rng, &s.Columns[i])}
				switch rng.IntN(40) {
				case 0:
					rec.Values[i] = schema.Raw{Kind: schema.RawMissing}
				case 1:
					rec.Values[i] = schema.Raw{Kind: schema.RawNull}
				case 2:
					rec.Values[i] = schema.Raw{Kind: schema.RawNumber, Text: genField(rng, &s.Columns[i])}
				}
			}
			var gotErr, wantErr error
			got, gotErr = enc.appendRecord(got, rec)
			want, wantErr = ref.appendRecord(want, rec)
			if diff := cmp.Diff(fmt.Sprintf("%T %v", gotErr, gotErr), fmt.Sprintf("%T %v", wantErr, wantErr)); diff != "" {
				t.Fatalf("seed %d line %d: error (-got +want):\n%s", seed, line, diff)
			}
			if gotErr != nil {
				if diff := cmp.Diff(gotErr, wantErr); diff != "" {
					t.Fatalf("seed %d line %d: error (-got +want):\n%s", seed, line, diff)
				}
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("seed %d: output differs (-got +want):\n%s", seed, cmp.Diff(string(got), string(want)))
		}
		for i, c := range s.Columns {
			if diff := cmp.Diff(enc.stats[i].result(c.Name), ref.stats[i].result(c.Name)); diff != "" {
				t.Errorf("seed %d: statistics of %s (-got +want):\n%s", seed, c.Name, diff)
			}
		}
	}
}
