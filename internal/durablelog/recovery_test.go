package durablelog

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// smallLog writes a log of a few appends (one of them a batch) and returns its bytes, the
// records of each frame and where each frame ends.
func smallLog(t *testing.T) (data []byte, frames [][]string, ends []int64) {
	t.Helper()
	path := logPath(t)
	l := openT(t, path, Options{Sync: SyncNone})
	frames = [][]string{{"first"}, {`{"k":"v"}`, "", "third"}, {strings.Repeat("long ", 40)}, {"last"}}
	for _, f := range frames {
		appendT(t, l, f...)
		ends = append(ends, l.Size())
	}
	l.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data, frames, ends
}

// TestTornWriteEveryOffset cuts the log at every byte: Open keeps exactly the frames that are
// whole, cuts the rest as torn (never as corrupt), and appends continue after them.
func TestTornWriteEveryOffset(t *testing.T) {
	data, frames, ends := smallLog(t)
	dir := t.TempDir()
	for cut := 0; cut <= len(data); cut++ {
		path := fmt.Sprintf("%s/cut-%d.log", dir, cut)
		if err := os.WriteFile(path, data[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		var want []string
		var good int64
		for i, e := range ends {
			if e <= int64(cut) {
				want = append(want, frames[i]...)
				good = e
			}
		}
		l := openT(t, path, Options{Sync: SyncNone})
		got := l.Recovery()
		if diff := cmp.Diff(got, Recovery{Records: len(want), Bytes: good, TornBytes: int64(cut) - good}); diff != "" {
			t.Fatalf("cut at %d: recovery (-got +want):\n%s", cut, diff)
		}
		appendT(t, l, "after")
		l.Close()
		l2 := openT(t, path, Options{Sync: SyncNone})
		if diff := cmp.Diff(replayAll(t, l2), append(want, "after")); diff != "" {
			t.Fatalf("cut at %d: replay after append (-got +want):\n%s", cut, diff)
		}
		if !l2.Recovery().Clean() {
			t.Fatalf("cut at %d: second open recovered %+v", cut, l2.Recovery())
		}
		l2.Close()
	}
}

// TestZeroFilledTail: a file system may show zeros for data not written back at a power
// loss; that is a torn tail, not corruption.
func TestZeroFilledTail(t *testing.T) {
	data, frames, _ := smallLog(t)
	path := logPath(t)
	if err := os.WriteFile(path, append(data, make([]byte, 5000)...), 0o644); err != nil {
		t.Fatal(err)
	}
	l := openT(t, path, Options{})
	if got := l.Recovery(); got.TornBytes != 5000 || len(got.Corrupt) != 0 || got.Records != 6 {
		t.Errorf("recovery = %+v, want 5000 torn bytes and %d records", got, 6)
	}
	if got := len(replayAll(t, l)); got != 6 {
		t.Errorf("replayed %d records, want 6 (%v)", got, frames)
	}
}

// TestCorruptionAtRandomOffsets flips one byte at random offsets of a log of many frames:
// only the frame hit is lost, it is reported (and logged at Error) with its exact range, and
// every later frame is kept.
func TestCorruptionAtRandomOffsets(t *testing.T) {
	path := logPath(t)
	l := openT(t, path, Options{Sync: SyncNone})
	const n = 60
	var starts, ends []int64
	for i := range n {
		starts = append(starts, l.Size())
		appendT(t, l, fmt.Sprintf(`{"record":%d,"pad":"%s"}`, i, strings.Repeat("p", i%17)))
		ends = append(ends, l.Size())
	}
	l.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, uint64(len(data))))
	dir := t.TempDir()
	for trial := range 300 {
		off := rng.IntN(len(data))
		flip := byte(1 + rng.IntN(255))
		bad := append([]byte(nil), data...)
		bad[off] ^= flip
		hit := 0
		for ends[hit] <= int64(off) {
			hit++
		}
		var want []string
		for i := range n {
			if i != hit {
				want = append(want, fmt.Sprintf(`{"record":%d,"pad":"%s"}`, i, strings.Repeat("p", i%17)))
			}
		}
		p := fmt.Sprintf("%s/t%d.log", dir, trial)
		if err := os.WriteFile(p, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		var logs logBuffer
		l := openT(t, p, Options{Sync: SyncNone, Logger: testLogger(&logs)})
		if diff := cmp.Diff(replayAll(t, l), want); diff != "" {
			t.Fatalf("byte %d ^= %#x (frame %d): replay (-got +want):\n%s", off, flip, hit, diff)
		}
		rec := l.Recovery()
		span := Range{Offset: starts[hit], Bytes: ends[hit] - starts[hit]}
		switch {
		case hit < n-1:
			if diff := cmp.Diff(rec.Corrupt, []Range{span}); diff != "" || rec.TornBytes != 0 {
				t.Fatalf("byte %d ^= %#x: corrupt (-got +want):\n%s torn %d", off, flip, diff, rec.TornBytes)
			}
			if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), fmt.Sprintf("offset=%d", span.Offset)) {
				t.Fatalf("byte %d: no Error log naming offset %d:\n%s", off, span.Offset, logs.String())
			}
		default:
			// The last frame: a length made larger reads as a torn write, anything else
			// as corruption; either way it is cut and accounted for.
			span.Truncated = true
			if rec.TornBytes != span.Bytes && cmp.Diff(rec.Corrupt, []Range{span}) != "" {
				t.Fatalf("byte %d: last frame not accounted for: %+v", off, rec)
			}
		}
		l.Close()
	}
}

// TestCorruptRunOfFrames: garbage over several frames loses exactly those frames.
func TestCorruptRunOfFrames(t *testing.T) {
	path := logPath(t)
	l := openT(t, path, Options{Sync: SyncNone})
	var ends []int64
	for i := range 10 {
		appendT(t, l, fmt.Sprint("rec", i))
		ends = append(ends, l.Size())
	}
	l.Close()
	data, _ := os.ReadFile(path)
	for i := ends[2] + 3; i < ends[5]-2; i++ {
		data[i] = 'Z'
	}
	os.WriteFile(path, data, 0o644)
	l = openT(t, path, Options{Sync: SyncNone})
	want := []string{"rec0", "rec1", "rec2", "rec6", "rec7", "rec8", "rec9"}
	if diff := cmp.Diff(replayAll(t, l), want); diff != "" {
		t.Errorf("replay (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(l.Recovery().Corrupt, []Range{{Offset: ends[2], Bytes: ends[5] - ends[2]}}); diff != "" {
		t.Errorf("corrupt (-got +want):\n%s", diff)
	}
}
