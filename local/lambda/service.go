package lambda

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/sluicehq/sluice/internal/service"

	"github.com/sluicehq/sluice/internal/uuid"
)

// Service hosts functions and serves the Invoke API. It keeps functions and logs in memory.
type Service struct {
	opts       service.Options
	timer      func(time.Duration) (<-chan time.Time, func() bool)
	logSink    LogSink
	metricSink MetricSink
	// serviceMetrics: also emit AWS/Lambda metrics (WithServiceMetrics).
	serviceMetrics bool
	keepLogs       int
	handler        http.Handler

	mu    sync.RWMutex
	funcs map[string]*function
	logs  map[string]*logRing

	ctx    context.Context
	cancel context.CancelFunc
	async  sync.WaitGroup
}

// New returns a Service with no functions.
func New(opts ...Option) (*Service, error) {
	ctx, cancel := context.WithCancel(context.Background()) // the life of the service: asynchronous invocations outlive their request
	s := &Service{keepLogs: defaultKeptLogs,
		funcs: map[string]*function{}, logs: map[string]*logRing{}, ctx: ctx, cancel: cancel}
	for _, o := range opts {
		o(s)
	}
	s.opts = s.opts.Defaults()
	if s.timer == nil {
		s.timer = s.clockTimer
	}
	s.handler = service.Recover("lambda", s.opts.Logger, func(w http.ResponseWriter, r *http.Request) {
		writeServiceError(w, newRequestID(), errServiceUnavailable())
	}, http.HandlerFunc(s.serve))
	return s, nil
}

// Close cancels queued and running asynchronous invocations and waits for them to end, and lets the
// functions' instances go.
func (s *Service) Close() error {
	s.cancel()
	s.async.Wait()
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, fn := range s.funcs {
		fn.remove()
	}
	return nil
}

// Logs returns the latest invocation logs of a function, oldest first.
func (s *Service) Logs(function string) []InvocationLog {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.logs[function]
	if r == nil {
		return nil
	}
	return r.latest()
}

// newRequestID returns a random (version 4) UUID, the shape of Lambda request IDs.
func newRequestID() string { return uuid.New() }
