package asl

// The error names the Amazon States Language defines, all beginning with
// "States.". Errors raised by tasks use other names (a Lambda function's
// errorType, "Lambda.ServiceException", ...).
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-error-representation
const (
	// ErrAll is the wildcard: it matches every error name except ErrRuntime
	// (see ErrorMatches). It must stand alone in the last retrier or catcher.
	ErrAll = "States.ALL"
	// ErrDataLimitExceeded: a payload (task result, state input or output)
	// is larger than the quota (256 KiB). The guide calls it terminal, yet
	// AWS lets States.ALL catch it (see ErrorMatches).
	ErrDataLimitExceeded = "States.DataLimitExceeded"
	// ErrExceedToleratedFailureThreshold: a Map state failed more items than
	// ToleratedFailureCount or ToleratedFailurePercentage allow.
	ErrExceedToleratedFailureThreshold = "States.ExceedToleratedFailureThreshold"
	// ErrHeartbeatTimeout: a Task sent no heartbeat for longer than
	// HeartbeatSeconds.
	ErrHeartbeatTimeout = "States.HeartbeatTimeout"
	// ErrHTTPSocket: an HTTP Task timed out after 60 seconds.
	ErrHTTPSocket = "States.Http.Socket"
	// ErrIntrinsicFailure: an intrinsic function call failed.
	ErrIntrinsicFailure = "States.IntrinsicFailure"
	// ErrItemReaderFailed: a Map state's ItemReader could not read items.
	ErrItemReaderFailed = "States.ItemReaderFailed"
	// ErrNoChoiceMatched: a Choice state without Default matched no rule.
	ErrNoChoiceMatched = "States.NoChoiceMatched"
	// ErrParameterPathFailure: a "key.$" path in Parameters (or another
	// payload template) selected nothing.
	ErrParameterPathFailure = "States.ParameterPathFailure"
	// ErrPermissions: a Task lacked the privileges to run its resource.
	ErrPermissions = "States.Permissions"
	// ErrQueryEvaluationError: a JSONata expression failed to evaluate.
	ErrQueryEvaluationError = "States.QueryEvaluationError"
	// ErrResultPathMatchFailure: ResultPath could not be applied to the
	// state's input.
	ErrResultPathMatchFailure = "States.ResultPathMatchFailure"
	// ErrResultWriterFailed: a Map state's ResultWriter could not write.
	ErrResultWriterFailed = "States.ResultWriterFailed"
	// ErrRuntime: the execution failed on an exception it could not
	// process, such as an InputPath or OutputPath selecting nothing. Never
	// retried or caught, not even by naming it.
	ErrRuntime = "States.Runtime"
	// ErrTaskFailed: a Task failed. In ErrorEquals it matches every error
	// name except ErrTimeout (and the terminal ErrDataLimitExceeded and
	// ErrRuntime).
	ErrTaskFailed = "States.TaskFailed"
	// ErrTimeout: a Task ran longer than TimeoutSeconds, or an execution
	// longer than its TimeoutSeconds.
	ErrTimeout = "States.Timeout"
	// ErrBranchFailed: a branch of a Parallel state failed.
	ErrBranchFailed = "States.BranchFailed"
)

// ErrorMatches reports whether a retrier or catcher whose ErrorEquals is
// errorEquals handles an error named name. This is the one implementation
// of the matching rules; every Retry and Catch decision goes through it.
//
// The rules, from
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html:
//   - a name matches itself exactly (names are case-sensitive);
//   - States.ALL matches any error name except States.Runtime. The guide
//     says it "cannot catch the States.DataLimitExceeded terminal error",
//     but executions recorded against AWS show a Catch on States.ALL
//     catching the States.DataLimitExceeded of a lambda:invoke result that
//     is too large (conformance case test_service_task_lambada_catch_state_
//     all_data_limit_exceeded_on_large_utf8_response), so the observed
//     behaviour is the rule here;
//   - States.TaskFailed "acts as a wildcard that matches any known error
//     name except for States.Timeout"; like States.ALL it does not match
//     the terminal States.DataLimitExceeded and States.Runtime;
//   - States.Runtime is never matched, even when named: "Runtime errors are
//     not retriable and will always cause the execution to fail" (recorded
//     AWS behaviour: a Catch on ["States.Runtime"] does not catch it).
func ErrorMatches(errorEquals []string, name string) bool {
	if name == ErrRuntime {
		return false
	}
	for _, e := range errorEquals {
		switch {
		case e == name:
			return true
		case e == ErrAll:
			return true
		case e == ErrTaskFailed:
			if name != ErrTimeout && name != ErrDataLimitExceeded {
				return true
			}
		}
	}
	return false
}
