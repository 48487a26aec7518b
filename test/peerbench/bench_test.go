package peerbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluicehq/sluice/asl"
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

// budget is how long each side runs each definition, after a warm-up of half as long.
const budget = time.Second

type peerResult struct {
	ExecutionsPerSecond    float64 `json:"executionsPerSecond"`
	ExecutionsPerCPUSecond float64 `json:"executionsPerCPUSecond"`
	StatesEntered          float64 `json:"statesEntered"`
}

// peer runs bench.js on the definitions given (by load name) and returns its results by name, or nil (and logs why) when
// node or the package is absent.
func peer(b *testing.B, defs map[string][]byte) map[string]peerResult {
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
	}{Defs: map[string]def{}, Millis: budget.Milliseconds()}
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
type enteredSink struct{ entered int64 }

func (s *enteredSink) Record(ev interp.HistoryEvent) {
	if strings.HasSuffix(string(ev.Type), "StateEntered") {
		s.entered++
	}
}

// rate is what one side did in one measure: executions per second of wall time and per second of the
// process's CPU time (0 where it is not measured).
type rate struct{ wall, cpu float64 }

// engine runs executions of m on goroutines goroutines for d. Each execution has a name of its own
// (chain20 reads it) and a history sink of its own; every execution must succeed and enter the states it
// should.
func engine(b *testing.B, m *interp.Machine, input any, entered int64, goroutines int, d time.Duration) rate {
	var (
		n      atomic.Int64
		failed atomic.Value
		wg     sync.WaitGroup
	)
	ctx := context.Background()
	cpu := processCPU()
	start := time.Now()
	deadline := start.Add(d)
	for g := range goroutines {
		wg.Go(func() {
			for i := 0; ; i++ {
				for range 10 {
					var sink enteredSink
					r := m.Run(ctx, input, interp.WithHistory(&sink), interp.WithExecutionName(fmt.Sprintf("bench-%d-%d", g, i)))
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
	wall, used := time.Since(start), processCPU()-cpu
	if f := failed.Load(); f != nil {
		b.Fatal(f)
	}
	r := rate{wall: float64(n.Load()) / wall.Seconds()}
	if used > 0 {
		r.cpu = float64(n.Load()) / used.Seconds()
	}
	return r
}

// BenchmarkVersusPeer runs each load on the engine with one goroutine and with two, and on the peer,
// in the same run; an iteration is one such round. It reports the engine's executions/s and
// transitions/s (states entered per second), its 2-goroutine executions/s and the scaling from one to
// two, and, with the peer, the peer's executions/s and the engine/peer ratio.
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
			sm, err := asl.Parse(defs[l.name])
			if err != nil {
				b.Fatal(err)
			}
			m, err := interp.New(sm, interp.WithClock(interp.SystemClock()))
			if err != nil {
				b.Fatal(err)
			}
			dec := json.NewDecoder(strings.NewReader(l.input))
			dec.UseNumber()
			var input any
			if err := dec.Decode(&input); err != nil {
				b.Fatal(err)
			}
			engine(b, m, input, l.entered, 1, budget/2) // warm up
			var one, two, theirs rate
			rounds := 0
			for b.Loop() {
				r1 := engine(b, m, input, l.entered, 1, budget)
				r2 := engine(b, m, input, l.entered, 2, budget)
				one.wall, one.cpu = one.wall+r1.wall, one.cpu+r1.cpu
				two.wall, two.cpu = two.wall+r2.wall, two.cpu+r2.cpu
				if p, ok := peer(b, map[string][]byte{l.name: defs[l.name]})[l.name]; ok {
					if int64(p.StatesEntered+0.5) != l.entered {
						b.Fatalf("the peer entered %.1f states an execution, want %d", p.StatesEntered, l.entered)
					}
					theirs.wall, theirs.cpu = theirs.wall+p.ExecutionsPerSecond, theirs.cpu+p.ExecutionsPerCPUSecond
				}
				rounds++
			}
			r := float64(rounds)
			b.ReportMetric(one.wall/r, "exec/s")
			b.ReportMetric(one.wall/r*float64(l.entered), "transitions/s")
			b.ReportMetric(two.wall/r, "exec/s-2g")
			b.ReportMetric(two.wall/one.wall, "scaling-2g")
			if one.cpu > 0 && two.cpu > 0 {
				b.ReportMetric(one.cpu/r, "exec/cpu-s")
				// CPU time per execution, 2 goroutines over 1: 1 when executions side by side cost no
				// more than one at a time (they then scale with the cores the machine grants).
				b.ReportMetric(one.cpu/two.cpu, "cpu-cost-2g")
			}
			if theirs.wall > 0 {
				b.ReportMetric(theirs.wall/r, "peer-exec/s")
				b.ReportMetric(one.wall/theirs.wall, "x-peer")
				if one.cpu > 0 && theirs.cpu > 0 {
					b.ReportMetric(theirs.cpu/r, "peer-exec/cpu-s")
					// Per CPU second, which a busy machine disturbs far less than wall time.
					b.ReportMetric(one.cpu/theirs.cpu, "x-peer-cpu")
				}
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}
