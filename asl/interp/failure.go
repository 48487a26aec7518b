package interp

import (
	"errors"

	"github.com/sluicehq/sluice/asl/jsonpath"
)

// Failure is an ASL error: a name that Retry and Catch match with
// ErrorEquals, and a cause. Task invokers return a *Failure to fail a task
// with a chosen error name; an execution that fails reports one.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
type Failure struct {
	Error string
	Cause string
}

// AsError returns f as a Go error.
func (f *Failure) AsError() error { return failureError{f} }

type failureError struct{ f *Failure }

func (e failureError) Error() string {
	if e.f.Cause == "" {
		return e.f.Error
	}
	return e.f.Error + ": " + e.f.Cause
}

// Fail returns an error that fails a task with the given ASL error name and
// cause, for task invokers.
func Fail(name, cause string) error { return failureError{&Failure{Error: name, Cause: cause}} }

// AsFailure reports the ASL failure err carries: one made by Fail, a
// *jsonpath.Error, or nil when err carries none.
func AsFailure(err error) *Failure {
	var fe failureError
	if errors.As(err, &fe) {
		return fe.f
	}
	var je *jsonpath.Error
	if errors.As(err, &je) {
		return &Failure{Error: je.Name, Cause: je.Cause}
	}
	return nil
}
