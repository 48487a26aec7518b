// Package peerbench compares the engine (asl/interp) with a peer: aws-local-stepfunctions, the
// in-process ASL interpreter for Node, on two load definitions run one execution at a time with the
// history recorded (the engine's events delivered to a sink, the peer's event log consumed), in one
// benchmark run, so that the ratio holds on a machine whatever else it is doing:
//
//   - chain20: 20 Pass states, each with Parameters (paths, $$.Execution.Name, a nested object) and
//     ResultPath;
//   - mixed: a Choice, a Parallel of two Pass branches, an inline Map over 10 items, an intrinsic.
//
// The peer is only a baseline, not a dependency of the Go module: `make bench` installs it with
// `npm ci --prefix test/peerbench` when npm is present; the peer's half skips when node or the package
// is absent, and the engine's figures are reported alone.
//
//	go test -run '^$' -bench . ./test/peerbench/
//
// Each sub-benchmark reports the engine's executions/s and transitions/s with one goroutine, its
// executions/s with two goroutines running executions side by side at the default GOGC (and the scaling
// from one to two), the peer's executions/s, and the ratio (engine/peer), each also per second of the
// process's CPU time (exec/cpu-s, peer-exec/cpu-s, x-peer-cpu; cpu-cost-2g is the CPU time of an
// execution with two goroutines over one), which holds far better than wall time on a busy machine.
package peerbench
