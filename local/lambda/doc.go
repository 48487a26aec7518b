// Package lambda is the local AWS Lambda: the Invoke API
// (POST /2015-03-31/functions/{FunctionName}/invocations) as an http.Handler, and the same
// invocation path in process (Service.Invoke) for hosts such as a Step Functions engine.
//
// Functions are real aws-lambda-go handlers run in process through the runtime's JSON path,
// lambda.NewHandler(fn).Invoke(ctx, payload): the payload is decoded into the handler's event
// type and the result encoded exactly as the Lambda Go runtime does.
//
// # Contract
//
//   - Function errors answer as Lambda does (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html):
//     200 with X-Amz-Function-Error: Unhandled and the body the Go runtime reports,
//     {"errorMessage", "errorType"}, where errorType is the Go type name of the returned
//     error (aws-lambda-go lambda/errors.go) and stackTrace is omitted; a panic adds the
//     runtime's "stackTrace" frames.
//   - The function's Timeout is enforced: the handler's context is cancelled at the deadline
//     and the invocation answers {"errorType":"Sandbox.Timedout","errorMessage":"RequestId: <id>
//     Error: Task timed out after N.NN seconds"}. A Go handler that ignores its context keeps
//     running in its goroutine (an in-process host cannot kill it), but its result is dropped.
//     A warm instance runs its invocations on one goroutine of its own; an invocation that times
//     out leaves that goroutine to its handler, and the instance's next invocation gets another.
//   - A per-function concurrency limit answers 429 TooManyRequestsException (Reason
//     ReservedFunctionConcurrentInvocationLimitExceeded) for synchronous calls; asynchronous
//     (Event) invocations wait for a free slot, as Lambda's internal queue does, and a failed
//     one is retried after 1 and 2 minutes (Function.MaximumRetryAttempts, default 2).
//   - Payload limits: 6,291,456 bytes for a synchronous request (413 RequestTooLargeException),
//     1,048,576 bytes for an Event request, 6,291,556 bytes for a response (Unhandled
//     Function.ResponseSizeTooLarge). Invalid JSON is 400 InvalidRequestContentException; an
//     unknown function 404 ResourceNotFoundException.
//   - Output: each invocation gets a Runtime with its own Stdout and Environment (handed to
//     Function.NewHandler, and available through RuntimeFromContext). Every line written to
//     it is captured with Lambda's START/END/REPORT lines, returned base64 in
//     X-Amz-Log-Result for LogType Tail (last 4 KB), kept in memory (Service.Logs) and passed to
//     the LogSink with the time of each line and the log stream of the instance that ran it
//     ("2026/03/01/[$LATEST]<32 hex digits>", as Lambda names them; an idle instance is reused,
//     overlapping invocations get their own) and group (LoggingConfig.LogGroup, else
//     /aws/lambda/<name>). With LogFormat JSON, Lambda's own lines are platform.start and
//     platform.report records instead of START/END/REPORT, and ApplicationLogLevel and SystemLogLevel
//     filter lines as Lambda does (a function line's level is its JSON "level", INFO when it has none
//     or is not JSON; Lambda's records are INFO), ApplicationLogLevel being AWS_LAMBDA_LOG_LEVEL too. The REPORT line is Lambda's, tab-separated, with
//     Max Memory Used taken from the shared process's heap (an indication only) and no Init
//     Duration. Lines in CloudWatch Embedded Metric Format are parsed (ParseEMF) and their
//     metrics passed to the MetricSink.
//
// Also served: GetFunction and ListFunctions (read-only; functions are registered in Go).
//
// Not emulated: versions and aliases (only $LATEST), the other function management APIs, asynchronous destinations and event age limits, response streaming, DryRun beyond
// the existence check, process isolation (functions share the host's process and os.Environ).
package lambda
