package lambda

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
)

// Function is a function to host. Set exactly one of Handler and NewHandler.
type Function struct {
	// Name is the function name (1-64 letters, digits, hyphens, underscores).
	Name string
	// Handler serves every invocation, typically awslambda.NewHandler(fn). It finds its
	// Runtime (Stdout, Environment) with RuntimeFromContext.
	Handler awslambda.Handler
	// NewHandler builds the handler for one invocation from its Runtime, so that code written
	// for os.Stdout and os.Getenv can be given the invocation's own output and environment.
	NewHandler func(rt Runtime) awslambda.Handler
	// Timeout is the invocation time limit (default 3 s, Lambda's default; at most 900 s).
	Timeout time.Duration
	// MemoryMB is reported in REPORT lines (default 128).
	MemoryMB int
	// Environment is the function's environment variables.
	Environment map[string]string
	// LogFormat is the format of Lambda's own log records (LoggingConfig.LogFormat): LogFormatText
	// (the default) writes START, END and REPORT lines; LogFormatJSON writes platform.start and
	// platform.report records. The function's own lines are passed on as written either way.
	LogFormat string
	// LogGroup is where the function's logs go (LoggingConfig.LogGroup); "/aws/lambda/<Name>" by
	// default.
	LogGroup string
	// ApplicationLogLevel and SystemLogLevel filter the function's own lines and Lambda's records, as
	// LoggingConfig does (JSON log format only; "" keeps everything): a function line's level is its
	// JSON "level", INFO when it has none (as the level-less EMF lines) or is not JSON; Lambda's
	// platform records are INFO. ApplicationLogLevel is also the function's AWS_LAMBDA_LOG_LEVEL.
	ApplicationLogLevel, SystemLogLevel string
	// Concurrency caps concurrent invocations (reserved concurrency); 0 means no cap.
	Concurrency int
	// MaximumRetryAttempts is how often a failed asynchronous (Event) invocation is retried,
	// 0 to 2; nil means Lambda's default, 2. Retries wait 1 and then 2 minutes
	// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
	MaximumRetryAttempts *int
}

// Runtime is what an invocation's sandbox gives its handler.
type Runtime struct {
	// Stdout receives the function's log output, line by line: JSON logs and EMF lines.
	Stdout io.Writer
	// Env holds the function's environment variables plus the ones Lambda sets
	// (AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE, AWS_REGION, ...).
	Env map[string]string
	// RequestID is the invocation's request ID.
	RequestID string
	// Transport, when set, is the round tripper the function's AWS clients should use: the host that
	// registered the function sets one (local/stack serves requests to its own endpoint in process with
	// it). Nil means the network.
	Transport http.RoundTripper
}

// Getenv returns the variable named key, or "".
func (r Runtime) Getenv(key string) string { return r.Env[key] }

type runtimeKey struct{}

// RuntimeFromContext returns the Runtime of the invocation that ctx belongs to.
func RuntimeFromContext(ctx context.Context) (Runtime, bool) {
	rt, ok := ctx.Value(runtimeKey{}).(Runtime)
	return rt, ok
}

// Log formats of Function.LogFormat.
const (
	LogFormatText = "Text"
	LogFormatJSON = "JSON"
)

func (fn *function) logGroup() string {
	if fn.LogGroup != "" {
		return fn.LogGroup
	}
	return "/aws/lambda/" + fn.Name
}

// Limits from https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html.
const (
	defaultTimeout   = 3 * time.Second
	maxTimeout       = 900 * time.Second
	defaultMemoryMB  = 128
	maxSyncRequest   = 6291456
	maxAsyncRequest  = 1 << 20
	maxResponse      = 6291556
	defaultKeptLogs  = 100
	logTailSizeBytes = 4096
	maxClientContext = 3583
)

var functionNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

type function struct {
	Function
	arn        string
	slots      chan struct{} // nil when unlimited
	registered time.Time

	mu      sync.Mutex
	idle    []*instance
	removed bool // replaced or unregistered: instances put back are retired
}

// Register adds or replaces a function.
func (s *Service) Register(f Function) error {
	if !functionNamePattern.MatchString(f.Name) {
		return fmt.Errorf("register %q: invalid function name", f.Name)
	}
	if (f.Handler == nil) == (f.NewHandler == nil) {
		return fmt.Errorf("register %q: set exactly one of Handler and NewHandler", f.Name)
	}
	if f.Timeout == 0 {
		f.Timeout = defaultTimeout
	}
	if f.Timeout < 0 || f.Timeout > maxTimeout {
		return fmt.Errorf("register %q: timeout %v outside 1s..900s", f.Name, f.Timeout)
	}
	if f.MemoryMB == 0 {
		f.MemoryMB = defaultMemoryMB
	}
	if f.LogFormat != "" && f.LogFormat != LogFormatText && f.LogFormat != LogFormatJSON {
		return fmt.Errorf("register %q: LogFormat %q is neither Text nor JSON", f.Name, f.LogFormat)
	}
	if err := checkLogLevels(f); err != nil {
		return err
	}
	if f.Concurrency < 0 {
		return fmt.Errorf("register %q: negative concurrency", f.Name)
	}
	if r := f.MaximumRetryAttempts; r != nil && (*r < 0 || *r > 2) {
		return fmt.Errorf("register %q: MaximumRetryAttempts %d outside 0..2", f.Name, *r)
	}
	fn := &function{Function: f, arn: s.functionARN(f.Name), registered: s.opts.Clock.Now().UTC()}
	if f.Concurrency > 0 {
		fn.slots = make(chan struct{}, f.Concurrency)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.funcs[f.Name]; old != nil {
		old.remove()
	}
	s.funcs[f.Name] = fn
	return nil
}

// FunctionARN returns the ARN of the named function in this server's account and region.
func (s *Service) FunctionARN(name string) string { return s.functionARN(name) }

func (s *Service) functionARN(name string) string {
	return "arn:aws:lambda:" + s.opts.Region + ":" + s.opts.Account + ":function:" + name
}

// resolve finds a function by name, full ARN or partial ARN (ACCOUNT:function:NAME), with an
// optional qualifier, of which only $LATEST exists here.
func (s *Service) resolve(ref, qualifier string) (*function, error) {
	name := ref
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.Split(ref, ":")
		if len(parts) < 7 || len(parts) > 8 || parts[2] != "lambda" || parts[5] != "function" {
			return nil, errInvalidParameter("FunctionName", ref)
		}
		name = parts[6]
		if len(parts) == 8 {
			qualifier = parts[7]
		}
	} else if parts := strings.Split(ref, ":"); len(parts) >= 3 && parts[1] == "function" {
		name = parts[2]
		if len(parts) == 4 {
			qualifier = parts[3]
		}
	} else if n, q, ok := strings.Cut(ref, ":"); ok {
		name, qualifier = n, q
	}
	s.mu.RLock()
	fn, ok := s.funcs[name]
	s.mu.RUnlock()
	if !ok || (qualifier != "" && qualifier != "$LATEST") {
		arn := s.functionARN(name)
		if qualifier != "" {
			arn += ":" + qualifier
		}
		return nil, errFunctionNotFound(arn)
	}
	return fn, nil
}

// asyncRetries returns the retries of a failed Event invocation.
func (fn *function) asyncRetries() int {
	if fn.MaximumRetryAttempts == nil {
		return 2
	}
	return *fn.MaximumRetryAttempts
}

func (fn *function) env(s *Service) map[string]string {
	env := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        fn.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": fmt.Sprint(fn.MemoryMB),
		"AWS_REGION":                      s.opts.Region,
		"AWS_DEFAULT_REGION":              s.opts.Region,
		"AWS_LAMBDA_LOG_GROUP_NAME":       fn.logGroup(),
	}
	if fn.LogFormat == LogFormatJSON {
		env["AWS_LAMBDA_LOG_FORMAT"] = LogFormatJSON
		if fn.ApplicationLogLevel != "" {
			env["AWS_LAMBDA_LOG_LEVEL"] = fn.ApplicationLogLevel
		}
	}
	for k, v := range fn.Environment {
		env[k] = v
	}
	return env
}
