package asl

// Catcher is one element of a "Catch" array: where to go after an error
// that retries did not resolve.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-fallback-states
type Catcher struct {
	Comment     string
	ErrorEquals []string
	Next        string
	// ResultPath (JSONPath) places the error output in the input.
	ResultPath Path
	// Output (JSONata) shapes the error output.
	Output any
	Assign map[string]any
}
