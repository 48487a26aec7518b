package lambda

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"
)

// Server hosts functions and serves the Invoke API.
type Server struct {
	now        func() time.Time
	timer      func(time.Duration) (<-chan time.Time, func() bool)
	account    string
	region     string
	logSink    LogSink
	metricSink MetricSink
	// serviceMetrics: also emit AWS/Lambda metrics (WithServiceMetrics).
	serviceMetrics bool
	log            *slog.Logger
	keepLogs       int

	mu    sync.RWMutex
	funcs map[string]*function
	logs  map[string]*logRing

	ctx    context.Context
	cancel context.CancelFunc
	async  sync.WaitGroup
}

// New returns a Server with no functions.
func New(opts ...Option) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{now: time.Now, timer: defaultTimer, account: "000000000000", region: "us-east-1",
		log: slog.New(slog.DiscardHandler), keepLogs: defaultKeptLogs,
		funcs: map[string]*function{}, logs: map[string]*logRing{}, ctx: ctx, cancel: cancel}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Close cancels queued and running asynchronous invocations and waits for them to end.
func (s *Server) Close() error {
	s.cancel()
	s.async.Wait()
	return nil
}

// Logs returns the latest invocation logs of a function, oldest first.
func (s *Server) Logs(function string) []InvocationLog {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.logs[function]
	if r == nil {
		return nil
	}
	return append([]InvocationLog(nil), r.logs...)
}

// newRequestID returns a random (version 4) UUID, the shape of Lambda request IDs.
func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
