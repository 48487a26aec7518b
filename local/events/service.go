package events

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/sluicehq/sluice/internal/kept"
	"github.com/sluicehq/sluice/internal/service"
	"github.com/sluicehq/sluice/local/events/pattern"

	"github.com/sluicehq/sluice/internal/uuid"
)

// Deliverer delivers one event to one target: for a Step Functions target,
// it starts an execution of d.TargetARN with d.Input. The host supplies it.
//
// A returned error is retried per the target's RetryPolicy unless it has a
// method Retryable() bool that returns false. An error with a method
// ErrorCode() string supplies the dead-letter ERROR_CODE.
type Deliverer interface {
	Deliver(ctx context.Context, d Delivery) error
}

// DelivererFunc adapts a function to [Deliverer].
type DelivererFunc func(ctx context.Context, d Delivery) error

// Deliver calls f.
func (f DelivererFunc) Deliver(ctx context.Context, d Delivery) error { return f(ctx, d) }

var _ Deliverer = DelivererFunc(nil)

// Delivery is one attempt to deliver an event to a target.
type Delivery struct {
	RuleARN   string
	RuleName  string
	TargetID  string
	TargetARN string
	RoleARN   string
	// Input is what the target receives, after Input/InputPath/InputTransformer.
	Input []byte
	// EventID is the event's id; Attempt counts from 0 (the first try).
	EventID string
	Attempt int
}

// Clock is the clock type every local service takes (see WithClock).
type Clock = service.Clock

// Store persists the state that must survive a restart: rules, targets and
// dead letters. Save receives a complete snapshot after every change.
type Store interface {
	Load() (*Snapshot, error)
	Save(*Snapshot) error
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock of event times and delivery schedules (the wall clock by default).
func WithClock(c Clock) Option { return func(s *Service) { s.opts.Clock = c } }

// WithDeliverer sets where targets' events go. Without one, every delivery
// fails as not retryable and lands in the dead-letter list.
func WithDeliverer(d Deliverer) Option { return func(s *Service) { s.deliverer = d } }

// WithAccount sets the account id in ARNs and events (default 000000000000).
func WithAccount(id string) Option { return func(s *Service) { s.opts.Account = id } }

// WithRegion sets the region in ARNs and events (default us-east-1).
func WithRegion(r string) Option { return func(s *Service) { s.opts.Region = r } }

// WithLogger sets the logger of the service's own messages, panics and failures to save
// state or queue deliveries included (default: discard).
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.opts.Logger = l } }

// WithStore persists rules, targets and dead letters; New loads them.
func WithStore(st Store) Option { return func(s *Service) { s.store = st } }

// WithMaxRequestBytes bounds request bodies (default 1 MiB).
func WithMaxRequestBytes(n int64) Option { return func(s *Service) { s.maxBody = n } }

// WithRandom sets the source of retry jitter: it returns a value in [0, n).
// Tests make back-off deterministic with it.
func WithRandom(f func(n int64) int64) Option { return func(s *Service) { s.random = f } }

// WithBackoff sets the first retry delay and the cap on any delay
// (defaults 1 s and 3 min; AWS documents only "exponential back-off and jitter").
func WithBackoff(base, maxDelay time.Duration) Option {
	return func(s *Service) { s.backoffBase, s.backoffMax = base, maxDelay }
}

// WithConcurrency bounds deliveries in flight at once (default 32).
func WithConcurrency(n int) Option { return func(s *Service) { s.concurrency = max(n, 1) } }

// WithIDs sets the generator of event ids (default: random UUIDs); it is
// called concurrently.
func WithIDs(f func() string) Option { return func(s *Service) { s.newID = f } }

// Service is a local EventBridge with one event bus, "default". It is safe for
// concurrent use; serve it with its http.Handler ([Service.ServeHTTP]).
type Service struct {
	opts        service.Options // clock, region, account and logger, defaults applied by New
	clock       Clock           // opts.Clock
	log         *slog.Logger    // opts.Logger
	handler     http.Handler
	deliverer   Deliverer
	store       Store
	journal     Queue
	epoch       string
	account     string
	region      string
	maxBody     int64
	random      func(n int64) int64
	newID       func() string
	backoffBase time.Duration
	backoffMax  time.Duration
	concurrency int

	mu         sync.Mutex
	rules      map[string]*rule // by name
	dead       []DeadLetter
	queue      []*pending
	slots      chan struct{}    // one per delivery attempt in flight
	deliverers *kept.Goroutines // run delivery attempts (dispatch)
	inflight   int
	wake       chan struct{}
	deadSeq    int64
	pendingSeq int64
	storeErr   error
}

// New returns a Service; with WithStore it loads the saved state.
func New(opts ...Option) (*Service, error) {
	s := &Service{
		maxBody:     1 << 20,
		backoffBase: time.Second,
		backoffMax:  3 * time.Minute,
		concurrency: 32,
		rules:       map[string]*rule{},
		wake:        make(chan struct{}, 1),
		deliverers:  kept.New(delivererIdle),
	}
	s.random = func(n int64) int64 {
		if n <= 0 {
			return 0
		}
		v, err := rand.Int(rand.Reader, big.NewInt(n))
		if err != nil {
			return n / 2
		}
		return v.Int64()
	}
	s.newID = newUUID
	for _, o := range opts {
		o(s)
	}
	s.opts = s.opts.Defaults()
	s.clock, s.region, s.account, s.log = s.opts.Clock, s.opts.Region, s.opts.Account, s.opts.Logger
	s.handler = service.Recover("events", s.log, func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, fail(codeInternal, ""))
	}, http.HandlerFunc(s.serve))
	s.slots = make(chan struct{}, s.concurrency)
	// The epoch prefixes ids of queued deliveries and dead letters, so ids
	// from before a restart never collide with new ones.
	var salt [4]byte
	_, _ = rand.Read(salt[:]) // crypto/rand.Read never returns an error (Go 1.24+: it crashes the program instead)
	s.epoch = strconv.FormatInt(s.clock.Now().UnixNano(), 36) + fmt.Sprintf("%x", salt)
	if s.store != nil {
		snap, err := s.store.Load()
		if err != nil {
			return nil, fmt.Errorf("load events state: %w", err)
		}
		if err := s.restore(snap); err != nil {
			return nil, fmt.Errorf("restore events state: %w", err)
		}
	}
	if s.journal != nil {
		items, err := s.journal.Load()
		if err != nil {
			return nil, fmt.Errorf("load queued deliveries: %w", err)
		}
		now := s.clock.Now()
		for _, it := range items {
			p, err := fromRecord(it, now)
			if err != nil {
				return nil, fmt.Errorf("restore queued deliveries: %w", err)
			}
			s.queue = append(s.queue, p)
		}
	}
	return s, nil
}

func newUUID() string { return uuid.New() }

// busARN is the default bus's ARN.
func (s *Service) busARN() string {
	return "arn:aws:events:" + s.region + ":" + s.account + ":event-bus/default"
}

func (s *Service) ruleARN(name string) string {
	return "arn:aws:events:" + s.region + ":" + s.account + ":rule/" + name
}

// checkBus resolves an EventBusName member: only the default bus exists.
func (s *Service) checkBus(name *string) *apiError {
	if name == nil || *name == "" || *name == "default" || *name == s.busARN() {
		return nil
	}
	return fail(codeResourceNotFound, "Event bus "+*name+" does not exist.")
}

// compilePattern compiles an event pattern; the error is the API's.
func compilePattern(src string) (*pattern.Pattern, *apiError) {
	p, err := pattern.Compile([]byte(src))
	if err != nil {
		return nil, fail(codeInvalidEventPattern, err.Error())
	}
	return p, nil
}
