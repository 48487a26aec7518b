// Package apiconformance checks the embedded local AWS at its wire, through the one HTTP endpoint of
// local/stack and the real aws-sdk-go-v2 clients (and raw HTTP where a malformed request is the point):
//
//   - the Step Functions executions recorded against AWS (../shared/conformance/asl-cases.jsonl from the
//     repository root) that need no other service and no Distributed Map, through
//     CreateStateMachine, StartExecution, DescribeExecution and GetExecutionHistory on a virtual clock,
//     compared as test/conformance compares them in process (its known-gaps.txt is read, not copied);
//   - the EventBridge pattern cases recorded against AWS (event-pattern-cases.jsonl) through
//     TestEventPattern;
//   - bad input on every API of the stack (S3, EventBridge, Step Functions, Lambda, CloudWatch): malformed
//     bodies, unknown operations, oversized payloads, wrong methods. Each must get the AWS error code and
//     a 4xx status, never a 500, a dropped connection or a crash.
//
// The recorded cases are read at test time; the suite skips them when ../shared/conformance is absent.
package apiconformance
