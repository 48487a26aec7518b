package asl

import "strings"

// Severity is how serious a Diagnostic is: an ERROR makes CreateStateMachine
// fail; a WARNING does not.
type Severity string

// The severities ValidateStateMachineDefinition reports.
const (
	SeverityError   Severity = "ERROR"
	SeverityWarning Severity = "WARNING"
)

// Code classifies a Diagnostic. The values are the codes AWS's
// ValidateStateMachineDefinition returns.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinitionDiagnostic.html
type Code string

// Error codes.
const (
	CodeInvalidJSONDescription  Code = "INVALID_JSON_DESCRIPTION"
	CodeMissingDescription      Code = "MISSING_DESCRIPTION"
	CodeSchemaValidationFailed  Code = "SCHEMA_VALIDATION_FAILED"
	CodeInvalidResource         Code = "INVALID_RESOURCE"
	CodeMissingEndState         Code = "MISSING_END_STATE"
	CodeDuplicateStateName      Code = "DUPLICATE_STATE_NAME"
	CodeInvalidStateName        Code = "INVALID_STATE_NAME"
	CodeDuplicateLabelName      Code = "DUPLICATE_LABEL_NAME"
	CodeInvalidLabelName        Code = "INVALID_LABEL_NAME"
	CodeMissingTransitionTarget Code = "MISSING_TRANSITION_TARGET"
	CodeTooDeeplyNested         Code = "TOO_DEEPLY_NESTED"
	// CodeInvalidJSONataExpression: a "{% ... %}" expression that does not
	// parse.
	CodeInvalidJSONataExpression Code = "INVALID_JSONATA_EXPRESSION"
	// CodeUnsupportedJSONataExpression: an expression that reads its
	// (absent) input at the top level.
	CodeUnsupportedJSONataExpression Code = "UNSUPPORTED_JSONATA_EXPRESSION"
)

// Warning codes.
const (
	CodeNoDollar           Code = "NO_DOLLAR"
	CodeNoPath             Code = "NO_PATH"
	CodePassResultIsStatic Code = "PASS_RESULT_IS_STATIC"
)

// Diagnostic is one problem found in a definition.
type Diagnostic struct {
	Severity Severity
	Code     Code
	Message  string
	// Location is where in the definition, as a slash-separated path with
	// array indexes in brackets: "/States/Foo/Catch[0]/Next". "/" is the
	// top-level object; "" is no location (AWS renders it as "null").
	Location string
}

// String renders the diagnostic as AWS does inside an InvalidDefinition
// message: "CODE: message at /location" ("at null" without a location).
func (d Diagnostic) String() string {
	var b strings.Builder
	b.Grow(len(d.Code) + len(d.Message) + len(d.Location) + 6)
	b.WriteString(string(d.Code))
	b.WriteString(": ")
	b.WriteString(d.Message)
	b.WriteString(" at ")
	if d.Location == "" {
		b.WriteString("null")
	} else {
		b.WriteString(d.Location)
	}
	return b.String()
}

// ValidationError is the error Parse and Validate return for an invalid
// definition. It holds every diagnostic of severity ERROR, in document
// order. Use errors.As to get it.
type ValidationError struct {
	Diagnostics []Diagnostic
}

// Error renders the diagnostics as the message of AWS's InvalidDefinition
// error: "Invalid State Machine Definition: 'D1, D2'".
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("Invalid State Machine Definition: '")
	for i, d := range e.Diagnostics {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.String())
	}
	b.WriteString("'")
	return b.String()
}

// Has reports whether some diagnostic has the code.
func (e *ValidationError) Has(code Code) bool {
	for _, d := range e.Diagnostics {
		if d.Code == code {
			return true
		}
	}
	return false
}
