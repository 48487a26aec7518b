package asl

// Wait delays for a time: exactly one of Seconds, SecondsPath, Timestamp and
// TimestampPath is set.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
type Wait struct {
	Comment       string
	QueryLanguage QueryLanguage

	InputPath  Path
	OutputPath Path
	Output     any

	// Seconds is a number of seconds, or in JSONata an expression.
	Seconds     *IntExpr
	SecondsPath string
	// Timestamp is an RFC 3339 time such as "2026-01-01T00:00:00Z", or in
	// JSONata an expression "{% ... %}".
	Timestamp     string
	TimestampPath string

	Assign map[string]any
	Next   string
	End    bool
}
