package tmpfs_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/sluicehq/sluice/internal/tmpfs"
)

// TestMountFills: a write past the size fails with ENOSPC, and removing a file frees room.
func TestMountFills(t *testing.T) {
	dir := tmpfs.Mount(t, 64<<10)
	path := filepath.Join(dir, "big")
	err := os.WriteFile(path, make([]byte, 128<<10), 0o644)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("writing 128 KiB to a 64 KiB tmpfs: %v, want ENOSPC", err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, make([]byte, 32<<10), 0o644); err != nil {
		t.Errorf("writing 32 KiB after freeing: %v", err)
	}
}
