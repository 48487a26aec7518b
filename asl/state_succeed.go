package asl

// Succeed ends the machine (or a branch or Map iteration) successfully.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-succeed.html
type Succeed struct {
	Comment       string
	QueryLanguage QueryLanguage

	InputPath  Path
	OutputPath Path
	Output     any
}
