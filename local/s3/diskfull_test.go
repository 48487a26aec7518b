package s3_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/internal/tmpfs"
	"github.com/sluicehq/sluice/local/s3"
)

// TestDiskFullKeepsAcknowledged reruns the measured failure on a real, tiny file system: PUT
// objects (small ones into the data segment, large ones into files of their own) until the
// disk is full, free space, PUT more, restart. Every PUT that answered 200 is there with its
// bytes; every PUT that failed answered a server error (500 or 503, which clients retry),
// never a 400.
func TestDiskFullKeepsAcknowledged(t *testing.T) {
	mnt := tmpfs.Mount(t, 16<<20)
	filler := filepath.Join(mnt, "filler")
	if err := os.WriteFile(filler, make([]byte, 2<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(mnt, "data")
	e := newEnv(t, dir, s3.WithSync(true))
	e.bucket(t, "data", false, true)
	client := awss3.New(e.client.Options(), func(o *awss3.Options) { o.RetryMaxAttempts = 1 })
	acked := map[string][]byte{}
	i := 0
	// put PUTs the next object, of size bytes; the error of a failed PUT must be a server error.
	put := func(size int) error {
		key := fmt.Sprintf("k%04d", i)
		i++
		data := bytes.Repeat([]byte(key+" "), size/6+1)[:size]
		_, err := client.PutObject(t.Context(), &awss3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(key),
			Body: bytes.NewReader(data)})
		if err == nil {
			acked[key] = data
		} else if st, code := httpStatus(err), apiCode(err); (st != 500 || code != "InternalError") && (st != 503 || code != "ServiceUnavailable") {
			t.Errorf("PUT %s (%d bytes) on a full disk: %d %s, want 500 InternalError or 503 ServiceUnavailable", key, size, st, code)
		}
		return err
	}
	const big = 1<<20 + 512<<10 // past the inline limit: a file of its own
	failures := 0
	for _, size := range []int{big, 40 << 10, 60} {
		for range 3 {
			if err := put(size); err != nil {
				t.Fatalf("PUT before the disk is full: %v", err)
			}
		}
	}
	// Another file fills the disk to the last page, as another program would: what is left
	// is the room in the last pages of the store's own files.
	free := tmpfs.Fill(t, mnt)
	for _, size := range []int{big, 40 << 10} {
		if put(size) != nil {
			failures++
		}
	}
	// Tiny objects fit the data segment's last page until the journal needs a new one.
	for range 40 {
		if put(60) != nil {
			failures++
		}
	}
	if failures < 4 {
		t.Fatalf("the disk never filled (%d failures)", failures)
	}
	full := len(acked)
	free()
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{60, 40 << 10, big, 60} {
		if err := put(size); err != nil {
			t.Errorf("PUT of %d bytes after freeing space: %v", size, err)
		}
	}
	e.close()

	e2 := newEnv(t, dir)
	for key, want := range acked {
		if got := e2.get(t, "data", key); got != string(want) {
			t.Errorf("after restart, %s has %d bytes, want the %d acknowledged", key, len(got), len(want))
		}
	}
	t.Logf("%d PUTs acknowledged before space was freed (%d failed on the full disk), %d after; all %d present after restart",
		full, failures, len(acked)-full, len(acked))
}
