//go:build linux

package peerbench

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
	"unsafe"
)

// procTimes are a process's CPU times from /proc/PID/stat, in clock ticks.
type procTimes struct {
	utime, stime uint64
}

// errStat is the error of a /proc/PID/stat line parseStat cannot read.
var errStat = errors.New("malformed /proc/PID/stat")

// parseStat reads utime and stime (fields 14 and 15 of proc(5)'s /proc/PID/stat) from a stat line. The command
// name (field 2) is in parentheses and may hold spaces and parentheses of its own, so the fields are counted from
// the last closing parenthesis.
func parseStat(data []byte) (procTimes, error) {
	open := bytes.IndexByte(data, '(')
	end := bytes.LastIndexByte(data, ')')
	if open < 0 || end < open {
		return procTimes{}, fmt.Errorf("%w: no command name in parentheses", errStat)
	}
	f := bytes.Fields(data[end+1:])
	if len(f) < 13 {
		return procTimes{}, fmt.Errorf("%w: %d fields after the command name, want at least 13", errStat, len(f))
	}
	utime, err1 := strconv.ParseUint(string(f[11]), 10, 64) // field 14
	stime, err2 := strconv.ParseUint(string(f[12]), 10, 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		return procTimes{}, fmt.Errorf("%w: %w", errStat, err)
	}
	return procTimes{utime: utime, stime: stime}, nil
}

// atClockTick is AT_CLKTCK, the auxiliary vector's entry for the frequency of times(2)'s clock ticks, the unit of
// /proc/PID/stat's times: sysconf(_SC_CLK_TCK) reads it there (getauxval(3)).
const atClockTick = 17

// auxvValue returns the value of key in an auxiliary vector as /proc/PID/auxv holds it (pairs of native words,
// key then value, ended by the key AT_NULL, 0), and whether the key is there.
func auxvValue(data []byte, key uint64) (uint64, bool) {
	const word = int(unsafe.Sizeof(uintptr(0)))
	read := func(b []byte) uint64 {
		if word == 8 {
			return binary.NativeEndian.Uint64(b)
		}
		return uint64(binary.NativeEndian.Uint32(b))
	}
	for i := 0; i+2*word <= len(data); i += 2 * word {
		k := read(data[i:])
		if k == 0 {
			return 0, false
		}
		if k == key {
			return read(data[i+word:]), true
		}
	}
	return 0, false
}

// clockTick is the duration of one clock tick of /proc/PID/stat's times: 1/sysconf(_SC_CLK_TCK), read from
// this process's auxiliary vector, or 10 ms (USER_HZ is 100 on every Linux architecture Go supports) when it
// cannot be read.
var clockTick = sync.OnceValue(func() time.Duration {
	raw, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		return 10 * time.Millisecond
	}
	if hz, ok := auxvValue(raw, atClockTick); ok && hz > 0 && hz <= uint64(time.Second) {
		return time.Second / time.Duration(hz)
	}
	return 10 * time.Millisecond
})

// procCPU returns the CPU time, user and system, the process pid has used (all its threads), from
// /proc/PID/stat; its resolution is a clock tick.
func procCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	t, err := parseStat(raw)
	if err != nil {
		return 0, err
	}
	return time.Duration(t.utime+t.stime) * clockTick(), nil
}
