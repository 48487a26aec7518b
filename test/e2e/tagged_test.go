package e2e

import (
	"bytes"
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// TestTaggedUploadQuarantined uploads a rejected object with tags (x-amz-tagging) and checks it is
// quarantined like any other, not recorded as a failure. In AWS the quarantine copy carries the tags over
// (CopyObject's default tagging directive, COPY), which the store role's tagging permissions allow (gen's
// TestLeastPrivilege pins them). The local S3 does not keep tags (see local/s3's package doc), so here
// the test shows only that a tagged upload takes the normal path.
func TestTaggedUploadQuarantined(t *testing.T) {
	t.Parallel()
	e := startStack(t, "", "")
	e.putSchema(t)
	key := "incoming/orders/tagged-bad.csv"
	_, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket:  aws.String(e.bucket),
		Key:     aws.String(key),
		Body:    bytes.NewReader(repoFile(t, "sample/incoming/orders/bad-values.csv")),
		Tagging: aws.String("owner=team-a&classification=internal"),
	})
	if err != nil {
		t.Fatalf("put tagged object: %v", err)
	}
	e.waitExecutions(t, 1)
	xs := executionsFor(e.describeAll(t), key)
	if len(xs) != 1 {
		t.Fatalf("got %d executions for %s, want 1", len(xs), key)
	}
	if xs[0].Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("status: got %s (%s: %s), want SUCCEEDED", xs[0].Status, str(xs[0].Error), str(xs[0].Cause))
	}
	checkQuarantined(t, e, "tagged-bad.csv", outcomeOf(t, xs[0]))
	if got := e.keys(t, "failed/"); len(got) != 0 {
		t.Errorf("failure records: got %v, want none", got)
	}
}
