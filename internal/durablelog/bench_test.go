package durablelog

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkAppend appends 256-byte records under each policy and reports the cost against a
// raw os.File.Write of the same frame measured in the same run (x-raw-write), and for the
// syncing policies against os.File.Write followed by Sync (x-raw-fsync). group runs its
// appends from parallel goroutines, as a service under load does, so they share fsyncs.
func BenchmarkAppend(b *testing.B) {
	rec := make([]byte, 256)
	frame := appendFrame(nil, [][]byte{rec})
	raw := func(b *testing.B, n int, sync bool) time.Duration {
		f, err := os.Create(filepath.Join(b.TempDir(), "raw"))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		start := time.Now()
		for range n {
			if _, err := f.Write(frame); err != nil {
				b.Fatal(err)
			}
			if sync {
				if err := f.Sync(); err != nil {
					b.Fatal(err)
				}
			}
		}
		return time.Since(start)
	}
	for _, p := range []SyncPolicy{SyncNone, SyncEach, SyncGroup} {
		b.Run(p.String(), func(b *testing.B) {
			l, err := Open(filepath.Join(b.TempDir(), "bench.log"), Options{Sync: p, Logger: discard()})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			ctx := b.Context()
			b.SetBytes(int64(len(rec)))
			b.ResetTimer()
			if p == SyncGroup {
				b.SetParallelism(8)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := l.Append(ctx, rec); err != nil {
							b.Error(err)
							return
						}
					}
				})
			} else {
				for b.Loop() {
					if err := l.Append(ctx, rec); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.StopTimer()
			got := b.Elapsed()
			b.ReportMetric(float64(got)/float64(raw(b, b.N, false)), "x-raw-write")
			if p != SyncNone {
				b.ReportMetric(float64(got)/float64(raw(b, b.N, true)), "x-raw-fsync")
			}
		})
	}
}
