package pattern

import "errors"

// reasonPrefix starts every message EventBridge gives for an invalid pattern
// (InvalidEventPatternException).
const reasonPrefix = "Event pattern is not valid. Reason: "

// Error is an invalid pattern. Its message is AWS's:
// "Event pattern is not valid. Reason: " followed by Reason.
type Error struct {
	// Reason is the part of the message after "Reason: ".
	Reason string
}

func (e *Error) Error() string { return reasonPrefix + e.Reason }

func invalid(reason string) error { return &Error{Reason: reason} }

// ErrInvalidEvent reports an event that is not a JSON object.
var ErrInvalidEvent = errors.New("event is not a valid JSON object")

// ErrTooLong reports a pattern longer than [MaxLength] characters.
var ErrTooLong = errors.New("event pattern exceeds 4096 characters")
