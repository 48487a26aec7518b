// Package conformance runs the Step Functions executions recorded against
// real AWS (../shared/conformance/asl-cases.jsonl from the repository root)
// through the asl parser and the asl/interp interpreter in-process, on a
// virtual clock, and compares status, output, error and cause, and the
// recorded history event sequence. Cases that need a Lambda function whose
// recorded handler is tiny (identity, raise an exception, ...) run with an
// in-process invoker that behaves like it; cases that need other services
// are skipped. known-gaps.txt lists, each with a reason, the cases that do
// not pass yet; the test fails when a case outside it fails or a case in it
// passes.
package conformance
