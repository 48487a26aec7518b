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
		TimeoutSeconds:         c.ExecutionTimeoutSeconds,
	}
}

// StateMachine returns the pipeline's state machine definition for the configuration.
func StateMachine(c Config) *asl.StateMachine {
	return statemachine.Definition(c.StateMachineOptions())
}
