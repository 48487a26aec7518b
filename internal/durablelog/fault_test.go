package durablelog

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// faultyFile is a File on a disk with a limited amount of free space, and whose fsync and
// truncate can be made to fail.
type faultyFile struct {
	File
	d *faultyDisk
}

type faultyDisk struct {
	mu        sync.Mutex
	free      int64 // bytes that may still be written past the current end of a file
	syncErr   error
	truncErr  error
	writes    int
	truncates int
}

func (d *faultyDisk) wrap(f File) File { return &faultyFile{File: f, d: d} }

func (d *faultyDisk) set(fn func(d *faultyDisk)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fn(d)
}

func (f *faultyFile) WriteAt(p []byte, off int64) (int, error) {
	f.d.mu.Lock()
	defer f.d.mu.Unlock()
	f.d.writes++
	st, err := f.File.Stat()
	if err != nil {
		return 0, err
	}
	grow := off + int64(len(p)) - st.Size()
	if grow > f.d.free {
		// A short write, as a full disk gives: what fits, then ENOSPC.
		n := max(int64(len(p))-(grow-f.d.free), 0)
		w, _ := f.File.WriteAt(p[:n], off)
		f.d.free -= max(off+int64(w)-st.Size(), 0)
		return w, &os.PathError{Op: "write", Path: "log", Err: syscall.ENOSPC}
	}
	f.d.free -= max(grow, 0)
	return f.File.WriteAt(p, off)
}

func (f *faultyFile) Sync() error {
	f.d.mu.Lock()
	err := f.d.syncErr
	f.d.mu.Unlock()
	if err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *faultyFile) Truncate(size int64) error {
	f.d.mu.Lock()
	f.d.truncates++
	err := f.d.truncErr
	if err == nil {
		if st, serr := f.File.Stat(); serr == nil && st.Size() > size {
			f.d.free += st.Size() - size
		}
	}
	f.d.mu.Unlock()
	if err != nil {
		return err
	}
	return f.File.Truncate(size)
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestDiskFull fills the disk in the middle of a frame: the Append fails with ErrUnhealthy
// and ENOSPC, the partial frame is cut, Appends are refused until the probe interval has
// passed, and once space is freed writes succeed and everything acknowledged (and nothing
// else) is in the log after a restart.
func TestDiskFull(t *testing.T) {
	for _, p := range []SyncPolicy{SyncEach, SyncGroup, SyncNone} {
		t.Run(p.String(), func(t *testing.T) {
			disk := &faultyDisk{free: 1 << 20}
			clock := &fakeClock{now: time.Unix(1e9, 0)}
			path := logPath(t)
			l := openT(t, path, Options{Sync: p, WrapFile: disk.wrap, ProbeInterval: time.Second, Now: clock.Now})
			var acked []string
			ok := func(rec string) {
				t.Helper()
				appendT(t, l, rec)
				acked = append(acked, rec)
			}
			ok("one")
			ok("two")
			disk.set(func(d *faultyDisk) { d.free = 20 }) // less than the next frame
			err := l.Append(t.Context(), []byte("three: does not fit"))
			if !errors.Is(err, ErrUnhealthy) || !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("Append on a full disk = %v, want ErrUnhealthy and ENOSPC", err)
			}
			if st, _ := os.Stat(path); st.Size() != l.Size() {
				t.Fatalf("file is %d bytes after the failed write, log end %d: partial frame left", st.Size(), l.Size())
			}
			if !errors.Is(l.Healthy(), ErrUnhealthy) {
				t.Errorf("Healthy() = %v, want ErrUnhealthy", l.Healthy())
			}
			// Refused without touching the disk within the probe interval, even with room.
			disk.set(func(d *faultyDisk) { d.free = 1 << 20; d.writes = 0 })
			if err := l.Append(t.Context(), []byte("refused")); !errors.Is(err, ErrUnhealthy) {
				t.Fatalf("Append while unhealthy = %v, want ErrUnhealthy", err)
			}
			if disk.writes != 0 {
				t.Errorf("%d writes while refusing", disk.writes)
			}
			clock.advance(2 * time.Second)
			ok("four")
			if err := l.Healthy(); err != nil {
				t.Errorf("Healthy() after a good write = %v", err)
			}
			ok("five")
			l.Close()
			l2 := openT(t, path, Options{Sync: p})
			if diff := cmp.Diff(replayAll(t, l2), acked); diff != "" {
				t.Errorf("after restart (-got +want):\n%s", diff)
			}
			if !l2.Recovery().Clean() {
				t.Errorf("recovery = %+v, want clean", l2.Recovery())
			}
		})
	}
}

// TestDiskFullTruncateFails: when cutting the partial frame fails too, the next Append
// cuts it before writing; no frame is ever written after a partial one.
func TestDiskFullTruncateFails(t *testing.T) {
	disk := &faultyDisk{free: 1 << 20}
	path := logPath(t)
	l := openT(t, path, Options{Sync: SyncEach, WrapFile: disk.wrap})
	appendT(t, l, "one")
	eio := &os.PathError{Op: "truncate", Path: "log", Err: syscall.EIO}
	disk.set(func(d *faultyDisk) { d.free = 15; d.truncErr = eio })
	if err := l.Append(t.Context(), []byte("two does not fit")); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Append = %v, want ENOSPC", err)
	}
	// Still cannot cut: refused, with the truncate's error.
	disk.set(func(d *faultyDisk) { d.free = 1 << 20 })
	if err := l.Append(t.Context(), []byte("three")); !errors.Is(err, ErrUnhealthy) || !errors.Is(err, syscall.EIO) {
		t.Fatalf("Append = %v, want ErrUnhealthy and EIO", err)
	}
	disk.set(func(d *faultyDisk) { d.truncErr = nil })
	appendT(t, l, "four")
	l.Close()
	l2 := openT(t, path, Options{})
	if diff := cmp.Diff(replayAll(t, l2), []string{"one", "four"}); diff != "" {
		t.Errorf("after restart (-got +want):\n%s", diff)
	}
	if !l2.Recovery().Clean() {
		t.Errorf("recovery = %+v, want clean", l2.Recovery())
	}
}

// TestSyncFailure: an fsync error fails every Append waiting on it and cuts their frames, since
// the kernel may have dropped the pages; nothing unacknowledged comes back after a restart.
func TestSyncFailure(t *testing.T) {
	for _, p := range []SyncPolicy{SyncEach, SyncGroup} {
		t.Run(p.String(), func(t *testing.T) {
			disk := &faultyDisk{free: 1 << 30}
			path := logPath(t)
			l := openT(t, path, Options{Sync: p, WrapFile: disk.wrap})
			appendT(t, l, "before")
			disk.set(func(d *faultyDisk) { d.syncErr = &os.PathError{Op: "fsync", Path: "log", Err: syscall.EIO} })
			var wg sync.WaitGroup
			errs := make([]error, 6)
			for i := range errs {
				wg.Go(func() { errs[i] = l.Append(t.Context(), fmt.Appendf(nil, "lost %d", i)) })
			}
			wg.Wait()
			for i, err := range errs {
				if !errors.Is(err, ErrUnhealthy) || !errors.Is(err, syscall.EIO) {
					t.Errorf("Append %d = %v, want ErrUnhealthy and EIO", i, err)
				}
			}
			disk.set(func(d *faultyDisk) { d.syncErr = nil })
			appendT(t, l, "after")
			l.Close()
			l2 := openT(t, path, Options{Sync: p})
			if diff := cmp.Diff(replayAll(t, l2), []string{"before", "after"}); diff != "" {
				t.Errorf("after restart (-got +want):\n%s", diff)
			}
		})
	}
}

// TestDiskFullConcurrent: many writers on a disk that fills and frees: after a restart the
// log holds exactly the acknowledged records, and is clean.
func TestDiskFullConcurrent(t *testing.T) {
	disk := &faultyDisk{free: 4000}
	path := logPath(t)
	l := openT(t, path, Options{Sync: SyncGroup, WrapFile: disk.wrap})
	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for i := range 100 {
				rec := fmt.Sprintf("w%d-%03d-%s", w, i, "payload-payload-payload")
				if err := l.Append(t.Context(), []byte(rec)); err == nil {
					mu.Lock()
					acked[rec] = true
					mu.Unlock()
				} else if !errors.Is(err, ErrUnhealthy) {
					t.Errorf("Append = %v, want ErrUnhealthy", err)
				}
				if i%25 == 24 {
					disk.set(func(d *faultyDisk) { d.free += 300 })
				}
			}
		})
	}
	wg.Wait()
	l.Close()
	l2 := openT(t, path, Options{Sync: SyncGroup})
	got := map[string]bool{}
	for _, r := range replayAll(t, l2) {
		got[r] = true
	}
	if diff := cmp.Diff(got, acked); diff != "" {
		t.Errorf("after restart (-got +want):\n%s", diff)
	}
	if len(acked) == 0 || len(acked) == 600 {
		t.Errorf("%d of 600 acknowledged: the disk never filled or never freed", len(acked))
	}
	if !l2.Recovery().Clean() {
		t.Errorf("recovery = %+v, want clean", l2.Recovery())
	}
}
