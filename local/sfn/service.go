package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/asl/interp/mockconfig"
	"github.com/sluicehq/sluice/internal/durablelog"
	"github.com/sluicehq/sluice/internal/service"

	"github.com/sluicehq/sluice/internal/uuid"
)

// maxRequestBytes bounds a request body: a definition may be up to 1,048,576 characters and an input
// 262,144, so 2 MiB covers every valid request with room for JSON escaping.
const maxRequestBytes = 2 << 20

// Service is the local Step Functions API. It is an http.Handler; create it with New and Close it when
// done.
type Service struct {
	region, account string
	clock           interp.Clock
	lambda          interp.LambdaInvoker
	tasks           interp.TaskInvoker
	tokens          *interp.TaskTokens
	dataDir         string
	journal         *journal      // live state: machines, running executions (nil without a data dir)
	history         *historyStore // finished executions
	sync            bool          // sync the journal and history before answering
	retention       time.Duration // how long closed executions are kept
	historySeal     int           // finished executions held in memory before they are sealed (0: the default)
	logger          *slog.Logger
	handler         http.Handler // serve, behind service.Recover
	loss            Loss
	mocks           *MockConfig
	logSink         LogSink
	logGroups       LogGroups      // checks LoggingConfiguration destinations (logging_config.go)
	routing         *router        // alias routing's random draws (versions.go)
	activities      *activityQueue // tasks waiting for activity workers (activities.go)
	activityPoll    time.Duration  // GetActivityTask's long poll
	objects         ObjectStore    // Distributed Maps' S3 (nil: none)
	maps            *mapRunStore   // Distributed Maps' runs and their children

	wrapFile func(durablelog.File) durablelog.File // tests: fault injection under the logs

	bgMu       sync.Mutex // guards bgClosed and the start of background work (s.wg.Add)
	bgClosed   bool
	compacting atomic.Bool
	lastExpire atomic.Int64 // Unix nanoseconds of the last retention pass

	ctx    context.Context // cancelled by Close: running executions stop without being recorded as ended
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.RWMutex
	closed     bool
	machines   map[string]*machine
	executions map[string]*execution      // standard executions not yet in the history store, by ARN
	byMachine  map[string][]*execution    // the same, by state machine ARN
	unsaved    []*execution               // ended executions the history store refused, to retry
	compiled   map[string]*interp.Machine // by definition text
	inline     sync.Map                   // *interp.Machine -> bool: its executions run within StartExecution (inline.go)
	mockRuns   map[string]*mockconfig.Run // by execution ARN, for executions of a mocked test case
}

// An Option configures a Service.
type Option func(*Service)

// WithRegion sets the region of the ARNs the service makes (us-east-1 by default).
func WithRegion(region string) Option { return func(s *Service) { s.region = region } }

// WithAccount sets the account of the ARNs the service makes (000000000000 by default).
func WithAccount(id string) Option { return func(s *Service) { s.account = id } }

// Clock is the clock type every local service takes; the engine's clocks (interp.SystemClock,
// interp.NewVirtualClock) are Clocks.
type Clock = service.Clock

// WithClock sets the engine's clock (the wall clock by default).
func WithClock(c Clock) Option { return func(s *Service) { s.clock = c } }

// WithLambdaInvoker sets how Lambda tasks are invoked (the local Lambda service, through local/stack).
func WithLambdaInvoker(l interp.LambdaInvoker) Option { return func(s *Service) { s.lambda = l } }

// WithTaskInvoker sets how other task resources are invoked.
func WithTaskInvoker(t interp.TaskInvoker) Option { return func(s *Service) { s.tasks = t } }

// WithMockConfig serves Step Functions Local's mocked test cases: an execution started on
// "<stateMachineArn>#<test case>" answers the case's mocked states from cfg (see MockConfig).
func WithMockConfig(cfg *MockConfig) Option { return func(s *Service) { s.mocks = cfg } }

// WithDataDir makes the service durable: its journal and history live in dir (see the package doc).
func WithDataDir(dir string) Option { return func(s *Service) { s.dataDir = dir } }

// WithSync says whether the data directory is synced (fsync, grouped across concurrent requests) before a
// change is acknowledged, so that it survives a power loss (on by default). Off, a change is written
// before it is acknowledged and survives the process being killed, not the machine going down.
func WithSync(on bool) Option { return func(s *Service) { s.sync = on } }

// WithRetention sets how long closed executions are kept (90 days by default, as on AWS:
// https://docs.aws.amazon.com/step-functions/latest/dg/limits-overview.html).
func WithRetention(d time.Duration) Option { return func(s *Service) { s.retention = d } }

// WithLogger sets the logger of the service's own messages (discarded by default). Lost records found when
// the data directory is opened are logged at Error.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.logger = l } }

// New creates the service. With a data directory it replays the journal and resumes the executions that
// were running.
func New(opts ...Option) (*Service, error) {
	s := &Service{
		region: service.DefaultRegion, account: service.DefaultAccount,
		clock:      interp.SystemClock(),
		tokens:     interp.NewTaskTokens(),
		machines:   map[string]*machine{},
		executions: map[string]*execution{},
		byMachine:  map[string][]*execution{},
		compiled:   map[string]*interp.Machine{},
		mockRuns:   map[string]*mockconfig.Run{},
		sync:       true,
		retention:  90 * 24 * time.Hour,
		logger:     slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(s)
	}
	if s.routing == nil {
		s.routing = newRouter(rand.Uint64())
	}
	s.activities = newActivityQueue()
	s.handler = service.Recover("step functions", s.logger, func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, apiErrorf(CodeInternalFailure, "An internal error occurred."))
	}, http.HandlerFunc(s.serve))
	s.ctx, s.cancel = context.WithCancel(context.Background()) // the life of the service: executions outlive requests
	if err := s.openMapRuns(); err != nil {
		s.cancel()
		return nil, err
	}
	if s.dataDir != "" {
		if err := s.recover(); err != nil {
			s.cancel()
			s.wg.Wait()
			return nil, errors.Join(err, s.closeStores())
		}
		return s, nil
	}
	var err error
	if s.history, err = openHistory("", nil, false, s.logger, 0, time.Time{}); err != nil {
		s.cancel()
		return nil, err
	}
	return s, nil
}

func (s *Service) closeStores() error {
	var errs []error
	if s.journal != nil {
		errs = append(errs, s.journal.close())
	}
	if s.history != nil {
		errs = append(errs, s.history.close())
	}
	errs = append(errs, s.maps.close())
	return errors.Join(errs...)
}

// Close stops the service: running executions are interrupted without being recorded as ended, so a
// service opened later on the same data directory resumes them.
func (s *Service) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.bgMu.Lock()
	s.bgClosed = true
	s.bgMu.Unlock()
	s.cancel()
	s.wg.Wait()
	return s.closeStores()
}

// TaskTokens is the registry that completes ".waitForTaskToken" tasks (SendTaskSuccess and friends).
func (s *Service) TaskTokens() *interp.TaskTokens { return s.tokens }

// errNotSaved answers a request whose change could not be made durable (a full disk, say): nothing was
// changed, and the client may retry. InternalFailure is Step Functions' 500 error:
// https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html
var errNotSaved = apiErrorf(CodeInternalFailure, "The change could not be saved; nothing was changed. Try again.")

// holdJournal lets the caller append: it holds off compaction until the returned function is called, so
// the caller can append and then update the state a compaction reads. Take it before s.mu.
func (s *Service) holdJournal() func() {
	if s.journal == nil {
		return func() {}
	}
	s.journal.mu.RLock()
	return s.journal.mu.RUnlock
}

// persist appends records to the journal, durably, when the service has a data directory; the caller
// holds holdJournal. An error is errNotSaved: the records are not in the journal.
func (s *Service) persist(recs ...*record) error {
	if s.journal == nil {
		return nil
	}
	if err := s.journal.appendLocked(s.ctx, recs...); err != nil {
		s.logger.Error("step functions: journal append failed; the request is refused", "err", err)
		return errNotSaved
	}
	s.compactInBackground()
	return nil
}

// handlerFunc answers one operation; ctx is the request's.
type handlerFunc func(s *Service, ctx context.Context, body []byte) (any, error)

// operations maps X-Amz-Target operation names to handlers.
var operations = map[string]handlerFunc{
	"CreateStateMachine":               (*Service).createStateMachine,
	"DescribeStateMachine":             (*Service).describeStateMachine,
	"UpdateStateMachine":               (*Service).updateStateMachine,
	"DeleteStateMachine":               (*Service).deleteStateMachine,
	"ListStateMachines":                (*Service).listStateMachines,
	"ValidateStateMachineDefinition":   (*Service).validateStateMachineDefinition,
	"StartExecution":                   (*Service).startExecution,
	"StartSyncExecution":               (*Service).startSyncExecution,
	"TestState":                        (*Service).testState,
	"StopExecution":                    (*Service).stopExecution,
	"RedriveExecution":                 (*Service).redriveExecution,
	"DescribeExecution":                (*Service).describeExecution,
	"ListExecutions":                   (*Service).listExecutions,
	"GetExecutionHistory":              (*Service).getExecutionHistory,
	"DescribeStateMachineForExecution": (*Service).describeStateMachineForExecution,
	"SendTaskSuccess":                  (*Service).sendTaskSuccess,
	"SendTaskFailure":                  (*Service).sendTaskFailure,
	"SendTaskHeartbeat":                (*Service).sendTaskHeartbeat,
	"TagResource":                      (*Service).tagResource,
	"UntagResource":                    (*Service).untagResource,
	"ListTagsForResource":              (*Service).listTagsForResource,
	"PublishStateMachineVersion":       (*Service).publishStateMachineVersion,
	"ListStateMachineVersions":         (*Service).listStateMachineVersions,
	"DeleteStateMachineVersion":        (*Service).deleteStateMachineVersion,
	"CreateStateMachineAlias":          (*Service).createStateMachineAlias,
	"DescribeStateMachineAlias":        (*Service).describeStateMachineAlias,
	"UpdateStateMachineAlias":          (*Service).updateStateMachineAlias,
	"DeleteStateMachineAlias":          (*Service).deleteStateMachineAlias,
	"ListStateMachineAliases":          (*Service).listStateMachineAliases,
	"CreateActivity":                   (*Service).createActivity,
	"DescribeActivity":                 (*Service).describeActivity,
	"DeleteActivity":                   (*Service).deleteActivity,
	"ListActivities":                   (*Service).listActivities,
	"GetActivityTask":                  (*Service).getActivityTask,
	"DescribeMapRun":                   (*Service).describeMapRun,
	"ListMapRuns":                      (*Service).listMapRuns,
	"UpdateMapRun":                     (*Service).updateMapRun,
}

// ServeHTTP answers one AWS JSON 1.0 request.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, apiErrorf(CodeUnknownOperation, "Only POST requests are supported"))
		return
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "AWSStepFunctions.")
	h := operations[op]
	if !ok || h == nil {
		writeError(w, apiErrorf(CodeUnknownOperation, "Operation %q is not supported", target))
		return
	}
	body, err := readBody(r)
	if err != nil {
		writeError(w, apiErrorf(CodeSerialization, "could not read the request body"))
		return
	}
	if len(body) > maxRequestBytes {
		writeError(w, validationErrorf("Request body exceeds the maximum size of %d bytes", maxRequestBytes))
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	out, err := h(s, r.Context(), body)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header()["Content-Type"] = jsonContentType
	if a, ok := out.(jsonAppender); ok {
		bp := answerBuffers.Get().(*[]byte)
		b := append(a.appendJSON((*bp)[:0]), '\n') // as json.Encoder ends a value
		_, _ = w.Write(b)                          // an error: the client went away
		if cap(b) <= maxPooledAnswer {
			*bp = b
			answerBuffers.Put(bp)
		}
		return
	}
	if err := json.NewEncoder(w).Encode(out); err != nil {
		return // the client went away
	}
}

// jsonContentType is the Content-Type of every answer (net/http only reads it).
var jsonContentType = []string{"application/x-amz-json-1.0"}

// readBody reads a request's body, up to maxRequestBytes+1 bytes, in one buffer of the size the request
// declares when it declares one within the limit.
func readBody(r *http.Request) ([]byte, error) {
	if n := r.ContentLength; n >= 0 && n <= maxRequestBytes {
		body := make([]byte, n)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, err
		}
		return body, nil
	}
	return io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
}

// decode parses a request body strictly enough to answer malformed JSON with SerializationException.
func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return apiErrorf(CodeSerialization, "Unexpected value type at '%s'", typeErr.Field)
		}
		return apiErrorf(CodeSerialization, "Malformed request body: %v", err)
	}
	return nil
}

func newID() string { return uuid.New() }
