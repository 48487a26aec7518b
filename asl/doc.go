// Package asl is the Amazon States Language: a typed model of state machine
// definitions, their JSON encoding, Parse and validation with AWS-style
// diagnostics, the States.* error names and the one ErrorEquals matcher.
//
// Language reference: https://states-language.net/spec.html and
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html
//
// # Model
//
// A StateMachine holds its states in a map from name to State. State is a
// closed interface implemented only by the pointer types *Pass, *Task,
// *Choice, *Wait, *Succeed, *Fail, *Parallel and *Map; a type switch on them
// is exhaustive. Each struct carries the fields AWS documents for that state
// type, for both query languages (JSONPath and JSONata), with the JSON field
// name as the Go field name.
//
// Optional fields are represented so that "absent" is never confused with a
// value:
//   - InputPath, OutputPath and ResultPath are Path values: the zero Path is
//     absent (AWS then uses "$"), NullPath() is JSON null (input {} or result
//     discarded), PathOf("$.x") is a path.
//   - Integer fields that JSONata states may give as an expression
//     ("TimeoutSeconds": "{% $t %}") are *IntExpr (nil is absent); see Int
//     and IntJSONata. ToleratedFailurePercentage is a *NumExpr.
//   - Retry numbers are pointers (nil is absent, so MaxAttempts 0 is kept):
//     write MaxAttempts: new(0).
//   - JSON payloads (Parameters, ResultSelector, ItemSelector, Result,
//     Arguments, Output, Items, ...) are plain JSON values of type any as
//     encoding/json decodes them with UseNumber; nil is absent. Assign is a
//     map[string]any; nil is absent, an empty map is "Assign": {}.
//   - Path-valued strings (ItemsPath, SecondsPath, ErrorPath, ...) are plain
//     strings; "" is absent.
//
// # Encoding
//
// json.Marshal of a StateMachine (or of any state) is deterministic: the
// fields of a state are written in a fixed order (Type first), the states of
// a machine or branch in flow order (StartAt first, then depth-first along
// Next, Choices, Default and Catch, then any unreachable states by name), and
// the keys of JSON payloads sorted. json.Unmarshal into a StateMachine
// decodes the document and reports structural errors (unknown fields, wrong
// types); it does not check the semantic rules. Parse does both.
//
// # Parse
//
// Parse decodes a definition and validates it as CreateStateMachine does. On
// failure it returns a *ValidationError listing every Diagnostic (code,
// message, location such as /States/Foo/Next); its Error text reads like
// the InvalidDefinition message AWS returns. A StateMachine returned by
// Parse must not be modified; it is then safe to share between goroutines.
package asl
