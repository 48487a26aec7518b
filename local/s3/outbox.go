package s3

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Publisher receives S3 events, each the JSON of one EventBridge event (envelope and
// detail, as in Event). A returned error means "not delivered": the event is offered again
// after a back-off, and again after a restart, until Publish returns nil.
type Publisher interface {
	Publish(ctx context.Context, event []byte) error
}

// pendingRef locates a committed, undelivered event.
type pendingRef struct {
	bucket, key, id string
	seq             uint64
	body            []byte
}

// outbox delivers committed events in commit order, one at a time, retrying failures.
type outbox struct {
	pub     Publisher
	backoff func(attempt int) time.Duration
	ack     func(pendingRef) error
	log     *slog.Logger

	mu     sync.Mutex
	queue  []pendingRef
	signal chan struct{}
	empty  chan struct{} // closed while the queue is empty

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

func newOutbox(pub Publisher, backoff func(int) time.Duration, ack func(pendingRef) error, log *slog.Logger) *outbox {
	ctx, cancel := context.WithCancel(context.Background())
	empty := make(chan struct{})
	close(empty)
	return &outbox{pub: pub, backoff: backoff, ack: ack, log: log,
		signal: make(chan struct{}, 1), empty: empty, ctx: ctx, cancel: cancel, done: make(chan struct{})}
}

func (o *outbox) push(p pendingRef) {
	o.mu.Lock()
	if len(o.queue) == 0 {
		o.empty = make(chan struct{})
	}
	o.queue = append(o.queue, p)
	o.mu.Unlock()
	select {
	case o.signal <- struct{}{}:
	default:
	}
}

func (o *outbox) len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.queue)
}

func (o *outbox) head() (pendingRef, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.queue) == 0 {
		return pendingRef{}, false
	}
	return o.queue[0], true
}

func (o *outbox) pop() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.queue[0] = pendingRef{}
	o.queue = o.queue[1:]
	if len(o.queue) == 0 {
		close(o.empty)
	}
}

// idle returns a channel closed once the queue is empty.
func (o *outbox) idle() <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.empty
}

func (o *outbox) run() {
	defer close(o.done)
	for {
		p, ok := o.head()
		if !ok {
			select {
			case <-o.signal:
				continue
			case <-o.ctx.Done():
				return
			}
		}
		if !o.deliver(p) {
			return
		}
		if err := o.ack(p); err != nil {
			// The event stays on disk and is published again after a restart.
			o.log.Warn("s3: forget delivered event", "event", p.id, "err", err)
		}
		o.pop()
	}
}

// deliver publishes p until it succeeds; it reports false when the outbox is closing.
func (o *outbox) deliver(p pendingRef) bool {
	if o.pub == nil {
		return true
	}
	for attempt := 1; ; attempt++ {
		err := o.pub.Publish(o.ctx, p.body)
		if err == nil {
			return true
		}
		if o.ctx.Err() != nil {
			return false
		}
		o.log.Warn("s3: publish event failed; retrying", "event", p.id, "attempt", attempt, "err", err)
		d := o.backoff(attempt)
		if d <= 0 {
			continue
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-o.ctx.Done():
			t.Stop()
			return false
		}
	}
}

func (o *outbox) close() {
	o.cancel()
	<-o.done
}

// defaultBackoff doubles from 50 ms up to 30 s.
func defaultBackoff(attempt int) time.Duration {
	d := 50 * time.Millisecond
	for i := 1; i < attempt && d < 30*time.Second; i++ {
		d *= 2
	}
	return min(d, 30*time.Second)
}
