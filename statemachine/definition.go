package statemachine

import (
	"cmp"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/tasks"
)

// State names. Tests, the mock configuration and the console refer to states by these names.
const (
	StateValidate      = "Validate"
	StateIsValid       = "IsValid"
	StateProcess       = "Process"
	StateStore         = "Store"
	StateStored        = "Stored"
	StateQuarantine    = "Quarantine"
	StateRejected      = "Rejected"
	StateRecordFailure = "RecordFailure"
	StateFailed        = "Failed"
)

// DefinitionSubstitutions keys: the definition names each function as "${Key}", and the deployment maps
// the key to the function's ARN.
const (
	SubstValidateFunctionArn = "ValidateFunctionArn"
	SubstProcessFunctionArn  = "ProcessFunctionArn"
	SubstStoreFunctionArn    = "StoreFunctionArn"
	// SubstLambdaInvoke stands for the optimized Lambda integration's ARN in a definition deployed by
	// CloudFormation (Options.Resource): the ARN names the partition it runs in (LambdaInvoke in the aws
	// partition, arn:aws-cn:states:::lambda:invoke in China), so the template supplies it. The whole
	// Resource is the placeholder, the one form of a substituted Resource that offline ASL validators
	// accept.
	SubstLambdaInvoke = "LambdaInvokeResource"
)

// LambdaInvoke is the optimized Lambda integration's resource in the aws partition
// (https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html), every task's default
// Resource. It returns the wrapper {ExecutedVersion, Payload, SdkHttpMetadata,
// SdkResponseMetadata, StatusCode}.
const LambdaInvoke = "arn:aws:states:::lambda:invoke"

// Where each task's result lands in the state: always beside the execution input, never replacing it.
const (
	PathValidation  = "$.validation"  // {"report": tasks.Report}
	PathProcessing  = "$.processing"  // {"result": tasks.ProcessOutput}
	PathStored      = "$.stored"      // {"output": tasks.StoreOutput} (commit)
	PathQuarantined = "$.quarantined" // {"output": tasks.StoreOutput} (quarantine)
	PathFailure     = "$.failure"     // {"Error", "Cause"}: the caught error (tasks.Failure)
	PathRecorded    = "$.recorded"    // {"output": tasks.StoreOutput} (fail)
	// PathRecordFailure holds RecordFailure's own error, if recording the failure failed too.
	PathRecordFailure = "$.recordFailure"
)

// Retry is the Retry policy every task applies to retryable errors
// (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
type Retry struct {
	IntervalSeconds int
	MaxAttempts     int
	BackoffRate     float64
	// MaxDelaySeconds caps each back-off interval.
	MaxDelaySeconds int
}

// Options are the tunable settings of the definition.
type Options struct {
	// Task timeouts (a task's TimeoutSeconds), one per function.
	ValidateTimeoutSeconds, ProcessTimeoutSeconds, StoreTimeoutSeconds int
	// Retry applies to RetryableErrors on every task.
	Retry Retry
	// ThrottleRetry, when its MaxAttempts is set, applies to Lambda.TooManyRequestsException instead of
	// Retry: a throttled invocation did not run, and a burst of objects against a function's reserved
	// concurrency needs a longer window than a failing call does (measured: with reserved concurrency 10
	// and Retry's one minute, a 1,000-object burst left executions failed on throttling).
	ThrottleRetry Retry
	// TimeoutSeconds bounds the whole execution; 0 leaves it absent.
	TimeoutSeconds int
	// Resource is every task's Resource: LambdaInvoke when empty. A CloudFormation template passes
	// "${" + SubstLambdaInvoke + "}" and maps the key to the ARN in its partition.
	Resource string
}

// RetryableErrors are the error names every task retries: all four Lambda service errors AWS recommends
// retrying for the lambda:invoke integration (ClientExecutionTimeoutException, ServiceException,
// AWSLambdaException, SdkClientException:
// https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html), throttling
// (TooManyRequestsException, which the same page names as the error at the invocation limit) and the tasks'
// own retryable error. ObjectNotFoundError, ObjectChangedError, InvalidInvocationError,
// InvalidObjectError and SchemaError are deliberately absent: a retry would fail the same way (a broken
// schema fails fast, as the configuration error it is).
func RetryableErrors() []string {
	return []string{
		"Lambda.ClientExecutionTimeoutException",
		"Lambda.ServiceException",
		"Lambda.AWSLambdaException",
		"Lambda.SdkClientException",
		ErrorThrottled,
		tasks.ErrorNameTransient,
	}
}

// ErrorThrottled is the error of a Lambda invocation refused at the function's concurrency limit.
const ErrorThrottled = "Lambda.TooManyRequestsException"

// retriers are every task's Retry: throttling first with its own policy when ThrottleRetry is set, then
// the other retryable errors.
func (o Options) retriers() []asl.Retrier {
	retrier := func(errs []string, r Retry) asl.Retrier {
		return asl.Retrier{
			ErrorEquals:     errs,
			IntervalSeconds: new(r.IntervalSeconds),
			MaxAttempts:     new(r.MaxAttempts),
			BackoffRate:     new(r.BackoffRate),
			MaxDelaySeconds: new(r.MaxDelaySeconds),
			JitterStrategy:  asl.JitterFull,
		}
	}
	if o.ThrottleRetry.MaxAttempts == 0 {
		return []asl.Retrier{retrier(RetryableErrors(), o.Retry)}
	}
	var rest []string
	for _, e := range RetryableErrors() {
		if e != ErrorThrottled {
			rest = append(rest, e)
		}
	}
	return []asl.Retrier{retrier([]string{ErrorThrottled}, o.ThrottleRetry), retrier(rest, o.Retry)}
}

// Definition returns the pipeline's state machine. Function names are the "${...}" placeholders of
// SubstValidateFunctionArn, SubstProcessFunctionArn and SubstStoreFunctionArn.
func Definition(o Options) *asl.StateMachine {
	m := &asl.StateMachine{
		Comment: "sluice: validate an object that landed under " + tasks.PrefixIncoming +
			", then process and store it, or quarantine it when invalid; record any failure.",
		// No QueryLanguage: JSONPath is the default, and Step Functions Local (which predates JSONata) may
		// not know the field.
		StartAt: StateValidate,
		States: map[string]asl.State{
			StateValidate: o.task(taskSpec{
				comment:  "Stream the object and check it against its dataset's schema.",
				function: SubstValidateFunctionArn,
				timeout:  o.ValidateTimeoutSeconds,
				result:   "report",
				at:       PathValidation,
				next:     StateIsValid,
			}),
			StateIsValid: &asl.Choice{
				Comment: "A valid object is processed; an invalid one is quarantined with its report.",
				Choices: []asl.ChoiceRule{{
					Variable: PathValidation + ".report.valid",
					Operator: asl.BooleanEquals,
					Value:    true,
					Next:     StateProcess,
				}},
				Default: StateQuarantine,
			},
			StateProcess: o.task(taskSpec{
				comment:  "Coerce and normalise the rows into gzip JSON Lines under " + tasks.PrefixStaging + ".",
				function: SubstProcessFunctionArn,
				timeout:  o.ProcessTimeoutSeconds,
				payload:  map[string]any{"report.$": PathValidation + ".report"},
				result:   "result",
				at:       PathProcessing,
				next:     StateStore,
			}),
			StateStore: o.task(taskSpec{
				comment:  "Commit the staged output to " + tasks.PrefixProcessed + " and write the manifest.",
				function: SubstStoreFunctionArn,
				timeout:  o.StoreTimeoutSeconds,
				payload: map[string]any{
					"action":   string(tasks.ActionCommit),
					"report.$": PathValidation + ".report",
					"result.$": PathProcessing + ".result",
				},
				result: "output",
				at:     PathStored,
				next:   StateStored,
			}),
			StateStored: &asl.Succeed{Comment: "The object was processed and stored."},
			StateQuarantine: o.task(taskSpec{
				comment:  "Copy the rejected object to " + tasks.PrefixQuarantine + " with its validation report.",
				function: SubstStoreFunctionArn,
				timeout:  o.StoreTimeoutSeconds,
				payload: map[string]any{
					"action":   string(tasks.ActionQuarantine),
					"report.$": PathValidation + ".report",
				},
				result: "output",
				at:     PathQuarantined,
				next:   StateRejected,
			}),
			StateRejected: &asl.Succeed{
				Comment: "The object was invalid: it is in " + tasks.PrefixQuarantine + " beside its report. A normal outcome, not a failure.",
			},
			StateRecordFailure: o.task(taskSpec{
				comment:  "Write a failure record to " + tasks.PrefixFailed + ".",
				function: SubstStoreFunctionArn,
				timeout:  o.StoreTimeoutSeconds,
				payload: map[string]any{
					"action":    string(tasks.ActionFail),
					"failure.$": PathFailure,
				},
				result:     "output",
				at:         PathRecorded,
				next:       StateFailed,
				catchInto:  PathRecordFailure,
				catchState: StateFailed,
			}),
			StateFailed: &asl.Fail{
				Comment:   "The execution failed with the error that was caught; its record is under " + tasks.PrefixFailed + ".",
				ErrorPath: PathFailure + ".Error",
				CausePath: PathFailure + ".Cause",
			},
		},
	}
	if o.TimeoutSeconds > 0 {
		m.TimeoutSeconds = new(o.TimeoutSeconds)
	}
	return m
}

// taskSpec describes one lambda:invoke task.
type taskSpec struct {
	comment  string
	function string // the DefinitionSubstitutions key of the function
	timeout  int
	payload  map[string]any // added to the invocation
	result   string         // the name the function's Payload gets inside `at`
	at       string         // ResultPath
	next     string
	// catchInto and catchState override where States.ALL is caught (default PathFailure, RecordFailure).
	catchInto, catchState string
}

func (o Options) task(s taskSpec) *asl.Task {
	payload := map[string]any{
		"bucket.$":    "$.detail.bucket.name",
		"object.$":    "$.detail.object",
		"execution.$": "$$.Execution.Id",
	}
	for k, v := range s.payload {
		payload[k] = v
	}
	catchInto, catchState := PathFailure, StateRecordFailure
	if s.catchInto != "" {
		catchInto, catchState = s.catchInto, s.catchState
	}
	return &asl.Task{
		Comment:  s.comment,
		Resource: cmp.Or(o.Resource, LambdaInvoke),
		Parameters: map[string]any{
			"FunctionName": "${" + s.function + "}",
			"Payload":      payload,
		},
		ResultSelector: map[string]any{s.result + ".$": "$.Payload"},
		ResultPath:     asl.PathOf(s.at),
		TimeoutSeconds: asl.Int(s.timeout),
		Retry:          o.retriers(),
		Catch: []asl.Catcher{{
			ErrorEquals: []string{asl.ErrAll},
			ResultPath:  asl.PathOf(catchInto),
			Next:        catchState,
		}},
		Next: s.next,
	}
}
