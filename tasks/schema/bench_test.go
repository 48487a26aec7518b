package schema

import "testing"

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
