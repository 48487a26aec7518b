package asl

// Task runs work through a resource: a Lambda function, an activity or a
// service integration.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
type Task struct {
	Comment       string
	QueryLanguage QueryLanguage
	// Resource is the ARN of the work to run; required.
	Resource string

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

	// TimeoutSeconds and TimeoutSecondsPath are exclusive; so are
	// HeartbeatSeconds and HeartbeatSecondsPath.
	TimeoutSeconds       *IntExpr
	TimeoutSecondsPath   string
	HeartbeatSeconds     *IntExpr
	HeartbeatSecondsPath string

	// Credentials is nil when absent.
	Credentials *Credentials

	Next string
	End  bool
}

// Credentials is a Task's "Credentials": the role assumed to run it.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html#task-state-example-credentials
type Credentials struct {
	// RoleArn is the role ARN (in JSONata, possibly an expression).
	RoleArn string
	// RoleArnPath is a JSONPath given as "RoleArn.$"; exclusive with RoleArn.
	RoleArnPath string
}
