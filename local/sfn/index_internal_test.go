package sfn

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"testing"
)

// TestKeyHashProbes: keys named as executions usually are (a prefix and a counter) spread over the table:
// the mean distance of a key from its home slot stays small, so a lookup reads one page of the file.
func TestKeyHashProbes(t *testing.T) {
	k := &keyHash{path: filepath.Join(t.TempDir(), keysName)}
	defer k.close()
	const n = 20000
	recs := make([]runRec, n)
	for i := range recs {
		recs[i] = runRec{machine: "arn:aws:states:us-east-1:000000000000:stateMachine:soak", name: fmt.Sprintf("e%07d", i), seg: 1, off: int64(i)}
	}
	live := func(uint32) bool { return true }
	if err := k.apply(1, recs, live); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(k.path)
	if err != nil {
		t.Fatal(err)
	}
	mask := k.cap - 1
	var total, worst uint64
	used := 0
	for i := uint64(0); i < k.cap; i++ {
		s, err := decodeSlot(data[keysHeader+i*slotSize:])
		if err != nil {
			t.Fatal(err)
		}
		if !s.used {
			continue
		}
		used++
		d := (i - s.key.home(mask)) & mask
		total += d
		worst = max(worst, d)
	}
	if used != n {
		t.Fatalf("used slots: got %d, want %d", used, n)
	}
	if mean := float64(total) / n; mean > 2 || worst > 64 {
		t.Errorf("distance from the home slot: mean %.2f, worst %d; want at most 2 and 64", mean, worst)
	}
	for _, r := range recs[:100] {
		got, ok, err := k.get(keyOf(r.machine, r.name), live)
		if err != nil || !ok || got.off != r.off {
			t.Errorf("get %s: %+v %v %v", r.name, got, ok, err)
		}
	}
	if _, ok, err := k.get(keyOf(recs[0].machine, "absent"), live); ok || err != nil {
		t.Errorf("get absent: %v %v", ok, err)
	}
}

// TestKeyOfIsFNV1a128: keyOf is FNV-1a 128 of machine, a zero byte and name (the key hash's file format).
func TestKeyOfIsFNV1a128(t *testing.T) {
	for _, c := range []struct{ machine, name string }{{"", ""}, {"m", "e1"}, {"arn:aws:states:us-east-1:000000000000:stateMachine:soak", "e0000001"}} {
		h := fnv.New128a()
		h.Write([]byte(c.machine + "\x00" + c.name))
		sum := h.Sum(nil)
		want := execKey{binary.LittleEndian.Uint64(sum[:8]) | 1, binary.LittleEndian.Uint64(sum[8:])}
		if got := keyOf(c.machine, c.name); got != want {
			t.Errorf("keyOf(%q, %q) = %x, want %x", c.machine, c.name, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { keyOf("arn:aws:states:us-east-1:000000000000:stateMachine:soak", "e0000001") }); n != 0 {
		t.Errorf("keyOf allocates %v times", n)
	}
}
