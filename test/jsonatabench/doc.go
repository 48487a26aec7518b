// Package jsonatabench compares asl/jsonata with jsonata-js, the reference
// JSONata implementation: its speed on the same expressions and documents
// in one benchmark run, and its results on 2,012 generated expressions
// (TestDifferential; the differences it allows are listed with their
// reasons in testdata/differential-known.txt). jsonata-js is only a
// baseline, not a dependency of the Go module: install it with
// `npm ci --prefix test/jsonatabench`; both skip when node or the package
// is absent.
//
//	go test -run '^$' -bench . -benchtime 2s ./test/jsonatabench/
//
// Each sub-benchmark reports Go's ns/op and allocations, jsonata-js's
// ns/op (js-ns/op, measured by bench.js over a fixed time budget with
// async evaluate as jsonata-js 2.x offers it) and the ratio (js/go: how
// many times faster the Go evaluation is).
package jsonatabench
