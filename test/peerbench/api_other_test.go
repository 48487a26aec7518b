//go:build !linux

package peerbench

import "testing"

// BenchmarkAPIVersusPeer reads the servers' CPU time from /proc: it runs on Linux only.
func BenchmarkAPIVersusPeer(b *testing.B) {
	b.Skip("the API benchmark reads /proc: Linux only")
}
