package s3_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluicehq/sluice/local/s3"
)

func int64p(n int64) *int64 { return &n }

// volatile fields differ per event; their shape is checked separately.
var ignoreVolatile = cmpopts.IgnoreFields(s3.Event{}, "ID")
var ignoreDetailVolatile = cmpopts.IgnoreFields(s3.EventDetail{}, "RequestID", "SourceIPAddress")
var ignoreObjectVolatile = cmpopts.IgnoreFields(s3.EventObject{}, "Sequencer", "VersionID")

func wantEvent(detailType, bucket string, obj s3.EventObject, reason, deletionType string) s3.Event {
	return s3.Event{
		Version: "0", DetailType: detailType, Source: "aws.s3", Account: "123456789012",
		Time: "2026-11-25T10:00:00Z", Region: "eu-west-1", Resources: []string{"arn:aws:s3:::" + bucket},
		Detail: s3.EventDetail{Version: "0", Bucket: s3.EventBucket{Name: bucket}, Object: obj,
			Requester: "123456789012", Reason: reason, DeletionType: deletionType},
	}
}

// Event shapes follow https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html.
func TestEventsShape(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "src", false, false)
	e.bucket(t, "evt", false, true)
	ctx := context.Background()
	e.put(t, "src", "seed.txt", "seed")

	tests := []struct {
		name string
		do   func(t *testing.T)
		want s3.Event
	}{
		{"put keeps the key as written", func(t *testing.T) { e.put(t, "evt", "incoming/a b+ü.csv", "hello") },
			wantEvent("Object Created", "evt", s3.EventObject{Key: "incoming/a b+ü.csv", Size: int64p(5),
				ETag: "5d41402abc4b2a76b9719d911017c592"}, "PutObject", "")},
		{"copy", func(t *testing.T) {
			if _, err := e.client.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String("evt"), Key: aws.String("copy.txt"),
				CopySource: aws.String("src/seed.txt")}); err != nil {
				t.Fatal(err)
			}
		}, wantEvent("Object Created", "evt", s3.EventObject{Key: "copy.txt", Size: int64p(4),
			ETag: "fe4c0f30aa359c41d9f9a5f69c8c4192"}, "CopyObject", "")},
		{"delete", func(t *testing.T) {
			if _, err := e.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("evt"), Key: aws.String("copy.txt")}); err != nil {
				t.Fatal(err)
			}
		}, wantEvent("Object Deleted", "evt", s3.EventObject{Key: "copy.txt"}, "DeleteObject", "Permanently Deleted")},
		{"delete objects", func(t *testing.T) {
			if _, err := e.client.DeleteObjects(ctx, &awss3.DeleteObjectsInput{Bucket: aws.String("evt"),
				Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("incoming/a b+ü.csv")}}}}); err != nil {
				t.Fatal(err)
			}
		}, wantEvent("Object Deleted", "evt", s3.EventObject{Key: "incoming/a b+ü.csv"}, "DeleteObject", "Permanently Deleted")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.do(t)
			got := e.pub.next(t)
			if diff := cmp.Diff(tc.want, got, ignoreVolatile, ignoreDetailVolatile, ignoreObjectVolatile); diff != "" {
				t.Errorf("event mismatch (-want +got):\n%s", diff)
			}
			if len(got.ID) != 36 || got.Detail.RequestID == "" || got.Detail.SourceIPAddress != "127.0.0.1" || len(got.Detail.Object.Sequencer) != 16 {
				t.Errorf("volatile fields malformed: id %q request-id %q ip %q sequencer %q",
					got.ID, got.Detail.RequestID, got.Detail.SourceIPAddress, got.Detail.Object.Sequencer)
			}
		})
	}
}

func TestEventsOnlyWhenEnabled(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "quiet", false, false)
	e.bucket(t, "loud", false, false)
	ctx := context.Background()
	_, err := e.client.PutBucketNotificationConfiguration(ctx, &awss3.PutBucketNotificationConfigurationInput{
		Bucket:                    aws.String("loud"),
		NotificationConfiguration: &types.NotificationConfiguration{EventBridgeConfiguration: &types.EventBridgeConfiguration{}},
	})
	if err != nil {
		t.Fatalf("PutBucketNotificationConfiguration: %v", err)
	}
	cfg, err := e.client.GetBucketNotificationConfiguration(ctx, &awss3.GetBucketNotificationConfigurationInput{Bucket: aws.String("loud")})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.EventBridgeConfiguration == nil {
		t.Error("GetBucketNotificationConfiguration: EventBridgeConfiguration missing")
	}
	e.put(t, "quiet", "a", "1")
	e.put(t, "loud", "b", "2")
	if got := e.pub.next(t).Detail.Object.Key; got != "b" {
		t.Errorf("first event key = %q, want b (quiet bucket must not emit)", got)
	}
}

func TestVersionedEvents(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "ver", true, true)
	ctx := context.Background()
	put := e.put(t, "ver", "k", "v1")
	created := e.pub.next(t)
	if got, want := created.Detail.Object.VersionID, aws.ToString(put.VersionId); got == "" || got != want {
		t.Errorf("created version-id = %q, want %q (non-empty)", got, want)
	}
	del, err := e.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("ver"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(del.DeleteMarker) {
		t.Error("DeleteObject on a versioned bucket did not create a delete marker")
	}
	marker := e.pub.next(t)
	want := wantEvent("Object Deleted", "ver", s3.EventObject{Key: "k", ETag: "d41d8cd98f00b204e9800998ecf8427e"}, "DeleteObject", "Delete Marker Created")
	if diff := cmp.Diff(want, marker, ignoreVolatile, ignoreDetailVolatile, ignoreObjectVolatile); diff != "" {
		t.Errorf("delete marker event (-want +got):\n%s", diff)
	}
	if got, want := marker.Detail.Object.VersionID, aws.ToString(del.VersionId); got != want {
		t.Errorf("marker version-id = %q, want %q", got, want)
	}
	if created.Detail.Object.Sequencer >= marker.Detail.Object.Sequencer {
		t.Errorf("sequencers not increasing: %s then %s", created.Detail.Object.Sequencer, marker.Detail.Object.Sequencer)
	}
	// The old version is still readable by ID.
	out, err := e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("ver"), Key: aws.String("k"), VersionId: put.VersionId})
	if err != nil {
		t.Fatalf("GetObject old version: %v", err)
	}
	out.Body.Close()
	_, err = e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("ver"), Key: aws.String("k")})
	if got, want := apiCode(err), "NoSuchKey"; got != want {
		t.Errorf("GetObject after delete: code %q, want %q", got, want)
	}
	vers, err := e.client.ListObjectVersions(ctx, &awss3.ListObjectVersionsInput{Bucket: aws.String("ver")})
	if err != nil {
		t.Fatal(err)
	}
	if len(vers.Versions) != 1 || len(vers.DeleteMarkers) != 1 || !aws.ToBool(vers.DeleteMarkers[0].IsLatest) {
		t.Errorf("ListObjectVersions: %d versions, %d markers; want 1 and 1 (latest)", len(vers.Versions), len(vers.DeleteMarkers))
	}
}

// A publisher that fails transiently delays an event, never loses it.
func TestEventRetriedAfterPublishFailure(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.pub.fail = 3
	e.bucket(t, "evt", false, true)
	e.put(t, "evt", "k", "x")
	if got := e.pub.next(t).Detail.Object.Key; got != "k" {
		t.Errorf("key = %q, want k", got)
	}
	if err := e.srv.WaitForEvents(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.PendingEvents(); n != 0 {
		t.Errorf("pending after WaitForEvents = %d, want 0", n)
	}
	e.pub.mu.Lock()
	calls := e.pub.calls
	e.pub.mu.Unlock()
	if calls != 4 {
		t.Errorf("publish calls = %d, want 4 (3 failures, 1 success)", calls)
	}
}

// Events committed but not yet published when the server stops are published by the next
// server over the same directory.
func TestEventSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir)
	e.pub.fail = 1 << 30 // never succeeds
	e.bucket(t, "evt", false, true)
	e.put(t, "evt", "k1", "x")
	e.put(t, "evt", "k2", "y")
	e.close()

	e2 := newEnv(t, dir)
	var keys []string
	for range 2 {
		raw := e2.pub.next(t)
		keys = append(keys, raw.Detail.Object.Key)
	}
	if diff := cmp.Diff([]string{"k1", "k2"}, keys); diff != "" {
		t.Errorf("redelivered keys (-want +got):\n%s", diff)
	}
	// Delivered events are forgotten: the next event is the new one.
	e2.put(t, "evt", "k3", "z")
	if got := e2.pub.next(t).Detail.Object.Key; got != "k3" {
		t.Errorf("next key = %q, want k3", got)
	}
	e2.close()
	if n := e2.srv.PendingEvents(); n != 0 {
		t.Errorf("pending after delivery = %d, want 0", n)
	}
	// A third server publishes nothing again: its first event is for a new object.
	e3 := newEnv(t, dir)
	e3.put(t, "evt", "k4", "w")
	if got := e3.pub.next(t).Detail.Object.Key; got != "k4" {
		t.Errorf("after a second restart the first event is for %q, want k4 (no redelivery)", got)
	}
}

func TestNullVersionID(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "nul", false, false)
	e.put(t, "nul", "before", "x")
	if err := e.srv.SetVersioning("nul", false); err != nil { // Suspended
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct{ key, want string }{{"before", "null"}}
	for _, tc := range tests {
		out, err := e.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("nul"), Key: aws.String(tc.key)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.VersionId); got != tc.want {
			t.Errorf("%s: version id %q, want %q", tc.key, got, tc.want)
		}
	}
	out, err := e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("nul"), Key: aws.String("before"), VersionId: aws.String("null")})
	if err != nil {
		t.Fatalf("GetObject versionId=null: %v", err)
	}
	out.Body.Close()
}

func TestPostObjectEvent(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "form", false, true)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("key", "uploads/${filename}")
	mw.WriteField("Content-Type", "text/csv")
	mw.WriteField("x-amz-meta-origin", "browser")
	fw, _ := mw.CreateFormFile("file", "data.csv")
	fw.Write([]byte("a,b\n"))
	mw.Close()
	resp, err := http.Post(e.http.URL+"/form", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST status %d, want 204", resp.StatusCode)
	}
	ev := e.pub.next(t)
	want := wantEvent("Object Created", "form", s3.EventObject{Key: "uploads/data.csv", Size: int64p(4), ETag: "f69f5b72bc79a92dc70c63c9aa142e36"}, "POST Object", "")
	if diff := cmp.Diff(want, ev, ignoreVolatile, ignoreDetailVolatile, ignoreObjectVolatile); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}
	if got := ev.Detail.RequestID; got != resp.Header.Get("x-amz-request-id") {
		t.Errorf("event request-id %q, response %q", got, resp.Header.Get("x-amz-request-id"))
	}
	head, err := e.client.HeadObject(context.Background(), &awss3.HeadObjectInput{Bucket: aws.String("form"), Key: aws.String("uploads/data.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.ContentType) != "text/csv" || head.Metadata["origin"] != "browser" {
		t.Errorf("content type %q, metadata %v", aws.ToString(head.ContentType), head.Metadata)
	}
}
