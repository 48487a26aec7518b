package e2e

import (
	"bytes"
	"context"
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// TestTaggedUploadQuarantined uploads a rejected object with tags (x-amz-tagging) and checks it is
// quarantined like any other, not recorded as a failure, and that the quarantined copy carries the
// upload's tags, as CopyObject's default tagging directive (COPY) does in AWS; there the store role's
// tagging permissions allow it (gen's TestLeastPrivilege pins them).
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
	tags, err := e.s3.GetObjectTagging(context.Background(), &s3.GetObjectTaggingInput{Bucket: aws.String(e.bucket),
		Key: aws.String("quarantine/orders/tagged-bad.csv")})
	if err != nil {
		t.Fatalf("GetObjectTagging of the quarantined copy: %v", err)
	}
	got := map[string]string{}
	for _, tag := range tags.TagSet {
		got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if want := map[string]string{"owner": "team-a", "classification": "internal"}; !maps.Equal(got, want) {
		t.Errorf("quarantined copy's tags = %v, want the upload's %v", got, want)
	}
	if got := e.keys(t, "failed/"); len(got) != 0 {
		t.Errorf("failure records: got %v, want none", got)
	}
}
