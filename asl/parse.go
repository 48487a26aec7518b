package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Parse decodes an ASL definition and validates it as CreateStateMachine
// does. It returns a *ValidationError holding every error diagnostic when
// the definition would be rejected; warnings do not fail Parse (Validate
// returns them). The returned machine must not be modified.
func Parse(data []byte) (*StateMachine, error) {
	sm, diags := parse(data)
	if errs := onlyErrors(diags); errs != nil {
		return nil, &ValidationError{Diagnostics: errs}
	}
	return sm, nil
}

// Validate checks a definition as AWS's ValidateStateMachineDefinition
// does and returns every diagnostic, errors and warnings, in document
// order. An empty result means the definition is valid.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html
func Validate(data []byte) []Diagnostic {
	_, diags := parse(data)
	return diags
}

// Validate checks a machine built in Go against the same rules Parse
// applies to JSON, returning a *ValidationError when it is invalid.
func (sm *StateMachine) Validate() error {
	b, err := json.Marshal(sm)
	if err != nil {
		return fmt.Errorf("encode state machine: %w", err)
	}
	_, err = Parse(b)
	return err
}

// UnmarshalJSON decodes an ASL definition into sm. It reports structural
// problems (invalid JSON, unknown fields, values of the wrong type) as a
// *ValidationError but does not apply the semantic rules; use Parse for
// that.
func (sm *StateMachine) UnmarshalJSON(data []byte) error {
	doc, diags := decodeJSON(data)
	if diags != nil {
		return &ValidationError{Diagnostics: diags}
	}
	var d decoder
	m := d.decodeMachine(doc)
	if errs := onlyErrors(d.diags); errs != nil {
		return &ValidationError{Diagnostics: errs}
	}
	*sm = *m
	return nil
}

func parse(data []byte) (*StateMachine, []Diagnostic) {
	doc, diags := decodeJSON(data)
	if diags != nil {
		return nil, diags
	}
	var d decoder
	sm := d.decodeMachine(doc)
	if sm == nil || d.diags != nil {
		// Structural errors first: the semantic rules would only repeat
		// them (a state with a wrong Type has no transitions, ...).
		return nil, d.diags
	}
	v := validator{}
	v.machine(sm)
	return sm, v.diags
}

// decodeJSON reads one JSON value with numbers kept as json.Number. A
// repeated state name is reported as DUPLICATE_STATE_NAME.
func decodeJSON(data []byte) (any, []Diagnostic) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []Diagnostic{{Severity: SeverityError, Code: CodeMissingDescription, Message: "The definition is empty"}}
	}
	doc, dups, err := parseJSON(data)
	if err != nil {
		return nil, []Diagnostic{{Severity: SeverityError, Code: CodeInvalidJSONDescription, Message: err.Error()}}
	}
	if dups != nil {
		return nil, dups
	}
	return doc, nil
}

func onlyErrors(diags []Diagnostic) []Diagnostic {
	var out []Diagnostic
	for _, d := range diags {
		if d.Severity == SeverityError {
			out = append(out, d)
		}
	}
	return out
}
