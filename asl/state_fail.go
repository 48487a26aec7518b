package asl

// Fail ends the machine with an error name and a cause. Error and ErrorPath
// are exclusive, as are Cause and CausePath.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
type Fail struct {
	Comment       string
	QueryLanguage QueryLanguage

	// Error is the error name (in JSONata, possibly an expression).
	Error     string
	ErrorPath string
	// Cause is the human-readable cause (in JSONata, possibly an expression).
	Cause     string
	CausePath string
}
