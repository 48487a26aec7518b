package records_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sluicehq/sluice/tasks/records"
	"github.com/sluicehq/sluice/tasks/schema"
)

func ExampleReader() {
	s, err := schema.Parse([]byte(`{"name": "orders", "columns": [
		{"name": "order_id", "type": "string", "required": true},
		{"name": "quantity", "type": "integer"}]}`))
	if err != nil {
		panic(err)
	}
	typ, err := records.Detect("incoming/orders/2024-03-01.jsonl")
	if err != nil {
		panic(err)
	}
	src := strings.NewReader(`{"order_id": "ORD-1", "quantity": 2}
{"order_id": "ORD-2", "coupon": "X"}
{"order_id": "ORD-3", "quantity": 1`)
	r := records.NewReader(src, typ, s)
	for {
		rec, err := r.Next()
		var malformed *records.Error
		switch {
		case errors.Is(err, io.EOF):
			return
		case errors.As(err, &malformed):
			fmt.Println("stopped:", malformed)
			return
		case err != nil:
			panic(err)
		}
		fmt.Println(rec.Line, rec.Values, rec.Problems)
	}
	// Output:
	// 1 [{2 ORD-1} {3 2}] []
	// 2 [{2 ORD-2} {0 }] [{2 coupon unknown member "coupon" is not a column of dataset "orders"}]
	// stopped: line 3: malformed JSON: the line ends inside a value (a JSON Lines record must fit on one line)
}
