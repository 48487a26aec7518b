// Package pattern implements the Amazon EventBridge event pattern language:
// compiling a pattern (with AWS's validation and error messages) and matching
// events against it.
//
// The language is documented at
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html;
// the engine behind EventBridge is aws/event-ruler, whose semantics this package
// follows:
//
//   - Fields are ANDed, the values in a field's array are ORed, and an event
//     array matches when any of its elements does. A dotted key "a.b" is the
//     same as {"a": {"b": ...}}.
//   - Exact values: strings, numbers (compared by value, so 300 matches 300.0),
//     true, false and null. A string that is an IP address matches the same
//     address written differently.
//   - prefix and suffix (also {"equals-ignore-case": ...} inside them),
//     equals-ignore-case, wildcard ("*" is any run of characters, "\*" and "\\"
//     escape), numeric ranges, exists, cidr (IPv4 and IPv6), and anything-but
//     with a value, a list, or prefix/suffix/wildcard/equals-ignore-case.
//   - "$or" takes two or more objects; the expanded pattern may hold at most
//     [MaxCombinations] branches.
//   - Fields matched together from objects inside an event array must come
//     from the same array element (event-ruler's array consistency). As in
//     event-ruler, which walks fields in sorted order, {"exists": false} holds
//     when no value at the path shares array elements with the values matched
//     for the fields sorted before it.
//   - anything-but never matches a missing field but does match null;
//     exists applies to leaves only (an object or an empty array does not exist).
//
// [Compile] validates a pattern once; the [Pattern] it returns is immutable and
// safe for concurrent use, and [Pattern.Match] matches raw event JSON without
// decoding the parts of the event the pattern does not name. Errors from
// Compile are [*Error] values whose message is the one EventBridge answers
// with, "Event pattern is not valid. Reason: ...".
//
// Known differences from AWS: AWS appends a Jackson source location to some
// reasons (" at [Source: ...]"), which is left out; the message for an
// expansion of "$or" over [MaxCombinations] and the wildcard complexity limit
// ([MaxWildcardComplexity]) are this package's, as AWS does not document them;
// numbers are compared at six decimal places within ±5e9 like event-ruler, but
// through float64 rather than decimal arithmetic.
package pattern
