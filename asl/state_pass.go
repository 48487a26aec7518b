package asl

// Pass passes its input to its output, optionally injecting Result.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html
type Pass struct {
	Comment       string
	QueryLanguage QueryLanguage

	// JSONPath fields.
	InputPath  Path
	Parameters any
	Result     any
	ResultPath Path
	OutputPath Path

	// JSONata field.
	Output any

	Assign map[string]any
	Next   string
	End    bool
}
