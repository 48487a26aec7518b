package console

import (
	"bytes"
	"encoding/json"

	"github.com/sluicehq/sluice/asl/jsonpath"
)

// FlowStep is one step of a state's data flow, as the AWS console's "Advanced" input and output view
// shows it: the value after the step, and the field that made it.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html
type FlowStep struct {
	Name  string // "State input", "After InputPath", ...
	Field string // the definition's field for the step ("" for recorded values)
	Expr  string // the field's value in the definition
	Value string // the JSON after the step ("" when it cannot be known)
	// Recorded says the value is the history's own; the others are worked out here from the recorded
	// ones with the state's fields, as the engine applies them (JSONPath states only).
	Recorded bool
	Note     string
}

// flowSteps lays out the data flow of one entry into a state: recorded values (input, the task's
// parameters and result, output) with the steps between them applied to the recorded values.
func flowSteps(fields map[string]json.RawMessage, v *Visit) []FlowStep {
	field := func(name string) (string, bool) {
		raw, ok := fields[name]
		if !ok {
			return "", false
		}
		return compactJSON(raw), true
	}
	jsonPath := true
	if q, ok := field("QueryLanguage"); ok && q == "JSONata" {
		jsonPath = false
	}
	input := v.Entered.Details.Input
	steps := []FlowStep{{Name: "State input", Value: indentJSON(input), Recorded: true}}
	effective := input // the input after InputPath
	if expr, ok := field("InputPath"); ok && jsonPath {
		s := FlowStep{Name: "After InputPath", Field: "InputPath", Expr: expr}
		if string(fields["InputPath"]) == "null" {
			effective = "{}"
		} else if val, err := evalPath(expr, input); err == nil {
			effective = val
		} else {
			s.Note = err.Error()
			effective = ""
		}
		s.Value = indentJSON(effective)
		steps = append(steps, s)
	}
	var attempt *Attempt
	if n := len(v.Attempts); n > 0 {
		attempt = v.Attempts[n-1]
	}
	for _, f := range []string{"Parameters", "Arguments", "ItemSelector"} {
		if expr, ok := field(f); ok {
			s := FlowStep{Name: "After " + f, Field: f, Expr: expr}
			if attempt != nil && f != "ItemSelector" {
				s.Name, s.Value, s.Recorded = "Task input (after InputPath and "+f+")", indentJSON(attempt.Scheduled.Details.Parameters), true
			}
			steps = append(steps, s)
		}
	}
	if attempt == nil || attempt.Output == "" {
		if v.Failure != nil && v.Exited != nil {
			steps = append(steps, FlowStep{Name: "Error output (to the Catcher's ResultPath)", Recorded: true,
				Value: indentJSON(mustMarshal(map[string]string{"Error": v.Failure.Details.Error, "Cause": v.Failure.Details.Cause}))})
		}
		return append(steps, outputStep(v))
	}
	result := attempt.Output
	steps = append(steps, FlowStep{Name: "Task result", Value: indentJSON(result), Recorded: true})
	selected := result
	if expr, ok := field("ResultSelector"); ok && jsonPath {
		s := FlowStep{Name: "After ResultSelector", Field: "ResultSelector", Expr: expr}
		if val, err := evalTemplate(fields["ResultSelector"], result); err == nil {
			selected, s.Value = val, indentJSON(val)
		} else {
			selected, s.Note = "", "not worked out here: "+err.Error()
		}
		steps = append(steps, s)
	}
	if jsonPath && v.Failure == nil {
		expr, ok := field("ResultPath")
		if !ok {
			expr = "$"
		}
		s := FlowStep{Name: "After ResultPath", Field: "ResultPath", Expr: expr}
		switch {
		case selected == "" || effective == "":
		case string(fields["ResultPath"]) == "null":
			s.Value = indentJSON(input) // the result is discarded: the state input goes on
		default:
			if val, err := setPath(input, expr, selected); err == nil {
				s.Value = indentJSON(val)
			} else {
				s.Note = err.Error()
			}
		}
		steps = append(steps, s)
	}
	return append(steps, outputStep(v))
}

func outputStep(v *Visit) FlowStep {
	s := FlowStep{Name: "State output (after OutputPath)", Recorded: true}
	if v.Exited != nil {
		s.Value = indentJSON(v.Exited.Details.Output)
	} else {
		s.Note = "none: the state did not exit"
	}
	return s
}

func decodeJSON(text string) (any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func mustMarshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func evalPath(expr, input string) (string, error) {
	p, err := jsonpath.Compile(expr)
	if err != nil {
		return "", err
	}
	in, err := decodeJSON(input)
	if err != nil {
		return "", err
	}
	out, err := p.Eval(&jsonpath.Scope{Input: in})
	if err != nil {
		return "", err
	}
	return mustMarshal(out), nil
}

func evalTemplate(raw json.RawMessage, input string) (string, error) {
	tmpl, err := decodeJSON(string(raw))
	if err != nil {
		return "", err
	}
	t, err := jsonpath.CompileTemplate(tmpl)
	if err != nil {
		return "", err
	}
	in, err := decodeJSON(input)
	if err != nil {
		return "", err
	}
	out, err := t.Eval(&jsonpath.Scope{Input: in})
	if err != nil {
		return "", err
	}
	return mustMarshal(out), nil
}

func setPath(doc, expr, value string) (string, error) {
	ref, err := jsonpath.CompileReference(expr)
	if err != nil {
		return "", err
	}
	d, err := decodeJSON(doc)
	if err != nil {
		return "", err
	}
	val, err := decodeJSON(value)
	if err != nil {
		return "", err
	}
	out, err := jsonpath.Set(d, ref, val)
	if err != nil {
		return "", err
	}
	return mustMarshal(out), nil
}
