// Package asl is the Amazon States Language: a typed model of state machine
// definitions, their JSON encoding, Parse and Validate with the diagnostics
// AWS's CreateStateMachine and ValidateStateMachineDefinition report, the
// States.* error names, and ErrorMatches, the one ErrorEquals matcher.
//
// Language reference: https://states-language.net/spec.html and
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html
//
// # Model
//
// A StateMachine holds its states in a map from name to State. State is a
// closed interface implemented only by the pointer types *Pass, *Task,
// *Choice, *Wait, *Succeed, *Fail, *Parallel and *Map, so a type switch on
// them is exhaustive. Each struct carries the fields AWS documents for that
// state type in both query languages (JSONPath and JSONata), named as in
// the JSON. Parallel branches are Branch values; a Map's ItemProcessor and
// its older name Iterator are both *ItemProcessor. Each Branch and
// ItemProcessor is its own namespace of states.
//
// Optional fields keep "absent" apart from every value:
//   - InputPath, OutputPath and ResultPath are Path values: the zero Path is
//     absent (AWS then uses "$"), NullPath() is JSON null (input {} or
//     result discarded), PathOf("$.x") is a path.
//   - Integer fields that a JSONata state may give as an expression
//     ("TimeoutSeconds": "{% $t %}") are *IntExpr, nil when absent: write
//     Int(30) or IntJSONata("{% $t %}"). ToleratedFailurePercentage is a
//     *NumExpr.
//   - Retrier numbers are pointers, nil when absent, so that MaxAttempts 0
//     survives: write MaxAttempts: new(0).
//   - JSON payloads (Parameters, ResultSelector, ItemSelector, Result,
//     Arguments, Output, Items, a Choice rule's Value and Condition, ...) are
//     JSON values of type any as encoding/json decodes them with UseNumber
//     (numbers are json.Number after Parse; any Go number when authoring);
//     nil is absent, and a JSON null in those fields reads as absent.
//     Assign is a map[string]any: nil is absent, an empty map is {}.
//   - Path-valued and other string fields (ItemsPath, SecondsPath,
//     ErrorPath, Next, ...) are strings; "" is absent (so an empty string
//     in a definition's name, path, resource or enumerated field is
//     rejected rather than read as absent).
//
// # Encoding
//
// json.Marshal of a StateMachine (or of a state) is deterministic: a
// state's fields come in a fixed order with Type first; the states of a
// machine, branch or processor come in flow order (see FlowOrder: StartAt
// first, then depth-first along Next, Choices, Default and Catch, then
// unreachable states by name); JSON payloads have sorted keys. MarshalJSON
// writes <, > and & as is, but json.Marshal escapes them as it does for
// every Marshaler: use a json.Encoder with SetEscapeHTML(false) to keep
// them readable. json.Unmarshal into a StateMachine reports structural
// problems only (invalid JSON, unknown fields, wrong JSON types); Parse
// also applies the semantic rules.
//
// # Parse and Validate
//
// Parse decodes a definition and applies the rules CreateStateMachine
// applies; it fails with a *ValidationError listing every error Diagnostic
// (a code such as SCHEMA_VALIDATION_FAILED or MISSING_TRANSITION_TARGET, a
// message, and a location such as /States/Foo/Catch[0]/Next), and its
// Error text has the form of AWS's InvalidDefinition message:
//
//	Invalid State Machine Definition: 'CODE: message at /location, CODE: ...'
//
// Validate returns the same diagnostics plus warnings (NO_DOLLAR, NO_PATH,
// PASS_RESULT_IS_STATIC), as ValidateStateMachineDefinition does.
// (*StateMachine).Validate checks a machine written in Go. Structural errors
// are reported alone (the semantic rules are skipped when the document
// does not have the right shape); MISSING_END_STATE is checked at the top
// level only, without a location, and hides the reachability check, as
// observed on AWS; state names are unique across the whole machine,
// branches included (DUPLICATE_STATE_NAME); diagnostics come in flow
// order. The messages and locations AWS was recorded returning are
// reproduced exactly; the others follow the same forms.
//
// Paths, reference paths and intrinsic function calls are checked with
// asl/jsonpath's compilers, so whatever Parse accepts, asl/jsonpath can
// compile. JSONata expressions are only checked for their "{% ... %}"
// shape, not evaluated or compiled.
//
// A StateMachine returned by Parse shares nothing with its input and must
// not be modified; it is then safe for concurrent use by any number of
// executions.
package asl
