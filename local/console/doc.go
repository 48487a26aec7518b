// Package console is the local web console: a browser view of the embedded stack that makes the local
// pipeline as inspectable as the AWS console makes the cloud one, and more where the local side knows more
// (the task's log lines, the objects themselves).
//
// It serves, under one path prefix that cannot be an S3 bucket name (DefaultPrefix, "/_console/"; bucket
// names have no underscore), these pages:
//
//   - home: the state machines with counts by status, recent executions, the bucket's prefixes, dead
//     letters and the services' health;
//   - executions: one state machine's executions, newest first, with status, start, duration and the S3
//     object each was started for (read from its input), filtered by status, searched by object key or
//     execution name, paged with the API's own nextToken so that it holds at any number of executions;
//   - execution: the definition drawn as an SVG graph (a layered layout of this package's own, Parallel
//     branches and Map iterators nested, Choice rules on the edges) with each state coloured by what
//     happened; a state's input and output through its data-flow steps, its error and cause, every retry
//     with its delay, its duration and its task's log lines; the history as a table with the content of
//     GetExecutionHistory; a timeline; start, stop, re-run and redrive (RedriveExecution, on a page whose
//     execution is REDRIVABLE); the object and its outputs;
//   - objects: the bucket by prefix; a report or failure record rendered, gzip JSON Lines as a table;
//   - metrics: the widgets of the template's CloudWatch dashboard, drawn from the local metrics;
//   - dead letters, with redrive.
//
// Running executions update without a reload (server-sent events).
//
// The console reads only through public surfaces: the Step Functions, CloudWatch and CloudWatch Logs APIs
// (API, called in process through the services' own HTTP handlers, so it shows exactly what the AWS CLI
// shows; CloudWatchLogs finds a task's lines), S3 through the SDK client, and a small interface for the
// local-only dead-letter list (DeadLetters). local/stack wires them; the console imports no service.
//
// Every value is escaped by html/template (an object key or an input holding "<script>" renders as
// text), objects are never served with an active content type, and every action (start, stop, re-run,
// redrive) must pass the endpoint's guard (package guard: Host, Origin, Sec-Fetch-Site) and carry its
// per-process token, which only the console's own pages hold, so no other web page can act through it.
package console
