package events

import (
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/goid"
)

// TestDispatchReusesGoroutines checks that delivery attempts one after another run on few goroutines
// (one each before), and that an attempt dispatched while another blocks runs at once.
func TestDispatchReusesGoroutines(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	for range 20 {
		ran := make(chan string, 1)
		s.dispatch(t.Context(), func() { ran <- goid.Current() })
		ids[<-ran]++
	}
	if len(ids) > 5 {
		t.Errorf("20 attempts in turn ran on %d goroutines, want few", len(ids))
	}
	release, blocked := make(chan struct{}), make(chan struct{})
	s.dispatch(t.Context(), func() { close(blocked); <-release })
	<-blocked
	ran := make(chan struct{})
	s.dispatch(t.Context(), func() { close(ran) })
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("an attempt waits for a blocked one")
	}
	close(release)
}
