package sfn

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/asl/interp/mockconfig"
	"github.com/sluicehq/sluice/internal/service"
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
	journal         *journal
	mocks           *MockConfig
	logSink         LogSink

	ctx    context.Context // cancelled by Close: running executions stop without being recorded as ended
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.RWMutex
	closed     bool
	machines   map[string]*machine
	executions map[string]*execution
	byMachine  map[string][]*execution
	compiled   map[string]*interp.Machine // by definition text
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

// WithDataDir makes the service durable: its journal lives in dir (see the package doc).
func WithDataDir(dir string) Option { return func(s *Service) { s.dataDir = dir } }

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
	}
	for _, o := range opts {
		o(s)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if s.dataDir != "" {
		if err := s.recover(); err != nil {
			s.cancel()
			return nil, err
		}
	}
	return s, nil
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
	s.cancel()
	s.wg.Wait()
	if s.journal != nil {
		return s.journal.close()
	}
	return nil
}

// TaskTokens is the registry that completes ".waitForTaskToken" tasks (SendTaskSuccess and friends).
func (s *Service) TaskTokens() *interp.TaskTokens { return s.tokens }

// persist appends records to the journal, in one write, when the service is durable.
func (s *Service) persist(recs ...*record) error {
	if s.journal == nil {
		return nil
	}
	return s.journal.append(recs...)
}

type handlerFunc func(s *Service, body []byte) (any, error)

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
}

// ServeHTTP answers one AWS JSON 1.0 request.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
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
	out, err := h(s, body)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	if err := json.NewEncoder(w).Encode(out); err != nil {
		return // the client went away
	}
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

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}
