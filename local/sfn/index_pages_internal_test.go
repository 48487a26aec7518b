package sfn

import (
	"bytes"
	"cmp"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// refInsert is what apply did before it went through pages: insertSlot on the file for each record, one
// after the other (in the order apply takes them: by home slot when it goes through pages).
func refInsert(t *testing.T, f *os.File, capSlots uint64, recs []runRec, live func(uint32) bool) uint64 {
	t.Helper()
	mask := capSlots - 1
	sorted := slices.Clone(recs)
	if capSlots <= pagedApplyRatio*uint64(len(recs)) {
		slices.SortStableFunc(sorted, func(a, b runRec) int {
			return cmp.Compare(keyOf(a.machine, a.name).home(mask), keyOf(b.machine, b.name).home(mask))
		})
	}
	var used uint64
	for _, r := range sorted {
		fresh, err := insertSlot(f, capSlots, keyOf(r.machine, r.name), r, live)
		if err != nil {
			t.Fatal(err)
		}
		if fresh {
			used++
		}
	}
	return used
}

func slotsOf(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b[keysHeader:]
}

// wrapNames returns n execution names of machine whose home slot, in a table of capSlots, is one of its
// last two: their probes run past the table's end to its first slots.
func wrapNames(machine string, capSlots uint64, n int) []string {
	var names []string
	for i := 0; len(names) < n; i++ {
		name := fmt.Sprintf("wrap-%d", i)
		if keyOf(machine, name).home(capSlots-1) >= capSlots-2 {
			names = append(names, name)
		}
	}
	return names
}

// TestApplyByPagesWritesWhatSlotBySlotWrote: apply, which reads and writes the table a page at a time,
// leaves the file byte for byte as inserting each record with its own read and write did: with keys
// saved twice (the later save wins), tombstones of a removed segment reused, and probes that run past
// the table's end.
func TestApplyByPagesWritesWhatSlotBySlotWrote(t *testing.T) {
	const machine = "arn:aws:states:us-east-1:000000000000:stateMachine:m"
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 100, 5000, 20000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := t.TempDir()
			k := &keyHash{path: filepath.Join(dir, keysName)}
			defer k.close()
			alive := func(seg uint32) bool { return seg != 7 }
			// Run 1: keys in segment 7, removed before run 2 (tombstones), and keys kept.
			var first []runRec
			for i := range n / 2 {
				seg := uint32(1)
				if i%3 == 0 {
					seg = 7
				}
				first = append(first, runRec{machine: machine, name: fmt.Sprintf("e%06d", i), seg: seg, off: int64(i), start: int64(i)})
			}
			for _, name := range wrapNames(machine, minKeySlots, 6) {
				first = append(first, runRec{machine: machine, name: name, seg: 1, off: 1})
			}
			if err := k.apply(1, first, func(uint32) bool { return true }); err != nil {
				t.Fatal(err)
			}
			if k.cap != minKeySlots {
				t.Fatalf("cap %d, want %d (the test keeps the table from growing)", k.cap, minKeySlots)
			}
			ref := filepath.Join(dir, "ref")
			if err := os.WriteFile(ref, slices.Concat(make([]byte, keysHeader), slotsOf(t, k.path)), 0o644); err != nil {
				t.Fatal(err)
			}
			// Run 2: new keys, later and earlier saves of run 1's, and more keys that wrap.
			var second []runRec
			for i := range n {
				switch rng.IntN(4) {
				case 0:
					old := rng.IntN(n/2 + 1)
					second = append(second, runRec{machine: machine, name: fmt.Sprintf("e%06d", old), seg: 2, off: int64(i)})
				case 1:
					old := rng.IntN(n/2 + 1)
					second = append(second, runRec{machine: machine, name: fmt.Sprintf("e%06d", old), seg: 0, off: int64(i)})
				default:
					second = append(second, runRec{machine: machine, name: fmt.Sprintf("n%06d", i), seg: 3, off: int64(i)})
				}
			}
			for _, name := range wrapNames(machine, minKeySlots, 12) {
				second = append(second, runRec{machine: machine, name: name, seg: 2, off: 2})
			}
			usedBefore := k.used
			if err := k.apply(2, second, alive); err != nil {
				t.Fatal(err)
			}
			f, err := os.OpenFile(ref, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			refUsed := refInsert(t, f, minKeySlots, second, alive)
			if got, want := slotsOf(t, k.path), slotsOf(t, ref); !bytes.Equal(got, want) {
				t.Fatalf("the table differs from the one written slot by slot")
			}
			if got, want := k.used-usedBefore, refUsed; got != want {
				t.Errorf("slots taken: got %d, want %d", got, want)
			}
			for _, r := range second {
				got, ok, err := k.get(keyOf(r.machine, r.name), alive)
				if err != nil || !ok || r.newer(got) { // this save or a later one
					t.Fatalf("get %s: %+v %v %v", r.name, got, ok, err)
				}
			}
		})
	}
}

// TestGrowByPagesWritesWhatSlotBySlotWrote: growing the table through pages writes the new table byte for
// byte as inserting the old table's keys one by one did, tombstones left out.
func TestGrowByPagesWritesWhatSlotBySlotWrote(t *testing.T) {
	const machine = "arn:aws:states:us-east-1:000000000000:stateMachine:m"
	dir := t.TempDir()
	k := &keyHash{path: filepath.Join(dir, keysName)}
	defer k.close()
	var recs []runRec
	for i := range 30000 {
		recs = append(recs, runRec{machine: machine, name: fmt.Sprintf("e%06d", i), seg: uint32(1 + i%4), off: int64(i)})
	}
	if err := k.apply(1, recs, func(uint32) bool { return true }); err != nil {
		t.Fatal(err)
	}
	old := slotsOf(t, k.path)
	oldCap := k.cap
	alive := func(seg uint32) bool { return seg != 4 }
	if err := k.grow(100000, alive); err != nil {
		t.Fatal(err)
	}
	if k.cap <= oldCap {
		t.Fatalf("cap %d, not grown from %d", k.cap, oldCap)
	}
	ref := filepath.Join(dir, "ref")
	f, err := os.Create(ref)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(keysHeader + int64(k.cap)*slotSize); err != nil {
		t.Fatal(err)
	}
	var used uint64
	for i := uint64(0); i < oldCap; i++ {
		s, err := decodeSlot(old[i*slotSize:])
		if err != nil || !s.used || !alive(s.rec.seg) {
			continue
		}
		fresh, err := insertSlot(f, k.cap, s.key, s.rec, alive)
		if err != nil {
			t.Fatal(err)
		}
		if fresh {
			used++
		}
	}
	if got, want := slotsOf(t, k.path), slotsOf(t, ref); !bytes.Equal(got, want) {
		t.Fatalf("the grown table differs from the one written slot by slot")
	}
	if k.used != used {
		t.Errorf("used: got %d, want %d", k.used, used)
	}
}

// BenchmarkKeyHashApply is a seal's work on the key hash: a run of 8,192 executions applied to a table of
// 131,072 slots that holds 32,768 (as after a growth), reported per record.
func BenchmarkKeyHashApply(b *testing.B) {
	const machine = "arn:aws:states:us-east-1:000000000000:stateMachine:m"
	live := func(uint32) bool { return true }
	k := &keyHash{path: filepath.Join(b.TempDir(), keysName)}
	defer k.close()
	var recs []runRec
	for i := range 32768 {
		recs = append(recs, runRec{machine: machine, name: fmt.Sprintf("old%06d", i), seg: 1, off: int64(i)})
	}
	if err := k.apply(1, recs, live); err != nil {
		b.Fatal(err)
	}
	if err := k.grow(0, live); err != nil {
		b.Fatal(err)
	}
	if k.cap != 1<<17 {
		b.Fatalf("cap %d, want %d", k.cap, 1<<17)
	}
	base, err := os.ReadFile(k.path)
	if err != nil {
		b.Fatal(err)
	}
	used := k.used
	run := make([]runRec, 8192)
	for i := range run {
		run[i] = runRec{machine: machine, name: fmt.Sprintf("new%06d", i), seg: 2, off: int64(i)}
	}
	for b.Loop() {
		b.StopTimer()
		if _, err := k.f.WriteAt(base, 0); err != nil {
			b.Fatal(err)
		}
		k.used = used
		b.StartTimer()
		if err := k.apply(2, run, live); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(run)), "ns/record")
}
