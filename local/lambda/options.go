package lambda

import (
	"log/slog"
	"time"
)

// Option configures a Server.
type Option func(*Server)

// WithClock sets the clock for log timestamps and durations (default time.Now).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithTimer sets how deadlines are waited for: it returns a channel that fires after d and a
// stop function (default time.NewTimer). Tests use it to fire timeouts without waiting.
func WithTimer(f func(d time.Duration) (<-chan time.Time, func() bool)) Option {
	return func(s *Server) { s.timer = f }
}

// WithAccount sets the account ID in function ARNs (default 000000000000).
func WithAccount(id string) Option { return func(s *Server) { s.account = id } }

// WithRegion sets the region in function ARNs (default us-east-1).
func WithRegion(r string) Option { return func(s *Server) { s.region = r } }

// WithLogSink sets where each invocation's captured log goes.
func WithLogSink(l LogSink) Option { return func(s *Server) { s.logSink = l } }

// WithMetricSink sets where metrics parsed from Embedded Metric Format lines go.
func WithMetricSink(m MetricSink) Option { return func(s *Server) { s.metricSink = m } }

// WithLogger sets the server's own logger, for sink failures (default: discard).
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// WithLogRetention sets how many invocation logs Server.Logs keeps per function (default 100).
func WithLogRetention(n int) Option { return func(s *Server) { s.keepLogs = n } }

func defaultTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// WithServiceMetrics makes the Server also hand the MetricSink the metrics Lambda publishes
// under AWS/Lambda for every invocation (Invocations, Errors, Duration, Throttles by
// FunctionName). The sink must accept the reserved AWS/ namespace.
func WithServiceMetrics(on bool) Option { return func(s *Server) { s.serviceMetrics = on } }
