package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/internal/s3test"
	"github.com/sluicehq/sluice/tasks/store"
)

func ExampleHandler_Handle() {
	// An S3 server in the process, reached through the real SDK.
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	defer srv.Close()
	client := s3test.NewClient(srv.URL)
	ctx := context.Background()
	put := func(key, body string, meta map[string]string) string {
		var owned *types.BucketAlreadyOwnedByYou
		var exists *types.BucketAlreadyExists
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pipeline")}); err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
			panic(err)
		}
		out, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pipeline"), Key: aws.String(key), Body: strings.NewReader(body), Metadata: meta})
		if err != nil {
			panic(err)
		}
		return strings.Trim(aws.ToString(out.ETag), `"`)
	}
	// What the earlier states left: the source object and the process task's staged output.
	sourceETag := put("incoming/orders/a.csv", "order_id\nORD-1\n", nil)
	stagedETag := put("staging/run-1/orders/a.csv.jsonl.gz", "(gzip JSON Lines)",
		map[string]string{tasks.MetaSourceLastModified: "2024-03-01T23:30:00-02:00"})

	in := tasks.StoreInput{
		Invocation: tasks.Invocation{
			Bucket:    "pipeline",
			Object:    tasks.S3Object{Key: "incoming/orders/a.csv", ETag: sourceETag},
			Execution: "arn:aws:states:us-east-1:123456789012:execution:Pipeline:run-1",
		},
		Action: tasks.ActionCommit,
		Report: &tasks.Report{Valid: true, Dataset: "orders", Format: "csv", Rows: 1},
		Result: &tasks.ProcessOutput{Staging: tasks.ObjectRef{Bucket: "pipeline", Key: "staging/run-1/orders/a.csv.jsonl.gz", ETag: stagedETag}, Rows: 1},
	}
	h := store.New(client)
	out, err := h.Handle(ctx, in)
	if err != nil {
		panic(err)
	}
	fmt.Println(out.Outcome, out.Key)
	fmt.Println(out.Manifest == "manifests/orders/a.csv."+sourceETag+".json")

	// Another execution for the same object version finds the manifest and writes nothing.
	in.Execution = "arn:aws:states:us-east-1:123456789012:execution:Pipeline:run-2"
	in.Result.Staging.Key = "staging/run-2/orders/a.csv.jsonl.gz"
	in.Result.Staging.ETag = put(in.Result.Staging.Key, "(gzip JSON Lines)", map[string]string{tasks.MetaSourceLastModified: "2024-03-01T23:30:00-02:00"})
	out, err = h.Handle(ctx, in)
	if err != nil {
		panic(err)
	}
	fmt.Println(out.Outcome, out.Key)
	// Output:
	// stored processed/orders/dt=2024-03-02/a.jsonl.gz
	// true
	// duplicate processed/orders/dt=2024-03-02/a.jsonl.gz
}
