package statemachine

import "github.com/sluicehq/sluice/tasks"

// Input is the part of an execution's input the pipeline reads: the EventBridge "Object Created" event
// of the object (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html), whose
// detail.bucket.name and detail.object every task receives.
type Input struct {
	Detail struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object tasks.S3Object `json:"object"`
	} `json:"detail"`
}

// Output is the state an execution ends with: its input with each task's result beside it, at the
// Path constants and under the name each task's ResultSelector gives it. A result is nil when its
// task did not run. A failed execution has no output; its failure record is under
// tasks.PrefixFailed (store.FailureRecordKey).
type Output struct {
	Input
	Validation    *ValidationResult `json:"validation,omitempty"`    // PathValidation
	Processing    *ProcessingResult `json:"processing,omitempty"`    // PathProcessing
	Stored        *StoreResult      `json:"stored,omitempty"`        // PathStored
	Quarantined   *StoreResult      `json:"quarantined,omitempty"`   // PathQuarantined
	Failure       *tasks.Failure    `json:"failure,omitempty"`       // PathFailure
	Recorded      *StoreResult      `json:"recorded,omitempty"`      // PathRecorded
	RecordFailure *tasks.Failure    `json:"recordFailure,omitempty"` // PathRecordFailure
}

// ValidationResult is what StateValidate leaves at PathValidation.
type ValidationResult struct {
	Report tasks.Report `json:"report"`
}

// ProcessingResult is what StateProcess leaves at PathProcessing.
type ProcessingResult struct {
	Result tasks.ProcessOutput `json:"result"`
}

// StoreResult is what a store task (StateStore, StateQuarantine, StateRecordFailure) leaves at its path.
type StoreResult struct {
	Output tasks.StoreOutput `json:"output"`
}
