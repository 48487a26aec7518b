package gcheadroom

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name           string
		live, headroom uint64
		want           int
	}{
		{"nothing live yet", 0, 32 * mib, 800},
		{"small live heap", 8 * mib, 32 * mib, 400},
		{"capped by the smallest goal", 1 * mib, 32 * mib, 800},
		{"rounded down to a step", 7 * mib, 32 * mib, 450},
		{"live heap as large as the headroom", 32 * mib, 32 * mib, 100},
		{"live heap larger than the headroom", 200 * mib, 32 * mib, 100},
		{"headroom below the smallest goal", 1 * mib, 2 * mib, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentFor(tt.live, tt.headroom); got != tt.want {
				t.Errorf("percentFor(%d, %d) = %d, want %d", tt.live, tt.headroom, got, tt.want)
			}
		})
	}
}

func gogc(t *testing.T) uint64 {
	t.Helper()
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestGCHeadroomFollowsTheLiveHeap: after a collection, GOGC is raised for a small live heap and back to
// 100 for one larger than the headroom; stopping puts back what was there.
func TestGCHeadroomFollowsTheLiveHeap(t *testing.T) {
	t.Setenv("GOGC", "") // the user's GOGC would win
	before := debug.SetGCPercent(150)
	defer debug.SetGCPercent(before)
	const headroom = 32 << 20
	stop := Start(headroom)
	// The cleanup runs after a collection, on its own goroutine: collect until GOGC is as wanted (or
	// give up after a bounded number of tries).
	settle := func(ok func(uint64) bool) uint64 {
		var got uint64
		for range 200 {
			runtime.GC()
			time.Sleep(time.Millisecond)
			if got = gogc(t); ok(got) {
				break
			}
		}
		return got
	}
	if got := settle(func(p uint64) bool { return p > 100 && p <= 800 }); got <= 100 || got > 800 {
		t.Errorf("GOGC with a small live heap: got %d, want in (100, 800]", got)
	}
	big := make([]byte, 64<<20)
	if got := settle(func(p uint64) bool { return p == 100 }); got != 100 {
		t.Errorf("GOGC with 64 MiB live: got %d, want 100", got)
	}
	runtime.KeepAlive(big)
	stop()
	if got := gogc(t); got != 150 {
		t.Errorf("GOGC after stop: got %d, want 150", got)
	}
}

func TestGCHeadroomLeavesTheUsersGOGC(t *testing.T) {
	t.Setenv("GOGC", "100")
	before := debug.SetGCPercent(170)
	defer debug.SetGCPercent(before)
	stop := Start(32 << 20)
	runtime.GC()
	if got := gogc(t); got != 170 {
		t.Errorf("GOGC: got %d, want 170 (untouched)", got)
	}
	stop()
}
