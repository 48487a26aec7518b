package process_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/internal/s3test"
	"github.com/sluicehq/sluice/tasks/process"
)

func ExampleHandler_Handle() {
	// An S3 server in the process, reached through the real SDK.
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	defer srv.Close()
	client := s3test.NewClient(srv.URL)
	ctx := context.Background()
	must := func(_ any, err error) {
		if err != nil {
			panic(err)
		}
	}
	must(client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pipeline")}))
	must(client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pipeline"), Key: aws.String("schemas/orders.json"),
		Body: strings.NewReader(`{"name": "orders", "columns": [
			{"name": "order_id", "type": "string", "required": true},
			{"name": "quantity", "type": "integer", "nullable": true},
			{"name": "created", "type": "timestamp"}]}`)}))
	put, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pipeline"), Key: aws.String("incoming/orders/a.csv"),
		Body: strings.NewReader("order_id,quantity,created\n ORD-1 ,007,2024-03-01 10:00:00+01:00\nORD-2,,2024-03-01T12:30:00Z\n")})
	must(put, err)

	out, err := process.New(client).Handle(ctx, tasks.ProcessInput{
		Invocation: tasks.Invocation{
			Bucket:    "pipeline",
			Object:    tasks.S3Object{Key: "incoming/orders/a.csv", ETag: strings.Trim(aws.ToString(put.ETag), `"`)},
			Execution: "arn:aws:states:us-east-1:123456789012:execution:Pipeline:run-1",
		},
		Report: tasks.Report{Valid: true, Dataset: "orders", Rows: 2}, // from the validate task
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(out.Staging.Key, out.Rows)
	for _, c := range out.Columns {
		fmt.Printf("%s: count %d, nulls %d, min %s, max %s\n", c.Name, c.Count, c.Nulls, c.Min, c.Max)
	}
	staged, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("pipeline"), Key: aws.String(out.Staging.Key)})
	must(staged, err)
	lines, err := gzip.NewReader(staged.Body)
	must(lines, err)
	text, err := io.ReadAll(lines)
	must(text, err)
	fmt.Print(string(text))
	// Output:
	// staging/run-1/orders/a.csv.jsonl.gz 2
	// order_id: count 2, nulls 0, min "ORD-1", max "ORD-2"
	// quantity: count 1, nulls 1, min 7, max 7
	// created: count 2, nulls 0, min "2024-03-01T09:00:00Z", max "2024-03-01T12:30:00Z"
	// {"order_id":"ORD-1","quantity":7,"created":"2024-03-01T09:00:00Z"}
	// {"order_id":"ORD-2","quantity":null,"created":"2024-03-01T12:30:00Z"}
}
