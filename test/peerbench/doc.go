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
//
// BenchmarkAPIVersusPeer (Linux: it reads /proc) measures the Step Functions API over HTTP against the same peer
// and against what bounds it, in one run: sfnload (../shared/bench/sfnload, built from its source into a
// temporary directory, or its prebuilt binary; skipped when neither is there) runs chain20 from 16 clients with
// the real AWS SDK for Go v2 (StartExecution, then DescribeExecution) against `sluice up --empty`, built from this
// tree and run in its own process, and against the floor: this test binary run again as a server that does no
// work and answers the four operations sfnload calls with the shapes, headers and chain20 output `sluice up`
// gives (floor_test.go; TestFloorAnswersSDK holds its answers to the SDK and its output to the engine's), at
// GOMAXPROCS 1 and at Go's default. The peer runs in between; three rounds alternate them (one `sluice up` serves
// them all, so its store ends holding every round's executions, 24,600 by default). On a two-core machine
// the client's own CPU per execution (signing, JSON, net/http: about 0.28 ms) shares the cores with the server,
// so the floor, whichever GOMAXPROCS setting does better, is the most any server could reach with this client
// here, and floor/peer is the most the API ratio could be. It prints executions/s of each, sluice/peer,
// floor/peer and sluice/floor, the server's CPU per execution (from /proc/PID/stat) and the client's (sfnload's
// process times), the servers' peak RSS and the load average:
//
//	go test -run '^$' -bench APIVersusPeer -benchtime 1x ./test/peerbench/ [-args -api.n 8000 -api.rounds 3]
package peerbench
