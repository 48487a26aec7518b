// Package jsonpath implements the data-flow language of the Amazon States
// Language in JSONPath mode: paths, reference paths, payload templates,
// the context object, workflow variables and the 18 intrinsic functions.
//
// # Contract
//
// JSON values are Go values as produced by encoding/json with
// Decoder.UseNumber: map[string]any, []any, string, json.Number, bool and
// nil. Values passed in are never mutated; results may share unchanged
// sub-values with the inputs (copy-on-write), so callers must treat every
// value as immutable. Compiled values (*Path, *Template, *Intrinsic) are
// immutable and safe for concurrent use.
//
// Paths (Compile) follow the JsonPath dialect Step Functions uses
// (https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html):
// "$" is the state input, "$$" the context object and "$name" a workflow
// variable (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html).
// Segments are ".name", "['name']", "[n]" (negative counts from the end),
// "[*]"/".*", "[a,b]", "['a','b']", "[start:end]", "..name" (deep scan),
// "[?(filter)]" with the Jayway JsonPath operators (== != < <= > >= =~
// in nin subsetof anyof noneof size empty, && || !, "@" the current node,
// "$" the root) and a trailing ".length()". A definite path (no wildcard,
// slice, union, filter or deep scan) yields one value or an error; an
// indefinite path yields a []any of every match, possibly empty, and never
// fails for a missing field.
//
// Errors at evaluation time are *Error values carrying an ASL error name.
// A definite path that matches nothing returns an *Error named
// States.Runtime whose cause follows AWS ("Invalid path '$.a' : No results
// for path: $['a']") and which matches ErrPathNotFound with errors.Is; a
// Template reports the field, as AWS does ("The JSONPath '$.a' specified
// for the field 'b.$' could not be found in the input '{}'", and for a path
// argument of an intrinsic "The function 'States.Array($.a)' had the
// following error: The JsonPath argument for the field '$.a' could not be
// found in the input '{}'"). A failing
// intrinsic function returns States.Runtime with the cause "Invalid
// arguments in States.X" (AWS reports intrinsic failures as
// States.Runtime) and matches ErrIntrinsic.
//
// States.Format puts a string argument in as it is and writes an object as
// AWS does, {key=value, key=value} with its strings unquoted (an array as
// [a, b]); null, booleans and numbers are written as in JSON.
//
// Reference paths (CompileReference) name a single node: only field and
// index segments. Set applies ResultPath semantics: missing objects along
// the path are created; an existing non-object (null included), an index
// out of range or a root other than "$" yields
// States.ResultPathMatchFailure (matching ErrResultPath).
//
// Templates (CompileTemplate) are the Parameters, ResultSelector,
// ItemSelector and Assign payload templates: a key ending in ".$" takes a
// path or an intrinsic function call; everything else is copied as is.
//
// Intrinsic functions follow
// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html.
// Syntax errors (bad escapes, unknown functions, nesting deeper than 10)
// are compile errors; argument counts and types are checked when the call
// runs, as AWS does. Where the documentation and recorded AWS behaviour
// disagree the package follows AWS: fractional arguments of
// ArrayPartition, ArrayRange, ArrayGetItem and MathRandom are truncated
// (MathAdd rounds halves up); StringSplit splits on any character of the
// delimiter and drops empty tokens; Base64Decode skips characters outside
// the alphabet; Hash accepts non-strings through their JSON text;
// ArrayContains compares value text; ArrayUnique returns the order of a
// Java HashSet; ArrayGetItem of an empty array is null. Randomness for
// States.UUID and unseeded States.MathRandom comes from Scope.Random; when
// it is nil a crypto/rand source is used. A seeded MathRandom is
// deterministic but does not reproduce AWS's Java generator.
//
// Known differences: Go maps do not keep key order, so wildcards and deep
// scans over objects visit keys in sorted order, States.JsonToString
// writes keys sorted, and ArrayContains treats objects with the same
// members in another order as equal, where AWS keeps document order.
package jsonpath
