package template

// Condition functions (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-conditions.html
// and https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html).

// condition evaluates Fn::Equals, Fn::And, Fn::Or, Fn::Not and a {"Condition": name} reference.
func (e *evaluator) condition(fn string, arg any) (any, error) {
	if fn == "Condition" {
		name, ok := arg.(string)
		if !ok {
			return nil, formatErrorf("Every Condition member must be a string")
		}
		return e.s.conditionValue(name)
	}
	a, ok := arg.([]any)
	if !ok {
		return nil, templateErrorf("%s requires a list argument", fn)
	}
	switch fn {
	case "Fn::Equals":
		if len(a) != 2 {
			return nil, templateErrorf("Fn::Equals requires a list argument with two elements")
		}
		x, err := e.eval(a[0])
		if err != nil {
			return nil, err
		}
		y, err := e.eval(a[1])
		if err != nil {
			return nil, err
		}
		return equalValues(x, y), nil
	case "Fn::Not":
		if len(a) != 1 {
			return nil, templateErrorf("Fn::Not requires a list argument with one function token")
		}
		b, err := e.conditionArg(a[0])
		if err != nil {
			return nil, err
		}
		return !b, nil
	}
	// Fn::And and Fn::Or take 2 to 10 conditions.
	if len(a) < 2 || len(a) > 10 {
		return nil, templateErrorf("%s requires a list argument with between 2 and 10 function tokens", fn)
	}
	for _, x := range a {
		b, err := e.conditionArg(x)
		if err != nil {
			return nil, err
		}
		if fn == "Fn::And" && !b {
			return false, nil
		}
		if fn == "Fn::Or" && b {
			return true, nil
		}
	}
	return fn == "Fn::And", nil
}

// conditionArg evaluates one operand of Fn::And, Fn::Or or Fn::Not: a condition function or a
// {"Condition": name}.
func (e *evaluator) conditionArg(x any) (bool, error) {
	inner := *e
	inner.inCondition = true
	v, err := inner.eval(x)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, templateErrorf("Condition operand must be a condition function or a Condition reference")
	}
	return b, nil
}

// equalValues compares two evaluated values as CloudFormation does: scalars by their text, lists
// member by member.
func equalValues(x, y any) bool {
	xs, xok := stringValue(x)
	ys, yok := stringValue(y)
	if xok && yok {
		return xs == ys
	}
	xl, xok := x.([]any)
	yl, yok := y.([]any)
	if xok && yok && len(xl) == len(yl) {
		for i := range xl {
			if !equalValues(xl[i], yl[i]) {
				return false
			}
		}
		return true
	}
	_, xn := x.(noValue)
	_, yn := y.(noValue)
	return xn && yn
}

// conditionValue returns a named condition's value, evaluating it (once) on first use.
func (s *Stack) conditionValue(name string) (bool, error) {
	if v, ok := s.conditions[name]; ok {
		return v, nil
	}
	body, ok := s.t.Conditions[name]
	if !ok {
		return false, formatErrorf("Unresolved condition dependencies [%s] in the Conditions block of the template", name)
	}
	if s.evaluating[name] {
		return false, formatErrorf("Circular dependency between conditions: [%s]", name)
	}
	s.evaluating[name] = true
	defer delete(s.evaluating, name)
	e := &evaluator{s: s, inCondition: true}
	v, err := e.eval(body)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, formatErrorf("Condition %s must be a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition)", name)
	}
	s.conditions[name] = b
	return b, nil
}
