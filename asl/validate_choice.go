package asl

import (
	"encoding/json"
)

func (v *validator) choice(s *Choice, loc string, ql QueryLanguage) {
	v.io(loc, ql, ioFields{input: s.InputPath, output: s.OutputPath, jsonataOutput: s.Output})
	v.assign(loc, ql, s.Assign)
	if len(s.Choices) == 0 {
		v.schema(loc+"/Choices", "The field 'Choices' should be non-empty")
	}
	for i := range s.Choices {
		v.rule(&s.Choices[i], index(loc+"/Choices", i), ql, true)
	}
}

// rule checks a Choice rule; top says whether it is one of Choices (which
// carries Next) or nested in And, Or or Not (which may not).
// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
func (v *validator) rule(r *ChoiceRule, loc string, ql QueryLanguage, top bool) {
	if top {
		if r.Next == "" {
			v.schema(loc, "These fields are required: [Next]")
		}
		v.assign(loc, ql, r.Assign)
		if ql == JSONata {
			v.jsonataValue(loc+"/Output", r.Output)
		} else if r.Output != nil {
			v.otherLanguage(loc, "Output")
		}
	} else {
		for _, f := range [...]struct {
			name string
			set  bool
		}{{"Next", r.Next != ""}, {"Assign", r.Assign != nil}, {"Output", r.Output != nil}} {
			if f.set {
				v.unsupported(loc, f.name)
			}
		}
	}
	if ql == JSONata {
		if !top {
			v.otherLanguage(loc, "Condition")
			return
		}
		for _, f := range [...]struct {
			name string
			set  bool
		}{{"Variable", r.Variable != ""}, {"And", r.And != nil}, {"Or", r.Or != nil}, {"Not", r.Not != nil}} {
			if f.set {
				v.otherLanguage(loc, f.name)
			}
		}
		if r.Operator != "" {
			v.otherLanguage(loc, string(r.Operator))
		}
		switch c := r.Condition.(type) {
		case nil:
			v.schema(loc, "These fields are required: [Condition]")
		case bool:
		case string:
			v.jsonataString(loc+"/Condition", "Condition", c)
		default:
			v.schema(loc+"/Condition", "The value for the field 'Condition' must be a BOOLEAN or a JSONata expression")
		}
		return
	}
	if r.Condition != nil {
		v.otherLanguage(loc, "Condition")
	}
	kinds := 0
	for _, set := range [...]bool{r.Operator != "", r.And != nil, r.Or != nil, r.Not != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		v.schema(loc, "A choice rule must have exactly one of a comparison operator, 'And', 'Or' or 'Not'")
		return
	}
	switch {
	case r.And != nil || r.Or != nil:
		field, rules := "And", r.And
		if r.Or != nil {
			field, rules = "Or", r.Or
		}
		if r.Variable != "" {
			v.unsupported(loc, "Variable")
		}
		if len(rules) == 0 {
			v.schema(loc+"/"+field, "The field '"+field+"' should be non-empty")
		}
		for i := range rules {
			v.rule(&rules[i], index(loc+"/"+field, i), ql, false)
		}
	case r.Not != nil:
		if r.Variable != "" {
			v.unsupported(loc, "Variable")
		}
		v.rule(r.Not, loc+"/Not", ql, false)
	default:
		if r.Variable == "" {
			v.schema(loc, "These fields are required: [Variable]")
		} else if checkReferencePath(r.Variable) != nil {
			v.schema(loc+"/Variable", "The value for the field 'Variable' must be a valid JSONPath")
		}
		v.operand(r, loc+"/"+string(r.Operator))
	}
}

// operand checks a comparison's Value against its operator.
func (v *validator) operand(r *ChoiceRule, loc string) {
	op := string(r.Operator)
	switch r.Operator.Operand() {
	case OperandString, OperandPattern:
		if _, ok := r.Value.(string); !ok {
			v.schema(loc, "The value for the field '"+op+"' must be a STRING")
		}
	case OperandNumber:
		if !isNumber(r.Value) {
			v.schema(loc, "The value for the field '"+op+"' must be a NUMBER")
		}
	case OperandBoolean:
		if _, ok := r.Value.(bool); !ok {
			v.schema(loc, "The value for the field '"+op+"' must be a BOOLEAN")
		}
	case OperandTimestamp:
		s, ok := r.Value.(string)
		if !ok || !ValidTimestamp(s) {
			v.schema(loc, "String does not match RFC3339 timestamp")
		}
	case OperandPath:
		s, ok := r.Value.(string)
		if !ok || checkReferencePath(s) != nil {
			v.schema(loc, "The value for the field '"+op+"' must be a valid JSONPath")
		}
	}
}

func isNumber(x any) bool {
	switch x.(type) {
	case json.Number, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return true
	}
	return false
}
