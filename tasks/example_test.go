package tasks_test

import (
	"fmt"

	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/tasks"
)

func ExampleClassifyObject() {
	ref := tasks.ObjectRef{Bucket: "pipeline", Key: "incoming/orders/a.csv", ETag: "9b2cf535f27731c974343645a3985328"}
	for _, code := range []string{"SlowDown", "PreconditionFailed", "NoSuchKey", "AccessDenied"} {
		err := tasks.ClassifyObject("get "+ref.Key, ref, &smithy.GenericAPIError{Code: code, Message: "from S3"})
		fmt.Printf("%s: %T\n", code, err)
	}
	// Output:
	// SlowDown: *tasks.TransientError
	// PreconditionFailed: *tasks.ObjectChangedError
	// NoSuchKey: *tasks.ObjectNotFoundError
	// AccessDenied: *fmt.wrapError
}
