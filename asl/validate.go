package asl

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sluicehq/sluice/asl/jsonpath"
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
}

func (v *validator) errorf(code Code, loc, msg string) {
	v.diags = append(v.diags, Diagnostic{Severity: SeverityError, Code: code, Message: msg, Location: loc})
}

func (v *validator) schema(loc, msg string) { v.errorf(CodeSchemaValidationFailed, loc, msg) }

func (v *validator) warn(code Code, loc, msg string) {
	v.diags = append(v.diags, Diagnostic{Severity: SeverityWarning, Code: code, Message: msg, Location: loc})
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
// Map processor's. base is the location prefix of its fields ("" at the top).
func (v *validator) scope(base, startAt string, states map[string]State) {
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
	if !terminal && base == "" {
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

// ioFields gathers the data-flow fields a state has, to check them the
// same way for every state type.
type ioFields struct {
	input, output, result Path
	parameters            any
	resultSelector        any
	arguments             any
	jsonataOutput         any
}

func (v *validator) io(loc string, ql QueryLanguage, f ioFields) {
	if ql == JSONata {
		if !f.input.IsAbsent() {
			v.otherLanguage(loc, "InputPath")
		}
		if !f.output.IsAbsent() {
			v.otherLanguage(loc, "OutputPath")
		}
		if !f.result.IsAbsent() {
			v.otherLanguage(loc, "ResultPath")
		}
		if f.parameters != nil {
			v.otherLanguage(loc, "Parameters")
		}
		if f.resultSelector != nil {
			v.otherLanguage(loc, "ResultSelector")
		}
		// Arguments is an object or array of values, or one expression.
		if str, ok := f.arguments.(string); ok {
			v.jsonataString(loc+"/Arguments", "Arguments", str)
		} else {
			v.jsonataValue(loc+"/Arguments", f.arguments)
		}
		v.jsonataValue(loc+"/Output", f.jsonataOutput)
		return
	}
	if f.arguments != nil {
		v.otherLanguage(loc, "Arguments")
	}
	if f.jsonataOutput != nil {
		v.otherLanguage(loc, "Output")
	}
	v.pathField(loc+"/InputPath", "InputPath", f.input, false)
	v.pathField(loc+"/OutputPath", "OutputPath", f.output, false)
	v.pathField(loc+"/ResultPath", "ResultPath", f.result, true)
	v.template(loc+"/Parameters", "Parameters", f.parameters)
	v.template(loc+"/ResultSelector", "ResultSelector", f.resultSelector)
	if f.resultSelector != nil {
		if _, ok := f.resultSelector.(map[string]any); !ok {
			v.schema(loc+"/ResultSelector", "The value for the field 'ResultSelector' must be an OBJECT")
		}
	}
}

// pathField checks an InputPath or OutputPath (a JSONPath) or, when
// reference is set, a ResultPath.
func (v *validator) pathField(loc, field string, p Path, reference bool) {
	expr, ok := p.Expr()
	if !ok {
		return
	}
	var err error
	if reference {
		err = checkResultPath(expr)
	} else {
		err = checkPath(expr)
	}
	if err != nil {
		kind := "JSONPath"
		if reference {
			kind = "reference path"
		}
		v.schema(loc, "The value for the field '"+field+"' must be a valid "+kind)
	}
}

// refPath checks a field holding a reference path ("" is absent).
func (v *validator) refPath(loc, field, expr string, ql QueryLanguage) {
	if expr == "" {
		return
	}
	if ql == JSONata {
		v.otherLanguage(loc[:strings.LastIndexByte(loc, '/')], field)
		return
	}
	if checkReferencePath(expr) != nil {
		v.schema(loc, "The value for the field '"+field+"' must be a valid reference path")
	}
}

// template checks a JSONPath payload template: every "key.$" value must be
// a path or an intrinsic function call.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html#input-output-parameters
func (v *validator) template(loc, field string, t any) {
	if t == nil {
		return
	}
	n := len(v.diags)
	v.templateFields(loc, field, t)
	if len(v.diags) > n {
		return
	}
	// Whatever else asl/jsonpath refuses to compile (a key given both with
	// and without ".$", ...) is refused here too.
	if _, err := jsonpath.CompileTemplate(t); err != nil {
		v.schema(loc, err.Error())
	}
}

func (v *validator) templateFields(loc, field string, t any) {
	switch t := t.(type) {
	case map[string]any:
		for _, k := range sortedKeys(t) {
			val := t[k]
			if strings.HasSuffix(k, ".$") {
				s, ok := val.(string)
				if !ok || checkDynamic(s) != nil {
					v.schema(loc, "The value for the field '"+k+"' must be a valid JSONPath or a valid intrinsic function call")
				}
				continue
			}
			if str, ok := val.(string); ok && looksDynamic(str) {
				v.warn(CodeNoDollar, loc, "The field '"+k+"' holds a path or an intrinsic function call but its name does not end with '.$', so it is used as a plain string")
			}
			v.templateFields(loc, field, val)
		}
	case []any:
		for _, e := range t {
			v.templateFields(loc, field, e)
		}
	}
}

// looksDynamic reports whether a string looks like a path ("$.x", "$$.x",
// "$") or an intrinsic function call.
func looksDynamic(s string) bool {
	return s == "$" || strings.HasPrefix(s, "$.") || strings.HasPrefix(s, "$$.") ||
		strings.HasPrefix(s, "$[") || (strings.HasPrefix(s, "States.") && strings.HasSuffix(s, ")"))
}

// staticResult warns about a Pass state's Result that holds what look
// like paths: Result is never evaluated.
func (v *validator) staticResult(loc string, r any) {
	switch r := r.(type) {
	case string:
		if looksDynamic(r) {
			v.warn(CodePassResultIsStatic, loc, "The Result of a Pass state is static: the path '"+r+"' is not evaluated")
		}
	case map[string]any:
		for _, k := range sortedKeys(r) {
			if strings.HasSuffix(k, ".$") {
				v.warn(CodePassResultIsStatic, loc, "The Result of a Pass state is static: the field '"+k+"' is not evaluated")
				continue
			}
			v.staticResult(loc, r[k])
		}
	case []any:
		for _, e := range r {
			v.staticResult(loc, e)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// jsonataValue checks that every string in a JSONata field that opens an
// expression with "{%" closes it with "%}".
// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
func (v *validator) jsonataValue(loc string, val any) {
	switch t := val.(type) {
	case string:
		if strings.HasPrefix(t, "{%") && !isJSONataExpr(t) {
			v.schema(loc, "The JSONata expression '"+t+"' must end with '%}'")
		}
	case map[string]any:
		for _, k := range sortedKeys(t) {
			v.jsonataValue(loc, t[k])
		}
	case []any:
		for _, e := range t {
			v.jsonataValue(loc, e)
		}
	}
}

// isJSONataExpr reports whether s is a JSONata expression "{% ... %}".
func isJSONataExpr(s string) bool {
	return len(s) >= 4 && strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}")
}

// jsonataString checks a field that, when a string, must be a JSONata
// expression.
func (v *validator) jsonataString(loc, field, s string) {
	if !isJSONataExpr(s) {
		v.schema(loc, "The value for the field '"+field+"' must be a JSONata expression enclosed in {% %}")
	}
}

// assign checks an Assign object: variable names, and in JSONPath mode the
// "name.$" values.
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
func (v *validator) assign(loc string, ql QueryLanguage, a map[string]any) {
	if a == nil {
		return
	}
	at := loc + "/Assign"
	for _, k := range sortedKeys(a) {
		name := k
		if ql == JSONPath {
			name = strings.TrimSuffix(k, ".$")
		}
		if !validVariableName(name) {
			v.schema(at, "The variable name '"+name+"' is not valid")
		}
	}
	if ql == JSONata {
		v.jsonataValue(at, a)
	} else {
		v.template(at, "Assign", a)
	}
}

// validVariableName reports whether name can be a workflow variable: a
// letter or underscore, then letters, digits and underscores, at most 80
// characters, and not the reserved name "states".
func validVariableName(name string) bool {
	if name == "" || len(name) > 80 || name == "states" {
		return false
	}
	for i, r := range name {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r > 0x7f:
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
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

func (v *validator) task(s *Task, loc string, ql QueryLanguage) {
	v.transition(loc, s.Next, s.End)
	v.resource(loc, s.Resource)
	v.io(loc, ql, ioFields{input: s.InputPath, output: s.OutputPath, result: s.ResultPath,
		parameters: s.Parameters, resultSelector: s.ResultSelector,
		arguments: s.Arguments, jsonataOutput: s.Output})
	v.assign(loc, ql, s.Assign)
	v.retryCatch(loc, ql, s.Retry, s.Catch)
	v.exclusive(loc, "TimeoutSeconds", "TimeoutSecondsPath", s.TimeoutSeconds != nil, s.TimeoutSecondsPath != "")
	v.exclusive(loc, "HeartbeatSeconds", "HeartbeatSecondsPath", s.HeartbeatSeconds != nil, s.HeartbeatSecondsPath != "")
	v.intExpr(loc+"/TimeoutSeconds", "TimeoutSeconds", s.TimeoutSeconds, ql, 1, maxSeconds)
	v.intExpr(loc+"/HeartbeatSeconds", "HeartbeatSeconds", s.HeartbeatSeconds, ql, 1, maxSeconds)
	if t, h := s.TimeoutSeconds, s.HeartbeatSeconds; t != nil && h != nil && t.Expr == "" && h.Expr == "" && h.Value >= t.Value {
		v.schema(loc+"/HeartbeatSeconds", "The value for the field 'HeartbeatSeconds' must be smaller than 'TimeoutSeconds'")
	}
	v.refPath(loc+"/TimeoutSecondsPath", "TimeoutSecondsPath", s.TimeoutSecondsPath, ql)
	v.refPath(loc+"/HeartbeatSecondsPath", "HeartbeatSecondsPath", s.HeartbeatSecondsPath, ql)
	if c := s.Credentials; c != nil {
		cl := loc + "/Credentials"
		v.exclusive(cl, "RoleArn", "RoleArn.$", c.RoleArn != "", c.RoleArnPath != "")
		if c.RoleArnPath != "" {
			if ql == JSONata {
				v.otherLanguage(cl, "RoleArn.$")
			} else if checkDynamic(c.RoleArnPath) != nil {
				v.schema(cl, "The value for the field 'RoleArn.$' must be a valid JSONPath or a valid intrinsic function call")
			}
		}
		if ql == JSONata {
			v.jsonataValue(cl+"/RoleArn", c.RoleArn)
		}
	}
}

func (v *validator) retryCatch(loc string, ql QueryLanguage, retry []Retrier, catch []Catcher) {
	for i := range retry {
		r := &retry[i]
		rl := index(loc+"/Retry", i)
		v.errorEquals(rl, r.ErrorEquals, i == len(retry)-1, "Retry")
		if r.IntervalSeconds != nil {
			v.intRange(rl+"/IntervalSeconds", "IntervalSeconds", *r.IntervalSeconds, 1, maxSeconds)
		}
		if r.MaxAttempts != nil {
			v.intRange(rl+"/MaxAttempts", "MaxAttempts", *r.MaxAttempts, 0, maxSeconds)
		}
		if r.BackoffRate != nil && *r.BackoffRate < 1 {
			v.schema(rl+"/BackoffRate", "The value for the field 'BackoffRate' must be greater than or equal to 1.0")
		}
		if r.MaxDelaySeconds != nil {
			v.intRange(rl+"/MaxDelaySeconds", "MaxDelaySeconds", *r.MaxDelaySeconds, 1, maxDelaySeconds)
		}
		switch r.JitterStrategy {
		case "", JitterFull, JitterNone:
		default:
			v.schema(rl+"/JitterStrategy", "The value for the field 'JitterStrategy' must be one of [FULL, NONE]")
		}
	}
	for i := range catch {
		c := &catch[i]
		cl := index(loc+"/Catch", i)
		v.errorEquals(cl, c.ErrorEquals, i == len(catch)-1, "Catch")
		if ql == JSONata {
			if !c.ResultPath.IsAbsent() {
				v.otherLanguage(cl, "ResultPath")
			}
			v.jsonataValue(cl+"/Output", c.Output)
		} else {
			if c.Output != nil {
				v.otherLanguage(cl, "Output")
			}
			v.pathField(cl+"/ResultPath", "ResultPath", c.ResultPath, true)
		}
		v.assign(cl, ql, c.Assign)
	}
}

// errorEquals checks one retrier's or catcher's ErrorEquals: non-empty, and
// States.ALL alone and in the last element.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
func (v *validator) errorEquals(loc string, names []string, last bool, field string) {
	at := loc + "/ErrorEquals"
	if len(names) == 0 {
		v.schema(at, "The field 'ErrorEquals' should be non-empty")
		return
	}
	if !slices.Contains(names, ErrAll) {
		return
	}
	if len(names) > 1 {
		v.schema(at, "The error name States.ALL must appear alone in ErrorEquals")
	}
	if !last {
		v.schema(at, "The error name States.ALL must appear in the last "+field+" entry")
	}
}

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

func (v *validator) wait(s *Wait, loc string, ql QueryLanguage) {
	v.transition(loc, s.Next, s.End)
	v.io(loc, ql, ioFields{input: s.InputPath, output: s.OutputPath, jsonataOutput: s.Output})
	v.assign(loc, ql, s.Assign)
	n := 0
	for _, set := range [...]bool{s.Seconds != nil, s.SecondsPath != "", s.Timestamp != "", s.TimestampPath != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		v.schema(loc, "Exactly one of 'Seconds', 'SecondsPath', 'Timestamp' or 'TimestampPath' is required")
	}
	v.intExpr(loc+"/Seconds", "Seconds", s.Seconds, ql, 0, maxSeconds)
	if s.Timestamp != "" {
		if ql == JSONata && strings.HasPrefix(s.Timestamp, "{%") {
			v.jsonataString(loc+"/Timestamp", "Timestamp", s.Timestamp)
		} else if !ValidTimestamp(s.Timestamp) {
			v.schema(loc+"/Timestamp", "String does not match RFC3339 timestamp")
		}
	}
	v.refPath(loc+"/SecondsPath", "SecondsPath", s.SecondsPath, ql)
	v.refPath(loc+"/TimestampPath", "TimestampPath", s.TimestampPath, ql)
}

func (v *validator) fail(s *Fail, loc string, ql QueryLanguage) {
	v.exclusive(loc, "Error", "ErrorPath", s.Error != "", s.ErrorPath != "")
	v.exclusive(loc, "Cause", "CausePath", s.Cause != "", s.CausePath != "")
	if ql == JSONPath {
		for _, f := range [...]struct{ name, val string }{{"Error", s.Error}, {"Cause", s.Cause}} {
			if looksDynamic(f.val) {
				v.warn(CodeNoPath, loc+"/"+f.name, "The value of '"+f.name+"' looks like a path, but the field name does not end with 'Path'")
			}
		}
	}
	for _, f := range [...]struct{ name, val string }{{"ErrorPath", s.ErrorPath}, {"CausePath", s.CausePath}} {
		if f.val == "" {
			continue
		}
		if ql == JSONata {
			v.otherLanguage(loc, f.name)
			continue
		}
		if checkPathOrIntrinsic(f.val) != nil {
			v.schema(loc+"/"+f.name, "The value for the field '"+f.name+"' must be a valid JSONPath or a valid intrinsic function call")
		}
	}
	if ql == JSONata {
		v.jsonataValue(loc+"/Error", s.Error)
		v.jsonataValue(loc+"/Cause", s.Cause)
	}
}

func (v *validator) mapState(s *Map, loc string, ql QueryLanguage) {
	v.transition(loc, s.Next, s.End)
	v.io(loc, ql, ioFields{input: s.InputPath, output: s.OutputPath, result: s.ResultPath,
		parameters: s.Parameters, resultSelector: s.ResultSelector,
		jsonataOutput: s.Output})
	v.assign(loc, ql, s.Assign)
	v.retryCatch(loc, ql, s.Retry, s.Catch)
	v.exclusive(loc, "ItemProcessor", "Iterator", s.ItemProcessor != nil, s.Iterator != nil)
	v.exclusive(loc, "ItemSelector", "Parameters", s.ItemSelector != nil, s.Parameters != nil)
	v.exclusive(loc, "MaxConcurrency", "MaxConcurrencyPath", s.MaxConcurrency != nil, s.MaxConcurrencyPath != "")
	v.exclusive(loc, "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", s.ToleratedFailurePercentage != nil, s.ToleratedFailurePercentagePath != "")
	v.exclusive(loc, "ToleratedFailureCount", "ToleratedFailureCountPath", s.ToleratedFailureCount != nil, s.ToleratedFailureCountPath != "")
	if ql == JSONata {
		if s.ItemsPath != "" {
			v.otherLanguage(loc, "ItemsPath")
		}
		v.jsonataValue(loc+"/ItemSelector", s.ItemSelector)
		v.jsonataValue(loc+"/Items", s.Items)
		if str, ok := s.Items.(string); ok {
			v.jsonataString(loc+"/Items", "Items", str)
		}
	} else {
		if s.Items != nil {
			v.otherLanguage(loc, "Items")
		}
		v.refPath(loc+"/ItemsPath", "ItemsPath", s.ItemsPath, ql)
		v.template(loc+"/ItemSelector", "ItemSelector", s.ItemSelector)
	}
	// AWS accepts any non-negative MaxConcurrency and caps it at run time.
	v.intExpr(loc+"/MaxConcurrency", "MaxConcurrency", s.MaxConcurrency, ql, 0, math.MaxInt)
	v.intExpr(loc+"/ToleratedFailureCount", "ToleratedFailureCount", s.ToleratedFailureCount, ql, 0, maxSeconds)
	if p := s.ToleratedFailurePercentage; p != nil {
		if p.Expr != "" {
			if ql != JSONata {
				v.schema(loc+"/ToleratedFailurePercentage", "The value for the field 'ToleratedFailurePercentage' must be a NUMBER")
			} else {
				v.jsonataString(loc+"/ToleratedFailurePercentage", "ToleratedFailurePercentage", p.Expr)
			}
		} else if p.Value < 0 || p.Value > 100 {
			v.schema(loc+"/ToleratedFailurePercentage", "The value for the field 'ToleratedFailurePercentage' must be between 0 and 100")
		}
	}
	v.refPath(loc+"/MaxConcurrencyPath", "MaxConcurrencyPath", s.MaxConcurrencyPath, ql)
	v.refPath(loc+"/ToleratedFailurePercentagePath", "ToleratedFailurePercentagePath", s.ToleratedFailurePercentagePath, ql)
	v.refPath(loc+"/ToleratedFailureCountPath", "ToleratedFailureCountPath", s.ToleratedFailureCountPath, ql)
	if len(s.Label) > maxLabelLength {
		v.errorf(CodeInvalidLabelName, loc+"/Label", "The value for the field 'Label' must be at most 40 characters long")
	}

	if r := s.ItemReader; r != nil {
		v.itemReader(r, loc+"/ItemReader", ql)
	}
	if b := s.ItemBatcher; b != nil {
		v.itemBatcher(b, loc+"/ItemBatcher", ql)
	}
	if w := s.ResultWriter; w != nil {
		v.resultWriter(w, loc+"/ResultWriter", ql)
	}
	switch {
	case s.ItemProcessor != nil:
		v.processor(s.ItemProcessor, loc+"/ItemProcessor")
	case s.Iterator != nil:
		v.processor(s.Iterator, loc+"/Iterator")
	}
}

// processor validates a Map state's ItemProcessor (or Iterator).
func (v *validator) processor(p *ItemProcessor, pl string) {
	if c := p.ProcessorConfig; c != nil {
		cl := pl + "/ProcessorConfig"
		switch c.Mode {
		case "", ModeInline:
			if c.ExecutionType != "" {
				v.unsupported(cl, "ExecutionType")
			}
		case ModeDistributed:
			switch c.ExecutionType {
			case ExecutionStandard, ExecutionExpress:
			case "":
				v.schema(cl, "These fields are required: [ExecutionType]")
			default:
				v.schema(cl+"/ExecutionType", "The value for the field 'ExecutionType' must be one of [STANDARD, EXPRESS]")
			}
		default:
			v.schema(cl+"/Mode", "The value for the field 'Mode' must be one of [INLINE, DISTRIBUTED]")
		}
	}
	v.scope(pl, p.StartAt, p.States)
}
