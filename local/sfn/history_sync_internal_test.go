package sfn

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// testBlob is a finished execution's blob, numbered.
func testBlob(i int) *historyBlob {
	start := time.Now().UTC().Truncate(time.Millisecond)
	return &historyBlob{
		Execution: executionRecord{Arn: fmt.Sprintf("arn:aws:states:us-east-1:000000000000:execution:m:e%d", i), Name: fmt.Sprintf("e%d", i),
			MachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:m", Definition: `{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`,
			Input: `{}`, Start: start},
		End: endRecord{Status: "SUCCEEDED", Output: `{}`, Stop: start.Add(time.Second)},
	}
}

// TestHistorySyncsTogether: blobs put at once are each durable when put returns (the segment synced
// past their end), in fewer syncs than blobs only when they overlap, and all read back after a restart.
func TestHistorySyncsTogether(t *testing.T) {
	dir := t.TempDir()
	s, err := New(WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	h := s.history
	if !h.sync {
		t.Fatal("the history store does not sync")
	}
	const n = 64
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = h.put(t.Context(), testBlob(i))
			if errs[i] != nil {
				return
			}
			f, ok := h.lookup("arn:aws:states:us-east-1:000000000000:stateMachine:m", fmt.Sprintf("e%d", i))
			if !ok {
				errs[i] = fmt.Errorf("e%d not found once put", i)
				return
			}
			h.mu.Lock()
			seg := h.segs[f.seg]
			h.mu.Unlock()
			seg.syncMu.Lock()
			synced := seg.synced
			seg.syncMu.Unlock()
			if end := f.off + int64(f.size); synced < end {
				errs[i] = fmt.Errorf("e%d put, but its segment is synced to %d of its end %d", i, synced, end)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = New(WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range n {
		f, ok := s.history.lookup("arn:aws:states:us-east-1:000000000000:stateMachine:m", fmt.Sprintf("e%d", i))
		if !ok {
			t.Fatalf("e%d not found after a restart", i)
		}
		b, err := s.history.load(f)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := b.Execution.Name, fmt.Sprintf("e%d", i); got != want {
			t.Errorf("blob of e%d names %q", i, got)
		}
	}
}

// TestHistorySyncFailureBreaksSegment: once a segment's sync failed, no later sync of it is trusted
// (what the failed one had to write may be lost whatever a later one answers): the blobs waiting on it
// are refused, and the next blob goes to a new segment.
func TestHistorySyncFailureBreaksSegment(t *testing.T) {
	s, err := New(WithDataDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := s.history
	if err := h.put(t.Context(), testBlob(0)); err != nil {
		t.Fatal(err)
	}
	h.wmu.Lock()
	seg := h.cur
	h.wmu.Unlock()
	// A pipe cannot be synced (EINVAL): the sync of what comes after the first blob fails.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	h.wmu.Lock()
	file := seg.f
	seg.f = w
	seg.size++ // bytes not yet synced
	end := seg.size
	h.wmu.Unlock()
	if err := h.syncTo(seg, end); err == nil {
		t.Fatal("syncTo succeeded on a file that cannot be synced")
	}
	h.wmu.Lock()
	seg.f = file
	h.wmu.Unlock()
	if err := h.syncTo(seg, end); err == nil {
		t.Error("syncTo trusted a segment whose sync failed")
	}
	if err := h.put(t.Context(), testBlob(1)); err != nil {
		t.Fatal(err)
	}
	f, ok := h.lookup("arn:aws:states:us-east-1:000000000000:stateMachine:m", "e1")
	if !ok {
		t.Fatal("e1 not found once put")
	}
	if f.seg == seg.id {
		t.Errorf("e1 went to segment %d, whose sync failed", f.seg)
	}
	if _, err := h.load(f); err != nil {
		t.Error(err)
	}
}
