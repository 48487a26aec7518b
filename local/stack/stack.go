package stack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/internal/kept"
	"github.com/sluicehq/sluice/internal/service"
	"github.com/sluicehq/sluice/local/cloudformation"
	"github.com/sluicehq/sluice/local/cloudwatch"
	"github.com/sluicehq/sluice/local/console"
	"github.com/sluicehq/sluice/local/events"
	"github.com/sluicehq/sluice/local/guard"
	"github.com/sluicehq/sluice/local/lambda"
	"github.com/sluicehq/sluice/local/logs"
	"github.com/sluicehq/sluice/local/s3"
	localsfn "github.com/sluicehq/sluice/local/sfn"
	"github.com/sluicehq/sluice/local/sts"
)

// HandlerFactory builds the handler of one invocation of a function: rt carries the invocation's own
// output and environment, and endpoint is the URL of the local stack, which the handler's AWS clients
// must use (the only difference from running in AWS).
type HandlerFactory func(rt lambda.Runtime, endpoint string) awslambda.Handler

// Config says what to build.
type Config struct {
	// Template is the CloudFormation template (deploy/template.json), deployed at start as the stack
	// StackName through the local CloudFormation API.
	Template []byte
	// Empty starts the services without deploying a template: no stack until a client deploys one
	// (aws cloudformation deploy, sluice deploy --endpoint).
	Empty bool
	// DataDir holds every service's data; the stack resumes from it after a restart.
	DataDir string
	// StackName is the CloudFormation stack the template is deployed as; it prefixes the generated
	// resource names ("sluice" by default).
	StackName string
	// Region and Account of the local ARNs (us-east-1 and 000000000000 by default).
	Region, Account string
	// Parameters override the template's parameter defaults.
	Parameters map[string]string
	// Functions maps each AWS::Lambda::Function's logical id to its handler. A function of a deployed
	// template without one fails to create (and its stack rolls back).
	Functions map[string]HandlerFactory
	// Logger receives the stack's own messages (discarded by default).
	Logger *slog.Logger
	// Clock is the Step Functions engine's clock (the wall clock by default).
	Clock interp.Clock
	// MockConfig, when set, serves Step Functions Local's mocked test cases (SFN_MOCK_CONFIG).
	MockConfig *localsfn.MockConfig
	// AllowHosts are host names, besides IP literals and localhost, that requests may name in Host
	// (guard.AllowHosts); AllowOrigins are origins whose pages may call the endpoint (guard.AllowOrigins).
	AllowHosts, AllowOrigins []string
}

// Stack is the running embedded AWS.
type Stack struct {
	cfg      Config
	url      string
	server   *http.Server
	deployMu sync.Mutex // one Deploy at a time
	console  atomic.Pointer[console.Console]
	// consoleMu guards consoleRes, the bucket and state machine the console was built with.
	consoleMu  sync.Mutex
	consoleRes [2]string
	started    atomic.Bool // Start has returned
	// startDeployErr is the update at start that rolled back (the stack runs as it was).
	startDeployErr error

	S3         *s3.Service
	Events     *events.Service
	Lambda     *lambda.Service
	CloudWatch *cloudwatch.Service
	Logs       *logs.Service
	SFN        *localsfn.Service
	// CloudFormation deploys templates, provisioning through the other services' APIs.
	CloudFormation *cloudformation.Service
	// Console is the web console, served under /_console/.
	Console *console.Console

	// STS answers GetCallerIdentity, so that a deployer learns the account as from AWS.
	STS *sts.Service

	guard *guard.Guard
	// inProcess carries the requests of the stack's own clients (functions, Distributed Map) to ServeHTTP
	// without a socket.
	inProcess  *inProcessTransport
	lock       *dirLock // the data directory, held from open to closeServices
	queue      *events.FileQueue
	eventState *events.FileStore
	ctx        context.Context // cancelled by Close
	cancel     context.CancelFunc
	wg         sync.WaitGroup

	recovery       Recovery
	redriveDone    chan struct{}
	objectRecovery ObjectRecovery
	redriveErr     error
}

// Resources names what the stack created from the template.
type Resources struct {
	Bucket          string            // the pipeline bucket (the one with EventBridge notifications on)
	StateMachineArn string            // the pipeline's state machine
	Functions       map[string]string // logical id -> function name
	// FunctionLogGroups maps each function's logical id to its CloudWatch Logs group.
	FunctionLogGroups map[string]string
	// StateMachineLogGroup is the log group of the state machine's execution events ("" when it logs none).
	StateMachineLogGroup string
	Rules                []string // rule names
}

// Start builds the stack from cfg and serves every service on l until Close.
func Start(l net.Listener, cfg Config) (*Stack, error) {
	if cfg.StackName == "" {
		cfg.StackName = "sluice"
	}
	if cfg.Region == "" {
		cfg.Region = service.DefaultRegion
	}
	if cfg.Account == "" {
		cfg.Account = service.DefaultAccount
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = interp.SystemClock()
	}
	if !cfg.Empty && len(cfg.Template) == 0 {
		return nil, errors.New("no template to deploy (set Config.Template, or Config.Empty for a stack without one)")
	}
	started := time.Now()
	st := &Stack{cfg: cfg, url: "http://" + l.Addr().String(),
		guard: guard.New(guard.AllowHosts(cfg.AllowHosts...), guard.AllowOrigins(cfg.AllowOrigins...))}
	st.inProcess = &inProcessTransport{host: l.Addr().String(), handler: st, next: http.DefaultTransport.(*http.Transport).Clone(),
		ready: make(chan struct{}), servers: kept.New(serverIdle)}
	if err := st.open(); err != nil {
		st.closeServices()
		return nil, err
	}
	st.server = &http.Server{Handler: st, ReadHeaderTimeout: 10 * time.Second}
	close(st.inProcess.ready)
	go func() {
		if err := st.server.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			cfg.Logger.Error("serve", "err", err)
		}
	}()
	// Operations a stop interrupted finish first (a deploy waits for them).
	st.CloudFormation.Resume()
	if !cfg.Empty {
		if err := st.Deploy(st.ctx, cfg.Template); err != nil {
			// An update that rolled back leaves the stack as it was, working: start with it, and say so
			// (StartDeployError). A stack that could not be created is no stack at all.
			var de *DeployError
			if !errors.As(err, &de) || de.Status != "UPDATE_ROLLBACK_COMPLETE" {
				st.Close()
				return nil, err
			}
			st.startDeployErr = err
		}
	}
	// The console shows what the deploy created.
	st.openConsole()
	if err := st.startRedrive(st.ctx, started); err != nil {
		st.Close()
		return nil, err
	}
	st.started.Store(true)
	return st, nil
}

// Guard is the guard every request passes (package guard), for handlers mounted beside the services.
func (st *Stack) Guard() *guard.Guard { return st.guard }

// URL is the endpoint of every service.
func (st *Stack) URL() string { return st.url }

func (st *Stack) dir(name string) string { return filepath.Join(st.cfg.DataDir, name) }

// open starts the services, consumers first, so that nothing is published before its consumer exists.
func (st *Stack) open() error {
	if err := os.MkdirAll(st.cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	var err error
	// One stack per data directory: a second one fails here, naming the holder (*DataDirInUseError).
	if st.lock, err = lockDataDir(st.cfg.DataDir, st.url); err != nil {
		return err
	}
	for _, old := range []string{"events.json", "events.queue"} {
		if _, err := os.Stat(st.dir(old)); err == nil {
			return fmt.Errorf("%s holds %s, written by an earlier version in a format this one does not read: move the directory away to start afresh", st.cfg.DataDir, old)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	st.ctx, st.cancel = ctx, cancel

	if st.STS, err = sts.New(sts.WithRegion(st.cfg.Region), sts.WithAccount(st.cfg.Account), sts.WithLogger(st.cfg.Logger)); err != nil {
		return fmt.Errorf("open sts: %w", err)
	}
	if st.CloudWatch, err = cloudwatch.New(cloudwatch.WithLogger(st.cfg.Logger)); err != nil {
		return fmt.Errorf("open cloudwatch: %w", err)
	}
	if st.Logs, err = logs.New(logs.WithDataDir(st.dir("logs")), logs.WithClock(st.cfg.Clock), logs.WithRegion(st.cfg.Region),
		logs.WithAccount(st.cfg.Account), logs.WithLogger(st.cfg.Logger)); err != nil {
		return fmt.Errorf("open cloudwatch logs: %w", err)
	}
	if st.Lambda, err = lambda.New(lambda.WithRegion(st.cfg.Region), lambda.WithAccount(st.cfg.Account), lambda.WithClock(st.cfg.Clock),
		lambda.WithMetricSink(metricSink{st.CloudWatch}), lambda.WithServiceMetrics(true), // AWS/Lambda, for the dashboard
		lambda.WithLogSink(functionLogSink{st.Logs, st.cfg.Logger}),
		lambda.WithLogger(st.cfg.Logger)); err != nil {
		return fmt.Errorf("open lambda: %w", err)
	}
	// CloudFormation opens before Step Functions: it registers again the functions of the stacks it
	// deployed (the local Lambda keeps them in memory only), which resumed executions call.
	if st.CloudFormation, err = cloudformation.New(cloudformation.WithDataDir(st.dir("cloudformation")), cloudformation.WithRegion(st.cfg.Region),
		cloudformation.WithAccount(st.cfg.Account), cloudformation.WithEndpoint(st.url), cloudformation.WithFunctionHost(functionHost{st}),
		cloudformation.WithSync(false), cloudformation.WithLogger(st.cfg.Logger)); err != nil {
		return fmt.Errorf("open cloudformation: %w", err)
	}
	// Like S3 (WithSync(false) below), Step Functions writes before it acknowledges and does not fsync:
	// the stack survives its process being killed, not a power loss.
	sfnOpts := []localsfn.Option{localsfn.WithDataDir(st.dir("sfn")), localsfn.WithRegion(st.cfg.Region), localsfn.WithAccount(st.cfg.Account),
		localsfn.WithClock(st.cfg.Clock), localsfn.WithLambdaInvoker(lambdaInvoker{st.Lambda}),
		localsfn.WithLogSink(executionLogSink{st.Logs, st.cfg.Region, st.cfg.Account}),
		localsfn.WithLogGroups(logGroups{st.Logs, st.cfg.Region, st.cfg.Account}),
		localsfn.WithSync(false), localsfn.WithLogger(st.cfg.Logger),
		localsfn.WithObjectStore(newSFNObjects(st.url, st.cfg.Region, st.inProcess))}
	if st.cfg.MockConfig != nil {
		sfnOpts = append(sfnOpts, localsfn.WithMockConfig(st.cfg.MockConfig))
	}
	st.SFN, err = localsfn.New(sfnOpts...)
	if err != nil {
		return fmt.Errorf("open step functions: %w", err)
	}
	// Like S3 and Step Functions, EventBridge writes before it acknowledges and does not fsync: the
	// stack survives its process being killed, not a power loss.
	st.eventState = events.NewFileStore(st.dir("events-state.log"), false, st.cfg.Logger)
	st.queue = events.NewFileQueue(st.dir("events-queue.log"), false, st.cfg.Logger)
	st.Events, err = events.New(events.WithRegion(st.cfg.Region), events.WithAccount(st.cfg.Account),
		events.WithStore(st.eventState),
		events.WithQueue(st.queue),
		events.WithDeliverer(sfnDeliverer{st.SFN}), events.WithLogger(st.cfg.Logger))
	if err != nil {
		return fmt.Errorf("open eventbridge: %w", err)
	}
	st.wg.Add(1)
	go func() {
		defer st.wg.Done()
		if err := st.Events.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			st.cfg.Logger.Error("eventbridge delivery stopped", "err", err)
		}
	}()
	st.S3, err = s3.New(s3.WithDataDir(st.dir("s3")), s3.WithRegion(st.cfg.Region), s3.WithAccount(st.cfg.Account),
		s3.WithPublisher(eventPublisher{st.Events}), s3.WithLogger(st.cfg.Logger), s3.WithSync(false))
	if err != nil {
		return fmt.Errorf("open s3: %w", err)
	}
	st.openConsole()
	return nil
}

// Close stops serving and closes every service. Work in flight is not lost: accepted objects, events and
// executions are on disk and resume when a stack is started on the same data directory.
func (st *Stack) Close() error {
	// Executions stop first: their tasks reach S3 through this very endpoint.
	var sfnErr error
	if st.CloudFormation != nil {
		sfnErr = st.CloudFormation.Close() // its operations call the other services
	}
	if st.SFN != nil {
		sfnErr = errors.Join(sfnErr, st.SFN.Close())
	}
	if st.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := st.server.Shutdown(ctx); err != nil {
			st.cfg.Logger.Warn("shutdown: connections still open after 5 s", "err", err) // closed below with the services
		}
		cancel()
	}
	return errors.Join(sfnErr, st.closeServices())
}

// closeServices stops the services, producers of work last to go quiet first: Step Functions stops its
// executions (they resume on the next start) while S3 and Lambda still answer their tasks, then
// EventBridge stops delivering, then S3 stops publishing (its undelivered events stay on disk).
func (st *Stack) closeServices() error {
	var errs []error
	if st.CloudFormation != nil {
		errs = append(errs, st.CloudFormation.Close())
	}
	if st.SFN != nil {
		errs = append(errs, st.SFN.Close())
	}
	if st.cancel != nil {
		st.cancel()
	}
	st.wg.Wait()
	if st.S3 != nil {
		errs = append(errs, st.S3.Close())
	}
	if st.queue != nil {
		errs = append(errs, st.queue.Close())
	}
	if st.eventState != nil {
		errs = append(errs, st.eventState.Close())
	}
	if st.Lambda != nil {
		errs = append(errs, st.Lambda.Close())
	}
	if st.Logs != nil {
		errs = append(errs, st.Logs.Close())
	}
	// Last: the directory is given up only once every service has stopped writing to it.
	errs = append(errs, st.lock.release())
	st.lock = nil
	return errors.Join(errs...)
}

// mayBeQueryProtocol reports whether r may be a request of a query protocol (STS, CloudFormation,
// CloudWatch's older one), which names its API version in a Version parameter of the URL's query or of a
// form body, or (CloudFormation) signs for the cloudformation service. A query without "Version" nor a
// percent escape cannot hold a Version parameter; without a form body nor that signature, r is none of
// theirs, and sts.IsRequest, cloudformation.IsRequest and cloudwatch.IsQueryRequest would each parse
// the query to find so: an S3 request, the most frequent, is spared the three parses.
func mayBeQueryProtocol(r *http.Request) bool {
	q := r.URL.RawQuery
	return strings.Contains(q, "Version") || strings.Contains(q, "%") ||
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") ||
		strings.Contains(r.Header.Get("Authorization"), "/cloudformation/")
}

// ServeHTTP routes a request to its service by protocol: the X-Amz-Target prefix for the JSON protocols,
// the path for Lambda and CloudWatch's RPC v2, and S3 for everything else.
func (st *Stack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !st.admit(w, r) {
		return
	}
	target := r.Header.Get("X-Amz-Target")
	if target == "" && st.serveConsole(w, r) {
		return
	}
	if target != "" {
		setJSONRequestID(w)
	}
	switch {
	case strings.HasPrefix(target, "AWSStepFunctions."):
		st.SFN.ServeHTTP(w, r)
	case strings.HasPrefix(target, "AWSEvents."):
		st.Events.ServeHTTP(w, r)
	case strings.HasPrefix(target, logs.TargetPrefix):
		st.Logs.ServeHTTP(w, r)
	case strings.HasPrefix(target, "GraniteServiceVersion20100801."),
		strings.HasPrefix(r.URL.Path, "/service/GraniteServiceVersion20100801/"):
		st.CloudWatch.ServeHTTP(w, r)
	case isLambdaPath(r.URL.Path):
		st.Lambda.ServeHTTP(w, r)
	case target == "" && mayBeQueryProtocol(r) && sts.IsRequest(r): // STS's query protocol
		st.STS.ServeHTTP(w, r)
	case target == "" && mayBeQueryProtocol(r) && cloudformation.IsRequest(r): // CloudFormation's query protocol
		st.CloudFormation.ServeHTTP(w, r)
	case target == "" && mayBeQueryProtocol(r) && cloudwatch.IsQueryRequest(r): // CloudWatch's query protocol (older SDKs)
		st.CloudWatch.ServeHTTP(w, r)
	case strings.HasPrefix(r.URL.Path, adminPrefix):
		st.serveAdmin(w, r)
	case target != "":
		writeUnknownOperation(w, r)
	default:
		st.serveS3(w, r)
	}
}
