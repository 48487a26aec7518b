package peerbench

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/interp"
)

// loadMachine parses testdata/NAME.json and decodes the load's input.
func loadMachine(tb testing.TB, name, inputText string) (*interp.Machine, any) {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	sm, err := asl.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	m, err := interp.New(sm, interp.WithClock(interp.SystemClock()))
	if err != nil {
		tb.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(inputText))
	dec.UseNumber()
	var input any
	if err := dec.Decode(&input); err != nil {
		tb.Fatal(err)
	}
	return m, input
}

// BenchmarkEngine runs each load on the engine alone, one execution an iteration with its history
// delivered to a sink, for profiles and allocation counts (-benchmem, -cpuprofile, -memprofile).
func BenchmarkEngine(b *testing.B) {
	for _, l := range loads {
		b.Run(l.name, func(b *testing.B) {
			m, input := loadMachine(b, l.name, l.input)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				var sink enteredSink
				r := m.Run(ctx, input, interp.WithHistory(&sink), interp.WithExecutionName("bench-1"))
				if r.Status != interp.StatusSucceeded || sink.entered != l.entered {
					b.Fatalf("%s (%s: %s), %d states entered, want %d", r.Status, r.Error, r.Cause, sink.entered, l.entered)
				}
			}
		})
	}
}

// BenchmarkEngineParallel is BenchmarkEngine with executions side by side on GOMAXPROCS goroutines
// (b.RunParallel), for profiles of what executions running together cost: the garbage collector's work
// competes with them there, where with one goroutine it runs on an idle core.
func BenchmarkEngineParallel(b *testing.B) {
	for _, l := range loads {
		b.Run(l.name, func(b *testing.B) {
			m, input := loadMachine(b, l.name, l.input)
			ctx := context.Background()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					var sink enteredSink
					r := m.Run(ctx, input, interp.WithHistory(&sink), interp.WithExecutionName("bench-1"))
					if r.Status != interp.StatusSucceeded || sink.entered != l.entered {
						b.Errorf("%s (%s: %s), %d states entered, want %d", r.Status, r.Error, r.Cause, sink.entered, l.entered)
						return
					}
				}
			})
		})
	}
}
