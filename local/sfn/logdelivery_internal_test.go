package sfn

import (
	"context"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// gateSink holds its first call until open is closed, and records the messages of each call.
type gateSink struct {
	open    chan struct{}
	entered chan struct{}
	once    sync.Once
	mu      sync.Mutex
	calls   [][]string
}

func (g *gateSink) PutExecutionLog(ctx context.Context, rec ExecutionLog) error {
	return g.PutExecutionLogs(ctx, []ExecutionLog{rec})
}

func (g *gateSink) PutExecutionLogs(_ context.Context, recs []ExecutionLog) error {
	g.once.Do(func() {
		close(g.entered)
		<-g.open
	})
	var msgs []string
	for _, r := range recs {
		msgs = append(msgs, string(r.Message))
	}
	g.mu.Lock()
	g.calls = append(g.calls, msgs)
	g.mu.Unlock()
	return nil
}

// TestLogDeliveryGroups: records queued while a delivery is under way go to the sink together in the next
// one, in order, and waiting for a record returns only once it has been delivered.
func TestLogDeliveryGroups(t *testing.T) {
	sink := &gateSink{open: make(chan struct{}), entered: make(chan struct{})}
	s, err := New(WithLogSink(sink))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.queueLog(ExecutionLog{Message: []byte("1")})
	<-sink.entered // the first delivery holds "1"
	s.queueLog(ExecutionLog{Message: []byte("2")})
	last := s.queueLog(ExecutionLog{Message: []byte("3")})
	waited := make(chan struct{})
	go func() {
		s.waitLogs(last)
		close(waited)
	}()
	select {
	case <-waited:
		t.Fatal("waitLogs returned before the record was delivered")
	default:
	}
	close(sink.open)
	<-waited
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if diff := cmp.Diff(sink.calls, [][]string{{"1"}, {"2", "3"}}); diff != "" {
		t.Errorf("deliveries (-got +want):\n%s", diff)
	}
}
