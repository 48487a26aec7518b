package sfn

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzRunRecord: a run record reads back as written, and arbitrary bytes read as a record are either a
// record or errBadRecord, never a panic.
func FuzzRunRecord(f *testing.F) {
	f.Add("arn:aws:states:us-east-1:000000000000:stateMachine:m", "e1", "", int64(1700000000000), int64(1700000000500), int64(4096), uint32(3), uint32(512), uint16(0), uint8(1), []byte{})
	f.Add("m", "", ":1", int64(-1), int64(0), int64(0), uint32(0), uint32(0), uint16(1000), uint8(4), []byte{4, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, machine, name, qual string, start, stop, off int64, seg, size uint32, redrives uint16, status uint8, junk []byte) {
		want := runRec{machine: machine, name: name, qual: qual, start: start, stop: stop, off: off, seg: seg, size: size, redrives: redrives, status: status}
		got, n, _, err := readRunRec(bufio.NewReader(bytes.NewReader(encodeRunRec(nil, want))), nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, want, cmp.AllowUnexported(runRec{})); diff != "" {
			t.Errorf("round trip (-got +want):\n%s", diff)
		}
		if n != len(encodeRunRec(nil, want)) {
			t.Errorf("length: got %d, want %d", n, len(encodeRunRec(nil, want)))
		}
		_, _, _, _ = readRunRec(bufio.NewReader(bytes.NewReader(junk)), nil)
	})
}

// FuzzSlot: a key hash slot reads back as written; 64 arbitrary bytes are a slot, empty, or errBadSlot.
func FuzzSlot(f *testing.F) {
	f.Add(uint64(1), uint64(2), int64(1700000000000), int64(1700000000500), int64(4096), uint32(3), uint32(512), uint16(2), uint8(2), make([]byte, slotSize))
	f.Fuzz(func(t *testing.T, k0, k1 uint64, start, stop, off int64, seg, size uint32, redrives uint16, status uint8, junk []byte) {
		want := slot{key: execKey{k0 | 1, k1}, used: true, rec: runRec{start: start, stop: stop, off: off, seg: seg, size: size, redrives: redrives, status: status}}
		b := make([]byte, slotSize)
		encodeSlot(b, want)
		got, err := decodeSlot(b)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, want, cmp.AllowUnexported(slot{}, runRec{})); diff != "" {
			t.Errorf("round trip (-got +want):\n%s", diff)
		}
		if len(junk) >= slotSize {
			s, err := decodeSlot(junk[:slotSize])
			if err == nil && s.used {
				// It passed its CRC: it must encode back to the same bytes.
				again := make([]byte, slotSize)
				encodeSlot(again, s)
				if !bytes.Equal(again, junk[:slotSize]) {
					t.Errorf("a slot that passed its check does not encode back to its bytes")
				}
			}
		}
	})
}

// TestKeyOfNeverZero: an all-zero key would read as an empty slot.
func TestKeyOfNeverZero(t *testing.T) {
	for _, name := range []string{"", "a", "e0001"} {
		if k := keyOf("m", name); k[0] == 0 && k[1] == 0 {
			t.Errorf("keyOf(m, %q) is zero", name)
		}
	}
}
