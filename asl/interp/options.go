package interp

import (
	"crypto/rand"
	"encoding/binary"
)

// An Option configures a Machine.
type Option func(*config)

type config struct {
	clock        Clock
	tasks        TaskInvoker
	intercept    TaskInterceptor
	lambda       LambdaInvoker
	random       func() float64
	tokens       *TaskTokens
	region       string
	account      string
	historyLimit int
	payloadLimit int
	itemReader   ItemReader
	resultWriter ResultWriter
	mapRuns      MapRunHost
}

// Limits of Step Functions the interpreter enforces.
// https://docs.aws.amazon.com/step-functions/latest/dg/limits-overview.html
const (
	// MaxPayloadBytes is the largest input, output or result a state may
	// pass on; a larger one fails with States.DataLimitExceeded.
	MaxPayloadBytes = 262144
	// MaxHistoryEvents is the largest history of a Standard execution; an
	// execution that would exceed it fails.
	MaxHistoryEvents = 25000
)

func defaultConfig() config {
	return config{
		clock:        SystemClock(),
		random:       cryptoFloat,
		region:       "us-east-1",
		account:      "000000000000", // the local services' default account too (internal/service)
		historyLimit: MaxHistoryEvents,
		payloadLimit: MaxPayloadBytes,
	}
}

// WithClock sets the clock (SystemClock by default).
func WithClock(c Clock) Option { return func(cfg *config) { cfg.clock = c } }

// WithTaskInvoker sets the invoker of Task resources that are not Lambda.
// Without one such a task fails with States.TaskFailed.
func WithTaskInvoker(t TaskInvoker) Option { return func(cfg *config) { cfg.tasks = t } }

// WithTaskInterceptor sets a TaskInterceptor consulted before every task
// invocation (for mocked responses).
func WithTaskInterceptor(t TaskInterceptor) Option { return func(cfg *config) { cfg.intercept = t } }

// WithLambdaInvoker sets the Lambda invoker used for bare function ARNs and
// the lambda:invoke integration. Without one such a task fails as if the
// function did not exist (Lambda.ResourceNotFoundException).
func WithLambdaInvoker(l LambdaInvoker) Option { return func(cfg *config) { cfg.lambda = l } }

// WithRandom sets the random source of retry jitter: a function returning
// values in [0, 1). The default reads crypto/rand.
func WithRandom(f func() float64) Option { return func(cfg *config) { cfg.random = f } }

// WithTaskTokens sets the registry through which the host completes
// ".waitForTaskToken" tasks. Machines of one host share one registry; by
// default each Machine has its own (see Machine.TaskTokens).
func WithTaskTokens(t *TaskTokens) Option { return func(cfg *config) { cfg.tokens = t } }

// WithRegion sets the region and account used in ARNs the interpreter makes
// up (the execution ARN when the host gives none, and history details).
func WithRegion(region, account string) Option {
	return func(cfg *config) { cfg.region, cfg.account = region, account }
}

// WithHistoryLimit lowers (or raises) the history event limit, 25,000 by
// default; it exists so tests can reach the limit cheaply.
func WithHistoryLimit(n int) Option { return func(cfg *config) { cfg.historyLimit = n } }

// WithPayloadLimit changes the payload limit, 262,144 bytes by default.
func WithPayloadLimit(n int) Option { return func(cfg *config) { cfg.payloadLimit = n } }

func cryptoFloat() float64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return float64(binary.LittleEndian.Uint64(b[:])>>11) / (1 << 53)
}
