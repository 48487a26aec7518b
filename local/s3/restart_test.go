package s3_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluicehq/sluice/local/s3"
)

func TestRestartKeepsState(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	e := newEnv(t, dir)
	e.bucket(t, "keep", true, true)
	v1 := e.put(t, "keep", "k", "first")
	e.put(t, "keep", "k", "second")
	e.pub.next(t)
	e.pub.next(t)
	up, err := e.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("keep"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := e.client.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String("keep"), Key: aws.String("mp"),
		UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("part one")})
	if err != nil {
		t.Fatal(err)
	}
	e.close()

	// Leftovers of a crash mid-write: a temp file and an uncommitted blob.
	if err := os.WriteFile(filepath.Join(dir, "buckets", "keep", "blobs", ".tmp-crash"), []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "buckets", "keep", "blobs", "orphan"), []byte("never committed"), 0o644); err != nil {
		t.Fatal(err)
	}

	e2 := newEnv(t, dir)
	if got := e2.get(t, "keep", "k"); got != "second" {
		t.Errorf("after restart: %q, want second", got)
	}
	old, err := e2.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("keep"), Key: aws.String("k"), VersionId: v1.VersionId})
	if err != nil {
		t.Fatalf("old version after restart: %v", err)
	}
	old.Body.Close()
	ver, err := e2.client.GetBucketVersioning(ctx, &awss3.GetBucketVersioningInput{Bucket: aws.String("keep")})
	if err != nil {
		t.Fatal(err)
	}
	if ver.Status != types.BucketVersioningStatusEnabled {
		t.Errorf("versioning = %q, want Enabled", ver.Status)
	}
	if _, err := e2.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String("keep"), Key: aws.String("mp"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}); err != nil {
		t.Fatalf("complete an upload begun before the restart: %v", err)
	}
	if got := e2.get(t, "keep", "mp"); got != "part one" {
		t.Errorf("multipart object = %q", got)
	}
	if got := e2.pub.next(t).Detail.Object.Key; got != "mp" {
		t.Errorf("event after restart for %q, want mp", got)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "buckets", "keep", "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		if en.Name() == ".tmp-crash" || en.Name() == "orphan" {
			t.Errorf("crash leftover %s not collected", en.Name())
		}
	}
}

// A crash in the middle of a journal append leaves a torn last line: the server starts
// with every write before it and without the torn one.
func TestTornJournalTail(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir)
	e.bucket(t, "torn", false, false)
	e.put(t, "torn", "kept", "1")
	e.close()
	path := filepath.Join(dir, "metadata.log")
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t, dir)
	e2.put(t, "torn", "lost", "2")
	e2.close()
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Cut the last entry in half, as a crash during its write would.
	last := after[len(before):]
	if err := os.WriteFile(path, append(append([]byte(nil), after[:len(before)]...), last[:len(last)/2]...), 0o644); err != nil {
		t.Fatal(err)
	}
	e3 := newEnv(t, dir)
	if got := e3.get(t, "torn", "kept"); got != "1" {
		t.Errorf("kept = %q, want 1", got)
	}
	_, err = e3.client.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String("torn"), Key: aws.String("lost")})
	if got := apiCode(err); got != "NoSuchKey" {
		t.Errorf("torn write: code %q, want NoSuchKey", got)
	}
	// The server keeps working after recovery.
	e3.put(t, "torn", "new", "3")
	if got := e3.get(t, "torn", "new"); got != "3" {
		t.Errorf("new = %q, want 3", got)
	}
}

// A segment holding mostly overwritten data is rewritten at start-up, keeping every live
// object (current and older versions) intact.
func TestSegmentCompaction(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir)
	e.bucket(t, "cmp", false, false)
	e.bucket(t, "ver", true, false)
	big := strings.Repeat("g", 4096)
	for i := range 20 {
		e.put(t, "cmp", "churn", big+fmt.Sprint(i))
	}
	e.put(t, "cmp", "keep", "keep me")
	old := e.put(t, "ver", "v", "old version")
	e.put(t, "ver", "v", "new version")
	e.close()
	sizeOf := func(bucket string) (string, int64) {
		matches, _ := filepath.Glob(filepath.Join(dir, "buckets", bucket, "segment-*.dat"))
		if len(matches) != 1 {
			t.Fatalf("%s: segment files %v, want one", bucket, matches)
		}
		st, err := os.Stat(matches[0])
		if err != nil {
			t.Fatal(err)
		}
		return filepath.Base(matches[0]), st.Size()
	}
	_, before := sizeOf("cmp")

	e2 := newEnv(t, dir, s3.WithCompaction(1))
	name, after := sizeOf("cmp")
	if name == "segment-0.dat" || after >= before {
		t.Errorf("cmp segment %s of %d bytes after compaction, was %d bytes", name, after, before)
	}
	if got, want := e2.get(t, "cmp", "churn"), big+"19"; got != want {
		t.Errorf("churn has %d bytes, want the last write", len(got))
	}
	if got := e2.get(t, "cmp", "keep"); got != "keep me" {
		t.Errorf("keep = %q", got)
	}
	out, err := e2.client.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String("ver"), Key: aws.String("v"), VersionId: old.VersionId})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(body) != "old version" {
		t.Errorf("old version = %q", body)
	}
	e2.close()
	// And the compacted state survives another restart.
	e3 := newEnv(t, dir)
	if got := e3.get(t, "cmp", "keep"); got != "keep me" {
		t.Errorf("after another restart keep = %q", got)
	}
}

// The journal is rewritten while the server runs and writers keep going; the state after
// a restart is the same.
func TestOnlineJournalCompaction(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir, s3.WithJournalLimit(4096), s3.WithSync(true))
	e.bucket(t, "onl", false, true)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				e.put(t, "onl", fmt.Sprintf("k%d", w), fmt.Sprintf("v%d", i))
			}
		}()
	}
	wg.Wait()
	for range 100 {
		e.pub.next(t)
	}
	if err := e.srv.WaitForEvents(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "metadata.log"))
	if err != nil {
		t.Fatal(err)
	}
	// 100 writes and 100 acknowledgements of about 1 KB each would pass 100 KB uncompacted.
	if st.Size() > 64<<10 {
		t.Errorf("journal is %d bytes after compaction", st.Size())
	}
	e.close()
	e2 := newEnv(t, dir)
	for w := range 4 {
		if got := e2.get(t, "onl", fmt.Sprintf("k%d", w)); got != "v24" {
			t.Errorf("k%d = %q, want v24", w, got)
		}
	}
	e2.put(t, "onl", "after", "x")
	if got := e2.pub.next(t).Detail.Object.Key; got != "after" {
		t.Errorf("first event after restart is for %q, want after (no redelivery)", got)
	}
}

// A data directory of an earlier version (its journal in another format) is refused, not
// read as corrupt and emptied.
func TestLegacyJournalRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "journal.log"), []byte("0badc0de {\"t\":\"bucket\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s3.New(s3.WithDataDir(dir)); !errors.Is(err, s3.ErrOldDataFormat) {
		t.Errorf("New over a legacy journal = %v, want a refusal naming the earlier version", err)
	}
}
