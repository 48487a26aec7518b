package jsonpath

import "errors"

// ASL error names this package raises.
const (
	// ErrNameRuntime is the error AWS raises for failed paths and intrinsics.
	ErrNameRuntime = "States.Runtime"
	// ErrNameResultPathMatchFailure is raised by Set.
	ErrNameResultPathMatchFailure = "States.ResultPathMatchFailure"
)

// Sentinels matched with errors.Is against an *Error.
var (
	// ErrPathNotFound: a definite path matched nothing (missing field,
	// index out of range, field of a non-object, undefined variable).
	ErrPathNotFound = errors.New("path not found")
	// ErrIntrinsic: an intrinsic function rejected its arguments.
	ErrIntrinsic = errors.New("intrinsic function failed")
	// ErrResultPath: Set could not apply the reference path to the document.
	ErrResultPath = errors.New("result path cannot be applied")
)

// Error is an evaluation failure carrying an ASL error name (Name, such as
// States.Runtime) and a human-readable, AWS-like Cause. The interpreter
// turns it into a state failure with that name and cause.
type Error struct {
	Name  string
	Cause string
	// Path is the expression that failed, when the failure is about a path.
	Path string
	kind error
}

var (
	_ error = (*Error)(nil)
	_ error = (*FieldError)(nil)
)

// Error implements error.
func (e *Error) Error() string { return e.Name + ": " + e.Cause }

// Unwrap exposes the failure kind (ErrPathNotFound, ErrIntrinsic,
// ErrResultPath) to errors.Is.
func (e *Error) Unwrap() error { return e.kind }

// FieldError is a compile error of a payload template field. Its message
// is the one AWS's validator shows; Err holds the detail.
type FieldError struct {
	Field string // the key, with its ".$" suffix
	Err   error
}

// Error implements error.
func (e *FieldError) Error() string {
	return "The value for the field '" + e.Field + "' must be a valid JSONPath or a valid intrinsic function call"
}

// Unwrap returns the detail.
func (e *FieldError) Unwrap() error { return e.Err }
