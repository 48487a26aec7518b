package sts

import "net/http"

// Code is an STS error code; a Code is itself an error.
// https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
type Code string

func (c Code) Error() string { return string(c) }

// statuses is the one table mapping this service's error codes to their HTTP status.
var statuses = map[Code]int{
	"InvalidAction":   http.StatusBadRequest,
	"MissingAction":   http.StatusBadRequest,
	"InternalFailure": http.StatusInternalServerError,
}

func (c Code) status() int {
	if s, ok := statuses[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// apiError is an error that crosses the wire: its code and message.
type apiError struct {
	code    Code
	message string
}

func (e *apiError) Error() string { return string(e.code) + ": " + e.message }
func (e *apiError) Unwrap() error { return e.code }
