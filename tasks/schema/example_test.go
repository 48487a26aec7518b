package schema_test

import (
	"fmt"

	"github.com/sluicehq/sluice/tasks/schema"
)

func ExampleColumn_Coerce() {
	s, err := schema.Parse([]byte(`{"name": "orders", "columns": [
		{"name": "created", "type": "timestamp", "required": true},
		{"name": "quantity", "type": "integer", "min": 1}
	]}`))
	if err != nil {
		panic(err)
	}
	created := &s.Columns[s.Index("created")]
	v, err := created.Coerce(schema.Raw{Kind: schema.RawText, Text: " 2024-03-01 10:30:00+01:00 "})
	fmt.Println(string(v.AppendJSON(nil)), err)

	quantity := &s.Columns[s.Index("quantity")]
	_, err = quantity.Coerce(schema.Raw{Kind: schema.RawText, Text: "0"})
	fmt.Println(err)
	// Output:
	// "2024-03-01T09:30:00Z" <nil>
	// 0 is less than the minimum 1
}
