package lambda

import (
	"log/slog"
	"time"

	"github.com/sluicehq/sluice/internal/service"
)

// Clock is the clock type every local service takes (see WithClock).
type Clock = service.Clock

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock for log timestamps and durations (the wall clock by default).
func WithClock(c Clock) Option { return func(s *Service) { s.opts.Clock = c } }

// WithTimer sets how deadlines are waited for: it returns a channel that fires after d and a
// stop function (default: the clock's AfterFunc). Tests use it to fire timeouts at will.
func WithTimer(f func(d time.Duration) (<-chan time.Time, func() bool)) Option {
	return func(s *Service) { s.timer = f }
}

// WithAccount sets the account ID in function ARNs (default 000000000000).
func WithAccount(id string) Option { return func(s *Service) { s.opts.Account = id } }

// WithRegion sets the region in function ARNs (default us-east-1).
func WithRegion(r string) Option { return func(s *Service) { s.opts.Region = r } }

// WithLogSink sets where each invocation's captured log goes.
func WithLogSink(l LogSink) Option { return func(s *Service) { s.logSink = l } }

// WithMetricSink sets where metrics parsed from Embedded Metric Format lines go.
func WithMetricSink(m MetricSink) Option { return func(s *Service) { s.metricSink = m } }

// WithLogger sets the service's own logger, for sink failures and panics (default: discard).
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.opts.Logger = l } }

// WithLogRetention sets how many invocation logs Service.Logs keeps per function (default 100).
func WithLogRetention(n int) Option { return func(s *Service) { s.keepLogs = n } }

// clockTimer waits for deadlines on the service's clock.
func (s *Service) clockTimer(d time.Duration) (<-chan time.Time, func() bool) {
	c := make(chan time.Time, 1)
	stop := s.opts.Clock.AfterFunc(d, func() { c <- s.opts.Clock.Now() })
	return c, stop
}

// WithServiceMetrics makes the Service also hand the MetricSink the metrics Lambda publishes
// under AWS/Lambda for every invocation (Invocations, Errors, Duration, Throttles by
// FunctionName). The sink must accept the reserved AWS/ namespace.
func WithServiceMetrics(on bool) Option { return func(s *Service) { s.serviceMetrics = on } }
