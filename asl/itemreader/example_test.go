package itemreader_test

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/sluicehq/sluice/asl/itemreader"
)

// Open reads a CSV object's rows as items, every value a string, as a Distributed Map with
// ReaderConfig {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"} receives them.
func ExampleOpen() {
	store := newMemStore()
	store.put("ratings", "csv/ratings.csv", "movieId,rating\n1,4.5\n2,3\n")
	req, err := itemreader.NewRequest("arn:aws:states:::s3:getObject", map[string]any{"Bucket": "ratings", "Key": "csv/ratings.csv"})
	if err != nil {
		panic(err)
	}
	req.InputType, req.CSVHeaderLocation = "CSV", "FIRST_ROW"
	ctx := context.Background()
	it, err := itemreader.Open(ctx, store, req)
	if err != nil {
		panic(err)
	}
	defer it.Close()
	for {
		item, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			panic(err)
		}
		fmt.Println(item)
	}
	// Output:
	// map[movieId:1 rating:4.5]
	// map[movieId:2 rating:3]
}
