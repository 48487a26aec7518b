package s3

import (
	"os"
	"sync"
)

// groupSync makes concurrent writers share fsyncs: a writer that needs its write n on
// stable storage either finds a sync that covered it or runs one that covers every write
// made so far.
type groupSync struct {
	mu      sync.Mutex // held while syncing
	state   sync.Mutex // guards written and synced
	written uint64
	synced  uint64
}

// wrote records a write and returns its number; call it while the write is serialised.
func (g *groupSync) wrote() uint64 {
	g.state.Lock()
	defer g.state.Unlock()
	g.written++
	return g.written
}

// syncTo returns once write n is on stable storage.
func (g *groupSync) syncTo(f *os.File, n uint64) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.state.Lock()
	if g.synced >= n {
		g.state.Unlock()
		return nil
	}
	target := g.written
	g.state.Unlock()
	if err := f.Sync(); err != nil {
		return err
	}
	g.state.Lock()
	g.synced = max(g.synced, target)
	g.state.Unlock()
	return nil
}

// markSynced records that every write so far is on stable storage.
func (g *groupSync) markSynced() {
	g.state.Lock()
	defer g.state.Unlock()
	g.synced = g.written
}
