package s3_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestWrittenBefore: an object's write time is compared to the nanosecond the service keeps, within the
// second a listing's LastModified shares, and survives a restart; a missing object and a delete marker
// answer NoSuchKey.
func TestWrittenBefore(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir)
	e.bucket(t, "bkt", true, false)
	e.clock.advance(300 * time.Millisecond) // 10:00:00.300
	e.put(t, "bkt", "early", "x")
	e.clock.advance(400 * time.Millisecond) // 10:00:00.700
	e.put(t, "bkt", "late", "x")
	e.put(t, "bkt", "gone", "x")
	if _, err := e.client.DeleteObject(context.Background(), &awss3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String("gone")}); err != nil {
		t.Fatal(err)
	}
	cutoff := time.Date(2026, 11, 25, 10, 0, 0, 500_000_000, time.UTC)

	check := func(e *env, when string) {
		t.Helper()
		for key, want := range map[string]bool{"early": true, "late": false} {
			got, err := e.srv.WrittenBefore("bkt", key, cutoff)
			if err != nil || got != want {
				t.Errorf("%s: WrittenBefore(%s, 10:00:00.500) = %v, %v; want %v, nil", when, key, got, err, want)
			}
		}
		for _, key := range []string{"gone", "never"} {
			_, err := e.srv.WrittenBefore("bkt", key, cutoff)
			if err == nil || !strings.Contains(err.Error(), "NoSuchKey") {
				t.Errorf("%s: WrittenBefore(%s): got error %v, want NoSuchKey", when, key, err)
			}
		}
	}
	check(e, "before a restart")
	e.close()
	check(newEnv(t, dir), "after a restart")
}
