package sfn

import (
	"testing"
	"unsafe"
)

// Memory holds one finished entry per closed execution (100,000 of them in BenchmarkSoak): keep it at 64
// bytes, its fields ordered so that none is padded.
func TestFinishedEntrySize(t *testing.T) {
	if got := unsafe.Sizeof(finished{}); got > 64 {
		t.Errorf("finished is %d bytes, want at most 64", got)
	}
}
