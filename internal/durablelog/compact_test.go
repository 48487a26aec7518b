package durablelog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// setState is a test service: a set of ids, changed by "+id" and "-id" records.
type setState struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (s *setState) apply(rec string) {
	switch rec[0] {
	case '+':
		s.ids[rec[1:]] = true
	case '-':
		delete(s.ids, rec[1:])
	}
}

func (s *setState) snapshot(emit func([]byte) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.ids))
	for k := range s.ids {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := emit([]byte("+" + k)); err != nil {
			return err
		}
	}
	return nil
}

// TestCompactConcurrent compacts repeatedly while writers append. Each writer changes the
// state, then appends the record (so the snapshot covers every record appended before it,
// and replaying a record after the snapshot that covers it changes nothing). After a
// restart the log replays to exactly the state in memory, and compaction reclaimed space.
func TestCompactConcurrent(t *testing.T) {
	for _, p := range []SyncPolicy{SyncGroup, SyncNone, SyncEach} {
		t.Run(p.String(), func(t *testing.T) {
			path := logPath(t)
			l := openT(t, path, Options{Sync: p})
			st := &setState{ids: map[string]bool{}}
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Go(func() {
					for i := range 150 {
						for _, rec := range []string{fmt.Sprintf("+%d-%d", w, i), fmt.Sprintf("-%d-%d", w, i-1)} {
							st.mu.Lock()
							st.apply(rec)
							st.mu.Unlock()
							if err := l.Append(t.Context(), []byte(rec)); err != nil {
								t.Error(err)
								return
							}
						}
					}
				})
			}
			var compactions int
			wg.Go(func() {
				for range 15 {
					if err := l.Compact(t.Context(), st.snapshot); err != nil {
						t.Error(err)
						return
					}
					compactions++
				}
			})
			wg.Wait()
			for range 50 {
				for _, rec := range []string{"+tmp", "-tmp"} {
					st.apply(rec)
					appendT(t, l, rec)
				}
			}
			before := l.Size()
			if err := l.Compact(t.Context(), st.snapshot); err != nil {
				t.Fatal(err)
			}
			if l.Size() >= before {
				t.Errorf("size %d after compaction, %d before: nothing reclaimed", l.Size(), before)
			}
			if fi, err := os.Stat(path); err != nil || fi.Size() != l.Size() {
				t.Errorf("file size %v (err %v), log size %d", fi.Size(), err, l.Size())
			}
			appendT(t, l, "+after")
			st.apply("+after")
			l.Close()
			l2 := openT(t, path, Options{Sync: p})
			got := &setState{ids: map[string]bool{}}
			for _, r := range replayAll(t, l2) {
				got.apply(r)
			}
			if diff := cmp.Diff(got.ids, st.ids); diff != "" {
				t.Errorf("replayed state (-got +want):\n%s", diff)
			}
			if len(st.ids) != 5 {
				t.Errorf("%d ids in memory, want 5 (one per writer and one after)", len(st.ids))
			}
			if !l2.Recovery().Clean() {
				t.Errorf("recovery = %+v", l2.Recovery())
			}
			matches, _ := filepath.Glob(path + compactSuffix + "*")
			if len(matches) != 0 {
				t.Errorf("compaction temps left: %v", matches)
			}
		})
	}
}

// TestCompactFailureKeepsLog: a snapshot that fails (or a disk that fills during the rewrite)
// leaves the old log in place and writable.
func TestCompactFailureKeepsLog(t *testing.T) {
	disk := &faultyDisk{free: 1 << 20}
	path := logPath(t)
	l := openT(t, path, Options{WrapFile: disk.wrap})
	appendT(t, l, "a", "b")
	boom := errors.New("boom")
	if err := l.Compact(t.Context(), func(func([]byte) error) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Compact = %v, want boom", err)
	}
	disk.set(func(d *faultyDisk) { d.free = 10 })
	err := l.Compact(t.Context(), func(emit func([]byte) error) error { return emit([]byte(strings.Repeat("x", 1<<20))) })
	if err == nil {
		t.Fatal("Compact on a full disk succeeded")
	}
	disk.set(func(d *faultyDisk) { d.free = 1 << 20 })
	appendT(t, l, "c")
	if diff := cmp.Diff(replayAll(t, l), []string{"a", "b", "c"}); diff != "" {
		t.Errorf("replay (-got +want):\n%s", diff)
	}
	if matches, _ := filepath.Glob(path + compactSuffix + "*"); len(matches) != 0 {
		t.Errorf("compaction temps left: %v", matches)
	}
}

// TestCompactHealsAndStaleTemps: a leftover compaction file from a crash is removed at Open;
// a successful compaction makes an unhealthy log healthy.
func TestCompactHealsAndStaleTemps(t *testing.T) {
	path := logPath(t)
	stale := path + compactSuffix + "123"
	if err := os.WriteFile(stale, []byte("half a compaction"), 0o644); err != nil {
		t.Fatal(err)
	}
	disk := &faultyDisk{free: 1 << 20}
	l := openT(t, path, Options{WrapFile: disk.wrap})
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale compaction file still there: %v", err)
	}
	appendT(t, l, "a")
	disk.set(func(d *faultyDisk) { d.free = 0 })
	if err := l.Append(t.Context(), []byte("b")); !errors.Is(err, ErrUnhealthy) {
		t.Fatalf("Append = %v, want ErrUnhealthy", err)
	}
	disk.set(func(d *faultyDisk) { d.free = 1 << 20 })
	if err := l.Compact(t.Context(), func(emit func([]byte) error) error { return emit([]byte("a")) }); err != nil {
		t.Fatal(err)
	}
	if err := l.Healthy(); err != nil {
		t.Errorf("Healthy() after compaction = %v", err)
	}
}
