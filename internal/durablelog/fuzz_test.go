package durablelog

import (
	"bytes"
	"testing"
)

// FuzzScan reads arbitrary bytes as a log: it never fails or panics, every record it returns
// comes from a frame whose checksum holds, and the bytes it accounts for add up.
func FuzzScan(f *testing.F) {
	f.Add([]byte{})
	f.Add(appendFrame(nil, [][]byte{[]byte("hello")}))
	f.Add(appendFrame(appendFrame(nil, [][]byte{[]byte("a"), {}}), [][]byte{[]byte(`{"x":1}`)}))
	two := appendFrame(appendFrame(nil, [][]byte{[]byte("one")}), [][]byte{[]byte("two")})
	f.Add(two[:len(two)-3])
	bad := bytes.Clone(two)
	bad[14] ^= 0xff
	f.Add(bad)
	f.Add(append(append([]byte("junk"), magic[:]...), 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		var recs [][]byte
		rec, err := scan(bytes.NewReader(data), int64(len(data)), 1<<20, func(r []byte) error {
			recs = append(recs, r)
			return nil
		})
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
		if rec.Records != len(recs) {
			t.Fatalf("Records = %d, delivered %d", rec.Records, len(recs))
		}
		end := rec.Bytes + rec.TornBytes
		for _, c := range rec.Corrupt {
			if c.Offset >= rec.Bytes && !c.Truncated || c.Bytes <= 0 {
				t.Fatalf("corrupt range %+v outside the kept log of %d bytes", c, rec.Bytes)
			}
			if c.Truncated {
				end = c.Offset + c.Bytes
				if c.Offset != rec.Bytes {
					t.Fatalf("truncated range %+v does not start at the end %d", c, rec.Bytes)
				}
			}
		}
		if end != int64(len(data)) {
			t.Fatalf("accounted for %d of %d bytes: %+v", end, len(data), rec)
		}
		// Re-encoding what was read and reading it again gives the same records.
		var again []byte
		for _, r := range recs {
			again = appendFrame(again, [][]byte{r})
		}
		var recs2 [][]byte
		if _, err := scan(bytes.NewReader(again), int64(len(again)), 1<<20, func(r []byte) error {
			recs2 = append(recs2, r)
			return nil
		}); err != nil || len(recs2) != len(recs) {
			t.Fatalf("re-read %d records (err %v), want %d", len(recs2), err, len(recs))
		}
	})
}

// FuzzCorruptFrame writes records, damages one byte, and checks that every frame the damage
// did not touch is read back.
func FuzzCorruptFrame(f *testing.F) {
	f.Add([]byte("alpha,beta,gamma,delta"), uint16(20), byte(0x40))
	f.Add([]byte(`{"a":1},{"b":2},,{"c":3}`), uint16(3), byte(0xff))
	f.Add([]byte("x"), uint16(0), byte(1))
	f.Fuzz(func(t *testing.T, text []byte, pos uint16, flip byte) {
		parts := bytes.Split(text, []byte(","))
		var data []byte
		var ends []int
		for _, p := range parts {
			data = appendFrame(data, [][]byte{p})
			ends = append(ends, len(data))
		}
		if flip == 0 {
			flip = 1
		}
		at := int(pos) % len(data)
		data[at] ^= flip
		hit := 0
		for ends[hit] <= at {
			hit++
		}
		var got [][]byte
		if _, err := scan(bytes.NewReader(data), int64(len(data)), 1<<20, func(r []byte) error {
			got = append(got, r)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var want [][]byte
		for i, p := range parts {
			if i != hit {
				want = append(want, p)
			}
		}
		// A record may itself contain a valid frame (a crafted input can): then more comes
		// back, never less.
		i := 0
		for _, g := range got {
			if i < len(want) && bytes.Equal(g, want[i]) {
				i++
			}
		}
		if i != len(want) {
			t.Fatalf("byte %d ^= %#x (frame %d): got %q, want %q among them", at, flip, hit, got, want)
		}
	})
}
