//go:build linux

package peerbench

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unsafe"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    procTimes
		wantErr bool
	}{
		{"a server", "6835 (sluice) S 6801 6835 6801 0 -1 4194560 51617 0 0 0 85 37 0 0 20 0 9 0 4706300 1923362816 27596 18446744073709551615 1 1 0 0 0 0 0 0 2143420159 0 0 0 17 1 0 0 0 0 0\n", procTimes{85, 37}, false},
		{"a name with spaces and parentheses", "42 (a) b (c) d) R 1 42 42 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 5 6 7", procTimes{7, 3}, false},
		{"exactly to stime", "1 (x) S 0 1 1 0 -1 0 0 0 0 0 18446744073709551615 0", procTimes{18446744073709551615, 0}, false},
		{"cut before stime", "1 (x) S 0 1 1 0 -1 0 0 0 0 0 5", procTimes{}, true},
		{"no parentheses", "1 x S 0 1 1 0 -1 0 0 0 0 0 5 6 7", procTimes{}, true},
		{"a closing parenthesis only", "1 x) S 0 1 1 0 -1 0 0 0 0 0 5 6 7", procTimes{}, true},
		{"utime not a number", "1 (x) S 0 1 1 0 -1 0 0 0 0 0 five 6 7", procTimes{}, true},
		{"stime negative", "1 (x) S 0 1 1 0 -1 0 0 0 0 0 5 -6 7", procTimes{}, true},
		{"empty", "", procTimes{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStat([]byte(tt.line))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("got %+v, %v, want %+v (error: %t)", got, err, tt.want, tt.wantErr)
			}
			if err != nil && !errors.Is(err, errStat) {
				t.Errorf("the error %v is not errStat", err)
			}
		})
	}
}

// FuzzParseStat builds stat lines around any command name and times and reads the times back; any other
// input must give times or an error, never a panic.
func FuzzParseStat(f *testing.F) {
	f.Add("sluice", uint64(85), uint64(37), []byte("6835 (sluice) S 6801 6835 6801 0 -1 4194560 51617 0 0 0 85 37 0 0 20 0"))
	f.Add("a) b (c", uint64(0), uint64(1<<63), []byte("1 (a) b (c) S"))
	f.Add(")", uint64(1), uint64(2), []byte(")(("))
	f.Add("tab\tnew\nline", uint64(18446744073709551615), uint64(9), []byte{})
	f.Fuzz(func(t *testing.T, comm string, utime, stime uint64, raw []byte) {
		_, _ = parseStat(raw)
		if strings.ContainsAny(comm, "\x00") {
			return
		}
		line := fmt.Sprintf("77 (%s) S 1 77 77 0 -1 4194560 10 0 0 0 %d %d 0 0 20 0 1 0 100 200 300\n", comm, utime, stime)
		got, err := parseStat([]byte(line))
		if err != nil || got != (procTimes{utime, stime}) {
			t.Errorf("%q: got %+v, %v, want %d, %d", line, got, err, utime, stime)
		}
	})
}

// auxv builds an auxiliary vector of native words from key, value pairs.
func auxv(words ...uint64) []byte {
	const word = int(unsafe.Sizeof(uintptr(0)))
	out := make([]byte, len(words)*word)
	for i, w := range words {
		if word == 8 {
			binary.NativeEndian.PutUint64(out[i*word:], w)
		} else {
			binary.NativeEndian.PutUint32(out[i*word:], uint32(w))
		}
	}
	return out
}

func TestAuxvValue(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		key    uint64
		want   uint64
		wantOK bool
	}{
		{"present", auxv(6, 4096, 17, 100, 0, 0), 17, 100, true},
		{"absent", auxv(6, 4096, 16, 7, 0, 0), 17, 0, false},
		{"after AT_NULL", auxv(6, 4096, 0, 0, 17, 100), 17, 0, false},
		{"a value equal to the key is not a key", auxv(6, 17, 0, 0), 17, 0, false},
		{"cut in its value", auxv(6, 4096, 17, 100)[:3*int(unsafe.Sizeof(uintptr(0)))+1], 17, 0, false},
		{"empty", nil, 17, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := auxvValue(tt.data, tt.key)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("got %d, %t, want %d, %t", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// FuzzAuxvValue checks auxvValue on any bytes against what it promises: a value found is the word after a key
// word, at a pair's start, with no earlier pair starting with the key or with AT_NULL.
func FuzzAuxvValue(f *testing.F) {
	f.Add(auxv(6, 4096, 17, 100, 0, 0), uint64(17))
	f.Add(auxv(0, 0, 17, 100), uint64(17))
	f.Add([]byte{17, 0, 0}, uint64(17))
	f.Fuzz(func(t *testing.T, data []byte, key uint64) {
		const word = int(unsafe.Sizeof(uintptr(0)))
		if word == 4 {
			key = uint64(uint32(key))
		}
		if key == 0 {
			return
		}
		got, ok := auxvValue(data, key)
		words := len(data) / word
		w := make([]uint64, words)
		for i := range w {
			if word == 8 {
				w[i] = binary.NativeEndian.Uint64(data[i*word:])
			} else {
				w[i] = uint64(binary.NativeEndian.Uint32(data[i*word:]))
			}
		}
		for i := 0; i+1 < words; i += 2 {
			switch w[i] {
			case 0:
				if ok {
					t.Fatalf("found %d after AT_NULL at word %d", got, i)
				}
				return
			case key:
				if !ok || got != w[i+1] {
					t.Fatalf("got %d, %t, want %d (words %d, %d)", got, ok, w[i+1], i, i+1)
				}
				return
			}
		}
		if ok {
			t.Fatalf("found %d for a key that is in no pair", got)
		}
	})
}

// TestProcCPU checks procCPU, and the clock tick it counts in, against getrusage(2) for this process while it
// spins: the two must agree within a few ticks (a wrong tick would be off by its factor).
func TestProcCPU(t *testing.T) {
	if tick := clockTick(); tick != 10*time.Millisecond {
		t.Logf("clock tick %v (USER_HZ is usually 100)", tick)
	}
	procBefore, err := procCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	ruBefore := processCPU()
	deadline := time.Now().Add(5 * time.Second)
	x := uint64(1)
	for processCPU()-ruBefore < 300*time.Millisecond && time.Now().Before(deadline) {
		for range 10000 {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	ru := processCPU() - ruBefore
	procAfter, err := procCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	proc := procAfter - procBefore
	if ru < 200*time.Millisecond {
		t.Skipf("the process got only %v of CPU in 5 s (x=%d): too little to compare", ru, x)
	}
	if diff := (proc - ru).Abs(); diff > 4*clockTick()+ru/10 {
		t.Errorf("/proc/self/stat counted %v of CPU, getrusage %v", proc, ru)
	}
	if _, err := procCPU(-1); err == nil {
		t.Error("procCPU(-1) gave no error")
	}
}
