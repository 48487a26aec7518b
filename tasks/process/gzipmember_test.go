package process

import (
	"bytes"
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

func TestCRC32Combine(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 100_000)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	cuts := []int{0, 1, 3, 4, 7, 8, 63, 64, 1000, 32768, 65537, len(data) - 1, len(data)}
	for range 20 {
		cuts = append(cuts, rng.IntN(len(data)+1))
	}
	for _, cut := range cuts {
		a, b := data[:cut], data[cut:]
		got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b)))
		if want := crc32.ChecksumIEEE(data); got != want {
			t.Errorf("cut at %d: got %08x, want %08x", cut, got, want)
		}
	}
}

// FuzzCRC32Combine holds crc32Combine to hash/crc32 on any two pieces, the second also repeated so that
// its length reaches past what a fuzzer's inputs usually are.
func FuzzCRC32Combine(f *testing.F) {
	f.Add([]byte("hello, "), []byte("world"), uint16(1))
	f.Add([]byte{}, []byte{0}, uint16(0))
	f.Add([]byte{0xff}, []byte{}, uint16(300))
	f.Fuzz(func(t *testing.T, a, b []byte, repeat uint16) {
		b = bytes.Repeat(b, int(repeat%512)+1)
		got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b)))
		if want := crc32.ChecksumIEEE(append(bytes.Clone(a), b...)); got != want {
			t.Fatalf("got %08x, want %08x", got, want)
		}
	})
}
