// Package sfn is the Step Functions API (AWS JSON 1.0, X-Amz-Target "AWSStepFunctions.<Operation>") over
// the asl/interp engine, as an http.Handler that the real AWS SDKs and the AWS CLI talk to with only an
// endpoint override.
//
// It serves state machines (Create, Describe, Update, Delete, List, ValidateStateMachineDefinition),
// executions (StartExecution with AWS's name-idempotency rules, StartSyncExecution for EXPRESS machines,
// StopExecution, DescribeExecution, ListExecutions, GetExecutionHistory with paging and reverse order,
// DescribeStateMachineForExecution), task tokens (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat),
// tags, and TestState (one state run once over the engine, mocks checked against the integration's
// response shape, see mockshape.go). Requests are validated at the model level and errors are answered with AWS's codes and shapes.
//
// # Logging
//
// A state machine whose LoggingConfiguration has a level other than OFF and a CloudWatch Logs destination
// has its executions' events handed to the LogSink (WithLogSink) as Step Functions logs them: the events
// its level asks for (ALL, ERROR, FATAL), as records with id, type, details, previous_event_id,
// event_timestamp, execution_arn and redrive_count, inputs and outputs left out unless
// includeExecutionData is true.
//
// # Durability
//
// With a data directory (WithDataDir) every accepted change is appended to a journal before the API
// answers: state machines, execution starts, history events, the engine's snapshots between top-level
// states, and execution ends. The journal is written with plain write(2) calls, so a process that is killed
// (kill -9 included) loses nothing it has answered for; a power loss may lose the last writes (no fsync).
// When the service opens an existing directory it replays the journal, compacts it, and resumes every
// execution that was running: from its last snapshot when it has one, from its start otherwise. Work
// between the last snapshot and the crash runs again, so tasks must be idempotent (at-least-once, as on
// AWS, where a task may also run more than once).
//
// Not emulated: versions and aliases, Distributed Map runs, redrive, activities, EXPRESS execution
// history (as on AWS, EXPRESS executions have none in the API), IAM (roleArn is recorded, never checked).
package sfn
