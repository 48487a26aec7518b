package validate

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// TestMeter reads objects of sizes around the block size and past the ring (so that blocks are reused
// while the digester trails) through the meter, whole and in small reads, and checks the bytes
// delivered, the count, the digest and the size limit.
func TestMeter(t *testing.T) {
	object := make([]byte, meterBlocks*meterBlockSize*2+12345)
	for i := range object {
		object[i] = byte(i*7 + i/251)
	}
	tests := []struct {
		name    string
		size    int
		max     int64
		wantErr error
	}{
		{"empty", 0, 0, nil},
		{"one byte", 1, 0, nil},
		{"a block less one", meterBlockSize - 1, 0, nil},
		{"a block", meterBlockSize, 0, nil},
		{"a block and one", meterBlockSize + 1, 0, nil},
		{"the ring twice and more", len(object), 0, nil},
		{"at the limit", meterBlockSize, meterBlockSize, nil},
		{"one past the limit", meterBlockSize + 1, meterBlockSize, errTooBig},
		{"far past the limit", len(object), 3*meterBlockSize + 5, errTooBig},
	}
	for _, tt := range tests {
		// The announced size only sizes the blocks: unknown, exact, or smaller than the body (a body may
		// be longer than announced; every byte must still be delivered and digested).
		for _, hint := range []int64{-1, int64(tt.size), 3} {
			for _, mode := range []string{"", " in small reads", " into the caller's buffers"} {
				name := fmt.Sprintf("%s, size hint %d%s", tt.name, hint, mode)
				t.Run(name, func(t *testing.T) {
					var src io.Reader = bytes.NewReader(object[:tt.size])
					if mode == " in small reads" {
						src = iotest.HalfReader(src)
					}
					m := newMeter(src, tt.max, hint)
					defer m.close()
					var got []byte
					var err error
					if mode == " into the caller's buffers" {
						got, err = readAllInto(m)
					} else {
						got, err = io.ReadAll(m)
					}
					if !errors.Is(err, tt.wantErr) {
						t.Fatalf("error: got %v, want %v", err, tt.wantErr)
					}
					want := object[:tt.size]
					if tt.wantErr != nil {
						want = object[:tt.max+1] // one byte past the limit is read, to know it is exceeded
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("delivered %d bytes, want %d (the same bytes)", len(got), len(want))
					}
					if m.n != int64(len(want)) {
						t.Errorf("count: got %d, want %d", m.n, len(want))
					}
					if tt.wantErr == nil {
						sum := sha256.Sum256(want)
						if diff := cmp.Diff(m.digest(), sum[:]); diff != "" {
							t.Errorf("digest (-got +want):\n%s", diff)
						}
					}
				})
			}
		}
	}
}

// TestMeterSourceError passes the source's error through after the bytes before it.
func TestMeterSourceError(t *testing.T) {
	broken := errors.New("connection reset")
	m := newMeter(io.MultiReader(bytes.NewReader([]byte("abc")), iotest.ErrReader(broken)), 0, -1)
	defer m.close()
	got, err := io.ReadAll(m)
	if !errors.Is(err, broken) || string(got) != "abc" {
		t.Errorf("got %q, %v; want \"abc\", %v", got, err, broken)
	}
}

// readAllInto reads m to its end with readInto, into three buffers of odd sizes in turn, each
// overwritten as soon as the digester is done with it (so that a digest of a reused buffer shows), and
// with Read now and then.
func readAllInto(m *meter) ([]byte, error) {
	var bufs [3][]byte
	var seqs [3]int
	var got []byte
	for i := 0; ; i++ {
		k := i % len(bufs)
		m.digested(seqs[k])
		if bufs[k] == nil {
			bufs[k] = make([]byte, meterBlockSize/3+k*7919)
		}
		for j := range bufs[k] {
			bufs[k][j] = 0xaa
		}
		var n int
		var err error
		if i%5 == 4 {
			n, err = m.Read(bufs[k][:100])
		} else {
			n, err = m.readInto(bufs[k])
		}
		got = append(got, bufs[k][:n]...)
		seqs[k] = m.sent
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			return got, err
		}
	}
}
