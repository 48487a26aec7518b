package asl_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sluicehq/sluice/asl"
)

// Parse a definition and look at its states.
func ExampleParse() {
	sm, err := asl.Parse([]byte(`{
	  "StartAt": "Greet",
	  "States": {
	    "Greet": {"Type": "Pass", "Result": "hello", "ResultPath": "$.greeting", "Next": "Done"},
	    "Done": {"Type": "Succeed"}
	  }
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	greet := sm.States["Greet"].(*asl.Pass)
	path, _ := greet.ResultPath.Expr()
	fmt.Println(sm.StartAt, greet.Type(), greet.Next, path, greet.InputPath.IsAbsent())
	// Output: Greet Pass Done $.greeting true
}

// A rejected definition reports every problem, AWS style.
func ExampleParse_invalid() {
	_, err := asl.Parse([]byte(`{
	  "StartAt": "A",
	  "States": {
	    "A": {"Type": "Pass", "Next": "Missing"},
	    "B": {"Type": "Succeed"}
	  }
	}`))
	fmt.Println(err)
	var verr *asl.ValidationError
	if errors.As(err, &verr) {
		for _, d := range verr.Diagnostics {
			fmt.Println(d.Code, d.Location)
		}
	}
	// Output:
	// Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: Missing at /States/A/Next, MISSING_TRANSITION_TARGET: State "B" is not reachable. at /States/B'
	// MISSING_TRANSITION_TARGET /States/A/Next
	// MISSING_TRANSITION_TARGET /States/B
}

// Write a state machine in Go and emit its ASL JSON.
func ExampleStateMachine_MarshalJSON() {
	sm := &asl.StateMachine{
		Comment: "validate an upload",
		StartAt: "Validate",
		States: map[string]asl.State{
			"Validate": &asl.Task{
				Resource:   "arn:aws:states:::lambda:invoke",
				Parameters: map[string]any{"FunctionName": "validate", "Payload.$": "$"},
				ResultPath: asl.PathOf("$.validation"),
				Retry: []asl.Retrier{{
					ErrorEquals: []string{"Lambda.ServiceException"},
					MaxAttempts: new(2),
				}},
				Catch: []asl.Catcher{{ErrorEquals: []string{asl.ErrAll}, Next: "Rejected"}},
				Next:  "Accepted",
			},
			"Accepted": &asl.Succeed{},
			"Rejected": &asl.Fail{Error: "Rejected"},
		},
	}
	if err := sm.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	out, err := json.MarshalIndent(sm, "", "  ")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))
	// Output:
	// {
	//   "Comment": "validate an upload",
	//   "StartAt": "Validate",
	//   "States": {
	//     "Validate": {
	//       "Type": "Task",
	//       "Resource": "arn:aws:states:::lambda:invoke",
	//       "Parameters": {
	//         "FunctionName": "validate",
	//         "Payload.$": "$"
	//       },
	//       "ResultPath": "$.validation",
	//       "Retry": [
	//         {
	//           "ErrorEquals": [
	//             "Lambda.ServiceException"
	//           ],
	//           "MaxAttempts": 2
	//         }
	//       ],
	//       "Catch": [
	//         {
	//           "ErrorEquals": [
	//             "States.ALL"
	//           ],
	//           "Next": "Rejected"
	//         }
	//       ],
	//       "Next": "Accepted"
	//     },
	//     "Accepted": {
	//       "Type": "Succeed"
	//     },
	//     "Rejected": {
	//       "Type": "Fail",
	//       "Error": "Rejected"
	//     }
	//   }
	// }
}

// Decide whether a retrier or catcher handles an error.
func ExampleErrorMatches() {
	fmt.Println(asl.ErrorMatches([]string{asl.ErrAll}, "ValidationError"))
	fmt.Println(asl.ErrorMatches([]string{asl.ErrAll}, asl.ErrRuntime))
	fmt.Println(asl.ErrorMatches([]string{asl.ErrTaskFailed}, asl.ErrTimeout))
	// Output:
	// true
	// false
	// false
}
