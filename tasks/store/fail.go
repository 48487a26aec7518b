package store

import (
	"context"
	"time"

	"github.com/sluicehq/sluice/tasks"
)

// FailureRecord is what a failed execution leaves under failed/: the error a Catch clause caught, its cause
// and where it happened.
type FailureRecord struct {
	Error     string `json:"error"`
	Cause     string `json:"cause"`
	Execution string `json:"execution"`
	// ExecutionConsoleURL is the execution's page in the AWS Step Functions console, when it ran in AWS.
	ExecutionConsoleURL string          `json:"executionConsoleUrl,omitempty"`
	Source              tasks.ObjectRef `json:"source"`
	Time                time.Time       `json:"time"`
}

// fail writes the failure record. It asks less of its input than the other actions, since it runs after
// something went wrong: a source key outside incoming/<dataset>/ is recorded under the dataset "_unknown".
func (h *Handler) fail(ctx context.Context, in tasks.StoreInput) (tasks.StoreOutput, error) {
	out := tasks.StoreOutput{Action: tasks.ActionFail}
	if in.Bucket == "" {
		return out, &tasks.InvalidInvocationError{Reason: "bucket is required"}
	}
	if in.Failure == nil {
		return out, &tasks.InvalidInvocationError{Reason: "fail needs the caught failure"}
	}
	out.Key = FailureRecordKey(in.Object.Key, in.Execution)
	body, err := encodeJSON(FailureRecord{
		Error:               in.Failure.Error,
		Cause:               in.Failure.Cause,
		Execution:           in.Execution,
		ExecutionConsoleURL: tasks.ExecutionConsoleURL(in.Execution),
		Source:              in.Source(),
		Time:                h.now().UTC(),
	})
	if err != nil {
		return out, err
	}
	if err := h.putJSON(ctx, in.Bucket, out.Key, body, false); err != nil {
		return out, tasks.ClassifyObject("put "+out.Key, tasks.ObjectRef{Bucket: in.Bucket, Key: out.Key}, err)
	}
	out.Outcome = OutcomeRecorded
	if in.Failure.Error == tasks.ErrorNameSchema {
		out.Outcome = OutcomeMisconfigured
	}
	return out, nil
}
