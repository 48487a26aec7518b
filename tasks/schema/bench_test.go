package schema

import (
	"testing"
	"time"
)

// BenchmarkCheck checks the values of a typical row (one of each type and constraint) per iteration.
func BenchmarkCheck(b *testing.B) {
	s, err := Parse([]byte(`{"name":"bench","columns":[
		{"name":"order_id","type":"string","required":true,"pattern":"ORD-[0-9]{8}"},
		{"name":"line","type":"integer","required":true,"min":1,"max":999},
		{"name":"sku","type":"string","required":true,"maxLength":16},
		{"name":"unit_price","type":"number","required":true,"min":0},
		{"name":"currency","type":"string","required":true,"enum":["EUR","USD","GBP"]},
		{"name":"paid","type":"boolean","nullable":true},
		{"name":"order_date","type":"date","required":true},
		{"name":"created_at","type":"timestamp","required":true},
		{"name":"note","type":"string","nullable":true}]}`))
	if err != nil {
		b.Fatal(err)
	}
	row := []Raw{text("ORD-00012345"), text("042"), text("TEA-0042"), text("0123.45"), text("GBP"), text("true "),
		text("2024-03-07"), text("2024-03-01T09:30:00Z"), text("a short note about the order")}
	for b.Loop() {
		for i := range s.Columns {
			if err := s.Columns[i].Check(row[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkDecimal coerces the same texts as decimal(12,2) and as number (the float64 baseline), in the
// same loop, and reports the decimal's cost as a ratio of the number's (x-number) with both per value.
func BenchmarkDecimal(b *testing.B) {
	s, err := Parse([]byte(`{"name":"bench","columns":[{"name":"n","type":"number","min":0},
		{"name":"d","type":"decimal","precision":12,"scale":2,"min":0}]}`))
	if err != nil {
		b.Fatal(err)
	}
	values := []Raw{text("0123.45"), text("7.5"), text("1234567890.12"), {Kind: RawNumber, Text: "39.9"}, text("12")}
	var numberTime, decimalTime time.Duration
	for b.Loop() {
		start := time.Now()
		for _, v := range values {
			if _, err := s.Columns[0].Coerce(v); err != nil {
				b.Fatal(err)
			}
		}
		mid := time.Now()
		for _, v := range values {
			if _, err := s.Columns[1].Coerce(v); err != nil {
				b.Fatal(err)
			}
		}
		numberTime += mid.Sub(start)
		decimalTime += time.Since(mid)
	}
	n := float64(b.N * len(values))
	b.ReportMetric(float64(numberTime.Nanoseconds())/n, "ns/number")
	b.ReportMetric(float64(decimalTime.Nanoseconds())/n, "ns/decimal")
	b.ReportMetric(float64(decimalTime)/float64(numberTime), "x-number")
}
