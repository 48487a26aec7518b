package e2e

import (
	"flag"
	"testing"

	"github.com/sluicehq/sluice/internal/gcheadroom"
)

var gcHeadroomMiB = flag.Uint64("e2e.gc-headroom", gcheadroom.DefaultMiB,
	"pipeline benchmarks: MiB the heap may grow beyond what is live before a collection, as sluice run and sluice up set it (--gc-headroom); 0 for Go's default (GOGC=100). A GOGC in the environment wins")

// stackGC tunes the garbage collector of the benchmark's process as sluice run and sluice up tune theirs
// (internal/gcheadroom), so that the pipeline benchmarks measure the stack as those commands run it, and
// puts it back when the benchmark ends.
func stackGC(b *testing.B) {
	b.Cleanup(gcheadroom.Start(*gcHeadroomMiB << 20))
}
