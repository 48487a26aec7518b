package cloudformation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sluicehq/sluice/internal/durablelog"
	"github.com/sluicehq/sluice/internal/service"
	"github.com/sluicehq/sluice/internal/uuid"
)

// Clock is the clock type every local service takes (see WithClock).
type Clock = service.Clock

// Option configures a Service.
type Option func(*Service)

// WithDataDir keeps stacks, change sets, resources and events in dir, so that they survive a restart
// ("" keeps them in memory).
func WithDataDir(dir string) Option { return func(s *Service) { s.opts.DataDir = dir } }

// WithClock sets the clock of timestamps (the wall clock by default).
func WithClock(c Clock) Option { return func(s *Service) { s.opts.Clock = c } }

// WithRegion sets the region of the ARNs the service makes and of AWS::Region (us-east-1 by default).
func WithRegion(region string) Option { return func(s *Service) { s.opts.Region = region } }

// WithAccount sets the account of the ARNs the service makes and of AWS::AccountId (000000000000 by
// default).
func WithAccount(id string) Option { return func(s *Service) { s.opts.Account = id } }

// WithLogger sets the logger of the service's own messages (discarded by default).
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.opts.Logger = l } }

// WithSync sets whether each write is fsynced before it is acknowledged (true by default). Without
// it a write is acknowledged once the operating system has it: it survives the process being killed,
// not a power loss.
func WithSync(on bool) Option { return func(s *Service) { s.sync = on } }

// WithEndpoint sets the URL of the endpoint whose services the stacks' resources are provisioned
// through, with the AWS SDK, as CloudFormation's resource handlers call the services' public APIs.
// Without it only resources that are recorded (not provisioned) can be created.
func WithEndpoint(url string) Option { return func(s *Service) { s.endpoint = url } }

// WithFunctionHost sets the host of AWS::Lambda::Function resources (see FunctionHost). Without one, a
// template with a function fails to deploy.
func WithFunctionHost(h FunctionHost) Option { return func(s *Service) { s.functions = h } }

// WithSettle sets how long CreateStack, UpdateStack, DeleteStack and ExecuteChangeSet wait for the
// operation they start to finish before answering (10 s by default; 0 answers at once). The operation
// runs on either way; waiting only lets a client's first DescribeStacks find it done, as the AWS CLI's
// waiters poll every 30 s.
func WithSettle(d time.Duration) Option { return func(s *Service) { s.settle = d } }

// FunctionHost runs the code of AWS::Lambda::Function resources. Locally a function is an in-process
// Go handler, which no AWS API can carry (CreateFunction takes a zip), so the host maps a function to
// its handler (by logical id) and registers it with the local Lambda; every other resource is
// provisioned through its service's API.
type FunctionHost interface {
	// PutFunction creates the function, or updates its configuration when it exists.
	PutFunction(ctx context.Context, f Function) error
	// DeleteFunction deletes the named function; deleting one that does not exist is not an error.
	DeleteFunction(ctx context.Context, name string) error
}

// Function is an AWS::Lambda::Function resource as the host receives it.
type Function struct {
	StackName string
	LogicalID string
	// Name is the function's physical name.
	Name string
	// Properties are the resource's properties with every intrinsic function resolved
	// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html).
	Properties map[string]any
}

// Service is a local CloudFormation: stacks, change sets and stack events over CloudFormation's query
// protocol, provisioning each resource through its service's own API. It is safe for concurrent use;
// serve it with its http.Handler ([Service.ServeHTTP]).
type Service struct {
	opts      service.Options
	sync      bool
	endpoint  string
	functions FunctionHost
	settle    time.Duration
	handler   http.Handler
	log       *durablelog.Log
	clients   *clients
	newID     func() string

	mu         sync.Mutex
	stacks     map[string]*stack     // by stack id
	changeSets map[string]*changeSet // by change set id
	closed     bool
	ops        sync.WaitGroup // operations running
	ctx        context.Context
	cancel     context.CancelFunc
	wake       map[string]chan struct{} // by stack id: closed when the stack's operation ends
}

// New returns a Service; with WithDataDir it loads the stacks a previous run left, and re-registers
// the functions of deployed stacks with the FunctionHost (the local Lambda keeps them in memory only).
// Operations a previous run left in progress resume on Resume.
func New(opts ...Option) (*Service, error) {
	s := &Service{sync: true, settle: 10 * time.Second, stacks: map[string]*stack{}, changeSets: map[string]*changeSet{},
		newID: uuid.New, wake: map[string]chan struct{}{}}
	for _, o := range opts {
		o(s)
	}
	s.opts = s.opts.Defaults()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.handler = service.Recover("cloudformation", s.opts.Logger, func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, newRequestID(), errors.New("panic"))
	}, http.HandlerFunc(s.serve))
	if s.endpoint != "" {
		s.clients = newClients(s.endpoint, s.opts.Region)
	}
	if s.opts.DataDir != "" {
		if err := os.MkdirAll(s.opts.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("create cloudformation data dir: %w", err)
		}
		policy := durablelog.SyncGroup
		if !s.sync {
			policy = durablelog.SyncNone
		}
		l, err := durablelog.Open(filepath.Join(s.opts.DataDir, "state.log"), durablelog.Options{Sync: policy, Logger: s.opts.Logger})
		if err != nil {
			return nil, fmt.Errorf("open cloudformation state: %w", err)
		}
		s.log = l
		if err := s.replay(); err != nil {
			l.Close()
			return nil, fmt.Errorf("load cloudformation state: %w", err)
		}
	}
	if err := s.restoreFunctions(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// restoreFunctions registers again, with the FunctionHost, the functions of every stack that has
// them: they live in the host's memory only.
func (s *Service) restoreFunctions(ctx context.Context) error {
	if s.functions == nil {
		return nil
	}
	s.mu.Lock()
	var fns []Function
	for _, st := range s.stacksInOrder() {
		if st.Status == StatusDeleteComplete {
			continue
		}
		for _, id := range sortedKeys(st.resources) {
			r := st.resources[id]
			if r.Type == typeLambdaFunction && r.PhysicalID != "" && r.Status != resDeleteComplete {
				fns = append(fns, Function{StackName: st.name, LogicalID: id, Name: r.PhysicalID, Properties: r.Properties})
			}
		}
	}
	s.mu.Unlock()
	for _, f := range fns {
		if err := s.functions.PutFunction(ctx, f); err != nil {
			return fmt.Errorf("restore function %s of stack %s: %w", f.LogicalID, f.StackName, err)
		}
	}
	return nil
}

// Close stops the operations in progress (they resume on the next Resume) and closes the state.
func (s *Service) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.ops.Wait()
	if s.log != nil {
		return s.log.Close()
	}
	return nil
}

// ServeHTTP serves the CloudFormation API.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func newRequestID() string { return uuid.New() }

func (s *Service) now() time.Time { return s.opts.Clock.Now().UTC() }
