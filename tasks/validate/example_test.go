package validate_test

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/validate"
)

// bucket is a stand-in for S3 holding a schema and one object; the tests use a real S3 server.
type bucket map[string]string

func (b bucket) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader([]byte(b[*in.Key])))}, nil
}

func ExampleHandler_Handle() {
	h := validate.New(bucket{
		"schemas/orders.json": `{"name": "orders", "columns": [
			{"name": "order_id", "type": "string", "required": true},
			{"name": "quantity", "type": "integer", "min": 1}]}`,
		"incoming/orders/a.csv": "order_id,quantity\nORD-1,2\nORD-2,0\n",
	})
	rep, err := h.Handle(context.Background(), tasks.ValidateInput{
		Bucket: "pipeline",
		Object: tasks.S3Object{Key: "incoming/orders/a.csv"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(rep.Valid, rep.Format, rep.Rows, rep.ProblemCount)
	for _, p := range rep.Problems {
		fmt.Printf("line %d, %s: %s (%s)\n", p.Line, p.Column, p.Message, p.Code)
	}
	// Output:
	// false csv 2 1
	// line 3, quantity: 0 is less than the minimum 1 (min)
}
