package gen

import (
	"errors"
	"fmt"

	"github.com/sluicehq/sluice/statemachine"
)

// Config is the single source of truth for everything the generator emits: names, sizes, timeouts,
// retention, retry settings and alarm thresholds. DefaultConfig returns the values the repository's
// committed artifacts are generated from.
type Config struct {
	// Description is the template's Description.
	Description string

	// ValidateTask, ProcessTask and StoreTask configure the three Lambda functions.
	ValidateTask, ProcessTask, StoreTask Function

	// LogRetentionDays is the retention of every log group the stack creates (functions, state machine).
	// It must be one of the values CloudWatch Logs accepts (see validRetentionDays).
	LogRetentionDays int
	// AccessLogRetentionDays is how long the access-log bucket keeps S3 server access logs.
	AccessLogRetentionDays int

	// NoncurrentVersionDays is how long the pipeline bucket keeps an object version after it stops being
	// the current one (overwritten or deleted).
	NoncurrentVersionDays int
	// IncompleteUploadDays is when S3 aborts an unfinished multipart upload.
	IncompleteUploadDays int
	// StagingExpirationDays expires staging/ objects that a failed execution left behind.
	StagingExpirationDays int

	// ExecutionTimeoutSeconds bounds a whole execution (the state machine's TimeoutSeconds).
	ExecutionTimeoutSeconds int
	// TaskTimeoutMarginSeconds is added to a function's timeout to give its Task state's TimeoutSeconds, so
	// that a function timeout reports as the function's own error rather than as States.Timeout.
	TaskTimeoutMarginSeconds int
	// TaskRetry is the Retry policy every task state applies to Lambda service errors, throttling and
	// TransientError.
	TaskRetry statemachine.Retry
	// ThrottleRetry is the Retry policy for Lambda.TooManyRequestsException (a function at its reserved
	// concurrency): longer than TaskRetry, since a throttled invocation did not run.
	ThrottleRetry statemachine.Retry

	// EventRetry is the EventBridge target's retry policy.
	EventRetry EventRetry
	// DeadLetterRetentionSeconds is how long the rule's dead-letter queue keeps an undelivered event.
	DeadLetterRetentionSeconds int

	// Alarms holds the alarm thresholds.
	Alarms Alarms

	// DefaultLogLevel is the default of the LogLevel parameter (the functions' LOG_LEVEL): the functions
	// filter their own lines by it.
	DefaultLogLevel string
	// ApplicationLogLevel is Lambda's filter on the functions' own lines (LoggingConfig
	// ApplicationLogLevel). Lambda files a JSON line without a "level" key as INFO, and the EMF metric
	// lines carry none
	// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html), so a
	// filter above INFO would drop the metrics: it must be TRACE, DEBUG or INFO. With JSON log format and
	// no ApplicationLogLevel Lambda filters at INFO, which would drop DEBUG lines even with LogLevel=DEBUG;
	// the default, DEBUG, lets LogLevel alone decide what the functions log.
	ApplicationLogLevel string
	// SystemLogLevel is Lambda's filter on its own platform records (LoggingConfig SystemLogLevel):
	// DEBUG, INFO or WARN. platform.report, with each invocation's duration and memory, is INFO.
	SystemLogLevel string

	// MockStateMachineName is the state machine name the Step Functions Local mock configuration is keyed
	// by: the machine of the stack `sluice up` serves (LocalStateMachineName) by default, so executions
	// started on <stateMachineArn>#<TestCase> against it find their test case.
	MockStateMachineName string
}

// Function configures one Lambda function.
type Function struct {
	MemoryMB       int
	TimeoutSeconds int
	// ReservedConcurrency is the function's ReservedConcurrentExecutions: at most this many instances
	// run at once, and as many are set aside for it from the account's quota, so a burst of objects can
	// neither starve the account's other functions nor be starved by them. A throttled invocation is
	// Lambda.TooManyRequestsException, which every task retries with back-off. 0 leaves the property out
	// (the function draws from the unreserved pool). Lambda keeps at least 100 of the account's
	// concurrency unreserved, so the three together must fit the account's quota minus 100
	// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
	ReservedConcurrency int
}

// EventRetry is an EventBridge target's RetryPolicy
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html).
type EventRetry struct {
	MaximumRetryAttempts     int // 0..185
	MaximumEventAgeInSeconds int // 60..86400
}

// Alarms holds the alarm evaluation settings and thresholds. An alarm fires when its metric's statistic
// over PeriodSeconds reaches the threshold in EvaluationPeriods consecutive periods.
type Alarms struct {
	PeriodSeconds     int
	EvaluationPeriods int
	// ExecutionsFailed, ExecutionsTimedOut, ExecutionsAborted and ExecutionThrottled are sums of the
	// state machine's AWS/States metrics.
	ExecutionsFailed   float64
	ExecutionsTimedOut float64
	ExecutionsAborted  float64
	ExecutionThrottled float64
	// FunctionErrors and FunctionThrottles are sums per function of AWS/Lambda Errors and Throttles.
	FunctionErrors    float64
	FunctionThrottles float64
	// DeadLetterMessages is the maximum of the dead-letter queue's visible messages.
	DeadLetterMessages float64
	// RuleFailedInvocations is the sum of the rule's AWS/Events FailedInvocations.
	RuleFailedInvocations float64
}

// WorstCaseSeconds is the longest an execution can take before it ends on its own: Validate, Process and
// Store each running to their task timeout on every attempt, with the longest back-off between attempts,
// and then RecordFailure doing the same. The execution timeout must not be shorter, or it would end an
// execution that is still retrying, with no failure record.
func (c Config) WorstCaseSeconds() int {
	task := func(f Function) int {
		attempts := c.TaskRetry.MaxAttempts + 1
		return attempts*(f.TimeoutSeconds+c.TaskTimeoutMarginSeconds) + c.TaskRetry.MaxAttempts*c.TaskRetry.MaxDelaySeconds
	}
	// A throttled invocation does not run: it adds only its back-off.
	throttled := c.ThrottleRetry.MaxAttempts * c.ThrottleRetry.MaxDelaySeconds
	return task(c.ValidateTask) + task(c.ProcessTask) + task(c.StoreTask) + task(c.StoreTask) + 4*throttled
}

// DefaultConfig returns the configuration the committed artifacts are generated from.
func DefaultConfig() Config {
	return Config{
		Description: "sluice: S3 -> EventBridge -> Step Functions -> Go Lambda data-ingestion pipeline",
		// Validate and process stream objects with a fixed buffer budget, so memory buys CPU (Lambda
		// allocates CPU in proportion to memory), not room for data.
		// Reserved concurrency: every object passes through each function once, so one cap bounds the
		// pipeline's parallelism; 10 each (30 of the default 1,000 quota) keeps a burst from taking the
		// account's concurrency, while Step Functions retries the throttled invocations.
		ValidateTask: Function{MemoryMB: 512, TimeoutSeconds: 300, ReservedConcurrency: 10},
		ProcessTask:  Function{MemoryMB: 1024, TimeoutSeconds: 900, ReservedConcurrency: 10},
		StoreTask:    Function{MemoryMB: 256, TimeoutSeconds: 120, ReservedConcurrency: 10},

		LogRetentionDays:       30,
		AccessLogRetentionDays: 90,
		NoncurrentVersionDays:  30,
		IncompleteUploadDays:   1,
		StagingExpirationDays:  7,

		// At least WorstCaseSeconds (about 4 hours with these settings), so the execution timeout never
		// cuts a run of retries short: a failure is always caught and recorded under failed/.
		ExecutionTimeoutSeconds:  5 * 3600,
		TaskTimeoutMarginSeconds: 30,
		TaskRetry: statemachine.Retry{
			IntervalSeconds: 1,
			MaxAttempts:     6,
			BackoffRate:     2,
			MaxDelaySeconds: 30,
		},
		// Throttling (the reserved concurrency reached) gets a window of several minutes: a burst of
		// objects queues for the functions' instances rather than failing. It starts at 1 s, not 2: a
		// throttled invocation did not run, and an instance frees its slot within milliseconds of the
		// object's work, so with full jitter the refused part of a burst comes back spread over one
		// second instead of two. On the local stack, with nothing else changed, a 1,000-object burst went
		// from 42-119 to 174-179 objects/s on a loaded machine (load 3.5-6.6; BenchmarkPipeline); on a quiet
		// one the gain is smaller, and each object is throttled more often (about 1.4 times against 1.0),
		// each time retried sooner. Twelve attempts, each backoff capped at 60 s, still wait up to 423 s.
		ThrottleRetry: statemachine.Retry{
			IntervalSeconds: 1,
			MaxAttempts:     12,
			BackoffRate:     2,
			MaxDelaySeconds: 60,
		},

		EventRetry:                 EventRetry{MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400},
		DeadLetterRetentionSeconds: 14 * 24 * 3600, // SQS maximum

		Alarms: Alarms{
			PeriodSeconds:         300,
			EvaluationPeriods:     1,
			ExecutionsFailed:      1,
			ExecutionsTimedOut:    1,
			ExecutionsAborted:     1,
			ExecutionThrottled:    1,
			FunctionErrors:        1,
			FunctionThrottles:     1,
			DeadLetterMessages:    1,
			RuleFailedInvocations: 1,
		},

		DefaultLogLevel:      "INFO",
		ApplicationLogLevel:  "DEBUG",
		SystemLogLevel:       "INFO",
		MockStateMachineName: LocalStateMachineName,
	}
}

// ErrInvalidConfig is wrapped by every error Config.Validate returns.
var ErrInvalidConfig = errors.New("invalid generator config")

// validRetentionDays are the values CloudWatch Logs accepts for RetentionInDays
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-loggroup.html).
func validRetentionDays(d int) bool {
	switch d {
	case 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653:
		return true
	}
	return false
}

// Validate reports the first setting AWS would reject, or a setting that makes no sense for the pipeline.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	for _, f := range []struct {
		name string
		fn   Function
	}{{"validate", c.ValidateTask}, {"process", c.ProcessTask}, {"store", c.StoreTask}} {
		// Lambda limits: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
		if f.fn.MemoryMB < 128 || f.fn.MemoryMB > 10240 {
			return bad("%s memory %d MB outside 128..10240", f.name, f.fn.MemoryMB)
		}
		if f.fn.TimeoutSeconds < 1 || f.fn.TimeoutSeconds > 900 {
			return bad("%s timeout %d s outside 1..900", f.name, f.fn.TimeoutSeconds)
		}
		// ReservedConcurrentExecutions 0 would throttle every invocation; the config's 0 means "not set".
		// https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html
		if f.fn.ReservedConcurrency < 0 {
			return bad("%s reserved concurrency %d is negative", f.name, f.fn.ReservedConcurrency)
		}
		if f.fn.TimeoutSeconds+c.TaskTimeoutMarginSeconds > c.ExecutionTimeoutSeconds {
			return bad("%s task timeout exceeds the execution timeout", f.name)
		}
	}
	if !validRetentionDays(c.LogRetentionDays) {
		return bad("log retention %d days is not a CloudWatch Logs retention value", c.LogRetentionDays)
	}
	for _, v := range []struct {
		name  string
		value int
	}{
		{"access log retention days", c.AccessLogRetentionDays},
		{"noncurrent version days", c.NoncurrentVersionDays},
		{"incomplete upload days", c.IncompleteUploadDays},
		{"staging expiration days", c.StagingExpirationDays},
		{"task timeout margin", c.TaskTimeoutMarginSeconds},
		{"execution timeout", c.ExecutionTimeoutSeconds},
		{"alarm period", c.Alarms.PeriodSeconds},
		{"alarm evaluation periods", c.Alarms.EvaluationPeriods},
	} {
		if v.value < 1 {
			return bad("%s must be positive, got %d", v.name, v.value)
		}
	}
	if r := c.TaskRetry; r.IntervalSeconds < 1 || r.MaxAttempts < 0 || r.BackoffRate < 1 || r.MaxDelaySeconds < r.IntervalSeconds {
		return bad("task retry %+v: want IntervalSeconds >= 1, MaxAttempts >= 0, BackoffRate >= 1, MaxDelaySeconds >= IntervalSeconds", r)
	}
	if r := c.ThrottleRetry; r.MaxAttempts != 0 && (r.IntervalSeconds < 1 || r.MaxAttempts < 0 || r.BackoffRate < 1 || r.MaxDelaySeconds < r.IntervalSeconds) {
		return bad("throttle retry %+v: want IntervalSeconds >= 1, MaxAttempts >= 0, BackoffRate >= 1, MaxDelaySeconds >= IntervalSeconds", r)
	}
	if w := c.WorstCaseSeconds(); c.ExecutionTimeoutSeconds < w {
		return bad("execution timeout %d s is shorter than the longest path with every retry, %d s: a timed-out execution would leave no failure record", c.ExecutionTimeoutSeconds, w)
	}
	if r := c.EventRetry; r.MaximumRetryAttempts < 0 || r.MaximumRetryAttempts > 185 ||
		r.MaximumEventAgeInSeconds < 60 || r.MaximumEventAgeInSeconds > 86400 {
		return bad("event retry %+v outside MaximumRetryAttempts 0..185, MaximumEventAgeInSeconds 60..86400", r)
	}
	if s := c.DeadLetterRetentionSeconds; s < 60 || s > 1209600 {
		return bad("dead-letter retention %d s outside SQS's 60..1209600", s)
	}
	switch c.DefaultLogLevel {
	case "DEBUG", "INFO", "WARN", "ERROR":
	default:
		return bad("default log level %q not one of DEBUG, INFO, WARN, ERROR", c.DefaultLogLevel)
	}
	// LoggingConfig's values: https://docs.aws.amazon.com/lambda/latest/api/API_LoggingConfig.html
	switch c.ApplicationLogLevel {
	case "TRACE", "DEBUG", "INFO":
	case "WARN", "ERROR", "FATAL":
		return bad("application log level %s would drop the EMF metric lines, which Lambda files as INFO", c.ApplicationLogLevel)
	default:
		return bad("application log level %q not one of TRACE, DEBUG, INFO", c.ApplicationLogLevel)
	}
	switch c.SystemLogLevel {
	case "DEBUG", "INFO", "WARN":
	default:
		return bad("system log level %q not one of DEBUG, INFO, WARN", c.SystemLogLevel)
	}
	if c.MockStateMachineName == "" {
		return bad("mock state machine name is empty")
	}
	return nil
}
