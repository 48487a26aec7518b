// Package peerbench compares the engine (asl/interp) with a peer: aws-local-stepfunctions, the
// in-process ASL interpreter for Node, on two load definitions run one execution at a time with the
// history recorded (the engine's events delivered to a sink that counts them, the peer's event log
// consumed), in one
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
// Each sub-benchmark alternates the engine with one goroutine and with two, several rounds, and runs the
// peer once; it prints one line per figure and reports the same as metrics (see BenchmarkVersusPeer):
// the engine's executions/s, transitions/s, executions per CPU second, allocations and bytes per
// execution and garbage collections per 1,000 executions (which follow the bytes, whatever the
// machine's load); with two goroutines, executions/s, the scaling from one to two (median of the rounds'
// ratios), the CPU time of an execution over one goroutine's (1 = the executions side by side share
// nothing that costs, which holds on a busy machine) and the cores the machine granted; the peer's
// executions/s and per CPU second, and the engine/peer ratios, per CPU second (what a busy machine
// disturbs least) and per wall second; and the machine's load average.
//
// The engine's sink reads each event's type and keeps nothing, so it borrows the events
// (interp.BorrowingSink): the engine renders every payload's text for its events as any host's sink
// would get it, into buffers it reuses for the next execution. The peer's events hold the payloads as the
// values it already had, never rendered, and bench.js reads only their type.
//
// BenchmarkEngine runs each load on the engine alone, for profiles and allocation counts, and
// BenchmarkEngineParallel with executions side by side on GOMAXPROCS goroutines (where the collector's
// work competes with them):
//
//	go test -run '^$' -bench Engine -benchmem -cpuprofile cpu.out ./test/peerbench/
package peerbench
