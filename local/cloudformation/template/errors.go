package template

import (
	"errors"
	"fmt"
	"strings"
)

// CodeValidation is the error code CloudFormation answers every template and parameter error with
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html): a service maps an
// *Error to "ValidationError" with HTTP 400 and the error's Message as the message.
const CodeValidation = "ValidationError"

// Error is a template or parameter error as CloudFormation reports it. Message is AWS's text, e.g.
// "Template format error: Unresolved resource dependencies [X] in the Resources block of the template".
type Error struct {
	Message string
	cause   error // ErrUnsupported or ErrNotProvisioned when one of them is the reason
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the sentinel behind the error, if any.
func (e *Error) Unwrap() error { return e.cause }

func errorf(format string, args ...any) error { return &Error{Message: fmt.Sprintf(format, args...)} }

// formatErrorf is a "Template format error: ..." (a structural mistake ValidateTemplate reports).
func formatErrorf(format string, args ...any) error {
	return &Error{Message: "Template format error: " + fmt.Sprintf(format, args...)}
}

// templateErrorf is a "Template error: ..." (a misuse of an intrinsic function).
func templateErrorf(format string, args ...any) error {
	return &Error{Message: "Template error: " + fmt.Sprintf(format, args...)}
}

// ErrNotProvisioned is returned (wrapped) when a resource's properties or an output refer to a resource
// the Lookup does not know yet: the caller provisions in Order and asks again, or, in a change set, the
// value is known only once the change set runs.
var ErrNotProvisioned = errors.New("resource not provisioned yet")

// ErrUnsupported is returned (wrapped) for what the local engine does not evaluate, e.g. a parameter of
// type AWS::SSM::Parameter::Value<String> (it needs Parameter Store).
var ErrUnsupported = errors.New("not supported locally")

// unresolved is the error for references to names that are neither a parameter, a pseudo parameter nor
// a resource (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-ref.html).
func unresolved(names []string) error {
	return formatErrorf("Unresolved resource dependencies [%s] in the Resources block of the template", strings.Join(names, ", "))
}

// notProvisioned wraps ErrNotProvisioned with the logical id.
func notProvisioned(id string) error { return fmt.Errorf("%s: %w", id, ErrNotProvisioned) }
