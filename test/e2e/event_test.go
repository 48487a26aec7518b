package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"
)

// TestExecutionInputIsTheS3Event checks what reaches the state machine: the EventBridge "Object Created"
// event, with the envelope and detail members S3 documents
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html), the key as written (not
// URL-encoded), the ETag and version id S3 answered the write with, and the reason naming the API that
// created the object: PutObject, CopyObject or CompleteMultipartUpload.
func TestExecutionInputIsTheS3Event(t *testing.T) {
	t.Parallel()
	e := startStack(t, "", "")
	ctx := context.Background()
	type written struct{ etag, version, reason string }
	want := map[string]written{}

	put, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(e.bucket), Key: aws.String("incoming/orders/a b+c=d.csv"), Body: strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	want["incoming/orders/a b+c=d.csv"] = written{aws.ToString(put.ETag), aws.ToString(put.VersionId), "PutObject"}

	cp, err := e.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(e.bucket), Key: aws.String("incoming/orders/copy.csv"),
		CopySource: aws.String(e.bucket + "/incoming/orders/a%20b%2Bc%3Dd.csv")})
	if err != nil {
		t.Fatal(err)
	}
	want["incoming/orders/copy.csv"] = written{aws.ToString(cp.CopyObjectResult.ETag), aws.ToString(cp.VersionId), "CopyObject"}

	const mpKey = "incoming/orders/multipart.csv"
	up, err := e.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(e.bucket), Key: aws.String(mpKey)})
	if err != nil {
		t.Fatal(err)
	}
	part, err := e.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(e.bucket), Key: aws.String(mpKey), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("a,b\n"))})
	if err != nil {
		t.Fatal(err)
	}
	done, err := e.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(e.bucket), Key: aws.String(mpKey), UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}})
	if err != nil {
		t.Fatal(err)
	}
	want[mpKey] = written{aws.ToString(done.ETag), aws.ToString(done.VersionId), "CompleteMultipartUpload"}

	e.waitExecutions(t, len(want))
	all := e.describeAll(t)
	if len(all) != len(want) {
		t.Fatalf("got %d executions, want %d", len(all), len(want))
	}
	for _, x := range all {
		var ev struct {
			Version, ID, Source, Account, Time, Region string
			DetailType                                 string `json:"detail-type"`
			Resources                                  []string
			Detail                                     map[string]any
		}
		if err := json.Unmarshal([]byte(str(x.Input)), &ev); err != nil {
			t.Fatal(err)
		}
		var envelope map[string]any
		if err := json.Unmarshal([]byte(str(x.Input)), &envelope); err != nil {
			t.Fatal(err)
		}
		key := x.event.Detail.Object.Key
		w, ok := want[key]
		if !ok {
			t.Errorf("execution for an unexpected key %q", key)
			continue
		}
		t.Run(w.reason, func(t *testing.T) {
			if diff := cmp.Diff([]string{"account", "detail", "detail-type", "id", "region", "resources", "source", "time", "version"}, sortedKeys(envelope)); diff != "" {
				t.Errorf("envelope members (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"bucket", "object", "reason", "request-id", "requester", "source-ip-address", "version"}, sortedKeys(ev.Detail)); diff != "" {
				t.Errorf("detail members (-want +got):\n%s", diff)
			}
			if ev.Source != "aws.s3" || ev.DetailType != "Object Created" || ev.Version != "0" || ev.ID == "" || ev.Region != "us-east-1" {
				t.Errorf("envelope: got %+v", ev)
			}
			if diff := cmp.Diff([]string{"arn:aws:s3:::" + e.bucket}, ev.Resources); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
			obj := x.event.Detail.Object
			if obj.ETag != strings.Trim(w.etag, `"`) || obj.VersionID != w.version || x.event.Detail.Bucket.Name != e.bucket {
				t.Errorf("object: got etag %q version %q in %q, want %q %q in %q", obj.ETag, obj.VersionID, x.event.Detail.Bucket.Name, strings.Trim(w.etag, `"`), w.version, e.bucket)
			}
			if got := ev.Detail["reason"]; got != w.reason {
				t.Errorf("reason: got %v, want %s", got, w.reason)
			}
		})
	}
}

func sortedKeys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
