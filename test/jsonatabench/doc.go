// Package jsonatabench compares asl/jsonata with jsonata-js, the reference
// JSONata implementation, on the same expressions and documents in one
// benchmark run. jsonata-js is only a measuring baseline, not a dependency
// of the Go module: install it with `npm ci --prefix test/jsonatabench`;
// the benchmark skips when node or the package is absent.
//
//	go test -run '^$' -bench . -benchtime 2s ./test/jsonatabench/
//
// Each sub-benchmark reports Go's ns/op and allocations, jsonata-js's
// ns/op (js-ns/op, measured by bench.js over a fixed time budget with
// async evaluate as jsonata-js 2.x offers it) and the ratio (js/go: how
// many times faster the Go evaluation is).
package jsonatabench
