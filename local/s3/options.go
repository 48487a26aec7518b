package s3

import (
	"log/slog"
	"time"

	"github.com/sluicehq/sluice/internal/service"
)

// Option configures a Service.
type Option func(*config)

type config struct {
	opts      service.Options
	publisher Publisher
	sync      bool
	backoff   func(attempt int) time.Duration

	compactGarbage int64
	journalLimit   int64
}

// defaultJournalLimit is the journal size past which a running server may rewrite it.
const defaultJournalLimit = 64 << 20

// WithPublisher sets where events go. Without one, events of EventBridge-enabled buckets are
// discarded once committed, as AWS's default bus does when no rule matches.
func WithPublisher(p Publisher) Option { return func(c *config) { c.publisher = p } }

// Clock is the clock type every local service takes (see WithClock).
type Clock = service.Clock

// WithDataDir sets the directory that holds the buckets, their objects and the journal. It is
// required: New fails without one.
func WithDataDir(dir string) Option { return func(c *config) { c.opts.DataDir = dir } }

// WithClock sets the clock used for Last-Modified, event times and sequencers (the wall clock by
// default).
func WithClock(clock Clock) Option { return func(c *config) { c.opts.Clock = clock } }

// WithAccount sets the 12-digit account ID events carry as account and requester
// (default 000000000000).
func WithAccount(id string) Option { return func(c *config) { c.opts.Account = id } }

// WithRegion sets the region of the buckets: in events, GetBucketLocation and HeadBucket
// (default us-east-1).
func WithRegion(r string) Option { return func(c *config) { c.opts.Region = r } }

// WithSync controls fsync of files and directories on every write (default true). Without
// it, writes still go through temp file and rename, so a process crash never leaves a
// half-written object, but a power loss may lose the latest writes.
func WithSync(on bool) Option { return func(c *config) { c.sync = on } }

// WithBackoff sets the wait before the n-th retry (n >= 1) of a failed Publish
// (default: 50 ms doubling up to 30 s).
func WithBackoff(f func(attempt int) time.Duration) Option { return func(c *config) { c.backoff = f } }

// WithLogger sets the logger for delivery retries and internal errors (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.opts.Logger = l } }

// WithCompaction sets how much garbage (space of overwritten or deleted objects of up to
// 1 MiB) a bucket's data segment must hold, beyond holding more garbage than live data, for
// New to rewrite it (default 16 MiB).
func WithCompaction(minGarbage int64) Option {
	return func(c *config) { c.compactGarbage = minGarbage }
}

// WithJournalLimit sets the size past which the journal is rewritten while the server runs,
// when it is also four times its size after the last rewrite (default 64 MiB).
func WithJournalLimit(bytes int64) Option { return func(c *config) { c.journalLimit = bytes } }
