package jsonata_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sluicehq/sluice/asl/jsonata"
)

func Example() {
	doc, err := jsonata.DecodeJSON([]byte(`{"orders":[{"id":"a","qty":2,"price":1.5},{"id":"b","qty":1,"price":4}]}`))
	if err != nil {
		panic(err)
	}
	e := jsonata.MustCompile(`{"total": $sum(orders.(qty * price)), "ids": orders.id, "vat": $sum(orders.price) * $rate}`)
	v, err := e.Eval(context.Background(), doc, jsonata.WithBindings(map[string]any{"rate": 0.5}))
	if err != nil {
		panic(err)
	}
	out, _ := json.Marshal(v)
	fmt.Println(string(out))
	// Output: {"total":7,"ids":["a","b"],"vat":2.75}
}
