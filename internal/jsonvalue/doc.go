// Package jsonvalue is the one JSON reader and writer of the engine and the
// event pattern matcher: it reads and writes the generic values they work
// on, as encoding/json decodes them with UseNumber (map[string]any, []any,
// string, json.Number, bool and nil).
//
// Reading comes in two layers. [Scanner] walks a document token by token,
// validating every byte, decoding only what its caller asks for and
// skipping the rest; the pattern matcher uses it to collect the few leaves a
// pattern names. [Decode] builds the whole value on the scanner. Both accept
// exactly what encoding/json accepts (one value, RFC 8259, nesting up to
// 10,000 levels) and decode strings exactly as it does: invalid UTF-8 and
// unpaired surrogates become U+FFFD. Numbers are kept as written.
//
// Writing ([Append]) is compact, sorts object keys, does not escape HTML
// (<, > and & stay readable, as Step Functions shows them) and renders
// float64 values the way JavaScript's JSON.stringify does, which is how
// Step Functions' JSONata renders computed numbers: the shortest text that
// reads back as the same float64, in exponent form only below 1e-6 and
// from 1e21 (1e+21), with -0 written as 0. NaN and the infinities are not
// JSON: writing one fails with [ErrUnsupportedNumber] wherever it appears.
// json.Number values are written verbatim, so that a number read from an
// input keeps its text (1.50 stays 1.50), as it does on AWS.
//
// FuzzDecode, FuzzSkip and FuzzRoundTrip hold the package to encoding/json:
// the same inputs accepted, the same values, and output that reads back as
// its input.
package jsonvalue
