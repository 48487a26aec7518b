// Package tmpfs gives tests a small, real file system that fills up: a tmpfs of a chosen
// size mounted on a fresh temporary directory, unmounted when the test ends. Mounting needs
// root (or CAP_SYS_ADMIN) on Linux; elsewhere, or without the right, the test is skipped, so
// disk-full tests run where they can and never fail for want of it.
package tmpfs

import (
	"errors"
	"os"
	"syscall"
	"testing"
)

// Mount mounts a tmpfs of size bytes on a new directory and returns it, or skips t.
func Mount(t testing.TB, size int) string {
	t.Helper()
	return mount(t, size)
}

// Fill writes a file in dir until the file system is full, as another program filling the
// disk would, and returns a function that removes it. What is left is the room in the last
// pages of the files already there.
func Fill(t testing.TB, dir string) (free func()) {
	t.Helper()
	f, err := os.CreateTemp(dir, "fill-*")
	if err != nil {
		t.Fatal(err)
	}
	page := make([]byte, 4096)
	for {
		if _, err := f.Write(page); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", dir, err)
			}
			break
		}
	}
	if err := f.Close(); err != nil && !errors.Is(err, syscall.ENOSPC) {
		t.Fatal(err)
	}
	return func() {
		t.Helper()
		if err := os.Remove(f.Name()); err != nil {
			t.Fatal(err)
		}
	}
}
