package logs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/internal/durablelog"
)

// countingFile counts the journal's writes and fails them while fail is set.
type countingFile struct {
	durablelog.File
	writes *atomic.Int64
	fail   *atomic.Bool
}

func (f countingFile) WriteAt(p []byte, off int64) (int, error) {
	if f.fail.Load() {
		return 0, syscall.ENOSPC
	}
	f.writes.Add(1)
	return f.File.WriteAt(p, off)
}

// journalProbe opens a durable service whose journal writes are counted and can be made to fail.
type journalProbe struct {
	writes atomic.Int64
	fail   atomic.Bool
}

func (p *journalProbe) open(t *testing.T, dir string) *Service {
	t.Helper()
	wrap := func(f durablelog.File) durablelog.File { return countingFile{f, &p.writes, &p.fail} }
	svc, err := New(WithDataDir(dir), func(s *Service) { s.wrapJournal = wrap })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc
}

// messages reads a stream's messages back from the index and the segments.
func messages(t *testing.T, s *Service, group, stream string) []string {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.groups[group]
	if g == nil || g.streams[stream] == nil {
		return nil
	}
	var out []string
	for _, b := range g.streams[stream].batches {
		data, err := s.readBatch(b)
		if err != nil {
			t.Fatal(err)
		}
		if err := decodeEvents(data, func(_ int, _ int64, msg string) { out = append(out, msg) }); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// queue puts requests in the commit queue without committing them, as callers that arrived while
// another held writeMu would have.
func queue(s *Service, ps ...*pendingPut) {
	s.queueMu.Lock()
	s.queue = append(s.queue, ps...)
	s.queueMu.Unlock()
}

func put(ctx context.Context, group, stream string, create bool, msgs ...string) *pendingPut {
	ts := time.Now().UnixMilli()
	evs := make([]wireEvent, len(msgs))
	for i, m := range msgs {
		evs[i] = wireEvent{Timestamp: ts, Message: m}
	}
	return &pendingPut{ctx: ctx, group: group, stream: stream, create: create, evs: evs}
}

// TestGroupCommit queues requests as concurrent callers would and commits them: the batches of every
// request that can be written share one journal append (one frame) and one segment write; a request for
// a missing stream or with a cancelled context fails alone; each request is answered with its own
// outcome, and everything answered as written is there after a restart.
func TestGroupCommit(t *testing.T) {
	dir := t.TempDir()
	var probe journalProbe
	s := probe.open(t, dir)
	ctx := t.Context()
	if err := s.CreateLogGroup(ctx, "g", 0, false); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "g", "a", []Event{{Timestamp: time.Now(), Message: "first"}}); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	ps := []*pendingPut{
		put(ctx, "g", "a", true, "a1", "a2"),
		put(ctx, "g", "missing", false, "lost"),     // PutLogEvents to a stream that does not exist
		put(cancelled, "g", "a", true, "cancelled"), // its caller gave up
		put(ctx, "g", "a", false, "a3"),             // PutLogEvents
		put(ctx, "g", "b", true, "b1"),              // creates b (its own journal record)
	}
	queue(s, ps[:len(ps)-1]...)
	before := probe.writes.Load()
	if err := s.commit(ps[len(ps)-1]); err != nil {
		t.Fatal(err)
	}
	// Creating stream b is one append, the four batches one more.
	if got, want := probe.writes.Load()-before, int64(2); got != want {
		t.Errorf("journal writes for the group = %d, want %d", got, want)
	}
	for i, p := range ps {
		if !p.done {
			t.Errorf("request %d not committed", i)
		}
	}
	if !errors.Is(ps[1].err, errStreamNotFound) {
		t.Errorf("missing stream: err = %v, want %v", ps[1].err, errStreamNotFound)
	}
	if !errors.Is(ps[2].err, context.Canceled) {
		t.Errorf("cancelled caller: err = %v, want %v", ps[2].err, context.Canceled)
	}
	for _, i := range []int{0, 3, 4} {
		if ps[i].err != nil || ps[i].last == nil {
			t.Errorf("request %d: err %v, last batch %v", i, ps[i].err, ps[i].last)
		}
	}
	if ps[3].last.seq <= ps[0].last.seq || ps[4].last.seq <= ps[3].last.seq {
		t.Errorf("sequence numbers %d, %d, %d are not in queue order", ps[0].last.seq, ps[3].last.seq, ps[4].last.seq)
	}
	want := map[string][]string{"a": {"first", "a1", "a2", "a3"}, "b": {"b1"}}
	check := func(s *Service) {
		t.Helper()
		for stream, w := range want {
			if diff := cmp.Diff(messages(t, s, "g", stream), w); diff != "" {
				t.Errorf("stream %s (-got +want):\n%s", stream, diff)
			}
		}
	}
	check(s)
	s.Close()
	check(probe.open(t, dir))
}

// TestGroupCommitFailure: when the journal append of a group fails, every request in it fails, none of
// their events is in the index or after a restart, and the segment is cut back; the next group succeeds.
func TestGroupCommitFailure(t *testing.T) {
	dir := t.TempDir()
	var probe journalProbe
	s := probe.open(t, dir)
	ctx := t.Context()
	if err := s.CreateLogGroup(ctx, "g", 0, false); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "g", "a", []Event{{Timestamp: time.Now(), Message: "kept"}}); err != nil {
		t.Fatal(err)
	}
	seg := s.disk.curSize
	probe.fail.Store(true)
	ps := []*pendingPut{put(ctx, "g", "a", true, "x1"), put(ctx, "g", "a", false, "x2")}
	queue(s, ps[0])
	if err := s.commit(ps[1]); err == nil {
		t.Fatal("commit succeeded with the journal failing")
	}
	for i, p := range ps {
		var api *apiError
		if !errors.As(p.err, &api) || api.code != CodeServiceUnavailable || !errors.Is(p.err, syscall.ENOSPC) {
			t.Errorf("request %d: err = %v, want %s wrapping ENOSPC", i, p.err, CodeServiceUnavailable)
		}
	}
	if got := s.disk.curSize; got != seg {
		t.Errorf("segment size after the failed group = %d, want %d", got, seg)
	}
	if info, err := os.Stat(s.disk.segmentPath(s.disk.curID)); err != nil || info.Size() != seg {
		t.Errorf("segment file after the failed group: %v, %v; want %d bytes", info, err, seg)
	}
	probe.fail.Store(false)
	if err := s.Put(ctx, "g", "a", []Event{{Timestamp: time.Now(), Message: "after"}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"kept", "after"}
	if diff := cmp.Diff(messages(t, s, "g", "a"), want); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
	s.Close()
	if diff := cmp.Diff(messages(t, probe.open(t, dir), "g", "a"), want); diff != "" {
		t.Errorf("after a restart (-got +want):\n%s", diff)
	}
}

// TestGroupCommitRotation: a group larger than what is left of the segment is written in runs, one
// per segment; when the second run fails, the requests of the first are durable and answered so, and
// those of the second fail.
func TestGroupCommitRotation(t *testing.T) {
	dir := t.TempDir()
	var probe journalProbe
	s := probe.open(t, dir)
	ctx := t.Context()
	if err := s.CreateLogGroup(ctx, "g", 0, false); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "g", "a", []Event{{Timestamp: time.Now(), Message: "first"}}); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", maxBatchBytes-eventOverhead-16)
	n := maxSegmentSize/len(big) + 2 // more than one segment holds
	ps := make([]*pendingPut, n)
	for i := range ps {
		ps[i] = put(ctx, "g", "a", false, big+strings.Repeat("y", i%10))
	}
	queue(s, ps[:n-1]...)
	seg0 := s.disk.curID
	before := probe.writes.Load()
	if err := s.commit(ps[n-1]); err != nil {
		t.Fatal(err)
	}
	if got, want := probe.writes.Load()-before, int64(2); got != want {
		t.Errorf("journal writes = %d, want %d (one per segment)", got, want)
	}
	if got, want := s.disk.curID, seg0+1; got != want {
		t.Errorf("current segment %d, want %d", got, want)
	}
	for i, p := range ps {
		if p.err != nil || p.last == nil {
			t.Fatalf("request %d: err %v", i, p.err)
		}
		if p.last.seg != seg0 && p.last.seg != seg0+1 {
			t.Fatalf("request %d in segment %d, want %d or %d", i, p.last.seg, seg0, seg0+1)
		}
	}
	if got, want := len(messages(t, s, "g", "a")), n+1; got != want {
		t.Errorf("%d messages, want %d", got, want)
	}
	for _, p := range ps {
		if info, err := os.Stat(s.disk.segmentPath(p.last.seg)); err != nil || info.Size() < p.last.off+p.last.n {
			t.Fatalf("segment %d: %v, %v; batch ends at %d", p.last.seg, info, err, p.last.off+p.last.n)
		}
	}

	// The second run fails: the journal takes one more write (the first run's), then fails.
	if err := s.Put(ctx, "g", "b", []Event{{Timestamp: time.Now(), Message: "b0"}}); err != nil {
		t.Fatal(err)
	}
	for i := range ps {
		ps[i] = put(ctx, "g", "b", false, big)
	}
	failing := &failAfter{left: 1}
	s.disk.journal.Close()
	j, err := durablelog.Open(filepath.Join(dir, journalFile), durablelog.Options{Logger: s.log, WrapFile: failing.wrap})
	if err != nil {
		t.Fatal(err)
	}
	s.disk.journal = j
	queue(s, ps[:n-1]...)
	if err := s.commit(ps[n-1]); err == nil {
		t.Fatal("commit succeeded with the second run failing")
	}
	var ok, failed int
	for _, p := range ps {
		switch {
		case p.err == nil && p.last != nil:
			ok++
			if failed > 0 {
				t.Fatal("a request after a failed one succeeded")
			}
		case p.err != nil && p.last == nil:
			failed++
		default:
			t.Fatalf("request: err %v, last %v", p.err, p.last)
		}
	}
	if ok == 0 || failed == 0 {
		t.Fatalf("%d succeeded, %d failed; want both", ok, failed)
	}
	if got := len(messages(t, s, "g", "b")); got != ok+1 {
		t.Errorf("stream b has %d messages, want b0 and the %d acknowledged", got, ok)
	}
	s.Close()
	if got := len(messages(t, probe.open(t, dir), "g", "b")); got != ok+1 {
		t.Errorf("after a restart stream b has %d messages, want b0 and the %d acknowledged", got, ok)
	}
}

// failAfter lets left journal writes through, then fails every one.
type failAfter struct{ left int }

func (f *failAfter) wrap(file durablelog.File) durablelog.File { return &failAfterFile{file, f} }

type failAfterFile struct {
	durablelog.File
	f *failAfter
}

func (w *failAfterFile) WriteAt(p []byte, off int64) (int, error) {
	if w.f.left <= 0 {
		return 0, syscall.ENOSPC
	}
	w.f.left--
	return w.File.WriteAt(p, off)
}
