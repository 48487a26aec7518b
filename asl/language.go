package asl

// StateType is the value of a state's "Type" field.
type StateType string

// The eight state types.
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-states.html
const (
	TypePass     StateType = "Pass"
	TypeTask     StateType = "Task"
	TypeChoice   StateType = "Choice"
	TypeWait     StateType = "Wait"
	TypeSucceed  StateType = "Succeed"
	TypeFail     StateType = "Fail"
	TypeParallel StateType = "Parallel"
	TypeMap      StateType = "Map"
)

// QueryLanguage selects how a state's fields are evaluated. The empty value
// means "inherit": from the machine for a state, JSONPath for a machine.
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
type QueryLanguage string

// The two query languages.
const (
	JSONPath QueryLanguage = "JSONPath"
	JSONata  QueryLanguage = "JSONata"
)
