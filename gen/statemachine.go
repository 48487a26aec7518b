package gen

import (
	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/statemachine"
)

// StateMachineOptions derives the state machine's settings from the configuration: each task's timeout
// is its function's timeout plus TaskTimeoutMarginSeconds.
func (c Config) StateMachineOptions() statemachine.Options {
	return statemachine.Options{
		ValidateTimeoutSeconds: c.ValidateTask.TimeoutSeconds + c.TaskTimeoutMarginSeconds,
		ProcessTimeoutSeconds:  c.ProcessTask.TimeoutSeconds + c.TaskTimeoutMarginSeconds,
		StoreTimeoutSeconds:    c.StoreTask.TimeoutSeconds + c.TaskTimeoutMarginSeconds,
		Retry:                  c.TaskRetry,
		ThrottleRetry:          c.ThrottleRetry,
		TimeoutSeconds:         c.ExecutionTimeoutSeconds,
	}
}

// templateDefinition is the definition as the template holds it: every task's Resource is the
// ${LambdaInvokeResource} placeholder, which the template's DefinitionSubstitutions maps to the Lambda
// integration's ARN in the stack's partition.
func templateDefinition(c Config) *asl.StateMachine {
	o := c.StateMachineOptions()
	o.Resource = "${" + statemachine.SubstLambdaInvoke + "}"
	return statemachine.Definition(o)
}

// StateMachine returns the pipeline's state machine definition for the configuration, in the aws
// partition (statemachine/pipeline.asl.json; the template's copy leaves the partition to the stack).
func StateMachine(c Config) *asl.StateMachine {
	return statemachine.Definition(c.StateMachineOptions())
}
