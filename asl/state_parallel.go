package asl

// Parallel runs every branch on the same input and outputs the array of
// their outputs.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
type Parallel struct {
	Comment       string
	QueryLanguage QueryLanguage

	Branches []Branch

	// JSONPath fields.
	InputPath      Path
	Parameters     any
	ResultSelector any
	ResultPath     Path
	OutputPath     Path

	// JSONata fields.
	Arguments any
	Output    any

	Assign map[string]any
	Retry  []Retrier
	Catch  []Catcher
	Next   string
	End    bool
}
