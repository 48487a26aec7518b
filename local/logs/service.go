package logs

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sluicehq/sluice/internal/durablelog"
	"github.com/sluicehq/sluice/internal/service"
)

// TargetPrefix is the X-Amz-Target prefix of the CloudWatch Logs API (AWS JSON 1.1).
const TargetPrefix = "Logs_20140328."

// maxRequestBytes bounds a request body: a PutLogEvents batch is at most 1,048,576 bytes of events, which
// JSON escaping can at most multiply by six.
const maxRequestBytes = 7 << 20

// Service is the local CloudWatch Logs. It is an http.Handler; create it with New and Close it when done.
type Service struct {
	opts            service.Options
	now             func() time.Time
	region, account string
	dataDir         string
	sync            bool
	log             *slog.Logger
	handler         http.Handler
	wrapJournal     func(durablelog.File) durablelog.File // tests: wraps the journal's file to inject faults

	writeMu sync.Mutex // serialises changes: segment writes, journal appends, expiry, compaction
	disk    *disk      // nil without a data directory

	// The commit queue (commit.go): requests waiting for a holder of writeMu to write them. queueMu
	// guards queue and spare; the rest is commitLocked's scratch, under writeMu.
	queueMu     sync.Mutex
	queue       []*pendingPut
	spare       []*pendingPut
	batches     []*batch
	owners      []*pendingPut
	batchEvents [][]wireEvent

	mu      sync.RWMutex
	closed  bool
	groups  map[string]*group
	seq     uint64
	changed chan struct{} // closed and replaced whenever events are added

	stop chan struct{}
	wg   sync.WaitGroup
}

// An Option configures a Service.
type Option func(*Service)

// Clock is the service's source of time (internal/service's Clock).
type Clock = service.Clock

// WithClock sets the clock: ingestion times, retention, and the age checks of PutLogEvents (the wall
// clock by default).
func WithClock(c Clock) Option { return func(s *Service) { s.opts.Clock = c } }

// WithRegion sets the region of the ARNs (us-east-1 by default).
func WithRegion(region string) Option { return func(s *Service) { s.opts.Region = region } }

// WithAccount sets the account of the ARNs (000000000000 by default).
func WithAccount(account string) Option { return func(s *Service) { s.opts.Account = account } }

// WithDataDir makes the service durable: its journal and event segments live in dir.
func WithDataDir(dir string) Option { return func(s *Service) { s.opts.DataDir = dir } }

// WithSync makes every change reach stable storage (fsync) before it is acknowledged; without it a change
// survives the death of the process but not a power loss.
func WithSync(on bool) Option { return func(s *Service) { s.sync = on } }

// WithLogger sets the service's own logger (discarded by default).
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.opts.Logger = l } }

// New creates the service; with a data directory it recovers what was there.
func New(opts ...Option) (*Service, error) {
	s := &Service{groups: map[string]*group{}, changed: make(chan struct{}), stop: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	s.opts = s.opts.Defaults()
	s.now, s.region, s.account, s.dataDir, s.log = s.opts.Clock.Now, s.opts.Region, s.opts.Account, s.opts.DataDir, s.opts.Logger
	s.handler = service.Recover("logs", s.log, func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, apiErrorf(CodeInternalFailure, "An internal error occurred."))
	}, http.HandlerFunc(s.serve))
	if s.dataDir != "" {
		d, err := openDisk(s)
		if err != nil {
			return nil, err
		}
		s.disk = d
	}
	s.Expire(context.Background())
	s.wg.Add(1)
	go s.expireLoop()
	return s, nil
}

// expireLoop applies retention every minute.
func (s *Service) expireLoop() {
	defer s.wg.Done()
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.Expire(context.Background())
		}
	}
}

// Close stops the service and closes its files. Everything acknowledged is already durable.
func (s *Service) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	s.wg.Wait()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.disk != nil {
		return s.disk.close()
	}
	return nil
}

// Changed returns a channel that is closed the next time events are added. Followers (live tail) wait on
// it instead of polling.
func (s *Service) Changed() <-chan struct{} {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.changed
}

func (s *Service) groupArn(name string) string {
	return "arn:aws:logs:" + s.region + ":" + s.account + ":log-group:" + name
}

func (s *Service) nowMillis() int64 { return s.now().UnixMilli() }

type handlerFunc func(s *Service, ctx context.Context, body []byte) (any, error)

// operations maps X-Amz-Target operation names to handlers.
var operations = map[string]handlerFunc{
	"CreateLogGroup":        (*Service).createLogGroup,
	"DeleteLogGroup":        (*Service).deleteLogGroup,
	"DescribeLogGroups":     (*Service).describeLogGroups,
	"PutRetentionPolicy":    (*Service).putRetentionPolicy,
	"DeleteRetentionPolicy": (*Service).deleteRetentionPolicy,
	"CreateLogStream":       (*Service).createLogStream,
	"DeleteLogStream":       (*Service).deleteLogStream,
	"DescribeLogStreams":    (*Service).describeLogStreams,
	"PutLogEvents":          (*Service).putLogEvents,
	"GetLogEvents":          (*Service).getLogEvents,
	"FilterLogEvents":       (*Service).filterLogEvents,
}

// ServeHTTP answers one AWS JSON 1.1 request.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, apiErrorf(CodeUnknownOperation, "Only POST requests are supported"))
		return
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, TargetPrefix)
	if ok && op == "StartLiveTail" {
		s.startLiveTail(w, r)
		return
	}
	h := operations[op]
	if !ok || h == nil {
		writeError(w, apiErrorf(CodeUnknownOperation, "Operation %q is not supported", target))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	if err != nil {
		writeError(w, apiErrorf(CodeSerialization, "could not read the request body"))
		return
	}
	if len(body) > maxRequestBytes {
		writeError(w, apiErrorf(CodeInvalidParameter, "Request body exceeds the maximum size of %d bytes", maxRequestBytes))
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	out, err := h(s, r.Context(), body)
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			s.log.Error("logs: internal error", "operation", op, "err", err)
		}
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// decode parses a request body, answering malformed JSON with SerializationException.
func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return apiErrorf(CodeSerialization, "Unexpected value type at '%s'", typeErr.Field)
		}
		return apiErrorf(CodeSerialization, "Malformed request body")
	}
	return nil
}
