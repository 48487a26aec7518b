package s3_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/local/s3"
)

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestCorruptJournalLosesOnlyThatRecord flips one byte inside the journal record of one
// object: after a restart that object is lost and reported at Error level, its data is kept
// in lost+found, and every object written after it is still there (the measured failure:
// everything after the byte was dropped, silently).
func TestCorruptJournalLosesOnlyThatRecord(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir)
	e.bucket(t, "data", false, false)
	const n = 30
	big := strings.Repeat("lost but kept ", 100_000) // in a file of its own
	for i := range n {
		body := fmt.Sprintf("body %02d", i)
		if i == 10 {
			body = big
		}
		e.put(t, "data", fmt.Sprintf("k%02d", i), body)
	}
	e.close()

	path := filepath.Join(dir, "metadata.log")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(data, []byte(`"key":"k10"`))
	if at < 0 || bytes.Contains(data[at+1:], []byte(`"key":"k10"`)) {
		t.Fatalf("want exactly one journal record for k10 (found at %d)", at)
	}
	data[at+8] ^= 0x20 // "k10" -> "K10"
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}

	var logs syncBuffer
	e2 := newEnv(t, dir, s3.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	for i := range n {
		key := fmt.Sprintf("k%02d", i)
		out, err := e2.client.GetObject(t.Context(), &awss3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String(key)})
		if i == 10 {
			if got := apiCode(err); got != "NoSuchKey" {
				t.Errorf("GetObject %s = %v, want NoSuchKey (its record was the one damaged)", key, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("GetObject %s after the damaged record: %v", key, err)
			continue
		}
		out.Body.Close()
	}
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "corrupt") {
		t.Errorf("the lost record was not reported at Error level; log:\n%s", logs.String())
	}
	kept, err := filepath.Glob(filepath.Join(dir, "lost+found", "data", "*"))
	if err != nil || len(kept) != 1 {
		t.Fatalf("lost+found holds %v (%v), want the one blob of k10", kept, err)
	}
	if got, err := os.ReadFile(kept[0]); err != nil || string(got) != big {
		t.Errorf("lost+found blob: %d bytes (%v), want k10's %d", len(got), err, len(big))
	}
}
