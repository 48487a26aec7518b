package durablelog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/internal/tmpfs"
)

// TestRealDiskFull writes to a real, tiny tmpfs until it is full, frees space, writes more,
// and reopens: every acknowledged record is there, in order, and nothing else.
func TestRealDiskFull(t *testing.T) {
	dir := tmpfs.Mount(t, 256<<10)
	// A filler to delete later, so the disk can be freed.
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, 128<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "test.log")
	l, err := Open(path, Options{Sync: SyncGroup, Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	var acked []string
	failures := 0
	rec := make([]byte, 3000)
	for i := 0; i < 200 && failures < 3; i++ {
		copy(rec, fmt.Sprintf("record %04d ", i))
		err := l.Append(t.Context(), rec)
		switch {
		case err == nil:
			acked = append(acked, string(rec))
		case errors.Is(err, ErrUnhealthy) && errors.Is(err, syscall.ENOSPC):
			failures++
		default:
			t.Fatalf("Append = %v, want ENOSPC", err)
		}
	}
	if failures == 0 {
		t.Fatal("the tmpfs never filled")
	}
	full := len(acked)
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		copy(rec, fmt.Sprintf("after  %04d ", i))
		if err := l.Append(t.Context(), rec); err != nil {
			t.Fatalf("Append after freeing space: %v", err)
		}
		acked = append(acked, string(rec))
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l2, err := Open(path, Options{Sync: SyncGroup, Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if diff := cmp.Diff(replayAll(t, l2), acked); diff != "" {
		t.Errorf("after reopen (-got +want):\n%s", diff)
	}
	if !l2.Recovery().Clean() {
		t.Errorf("recovery = %+v, want clean", l2.Recovery())
	}
	t.Logf("%d records before the disk filled, %d failed appends, %d after freeing", full, failures, 20)
}
