package sfn

import (
	"strconv"
	"testing"
)

// BenchmarkHistoryPut stores a finished chain20 execution (20 Pass states with Parameters) in a history
// store on disk, as every StartExecution of sfnload's chain20 does: encoding, compressing, writing the
// blob and appending its index entry.
func BenchmarkHistoryPut(b *testing.B) {
	blob := chainBlob(b, 20)
	s, err := New(WithDataDir(b.TempDir()), WithSync(false)) // as sluice up: the CPU of a put, not the disk's fsync
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		x := *blob
		x.Execution.Name = "e" + strconv.Itoa(i)
		if err := s.history.put(b.Context(), &x); err != nil {
			b.Fatal(err)
		}
	}
}
