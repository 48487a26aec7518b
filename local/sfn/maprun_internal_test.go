package sfn

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/uuid"
)

// BenchmarkMapRunChildMemory reports the live heap a Map Run's ended children take, per child, as the
// service keeps them for ListExecutions (names are UUIDs, as the engine makes them), the slice's spare
// capacity included.
func BenchmarkMapRunChildMemory(b *testing.B) {
	const n = 200_000
	machine := "arn:aws:states:us-east-1:000000000000:stateMachine:pipeline/Each"
	start := time.Now().UTC()
	var perChild float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		e := &mapRunEntry{}
		for range n {
			name := uuid.New()
			c := childEntry{Arn: childArn(machine, name), Name: name, Machine: machine, Start: start, Stop: start.Add(time.Second),
				Status: "SUCCEEDED", Items: 1}
			e.kids = append(e.kids, e.kidOf(c))
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perChild = float64(after.HeapAlloc-before.HeapAlloc) / n
		if got := e.entryOf(e.kids[n-1]); got.Arn != childArn(machine, got.Name) || got.Status != "SUCCEEDED" {
			b.Fatal(fmt.Sprint(got))
		}
		runtime.KeepAlive(e)
	}
	b.ReportMetric(perChild, "bytes/child")
}
