// Package jsonata implements JSONata 2.x, the JSON query and
// transformation language (https://docs.jsonata.org), as Step Functions'
// JSONata query language uses it. It depends on the standard library only.
//
// Compile parses an expression once; (*Expr).Eval evaluates it against an
// input document. An *Expr is immutable and safe for concurrent use by
// many goroutines.
//
//	e, err := jsonata.Compile(`$sum(Account.Order.Product.(Price * Quantity))`)
//	doc, err := jsonata.DecodeJSON(data)
//	v, err := e.Eval(ctx, doc, jsonata.WithBindings(map[string]any{"rate": 1.2}))
//
// # Values
//
// Input and output values are the generic Go JSON model:
//
//	JSON      Go
//	null      nil
//	boolean   bool
//	number    float64 (input may also be json.Number or a Go integer or float32 type)
//	string    string
//	array     []any
//	object    *Object (ordered) or map[string]any (input only; keys taken in sorted order)
//
// Every number Eval returns is a float64: JSONata numbers are IEEE-754
// doubles, and input json.Number values are converted on entry (without
// copying input that holds none; Normalize converts a document once for
// many evaluations). Every object Eval constructs is an *Object, which
// keeps its keys in the order of a JavaScript object, as jsonata-js's
// results have them (array-index keys such as "2" first, in numeric order,
// then the others in insertion order), and encodes to JSON in that order
// (MarshalJSON); objects selected from the input are returned as given.
// DecodeJSON decodes a document into this model with that key order, as
// JSON.parse does.
//
// JSON has no infinite or NaN numbers: arithmetic may make one (1/0)
// inside an expression, as in JavaScript; in the result it is null, as
// JSON.stringify writes a jsonata-js result. Likewise an undefined item of
// an array (which a predicate on a missing field can select, as in
// jsonata-js) is null in the result.
//
// Undefined, the result of selecting nothing, is distinct from null: Eval
// returns the value Undefined (test with IsUndefined). Undefined never
// appears inside the arrays or objects of a result. A function value (a
// lambda, a partial application, a built-in, a regex) may be returned as a
// result or inside one; it is opaque (JSON.stringify would drop it, and
// $string writes it as "").
//
// # Errors
//
// Compile and Eval return *Error, with JSONata's error codes (S0xxx syntax,
// T0xxx/T1xxx/T2xxx type, D1xxx-D3xxx dynamic, as jsonata-js reports them),
// the position in the expression and the offending token where known.
//
// # Limits
//
// Untrusted expressions cannot take the process down: evaluation depth is
// bounded (WithMaxDepth, DefaultMaxDepth, in jsonata-js's units: one per
// nested evaluation; tail calls do not count, they run in a loop), as are
// the number of steps (WithMaxSteps) and the time (WithTimeout and the
// context's deadline); reaching any of them fails with U1001, as the
// jsonata-js test runner's guards do. A cancelled context ends evaluation
// with U1003. What one evaluation allocates is bounded (WithMaxItems:
// items of the sequences, arrays and strings it builds) with U1004; the
// range operator is limited to 10^7 items (D2014) as in jsonata-js.
// Expressions nest at most 1,000 deep (U1001 at Compile), so parsing and
// evaluating never exhaust the Go stack. Should the evaluator itself fail
// (a bug), Eval returns CodeInternal instead of panicking.
//
// # Regular expressions
//
// Regex literals (/ab+c/i) use Go's RE2 engine (package regexp), not
// JavaScript's: the flags i and m apply, named groups (?<name>...) work,
// but lookahead, lookbehind and backreferences (\1) are not supported and
// fail to compile with S0303. Matching runs in linear time, so a regex
// cannot hang evaluation. Match offsets ("start", "end", "index") are
// counted in UTF-16 code units as in JavaScript.
//
// # Differences from jsonata-js
//
// The package passes the whole JSONata test suite (the suite test lists
// any case it does not pass, with the reason, in
// testdata/suite-known-failures.txt; the list is empty). Besides, it was
// run against jsonata-js 2.2.2 on thousands of generated expressions;
// what still differs is JavaScript-specific:
//
//   - Strings are UTF-8: $split(s, "") and $substring split by Unicode
//     characters, where jsonata-js's $split splits surrogate pairs apart.
//   - $power rounds integer and half-integer powers correctly; JavaScript
//     engines' pow can differ in the last digit.
//   - $formatNumber and $formatInteger write numbers from 1e21 with all
//     their digits, which jsonata-js garbles ("1e,+21.00"); $formatBase
//     writes the exact digits in every radix; roman numerals of numbers in
//     the millions and beyond are long strings of M (within WithMaxItems),
//     where jsonata-js overflows its stack.
//   - $replace with a string pattern and a function replacement calls the
//     function, where jsonata-js inserts the function's source text.
//   - When several parts of an expression fail, jsonata-js reports the one
//     its asynchronous evaluation reaches first (array items are evaluated
//     concurrently); this package evaluates in order and reports the first
//     in the expression.
//   - A partially applied built-in ($join(?, "-")) checks its arguments
//     against its signature; jsonata-js calls it unchecked, where it
//     fails with a JavaScript TypeError or converts them ($join of
//     numbers).
//
// $now() and $millis() return the same instant throughout one evaluation
// (WithNow fixes it). Host functions are added per evaluation with
// WithFunction.
package jsonata
