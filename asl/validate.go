package asl

import (
	"strconv"
	"unicode/utf8"
)

// Limits AWS enforces on definitions.
// https://docs.aws.amazon.com/step-functions/latest/dg/limits-overview.html
const (
	// MaxStateNameLength is the longest state name AWS accepts.
	MaxStateNameLength = 80
	// maxSeconds is the largest TimeoutSeconds, HeartbeatSeconds, Wait
	// Seconds, IntervalSeconds and MaxAttempts the ASL schema allows.
	maxSeconds = 99999999
	// maxDelaySeconds is the largest MaxDelaySeconds (one year and a day).
	maxDelaySeconds = 31622400
	// maxLabelLength is the longest Map Label.
	maxLabelLength = 40
)

// validator applies the semantic rules to a decoded machine. It works on
// the model, so it checks Go-authored machines too.
type validator struct {
	diags []Diagnostic
	// machineQL is the machine's QueryLanguage, the default for states.
	machineQL QueryLanguage
	// names counts every state name in the machine, across branches.
	names map[string]int
	// outer holds the locations of the enclosing scopes, as the decoder's
	// does: a location inside a scope is relative to it.
	outer []string
}

func (v *validator) errorf(code Code, loc, msg string) {
	v.diags = append(v.diags, Diagnostic{Severity: SeverityError, Code: code, Message: msg, Location: joinLocation(v.outer, loc)})
}

func (v *validator) schema(loc, msg string) { v.errorf(CodeSchemaValidationFailed, loc, msg) }

func (v *validator) warn(code Code, loc, msg string) {
	v.diags = append(v.diags, Diagnostic{Severity: SeverityWarning, Code: code, Message: msg, Location: joinLocation(v.outer, loc)})
}

func (v *validator) unsupported(loc, field string) {
	v.schema(loc, "Field '"+field+"' is not supported")
}

// otherLanguage reports a field of the other query language, at the
// field's own location (AWS reports each such field separately).
func (v *validator) otherLanguage(loc, field string) {
	v.schema(loc+"/"+field, "Field '"+field+"' is not supported for the state's QueryLanguage")
}

func (v *validator) machine(sm *StateMachine) {
	v.machineQL = sm.QueryLanguage
	v.names = make(map[string]int)
	if sm.Version != "" && sm.Version != "1.0" {
		v.schema("/Version", "The value for the field 'Version' must be '1.0'")
	}
	if t := sm.TimeoutSeconds; t != nil {
		v.intRange("/TimeoutSeconds", "TimeoutSeconds", *t, 1, maxSeconds)
	}
	v.scope("", sm.StartAt, sm.States)
}

// scope validates one States namespace: the machine's, a branch's or a
// Map processor's. at is its location ("" at the top); the locations of
// its fields are relative to it.
func (v *validator) scope(at, startAt string, states map[string]State) {
	v.outer = append(v.outer, at)
	defer func() { v.outer = v.outer[:len(v.outer)-1] }()
	const base = ""
	top := len(v.outer) == 1
	if len(states) == 0 {
		if states != nil {
			v.schema(base+"/States", "The field 'States' should be non-empty")
		}
		return
	}
	if startAt != "" {
		if _, ok := states[startAt]; !ok {
			v.errorf(CodeMissingTransitionTarget, base+"/StartAt", "Missing 'Next' target: "+startAt)
		}
	}
	order := FlowOrder(startAt, states)
	terminal := false
	for _, name := range order {
		loc := base + "/States/" + name
		v.names[name]++
		if v.names[name] == 2 {
			v.errorf(CodeDuplicateStateName, loc, "Duplicate State name: "+name)
		}
		if n := utf8.RuneCountInString(name); n > MaxStateNameLength || n == 0 {
			v.errorf(CodeInvalidStateName, loc, "State name '"+name+"' must be between 1 and 80 characters long")
		}
		s := states[name]
		v.state(s, loc)
		for _, next := range v.targets(s, loc) {
			if _, ok := states[next.name]; !ok {
				v.errorf(CodeMissingTransitionTarget, next.loc, "Missing 'Next' target: "+next.name)
			}
		}
		switch s.(type) {
		case *Succeed, *Fail:
			terminal = true
		default:
			if _, end := s.Transition(); end {
				terminal = true
			}
		}
	}
	if !terminal && top {
		// AWS checks this for the top level only, reports it without a
		// location, and then skips the reachability check.
		v.errorf(CodeMissingEndState, "", "Workflow has no terminal state")
		return
	}
	reached := reachable(startAt, states)
	for _, name := range order {
		if !reached[name] {
			v.errorf(CodeMissingTransitionTarget, base+"/States/"+name, "State \""+name+"\" is not reachable.")
		}
	}
}

// reachable marks the states a path from startAt reaches.
func reachable(startAt string, states map[string]State) map[string]bool {
	seen := make(map[string]bool, len(states))
	stack := []string{startAt}
	for len(stack) > 0 {
		name := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		s, ok := states[name]
		if !ok || s == nil || seen[name] {
			continue
		}
		seen[name] = true
		stack = append(stack, Transitions(s)...)
	}
	return seen
}

type target struct{ name, loc string }

// targets lists a state's transitions with their locations.
func (v *validator) targets(s State, loc string) []target {
	var out []target
	add := func(name, at string) {
		if name != "" {
			out = append(out, target{name, at})
		}
	}
	var catch []Catcher
	switch s := s.(type) {
	case *Choice:
		for i := range s.Choices {
			add(s.Choices[i].Next, index(loc+"/Choices", i)+"/Next")
		}
		add(s.Default, loc+"/Default")
		return out
	case *Task:
		catch = s.Catch
	case *Parallel:
		catch = s.Catch
	case *Map:
		catch = s.Catch
	}
	next, _ := s.Transition()
	add(next, loc+"/Next")
	for i := range catch {
		add(catch[i].Next, index(loc+"/Catch", i)+"/Next")
	}
	return out
}

// state validates one state's own fields.
func (v *validator) state(s State, loc string) {
	ql := v.language(s, loc)
	switch s := s.(type) {
	case *Pass:
		v.transition(loc, s.Next, s.End)
		v.io(loc, ql, ioFields{input: s.InputPath, output: s.OutputPath, result: s.ResultPath,
			parameters: s.Parameters, jsonataOutput: s.Output})
		v.assign(loc, ql, s.Assign)
		if s.Result != nil && ql == JSONata {
			v.otherLanguage(loc, "Result")
		} else {
			v.staticResult(loc+"/Result", s.Result)
		}
	case *Task:
		v.task(s, loc, ql)
	case *Choice:
		v.choice(s, loc, ql)
	case *Wait:
		v.wait(s, loc, ql)
	case *Succeed:
		v.io(loc, ql, ioFields{input: s.InputPath, output: s.OutputPath, jsonataOutput: s.Output})
	case *Fail:
		v.fail(s, loc, ql)
	case *Parallel:
		v.transition(loc, s.Next, s.End)
		v.io(loc, ql, ioFields{input: s.InputPath, output: s.OutputPath, result: s.ResultPath,
			parameters: s.Parameters, resultSelector: s.ResultSelector,
			arguments: s.Arguments, jsonataOutput: s.Output})
		v.assign(loc, ql, s.Assign)
		v.retryCatch(loc, ql, s.Retry, s.Catch)
		if len(s.Branches) == 0 {
			v.schema(loc+"/Branches", "The field 'Branches' should be non-empty")
		}
		for i := range s.Branches {
			b := &s.Branches[i]
			bl := index(loc+"/Branches", i)
			v.scope(bl, b.StartAt, b.States)
		}
	case *Map:
		v.mapState(s, loc, ql)
	}
}

// language reports the state's effective query language and checks that a
// JSONata machine holds no JSONPath state.
func (v *validator) language(s State, loc string) QueryLanguage {
	own := s.Language()
	if own == JSONPath && v.machineQL == JSONata {
		v.schema(loc+"/QueryLanguage", "A state cannot use JSONPath when the state machine's QueryLanguage is JSONata")
	}
	return EffectiveLanguage(s, v.machineQL)
}

func (v *validator) transition(loc, next string, end bool) {
	switch {
	case next != "" && end:
		v.schema(loc, "Only one of 'Next' or 'End' may be set")
	case next == "" && !end:
		v.schema(loc, "These fields are required: [Next or End]")
	}
}

func (v *validator) intRange(loc, field string, n, lo, hi int) {
	if n < lo || n > hi {
		v.schema(loc, "The value for the field '"+field+"' must be between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
	}
}

// intExpr checks an integer field that JSONata may give as an expression.
func (v *validator) intExpr(loc, field string, x *IntExpr, ql QueryLanguage, lo, hi int) {
	if x == nil {
		return
	}
	if x.Expr != "" {
		if ql != JSONata {
			v.schema(loc, "The value for the field '"+field+"' must be an INTEGER")
			return
		}
		v.jsonataString(loc, field, x.Expr)
		return
	}
	v.intRange(loc, field, x.Value, lo, hi)
}

// exclusive reports, at the first field, two fields that cannot be given
// together.
func (v *validator) exclusive(loc, a, b string, hasA, hasB bool) {
	if hasA && hasB {
		v.schema(loc+"/"+a, "Fields '"+a+"' and '"+b+"' are mutually exclusive")
	}
}
