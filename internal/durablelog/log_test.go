package durablelog

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAppendReplay(t *testing.T) {
	for _, p := range []SyncPolicy{SyncEach, SyncGroup, SyncNone} {
		t.Run(p.String(), func(t *testing.T) {
			path := logPath(t)
			l := openT(t, path, Options{Sync: p})
			want := []string{"a", "", strings.Repeat("x", 300), "b1", "b2", "b3"}
			appendT(t, l, want[0])
			appendT(t, l, want[1])
			appendT(t, l, want[2])
			appendT(t, l, want[3:]...)
			if diff := cmp.Diff(replayAll(t, l), want); diff != "" {
				t.Errorf("replay (-got +want):\n%s", diff)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			l2 := openT(t, path, Options{Sync: p})
			if diff := cmp.Diff(replayAll(t, l2), want); diff != "" {
				t.Errorf("replay after reopen (-got +want):\n%s", diff)
			}
			got := l2.Recovery()
			if diff := cmp.Diff(got, Recovery{Records: len(want), Bytes: st.Size()}); diff != "" {
				t.Errorf("recovery (-got +want):\n%s", diff)
			}
			if l2.Size() != st.Size() {
				t.Errorf("Size() = %d, want %d", l2.Size(), st.Size())
			}
		})
	}
}

func TestAppendConcurrent(t *testing.T) {
	for _, p := range []SyncPolicy{SyncEach, SyncGroup, SyncNone} {
		t.Run(p.String(), func(t *testing.T) {
			path := logPath(t)
			l := openT(t, path, Options{Sync: p})
			const writers, each = 8, 50
			var wg sync.WaitGroup
			for w := range writers {
				wg.Go(func() {
					for i := range each {
						if err := l.Append(t.Context(), fmt.Appendf(nil, "%d:%d", w, i)); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			l.Close()
			l2 := openT(t, path, Options{Sync: p})
			next := map[string]int{}
			for _, r := range replayAll(t, l2) {
				var w, i int
				if _, err := fmt.Sscanf(r, "%d:%d", &w, &i); err != nil {
					t.Fatalf("record %q: %v", r, err)
				}
				key := fmt.Sprint(w)
				if i != next[key] {
					t.Fatalf("writer %d: record %d after %d", w, i, next[key]-1)
				}
				next[key]++
			}
			for w := range writers {
				if got := next[fmt.Sprint(w)]; got != each {
					t.Errorf("writer %d: %d records, want %d", w, got, each)
				}
			}
		})
	}
}

func TestAppendTooLarge(t *testing.T) {
	l := openT(t, logPath(t), Options{MaxBatch: 100})
	err := l.Append(t.Context(), bytes.Repeat([]byte("x"), 100))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Append = %v, want ErrTooLarge", err)
	}
	appendT(t, l, strings.Repeat("y", 99))
	if got := len(replayAll(t, l)); got != 1 {
		t.Errorf("records = %d, want 1", got)
	}
}

func TestClosed(t *testing.T) {
	l := openT(t, logPath(t), Options{})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(t.Context(), []byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close = %v, want ErrClosed", err)
	}
	if err := l.Replay(func([]byte) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Replay after Close = %v, want ErrClosed", err)
	}
	if err := l.Compact(t.Context(), func(func([]byte) error) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Compact after Close = %v, want ErrClosed", err)
	}
}

func TestReplayStopsAtError(t *testing.T) {
	l := openT(t, logPath(t), Options{})
	appendT(t, l, "a", "b", "c")
	stop := errors.New("stop")
	var n int
	err := l.Replay(func([]byte) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Errorf("Replay = %v after %d records, want stop after 2", err, n)
	}
}
