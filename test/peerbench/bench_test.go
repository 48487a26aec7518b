package peerbench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluicehq/sluice/asl/interp"
)

// loads are the definitions (testdata/NAME.json) with their input and the states one execution enters.
var loads = []struct {
	name    string
	input   string
	entered int64
}{
	{"chain20", `{"id":"order-1","user":{"name":"ada"},"tags":["a","b","c"],"acc":{"step":-1}}`, 20},
	{"mixed", `{"id":"order-1"}`, 17},
}

// budget is how long the peer runs each definition, after a warm-up of half as long.
const budget = time.Second

// rounds is how many times the engine's one-goroutine and two-goroutine measures alternate, each for slice:
// alternating keeps the two comparable when the machine's speed drifts, and the median of the rounds
// leaves out one disturbed by a neighbour.
const (
	rounds = 7
	slice  = 250 * time.Millisecond
)

type peerResult struct {
	ExecutionsPerSecond    float64 `json:"executionsPerSecond"`
	ExecutionsPerCPUSecond float64 `json:"executionsPerCPUSecond"`
	StatesEntered          float64 `json:"statesEntered"`
}

// peer runs bench.js on the definitions given (by load name), each for d after a warm-up of half as long, and
// returns its results by name, or nil (and logs why) when node or the package is absent.
func peer(b *testing.B, defs map[string][]byte, d time.Duration) map[string]peerResult {
	node, err := exec.LookPath("node")
	if err != nil {
		b.Log("node not found: the peer is skipped")
		return nil
	}
	if _, err := os.Stat(filepath.Join("node_modules", "aws-local-stepfunctions", "package.json")); err != nil {
		b.Log("aws-local-stepfunctions not installed (npm ci --prefix test/peerbench): the peer is skipped")
		return nil
	}
	type def struct {
		Definition string `json:"definition"`
		Input      string `json:"input"`
	}
	spec := struct {
		Defs   map[string]def `json:"defs"`
		Millis int64          `json:"millis"`
	}{Defs: map[string]def{}, Millis: d.Milliseconds()}
	for _, l := range loads {
		if d, ok := defs[l.name]; ok {
			spec.Defs[l.name] = def{Definition: string(d), Input: l.input}
		}
	}
	in, err := json.Marshal(spec)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.CommandContext(b.Context(), node, "bench.js")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("bench.js: %v: %s", err, stderr.String())
	}
	res := map[string]peerResult{}
	if err := json.Unmarshal(out, &res); err != nil {
		b.Fatal(err)
	}
	return res
}

// enteredSink counts the StateEntered events of an execution's history, as the peer's side counts them.
//
// It reads each event's type during Record and keeps nothing of the event, so it borrows the events
// (interp.BorrowingSink): the engine lends it event details and payload texts it uses again instead of
// allocating them for each event. The comparison stays fair: the peer's side (bench.js) reads only each
// event's type from the peer's event log, whose events hold the state's input and output as the values
// the peer already had, never as text, and which the peer's log drops once they are read; the engine
// still renders every payload's JSON text for its events, which the peer does not.
type enteredSink struct{ entered int64 }

var _ interp.BorrowingSink = (*enteredSink)(nil)

func (s *enteredSink) Record(ev interp.HistoryEvent) {
	if strings.HasSuffix(string(ev.Type), "StateEntered") {
		s.entered++
	}
}

// BorrowsEvents reports that the sink keeps nothing of an event past Record.
func (s *enteredSink) BorrowsEvents() bool { return true }

// measure is what the engine did in one measure: executions, wall time, the process's CPU time (0 where
// it is not measured), the garbage collector's estimated CPU time, and heap allocations.
type measure struct {
	n             int64
	wall, cpu, gc time.Duration
	allocs, bytes uint64
	cycles        uint64 // garbage collections completed
	goroutines    int
}

func (m measure) perSecond() float64 { return float64(m.n) / m.wall.Seconds() }

// cpuPerExec is the CPU time of an execution, 0 when not measured.
func (m measure) cpuPerExec() time.Duration {
	if m.cpu <= 0 || m.n == 0 {
		return 0
	}
	return m.cpu / time.Duration(m.n)
}

// cores is the CPU time the process got per second of wall time: what the machine granted it.
func (m measure) cores() float64 { return m.cpu.Seconds() / m.wall.Seconds() }

// gcCycles reads the number of garbage collections the runtime has completed.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// gcCPU reads the runtime's estimate of the CPU time its garbage collector has used.
func gcCPU() time.Duration {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return time.Duration(s[0].Value.Float64() * float64(time.Second))
}

// engine runs executions of m on goroutines goroutines for d. Each execution has a name of its own
// (chain20 reads it; the names are made before the clock starts) and a history sink of its own; every
// execution must succeed and enter the states it should.
func engine(b *testing.B, m *interp.Machine, input any, entered int64, goroutines int, d time.Duration) measure {
	var (
		n      atomic.Int64
		failed atomic.Value
		wg     sync.WaitGroup
	)
	const names = 1 << 12
	ctx := context.Background()
	ready := make([][]string, goroutines)
	for g := range ready {
		ready[g] = make([]string, names)
		for i := range ready[g] {
			ready[g][i] = fmt.Sprintf("bench-%d-%d", g, i)
		}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu, gc, cycles := processCPU(), gcCPU(), gcCycles()
	start := time.Now()
	deadline := start.Add(d)
	for g := range goroutines {
		wg.Go(func() {
			for i := 0; ; {
				for range 10 {
					var sink enteredSink
					r := m.Run(ctx, input, interp.WithHistory(&sink), interp.WithExecutionName(ready[g][i%names]))
					i++
					if r.Status != interp.StatusSucceeded || sink.entered != entered {
						failed.Store(fmt.Sprintf("%s (%s: %s), %d states entered, want %d", r.Status, r.Error, r.Cause, sink.entered, entered))
						return
					}
				}
				n.Add(10)
				if time.Now().After(deadline) {
					return
				}
			}
		})
	}
	wg.Wait()
	res := measure{n: n.Load(), wall: time.Since(start), goroutines: goroutines}
	res.cpu, res.gc, res.cycles = processCPU()-cpu, gcCPU()-gc, gcCycles()-cycles
	runtime.ReadMemStats(&after)
	res.allocs, res.bytes = after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc
	if f := failed.Load(); f != nil {
		b.Fatal(f)
	}
	return res
}

// spin runs a CPU-bound loop that neither allocates nor shares anything (SHA-256 of a small buffer of
// each goroutine's own) on goroutines goroutines for d, and returns the loop's iterations per wall second:
// what the machine lets any code gain from a second goroutine at that moment. On a machine shared with
// other work, the engine's scaling means something only beside it.
func spin(goroutines int, d time.Duration) float64 {
	var n atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for range goroutines {
		wg.Go(func() {
			buf := make([]byte, 1024)
			for {
				for range 64 {
					sum := sha256.Sum256(buf)
					buf[0] = sum[0]
				}
				n.Add(64)
				if time.Now().After(deadline) {
					return
				}
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

// median returns the median of xs (the mean of the middle two for an even count); xs is sorted.
func median(xs []float64) float64 {
	slices.Sort(xs)
	if len(xs) == 0 {
		return 0
	}
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}

// loadAverage returns the machine's one-minute load average, or -1 where it cannot be read.
func loadAverage() float64 {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(raw))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// BenchmarkVersusPeer runs each load on the engine and on the peer in the same run; an iteration is one
// such round. The engine's measures alternate between one goroutine and two, rounds times; each figure
// is the median of the rounds, and the scaling figures are medians of the rounds' own ratios, so that a
// drift of the machine's speed moves both sides of a ratio together.
//
// It prints one line per figure (b.Log) and reports the same as metrics:
//
//   - exec/s, exec/cpu-s: the engine, one goroutine, per second of wall time and of the process's CPU
//     time; allocs/exec, B/exec: its heap allocations per execution; gc-cycles/kexec: the garbage
//     collections per 1,000 executions (with a live heap of a few MB, the collector runs every ~3 MB
//     allocated, so this follows B/exec whatever the machine's load); gc-share: the garbage collector's
//     estimated part of the process's CPU time;
//   - cpu-cost-2g: the CPU time of an execution with two goroutines over one: 1 when executions side by
//     side share nothing that costs (no lock, no contended cache line, no extra collection work), whatever
//     else the machine is doing;
//   - scaling-2g: executions per wall second with two goroutines over one; cores-2g: the CPU seconds the
//     process got per wall second with two goroutines, which is what a busy machine granted; on a quiet
//     machine with two cores scaling-2g approaches cores-2g/cpu-cost-2g;
//   - machine-scaling-2g: a CPU-bound loop that shares nothing (spin), two goroutines over one, measured
//     in each round beside the engine: 2 on a quiet machine with two cores, less when other work takes
//     a core; scaling-vs-machine: the engine's scaling over the loop's, round by round (1 = the engine
//     gains from the second core all that any code could at that moment);
//   - peer-exec/s, peer-exec/cpu-s, x-peer, x-peer-cpu: the peer and the engine/peer ratios (per CPU
//     second is what a busy machine disturbs least);
//   - load-1m: the machine's one-minute load average when the load started.
func BenchmarkVersusPeer(b *testing.B) {
	defs := map[string][]byte{}
	for _, l := range loads {
		raw, err := os.ReadFile(filepath.Join("testdata", l.name+".json"))
		if err != nil {
			b.Fatal(err)
		}
		defs[l.name] = raw
	}
	for _, l := range loads {
		b.Run(l.name, func(b *testing.B) {
			m, input := loadMachine(b, l.name, l.input)
			load := loadAverage()
			engine(b, m, input, l.entered, 1, slice) // warm up
			engine(b, m, input, l.entered, 2, slice/2)
			var (
				oneRate, oneCPU, twoRate, scaling, cost, cores, cores1, gcShare []float64
				machine, relative                                               []float64
				one                                                             measure
				peerRate, peerCPU                                               float64
				peered                                                          int
			)
			for b.Loop() {
				for range rounds {
					r1 := engine(b, m, input, l.entered, 1, slice)
					r2 := engine(b, m, input, l.entered, 2, slice)
					one.n, one.allocs, one.bytes, one.cycles = one.n+r1.n, one.allocs+r1.allocs, one.bytes+r1.bytes, one.cycles+r1.cycles
					oneRate, twoRate = append(oneRate, r1.perSecond()), append(twoRate, r2.perSecond())
					scaling = append(scaling, r2.perSecond()/r1.perSecond())
					ms := spin(2, slice/2) / spin(1, slice/2)
					machine, relative = append(machine, ms), append(relative, r2.perSecond()/r1.perSecond()/ms)
					if r1.cpu > 0 && r2.cpu > 0 {
						oneCPU = append(oneCPU, 1/r1.cpuPerExec().Seconds())
						cost = append(cost, float64(r2.cpuPerExec())/float64(r1.cpuPerExec()))
						cores, cores1 = append(cores, r2.cores()), append(cores1, r1.cores())
						gcShare = append(gcShare, r1.gc.Seconds()/r1.cpu.Seconds())
					}
				}
				if p, ok := peer(b, map[string][]byte{l.name: defs[l.name]}, budget)[l.name]; ok {
					if int64(p.StatesEntered+0.5) != l.entered {
						b.Fatalf("the peer entered %.1f states an execution, want %d", p.StatesEntered, l.entered)
					}
					peerRate, peerCPU, peered = peerRate+p.ExecutionsPerSecond, peerCPU+p.ExecutionsPerCPUSecond, peered+1
				}
			}
			rate, perCPU := median(oneRate), median(oneCPU)
			allocs, bytes := float64(one.allocs)/float64(one.n), float64(one.bytes)/float64(one.n)
			b.ReportMetric(rate, "exec/s")
			b.ReportMetric(rate*float64(l.entered), "transitions/s")
			b.ReportMetric(allocs, "allocs/exec")
			b.ReportMetric(bytes, "B/exec")
			b.ReportMetric(1000*float64(one.cycles)/float64(one.n), "gc-cycles/kexec")
			b.ReportMetric(median(twoRate), "exec/s-2g")
			b.ReportMetric(median(scaling), "scaling-2g")
			b.ReportMetric(median(machine), "machine-scaling-2g")
			b.ReportMetric(median(relative), "scaling-vs-machine")
			b.ReportMetric(load, "load-1m")
			// At most ten lines: the testing package cuts a benchmark's log there.
			b.Logf("%-8s machine: load average %.2f (1 min) at the start, %.2f at the end; %d CPUs, GOMAXPROCS %d",
				l.name, load, loadAverage(), runtime.NumCPU(), runtime.GOMAXPROCS(0))
			b.Logf("%-8s engine, 1 goroutine: %.0f exec/s, %.0f transitions/s (median of %d rounds of %v)",
				l.name, rate, rate*float64(l.entered), len(oneRate), slice)
			b.Logf("%-8s engine, 1 goroutine: %.1f allocs/exec, %.0f B/exec, %.2f garbage collections per 1,000 executions",
				l.name, allocs, bytes, 1000*float64(one.cycles)/float64(one.n))
			b.Logf("%-8s engine, 2 goroutines: %.0f exec/s, %.2fx one goroutine's (median of the rounds' ratios, %.2f-%.2f); a CPU-bound loop %.2fx in the same rounds, so the engine scales %.2f as well as the machine let it",
				l.name, median(twoRate), median(scaling), scaling[0], scaling[len(scaling)-1], median(machine), median(relative))
			if perCPU > 0 {
				b.ReportMetric(perCPU, "exec/cpu-s")
				b.ReportMetric(median(cost), "cpu-cost-2g")
				b.ReportMetric(median(cores), "cores-2g")
				b.ReportMetric(median(gcShare), "gc-share")
				b.Logf("%-8s engine, 1 goroutine: %.0f exec/cpu-s, the collector %.0f%% of the CPU time (the runtime's estimate, high on a busy machine)", l.name, perCPU, 100*median(gcShare))
				b.Logf("%-8s engine, CPU per execution with 2 goroutines over 1: %.2f (median, %.2f-%.2f; 1 = no contention); cores granted: %.2f with 1 goroutine, %.2f with 2",
					l.name, median(cost), cost[0], cost[len(cost)-1], median(cores1), median(cores))
			}
			if peered > 0 {
				pr, pc := peerRate/float64(peered), peerCPU/float64(peered)
				b.ReportMetric(pr, "peer-exec/s")
				b.ReportMetric(rate/pr, "x-peer")
				b.Logf("%-8s peer: %.0f exec/s, %.0f exec/cpu-s", l.name, pr, pc)
				if perCPU > 0 && pc > 0 {
					b.ReportMetric(pc, "peer-exec/cpu-s")
					b.ReportMetric(perCPU/pc, "x-peer-cpu")
					b.Logf("%-8s engine/peer: %.1fx per CPU second", l.name, perCPU/pc)
				}
				b.Logf("%-8s engine/peer: %.1fx per wall second", l.name, rate/pr)
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}
