// Package statetest runs test cases against a state machine: `sluice test` and a Go test helper (Run).
//
// A case file (CaseFile) names the machine, a Step Functions Local mock configuration file (read as is by
// package mockconfig, the same rules local/sfn serves), a default input, and the cases: each an input,
// mocks per state (a test case of the mock file, and/or mocked responses written in the case), and
// expectations (Expect): the final status, the whole output or a JSON subset of it, the error and cause,
// the path of states entered, task invocations per state, and named states' outputs. Every mismatch is
// reported as a go-cmp diff (-got +want).
//
// Cases run in parallel, each in process on the engine (Engine: asl/interp with a virtual clock, so a day
// of retry back-off takes no time) or through a Step Functions API (Endpoint: a running local stack
// serving the same mock file, Step Functions Local, or AWS), and the coverage (Coverage) is read from
// their histories: every state, and every transition of every state (Next, End, each Choice rule,
// Default, each Catcher, each Retrier retried and exhausted), inside Parallel branches and Map item
// processors too, marked covered with the cases that covered it; as text or an HTML page.
//
// When several Choice rules (or a rule and the Default) lead to the same state, the history does not say
// which was taken: the Choice state is run again on its recorded input through the engine's TestState with
// each rule leading to a state of its own; when that cannot answer (rules that read workflow variables,
// which the history does not record), the first of them is counted. When Parallel branches or Map
// iterations run concurrently, task events are attributed to the most recently entered open Task state; a
// Parallel or Map state's own retries are not counted (its failure event names no error).
package statetest
