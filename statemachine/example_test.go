package statemachine_test

import (
	"fmt"

	"github.com/sluicehq/sluice/statemachine"
)

func ExampleDefinition() {
	m := statemachine.Definition(statemachine.Options{
		ValidateTimeoutSeconds: 60, ProcessTimeoutSeconds: 60, StoreTimeoutSeconds: 60,
		Retry: statemachine.Retry{IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, MaxDelaySeconds: 10},
	})
	name := m.StartAt
	for name != "" {
		fmt.Println(name)
		name, _ = m.States[name].Transition()
		if name == statemachine.StateIsValid {
			fmt.Println(name, "(valid)")
			name = statemachine.StateProcess
		}
	}
	// Output:
	// Validate
	// IsValid (valid)
	// Process
	// Store
	// Stored
}
