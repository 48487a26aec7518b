package s3_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// volatile matches the values that differ per run; they are replaced by placeholders.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`"id":"[0-9a-f-]{36}"`), `"id":"<uuid>"`},
	{regexp.MustCompile(`"request-id":"[0-9A-F]{16}"`), `"request-id":"<request-id>"`},
	{regexp.MustCompile(`"sequencer":"[0-9A-F]{16}"`), `"sequencer":"<sequencer>"`},
	{regexp.MustCompile(`"version-id":"[A-Za-z0-9._]{32}"`), `"version-id":"<version-id>"`},
}

// TestEventGolden pins the exact bytes of the events (field order included) against
// testdata/events.golden.jsonl, shaped as https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
// shows them. Refresh with go test -run TestEventGolden -update.
func TestEventGolden(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "golden", true, true)
	ctx := context.Background()
	e.put(t, "golden", "incoming/sales/day 1.csv", "a,b\n")
	if _, err := e.client.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String("golden"), Key: aws.String("processed/day 1.csv"),
		CopySource: aws.String("golden/incoming/sales/day%201.csv")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("golden"), Key: aws.String("processed/day 1.csv")}); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	for range 3 {
		select {
		case raw := <-e.pub.events:
			for _, v := range volatile {
				raw = v.re.ReplaceAll(raw, []byte(v.with))
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, raw); err != nil {
				t.Fatal(err)
			}
			got.Write(compact.Bytes())
			got.WriteByte('\n')
		case <-time.After(10 * time.Second):
			t.Fatal("event not published")
		}
	}
	path := filepath.Join("testdata", "events.golden.jsonl")
	if *update {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if got.String() != string(want) {
		t.Errorf("events differ from %s:\ngot:\n%s\nwant:\n%s", path, got.String(), want)
	}
}
