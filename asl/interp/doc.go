// Package interp runs Amazon States Language state machines parsed by package
// asl, with the semantics of AWS Step Functions (Standard workflows).
//
// # Contract
//
// New compiles a *asl.StateMachine once: every path, payload template,
// intrinsic function and Choice rule is compiled there, never per
// execution. The resulting *Machine is immutable and safe for concurrent
// use; each Start creates an *Execution that keeps all per-run state
// (variables, retry counts, Map progress, history ids) to itself.
//
// The interpreter does no I/O of its own. The host supplies:
//   - a Clock (WithClock): SystemClock in production, NewVirtualClock in tests,
//     which jumps over Wait states, retry back-off, TimeoutSeconds and
//     HeartbeatSeconds the moment every execution is blocked, so no test
//     sleeps and every history timestamp stays coherent;
//   - a LambdaInvoker (WithLambdaInvoker) for Task states whose Resource is a
//     bare function ARN or "arn:aws:states:::lambda:invoke", with the result
//     wrapper, function errors (their errorType becomes the ASL error, the
//     error JSON the cause) and Lambda.* service errors exactly as Step
//     Functions reports them;
//   - a TaskInvoker (WithTaskInvoker) for every other resource;
//   - a HistorySink per execution (WithHistory) that receives the events
//     GetExecutionHistory would return: the same types, details, ids and
//     previousEventId chains, with timestamps from the Clock;
//   - TaskTokens (WithTaskTokens) to complete ".waitForTaskToken" tasks.
//
// Values are JSON values as encoding/json decodes them with UseNumber
// (map[string]any, []any, string, json.Number, bool, nil); the interpreter
// never mutates a value it was given.
//
// # Semantics
//
// All eight state types run, with the JSONPath data flow InputPath →
// Parameters → task → ResultSelector → ResultPath → OutputPath where AWS has
// it, Assign and workflow variables (top-level scope, one child scope per
// Parallel branch and Map iteration, new values visible from the next
// state), Retry (IntervalSeconds × BackoffRate^n capped by MaxDelaySeconds,
// FULL jitter from the WithRandom source) and Catch. States.Runtime errors
// are never retried or caught. Payloads above 262,144 bytes fail with
// States.DataLimitExceeded; an execution whose history would exceed 25,000
// events fails. A machine-level TimeoutSeconds ends the execution
// TIMED_OUT. Stop aborts an execution as StopExecution does.
//
// # Distributed Map
//
// A Map state in DISTRIBUTED mode runs each item, or each batch of
// ItemBatcher, as a child execution with its own ARN, context object and
// history, under a Map Run whose events (MapRunStarted, MapRunSucceeded,
// MapRunFailed, MapRunAborted) are the parent's only record of its items.
// The host may supply an ItemReader (WithItemReader) that streams the
// ItemReader's data set, a ResultWriter (WithResultWriter) that receives
// one record per child as it ends, and a MapRunHost (WithMapRunHost) that
// sees each Map Run, can Describe and Update it (UpdateMapRun's
// MaxConcurrency and tolerated failures), and sees each child execution
// and its history. Items are pulled one at a time and children started as
// slots free up, so memory is bounded by MaxConcurrency, not by the number
// of items; without a ResultWriter the results are the state's output and
// are bounded by the payload limit. ToleratedFailureCount and
// ToleratedFailurePercentage (and their Path and JSONata forms) fail the
// run with States.ExceedToleratedFailureThreshold when the failed items
// exceed either one that is set, or on the first failure when neither is;
// reader and writer errors fail it with States.ItemReaderFailed and
// States.ResultWriterFailed. Child executions see none of the parent's
// variables. Without hosts a distributed Map runs the items of its input
// in process. EXPRESS children time out after five minutes, as Express
// executions do; a resumed snapshot starts the Map Run again. A redrive
// continues a failed Map Run under its ARN (MapRunRedriven) and runs again
// only the children that did not succeed when the results are the state's
// output; with a ResultWriter Resource every item runs again.
//
// # JSONata
//
// States whose query language is JSONata (the machine's or their own) are
// evaluated with package asl/jsonata: every string "{% ... %}" of Arguments,
// Output, Assign, a Choice rule's Condition, Items, ItemSelector,
// TimeoutSeconds, HeartbeatSeconds, Seconds, Timestamp, MaxConcurrency,
// ToleratedFailureCount/Percentage and a Fail state's Error and Cause, at
// any depth of objects and arrays, with $states (input, result,
// errorOutput, context) and the workflow variables bound. Output defaults
// to the task's result, a Catcher's error output, or the state's input;
// Output and Assign see the variables as they were when the state was
// entered. Step Functions' functions $partition, $range, $hash, $random
// (optionally seeded), $uuid and $parse are added; $eval is refused. An
// expression that fails, yields nothing, or yields the wrong type fails
// the state with States.QueryEvaluationError and records an
// EvaluationFailed event. JSONata numbers are doubles: results are written
// as JavaScript writes them, and object keys in sorted order like every
// other payload here.
//
// Two recorded AWS behaviours are followed where the documentation reads
// otherwise: a Parallel state records no ParallelStateSucceeded event, and a
// Catcher on States.ALL catches States.DataLimitExceeded.
//
// # Snapshots
//
// WithCheckpoint hands the host a Snapshot before every top-level state
// transition; Machine.Resume continues an execution from one. The
// granularity is the top-level state: a Parallel, Map, Task or Wait that
// was running resumes from its start.
//
// # History texts and performance
//
// Payloads in history events are compact JSON with object keys in sorted
// order and no HTML escaping. Each payload is rendered once per thread:
// a state's output text is the next state's input text, an output that is
// the input reuses its text, and an output that is the input with one
// top-level field set by ResultPath is spliced from the input's text
// (byte-identical to a full rendering). A payload built by a template
// (Parameters, ResultSelector, ItemSelector) gets its text as it is built
// (jsonpath.Template.EvalAppend: keys and static parts written at compile
// time, members in the template's order), not by walking the map again.
// An ItemSelector that reads only $$.Map, $$.Execution and
// $$.StateMachine sees a context object of those three, not one with
// $$.State built for each item. An ExecutionStarted event carries
// the execution's start date, a state's entered event the instant the
// state was entered ($$.State.EnteredTime), and Result.StopDate is the
// terminal event's timestamp. Event timestamps never decrease along ids.
// A history sink that keeps nothing of an event past Record (it counts
// events, or encodes each into bytes of its own) may implement
// BorrowingSink: its events' details are then the recording thread's own,
// overwritten by its next event of the kind, and, for an execution run by
// Run or RunExecution whose program never waits, payload texts are lent
// from a per-execution arena (bounded at 64 KiB; beyond, texts are owned)
// that the next execution reuses, instead of a string allocated per
// payload. A task's payload, an activity's input and anything else that
// may outlive the event is always an owned copy. Every other sink gets
// events nothing writes again. Run hands an execution of a program that
// never waits, once ended, to the next execution (nothing refers to it
// then). chain20 (test/peerbench) allocates 1.1 KB and 9 allocations an
// execution with a sink that borrows, 6.9 KB and 33 with one that owns its
// events (the history's texts and details are the difference); mixed 6.6 KB
// and 54 against 10.3 KB and 90.
// The benchmarks (go test -run '^$' -bench . -benchmem -cpu 1,2) report
// transitions/s, allocations and bytes per transition, executions/s and
// CPU time per execution, with a baseline measured in the same run.
//
// References: https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html,
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html.
package interp
