package interp

import (
	"testing"
	"time"
)

// formatTime writes what time.Format writes with the context object's
// layout, for every instant (years outside 0-9999 go through time.Format).
func FuzzFormatTime(f *testing.F) {
	for _, seed := range []int64{0, 1, -1, 1_700_000_000_123_456_789, 253402300799999999, -62135596800000000} {
		f.Add(seed/1e9, seed%1e9)
	}
	f.Add(int64(-62135596801), int64(999_999_999)) // the year 0's last instant before year 1
	f.Add(int64(253402300800), int64(0))           // 10000-01-01
	f.Fuzz(func(t *testing.T, sec, nsec int64) {
		tm := time.Unix(sec, nsec).In(time.FixedZone("x", 5*3600+30*60))
		got, want := formatTime(tm), tm.UTC().Format("2006-01-02T15:04:05.000Z")
		if got != want {
			t.Errorf("formatTime(%v) = %q, want %q", tm, got, want)
		}
	})
}
