// Package sfn is the Step Functions API (AWS JSON 1.0, X-Amz-Target "AWSStepFunctions.<Operation>") over
// the asl/interp engine, as an http.Handler that the real AWS SDKs and the AWS CLI talk to with only an
// endpoint override.
//
// It serves state machines (Create, Describe, Update, Delete, List, ValidateStateMachineDefinition),
// executions (StartExecution with AWS's name-idempotency rules, StartSyncExecution for EXPRESS machines,
// StopExecution, RedriveExecution, DescribeExecution, ListExecutions, GetExecutionHistory with paging and reverse order,
// DescribeStateMachineForExecution), task tokens (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat),
// tags, and TestState (one state run once over the engine, mocks checked against the integration's
// response shape, see mockshape.go), versions and aliases, activities, and Distributed Map runs. Requests
// are validated at the model level and errors are answered with AWS's codes and shapes.
//
// # Distributed Map
//
// The engine runs a Distributed Map's child executions; the service keeps its Map Runs (see maprun.go):
// DescribeMapRun, ListMapRuns and UpdateMapRun (maxConcurrency and the tolerated failures of a running run;
// InvalidArn, ResourceNotFound and ValidationException as the API reference lists), ListExecutions with
// mapRunArn (never with stateMachineArn: ValidationException) listing the children newest first with their
// mapRunArn and itemCount, and DescribeExecution and GetExecutionHistory of a child, which carries its
// mapRunArn. A Map Run's description is recorded in mapruns.log as it starts, is updated and ends, and each
// ended child goes to the history store; a run still running when the service stops is recorded ABORTED
// at the next start, since its parent resumes before the Map state with a new run. With WithObjectStore
// (local/stack passes the local S3) an ItemReader reads S3 through asl/itemreader and a ResultWriter
// writes AWS's result layout through asl/resultwriter, spilling results under the data directory.
//
// # Versions and aliases
//
// PublishStateMachineVersion (and publish with versionDescription on CreateStateMachine and
// UpdateStateMachine) makes an immutable, numbered copy of a state machine's current revision: publishing
// a revision that already has a version answers that version, a revisionId that is not the current one is
// a ConflictException, and a state machine has at most 1,000 versions (ServiceQuotaExceededException).
// Numbers are never reused. An alias routes StartExecution to one version, or between two by weight (a
// random draw per start; WithRoutingSeed makes it deterministic). StartExecution and StartSyncExecution
// take a version or alias ARN; the execution records both (DescribeExecution's and ListExecutions'
// stateMachineVersionArn and stateMachineAliasArn, ExecutionStarted's details; ListExecutions takes a
// version or alias ARN to list the executions started on it) and runs the version it started on to its
// end, through updates, deletions and restarts. A version an alias routes to cannot be deleted; deleting
// a state machine deletes its versions and aliases. See versions.go.
//
// # Activities
//
// CreateActivity, DescribeActivity, DeleteActivity, ListActivities and GetActivityTask, with the Task
// state whose Resource is an activity ARN: the task waits for a worker's poll (a 60-second long poll, as
// on AWS; WithActivityPollTimeout shortens it), records ActivityScheduled, ActivityStarted with the
// worker's name and ActivitySucceeded, ActivityFailed, ActivityTimedOut or ActivityScheduleFailed, and is
// completed through SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat under its TimeoutSeconds
// (counted from the scheduling) and HeartbeatSeconds (from the start and each heartbeat). Activities are
// durable; a task pending when the service stops is scheduled again, with a new token, when its execution
// resumes, and the old token answers TaskTimedOut. See activities.go.
//
// # Redrive
//
// RedriveExecution continues a FAILED, ABORTED or TIMED_OUT standard execution from the top-level state
// that did not succeed, over the definition it started with; in Parallel and inline Map states only the
// branches and iterations that did not succeed run again (asl/interp's RedrivePoint). AWS's rules apply:
// within 14 days of the stop, under a year since the start, fewer than 24,999 events, at most 1,000 redrives,
// not of a deleted state machine (ExecutionNotRedrivable otherwise, with the redriveStatusReason as
// message); a clientToken answers idempotently for 15 minutes. A redrive is one journal record (the
// execution, its history so far and the snapshot it continues from) written before the call answers; the
// history store keeps the redrive point of every ended execution. See redrive.go.
//
// # Logging
//
// A state machine whose LoggingConfiguration has a level other than OFF and a CloudWatch Logs destination
// has its executions' events handed to the LogSink (WithLogSink) as Step Functions logs them: the events
// its level asks for (ALL, ERROR, FATAL), as records with id, type, details, previous_event_id,
// event_timestamp, execution_arn and redrive_count, inputs and outputs left out unless
// includeExecutionData is true; each record is written in one pass (logging_encode.go), and a configuration
// is parsed once however many executions it logs. An execution hands its records to the sink a few at a
// time: the record of an event the engine always follows at once with another goes with that one's
// (logdelivery.go), so all are out whenever the execution waits and when it ends. A LentLogSink is lent the
// records in the buffers they were encoded in, reused only once its call has returned; other sinks get
// copies. CreateStateMachine and UpdateStateMachine validate the configuration as
// Step Functions does (logging_config.go): the level, exactly one destination unless OFF, the ':*'
// qualifier of the log group ARN, and, with WithLogGroups, that the group exists.
//
// # Durability
//
// With a data directory (WithDataDir) the service keeps its state in two stores, both on
// internal/durablelog (checksummed records, appended all or nothing):
//
//   - the journal (sfn.log) holds what is live: state machines, and for each running standard execution
//     its start and, in one record each, the engine's snapshots between top-level states with the history
//     events before them: a snapshot is journaled before a state with effects (Task, Wait, Parallel, Map)
//     and before the first state after one, not before a Pass, Choice, Succeed or Fail reached without
//     effects since the last durable point (a restart runs those again, to the same end). It is compacted
//     when it has doubled (and at open), and compaction rewrites only the live state;
//   - the history store (history/) holds finished executions: each one's input, output and history as a
//     compressed blob appended to a segment file (NNNNNNNN.hist; the machine's definition is a record of
//     its own there, written once per segment, which the blob refers to), and a small entry (machine, name, status,
//     dates, where the blob is) in an index log (index.log). Memory holds the entries of the executions
//     that finished since the last seal only, at most 8,192: then they are sealed into an immutable run
//     (RRRRRRRR.run, sorted as ListExecutions lists them, each record with a CRC-32C) and into an on-disk
//     hash table from machine and name to the entry (keys.hash, 64-byte slots with a CRC-32C each), and
//     leave index.log and memory. So finding a finished execution by ARN (StartExecution's name check,
//     DescribeExecution, GetExecutionHistory, redrive) reads a page of keys.hash, ListExecutions merges
//     a binary search in each run with the entries in memory, and what the heap holds for finished
//     executions does not grow with their number (a few hundred bytes per run and per segment). The
//     key hash is derived: missing or damaged it is rebuilt from the runs. Runs are merged 8 at a time
//     (up to three levels), so a listing searches a few dozen of them. A run is read whole at open,
//     so a damaged record is reported (Loss) and only its execution drops out of listings. Segments are
//     removed whole once every execution in them has been closed longer than the retention period
//     (WithRetention, 90 days by default as on AWS), and runs once all their segments are; see index.go.
//
// An API call that changes state (CreateStateMachine, UpdateStateMachine, DeleteStateMachine, tags,
// StartExecution) answers success only once its record is durable: synced (grouped across concurrent
// calls) by default, written to the file with WithSync(false). When the write fails (a full disk) the
// call answers InternalFailure (HTTP 500) and changes nothing; the log refuses writes until one succeeds
// again. A snapshot or an end that cannot be written is logged: the execution carries on, an ended one
// stays in memory and is saved with the next, and a restart resumes it from its last durable snapshot.
//
// A standard execution of a machine of Pass, Choice, Succeed and Fail states whose transitions cannot loop
// (inline.go) runs to its end within StartExecution, and its start and end are made durable together,
// in the history store; the first DescribeExecution finds it closed. Its history events are borrowed from
// the engine and encoded as they are recorded (stream.go).
//
// When the service opens an existing directory it replays both stores, keeps every valid record after a
// damaged one (a torn last record is cut off: it was never acknowledged), reports damage at Error level
// and through Loss, compacts the journal, and resumes every execution that was running: from its last
// snapshot when it has one, from its start otherwise. Work after the last snapshot runs again, so tasks
// must be idempotent (at-least-once, as on AWS, where a task may also run more than once). An execution
// whose start record was damaged is gone; local/stack re-drives the pipeline objects left without an
// outcome. A journal of an earlier version (sfn.journal, JSON lines) is imported once and set aside.
//
// Not emulated: redriving a Map Run on its own, an ItemReader's PARQUET input, EXPRESS execution history (as
// on AWS, EXPRESS executions have none in the API), IAM (roleArn is recorded, never checked). Of versions
// and aliases: tags on a version or alias, and DescribeStateMachineForExecution answers the unqualified
// state machine with the definition the execution ran. Of activities: encryption (the configuration is
// recorded, data is not encrypted).
package sfn
