package asl

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
)

// decoder turns a JSON document (as decoded with UseNumber) into the model,
// collecting a diagnostic for each structural problem: unknown fields,
// missing required fields, values of the wrong JSON type.
type decoder struct {
	diags []Diagnostic
	// outer holds the locations of the branches and item processors being
	// read, outermost first. A location inside one is relative to it and
	// the full one is built only for a diagnostic, so that reading a
	// deeply nested definition costs time linear in its size.
	outer []string
}

func (d *decoder) report(code Code, loc, msg string) {
	d.diags = append(d.diags, Diagnostic{Severity: SeverityError, Code: code, Message: msg, Location: joinLocation(d.outer, loc)})
}

// enter starts a nested branch or item processor at loc; the locations
// inside it are relative ("" is loc itself) until leave.
func (d *decoder) enter(loc string) { d.outer = append(d.outer, loc) }

func (d *decoder) leave() { d.outer = d.outer[:len(d.outer)-1] }

// joinLocation builds a full location from the enclosing ones and the
// relative one.
func joinLocation(outer []string, loc string) string {
	if len(outer) == 0 {
		return loc
	}
	n := len(loc)
	for _, o := range outer {
		n += len(o)
	}
	b := make([]byte, 0, n)
	for _, o := range outer {
		b = append(b, o...)
	}
	return string(append(b, loc...))
}

func (d *decoder) schema(loc, msg string) {
	d.report(CodeSchemaValidationFailed, loc, msg)
}

// fields reads the members of one JSON object and remembers which ones it
// read, so that done can report the rest as unsupported.
type fields struct {
	d    *decoder
	m    map[string]any
	loc  string
	read []string
}

func (d *decoder) fields(v any, loc, name string) (*fields, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		d.schema(loc, "The value for the field '"+name+"' must be an OBJECT")
		return nil, false
	}
	return &fields{d: d, m: m, loc: loc}, true
}

func (f *fields) at(k string) string {
	if f.loc == "/" {
		return "/" + k
	}
	return f.loc + "/" + k
}

func (f *fields) get(k string) (any, bool) {
	v, ok := f.m[k]
	if ok {
		f.read = append(f.read, k)
	}
	return v, ok
}

func (f *fields) has(k string) bool { _, ok := f.m[k]; return ok }

// done reports every member nobody read, in sorted order.
func (f *fields) done() {
	if len(f.read) == len(f.m) {
		return
	}
	var unknown []string
	for k := range f.m {
		if !slices.Contains(f.read, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		f.d.schema(f.loc, "Field '"+k+"' is not supported")
	}
}

// require reports the listed fields that are missing, as AWS does:
// "These fields are required: [A, B]".
func (f *fields) require(names ...string) bool {
	var missing []string
	for _, n := range names {
		if !f.has(n) {
			missing = append(missing, n)
		}
	}
	if missing == nil {
		return true
	}
	msg := "These fields are required: ["
	for i, n := range missing {
		if i > 0 {
			msg += ", "
		}
		msg += n
	}
	f.d.schema(f.loc, msg+"]")
	return false
}

func (f *fields) typeError(k, want string) {
	f.d.schema(f.at(k), "The value for the field '"+k+"' must be "+want)
}

func (f *fields) str(k string) string {
	v, ok := f.get(k)
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		f.typeError(k, "a STRING")
	}
	return s
}

// text reads a string field that, when given, must not be empty: a name,
// a path, a resource or an enumerated value. The model uses "" for
// absent, so an empty value must not be taken for one.
func (f *fields) text(k string) string {
	v, ok := f.get(k)
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		f.typeError(k, "a STRING")
		return ""
	}
	if s == "" {
		f.d.schema(f.at(k), "The value for the field '"+k+"' must not be empty")
	}
	return s
}

func (f *fields) boolean(k string) bool {
	v, ok := f.get(k)
	if !ok {
		return false
	}
	b, ok := v.(bool)
	if !ok {
		f.typeError(k, "a BOOLEAN")
	}
	return b
}

// path reads an InputPath, OutputPath or ResultPath: a string or null.
func (f *fields) path(k string) Path {
	v, ok := f.get(k)
	if !ok {
		return Path{}
	}
	switch v := v.(type) {
	case nil:
		return NullPath()
	case string:
		return PathOf(v)
	}
	f.typeError(k, "a STRING or null")
	return Path{}
}

func toInt(v any) (int, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || i > math.MaxInt || i < math.MinInt {
		return 0, false
	}
	return int(i), true
}

func (f *fields) intPtr(k string) *int {
	v, ok := f.get(k)
	if !ok {
		return nil
	}
	i, ok := toInt(v)
	if !ok {
		f.typeError(k, "an INTEGER")
		return nil
	}
	return &i
}

func (f *fields) floatPtr(k string) *float64 {
	v, ok := f.get(k)
	if !ok {
		return nil
	}
	n, ok := v.(json.Number)
	x, err := n.Float64()
	if !ok || err != nil {
		f.typeError(k, "a NUMBER")
		return nil
	}
	return &x
}

// intExpr reads an integer that JSONata states may give as a string.
func (f *fields) intExpr(k string) *IntExpr {
	v, ok := f.get(k)
	if !ok {
		return nil
	}
	if s, ok := v.(string); ok {
		return &IntExpr{Expr: s}
	}
	i, ok := toInt(v)
	if !ok {
		f.typeError(k, "an INTEGER")
		return nil
	}
	return &IntExpr{Value: i}
}

func (f *fields) numExpr(k string) *NumExpr {
	v, ok := f.get(k)
	if !ok {
		return nil
	}
	if s, ok := v.(string); ok {
		return &NumExpr{Expr: s}
	}
	n, ok := v.(json.Number)
	x, err := n.Float64()
	if !ok || err != nil {
		f.typeError(k, "a NUMBER")
		return nil
	}
	return &NumExpr{Value: x}
}

// value reads any JSON value; null is treated as absent.
func (f *fields) value(k string) any {
	v, _ := f.get(k)
	return v
}

// object reads a JSON object (nil when absent).
func (f *fields) object(k string) map[string]any {
	v, ok := f.get(k)
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		f.typeError(k, "an OBJECT")
	}
	return m
}

func (f *fields) strings(k string) []string {
	v, ok := f.get(k)
	if !ok {
		return nil
	}
	a, ok := v.([]any)
	if !ok {
		f.typeError(k, "an ARRAY of STRING")
		return nil
	}
	out := make([]string, 0, len(a))
	for i, e := range a {
		s, ok := e.(string)
		if !ok {
			f.d.schema(f.at(k)+"["+strconv.Itoa(i)+"]", "The value for the field '"+k+"' must be an ARRAY of STRING")
			continue
		}
		out = append(out, s)
	}
	return out
}

func (f *fields) array(k string) ([]any, bool) {
	v, ok := f.get(k)
	if !ok {
		return nil, false
	}
	a, ok := v.([]any)
	if !ok {
		f.typeError(k, "an ARRAY")
		return nil, false
	}
	return a, true
}

func (f *fields) queryLanguage(k string) QueryLanguage {
	s := f.str(k)
	switch {
	case s == "" && !f.has(k):
		return ""
	case QueryLanguage(s) == JSONPath, QueryLanguage(s) == JSONata:
		return QueryLanguage(s)
	}
	f.d.schema(f.at(k), "The value for the field '"+k+"' must be one of [JSONPath, JSONata]")
	return ""
}

func index(loc string, i int) string { return loc + "[" + strconv.Itoa(i) + "]" }

// decodeMachine reads the top-level object.
func (d *decoder) decodeMachine(v any) *StateMachine {
	f, ok := d.fields(v, "/", "definition")
	if !ok {
		return nil
	}
	sm := &StateMachine{
		Comment:        f.str("Comment"),
		StartAt:        f.text("StartAt"),
		Version:        f.text("Version"),
		TimeoutSeconds: f.intPtr("TimeoutSeconds"),
		QueryLanguage:  f.queryLanguage("QueryLanguage"),
	}
	f.require("StartAt", "States")
	sm.States = d.decodeStates(f)
	f.done()
	return sm
}

// decodeStates reads the "States" member of a machine, branch or processor.
func (d *decoder) decodeStates(f *fields) map[string]State {
	v, ok := f.get("States")
	if !ok {
		return nil
	}
	loc := f.at("States")
	m, ok := v.(map[string]any)
	if !ok {
		f.typeError("States", "an OBJECT")
		return nil
	}
	states := make(map[string]State, len(m))
	for name, sv := range m {
		if s := d.decodeState(sv, loc+"/"+name); s != nil {
			states[name] = s
		}
	}
	return states
}

func (d *decoder) decodeBranch(v any, loc, name string) *Branch {
	d.enter(loc)
	defer d.leave()
	f, ok := d.fields(v, "", name)
	if !ok {
		return nil
	}
	f.require("StartAt", "States")
	b := &Branch{Comment: f.str("Comment"), StartAt: f.str("StartAt")}
	b.States = d.decodeStates(f)
	f.done()
	return b
}

func (d *decoder) decodeItemProcessor(v any, loc, name string) *ItemProcessor {
	d.enter(loc)
	defer d.leave()
	f, ok := d.fields(v, "", name)
	if !ok {
		return nil
	}
	f.require("StartAt", "States")
	p := &ItemProcessor{Comment: f.str("Comment"), StartAt: f.str("StartAt")}
	if cv, ok := f.get("ProcessorConfig"); ok {
		if cf, ok := d.fields(cv, f.at("ProcessorConfig"), "ProcessorConfig"); ok {
			p.ProcessorConfig = &ProcessorConfig{
				Mode:          ProcessorMode(cf.text("Mode")),
				ExecutionType: ExecutionType(cf.text("ExecutionType")),
			}
			cf.done()
		}
	}
	p.States = d.decodeStates(f)
	f.done()
	return p
}

func (d *decoder) decodeState(v any, loc string) State {
	f, ok := d.fields(v, loc, "State")
	if !ok {
		return nil
	}
	tv, ok := f.get("Type")
	if !ok {
		f.require("Type")
		return nil
	}
	t, _ := tv.(string)
	var s State
	switch StateType(t) {
	case TypePass:
		s = f.pass()
	case TypeTask:
		s = f.task()
	case TypeChoice:
		s = f.choice()
	case TypeWait:
		s = f.wait()
	case TypeSucceed:
		s = f.succeed()
	case TypeFail:
		s = f.fail()
	case TypeParallel:
		s = f.parallel()
	case TypeMap:
		s = f.mapState()
	default:
		d.schema(f.at("Type"), "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]")
		return nil
	}
	f.done()
	return s
}

func (f *fields) pass() *Pass {
	return &Pass{
		Comment:       f.str("Comment"),
		QueryLanguage: f.queryLanguage("QueryLanguage"),
		InputPath:     f.path("InputPath"),
		Parameters:    f.value("Parameters"),
		Result:        f.value("Result"),
		ResultPath:    f.path("ResultPath"),
		OutputPath:    f.path("OutputPath"),
		Output:        f.value("Output"),
		Assign:        f.object("Assign"),
		Next:          f.text("Next"),
		End:           f.boolean("End"),
	}
}

func (f *fields) task() *Task {
	f.require("Resource")
	s := &Task{
		Comment:              f.str("Comment"),
		QueryLanguage:        f.queryLanguage("QueryLanguage"),
		Resource:             f.text("Resource"),
		InputPath:            f.path("InputPath"),
		Parameters:           f.value("Parameters"),
		ResultSelector:       f.value("ResultSelector"),
		ResultPath:           f.path("ResultPath"),
		OutputPath:           f.path("OutputPath"),
		Arguments:            f.value("Arguments"),
		Output:               f.value("Output"),
		Assign:               f.object("Assign"),
		TimeoutSeconds:       f.intExpr("TimeoutSeconds"),
		TimeoutSecondsPath:   f.text("TimeoutSecondsPath"),
		HeartbeatSeconds:     f.intExpr("HeartbeatSeconds"),
		HeartbeatSecondsPath: f.text("HeartbeatSecondsPath"),
		Next:                 f.text("Next"),
		End:                  f.boolean("End"),
	}
	s.Retry = f.retry()
	s.Catch = f.catch()
	if v, ok := f.get("Credentials"); ok {
		if cf, ok := f.d.fields(v, f.at("Credentials"), "Credentials"); ok {
			c := &Credentials{RoleArn: cf.text("RoleArn"), RoleArnPath: cf.text("RoleArn.$")}
			if !cf.has("RoleArn") && !cf.has("RoleArn.$") {
				// AWS reports only this for a Credentials object without
				// a role, whatever else it holds (recorded case
				// INVALID_CREDENTIALS_FIELD).
				f.d.schema(cf.loc, "The field 'RoleArn' is required but was missing")
			} else {
				cf.done()
			}
			s.Credentials = c
		}
	}
	return s
}

func (f *fields) retry() []Retrier {
	a, ok := f.array("Retry")
	if !ok {
		return nil
	}
	out := make([]Retrier, 0, len(a))
	for i, v := range a {
		rf, ok := f.d.fields(v, index(f.at("Retry"), i), "Retry")
		if !ok {
			continue
		}
		rf.require("ErrorEquals")
		out = append(out, Retrier{
			Comment:         rf.str("Comment"),
			ErrorEquals:     rf.strings("ErrorEquals"),
			IntervalSeconds: rf.intPtr("IntervalSeconds"),
			MaxAttempts:     rf.intPtr("MaxAttempts"),
			BackoffRate:     rf.floatPtr("BackoffRate"),
			MaxDelaySeconds: rf.intPtr("MaxDelaySeconds"),
			JitterStrategy:  JitterStrategy(rf.text("JitterStrategy")),
		})
		rf.done()
	}
	return out
}

func (f *fields) catch() []Catcher {
	a, ok := f.array("Catch")
	if !ok {
		return nil
	}
	out := make([]Catcher, 0, len(a))
	for i, v := range a {
		cf, ok := f.d.fields(v, index(f.at("Catch"), i), "Catch")
		if !ok {
			continue
		}
		cf.require("ErrorEquals", "Next")
		out = append(out, Catcher{
			Comment:     cf.str("Comment"),
			ErrorEquals: cf.strings("ErrorEquals"),
			Next:        cf.text("Next"),
			ResultPath:  cf.path("ResultPath"),
			Output:      cf.value("Output"),
			Assign:      cf.object("Assign"),
		})
		cf.done()
	}
	return out
}

func (f *fields) choice() *Choice {
	s := &Choice{
		Comment:       f.str("Comment"),
		QueryLanguage: f.queryLanguage("QueryLanguage"),
		InputPath:     f.path("InputPath"),
		OutputPath:    f.path("OutputPath"),
		Output:        f.value("Output"),
		Default:       f.text("Default"),
		Assign:        f.object("Assign"),
	}
	f.require("Choices")
	if a, ok := f.array("Choices"); ok {
		s.Choices = make([]ChoiceRule, 0, len(a))
		for i, v := range a {
			if r, ok := f.d.decodeRule(v, index(f.at("Choices"), i), "Choices"); ok {
				s.Choices = append(s.Choices, r)
			}
		}
	}
	return s
}

// decodeRule reads a Choice rule. It keeps the first comparison operator it
// finds; validation reports a rule with more or fewer than one.
func (d *decoder) decodeRule(v any, loc, name string) (ChoiceRule, bool) {
	f, ok := d.fields(v, loc, name)
	if !ok {
		return ChoiceRule{}, false
	}
	r := ChoiceRule{
		Comment:   f.str("Comment"),
		Variable:  f.text("Variable"),
		Condition: f.value("Condition"),
		Next:      f.text("Next"),
		Output:    f.value("Output"),
		Assign:    f.object("Assign"),
	}
	var ops []Operator
	for k, val := range f.m {
		op := Operator(k)
		if !op.Valid() {
			continue
		}
		f.get(k)
		ops = append(ops, op)
		if len(ops) == 1 {
			r.Operator, r.Value = op, val
		}
	}
	if len(ops) > 1 {
		slices.Sort(ops)
		r.Operator, r.Value = ops[0], f.m[string(ops[0])]
		msg := "A choice rule must have exactly one comparison operator, found ["
		for i, op := range ops {
			if i > 0 {
				msg += ", "
			}
			msg += string(op)
		}
		d.schema(loc, msg+"]")
	}
	for _, k := range [...]string{"And", "Or"} {
		a, ok := f.array(k)
		if !ok {
			continue
		}
		rules := make([]ChoiceRule, 0, len(a))
		for i, v := range a {
			if nr, ok := d.decodeRule(v, index(f.at(k), i), k); ok {
				rules = append(rules, nr)
			}
		}
		if k == "And" {
			r.And = rules
		} else {
			r.Or = rules
		}
	}
	if nv, ok := f.get("Not"); ok {
		if nr, ok := d.decodeRule(nv, f.at("Not"), "Not"); ok {
			r.Not = &nr
		}
	}
	f.done()
	return r, true
}

func (f *fields) wait() *Wait {
	return &Wait{
		Comment:       f.str("Comment"),
		QueryLanguage: f.queryLanguage("QueryLanguage"),
		InputPath:     f.path("InputPath"),
		OutputPath:    f.path("OutputPath"),
		Output:        f.value("Output"),
		Seconds:       f.intExpr("Seconds"),
		SecondsPath:   f.text("SecondsPath"),
		Timestamp:     f.text("Timestamp"),
		TimestampPath: f.text("TimestampPath"),
		Assign:        f.object("Assign"),
		Next:          f.text("Next"),
		End:           f.boolean("End"),
	}
}

func (f *fields) succeed() *Succeed {
	return &Succeed{
		Comment:       f.str("Comment"),
		QueryLanguage: f.queryLanguage("QueryLanguage"),
		InputPath:     f.path("InputPath"),
		OutputPath:    f.path("OutputPath"),
		Output:        f.value("Output"),
	}
}

func (f *fields) fail() *Fail {
	return &Fail{
		Comment:       f.str("Comment"),
		QueryLanguage: f.queryLanguage("QueryLanguage"),
		Error:         f.str("Error"),
		ErrorPath:     f.text("ErrorPath"),
		Cause:         f.str("Cause"),
		CausePath:     f.text("CausePath"),
	}
}

func (f *fields) parallel() *Parallel {
	f.require("Branches")
	s := &Parallel{
		Comment:        f.str("Comment"),
		QueryLanguage:  f.queryLanguage("QueryLanguage"),
		InputPath:      f.path("InputPath"),
		Parameters:     f.value("Parameters"),
		ResultSelector: f.value("ResultSelector"),
		ResultPath:     f.path("ResultPath"),
		OutputPath:     f.path("OutputPath"),
		Arguments:      f.value("Arguments"),
		Output:         f.value("Output"),
		Assign:         f.object("Assign"),
		Next:           f.text("Next"),
		End:            f.boolean("End"),
	}
	if a, ok := f.array("Branches"); ok {
		s.Branches = make([]Branch, 0, len(a))
		for i, v := range a {
			if b := f.d.decodeBranch(v, index(f.at("Branches"), i), "Branches"); b != nil {
				s.Branches = append(s.Branches, *b)
			}
		}
	}
	s.Retry = f.retry()
	s.Catch = f.catch()
	return s
}

func (f *fields) mapState() *Map {
	s := &Map{
		Comment:                        f.str("Comment"),
		QueryLanguage:                  f.queryLanguage("QueryLanguage"),
		InputPath:                      f.path("InputPath"),
		ItemsPath:                      f.text("ItemsPath"),
		ItemSelector:                   f.value("ItemSelector"),
		Parameters:                     f.value("Parameters"),
		ResultSelector:                 f.value("ResultSelector"),
		ResultPath:                     f.path("ResultPath"),
		OutputPath:                     f.path("OutputPath"),
		Items:                          f.value("Items"),
		Output:                         f.value("Output"),
		MaxConcurrency:                 f.intExpr("MaxConcurrency"),
		MaxConcurrencyPath:             f.text("MaxConcurrencyPath"),
		ToleratedFailurePercentage:     f.numExpr("ToleratedFailurePercentage"),
		ToleratedFailurePercentagePath: f.text("ToleratedFailurePercentagePath"),
		ToleratedFailureCount:          f.intExpr("ToleratedFailureCount"),
		ToleratedFailureCountPath:      f.text("ToleratedFailureCountPath"),
		Label:                          f.text("Label"),
		Assign:                         f.object("Assign"),
		Next:                           f.text("Next"),
		End:                            f.boolean("End"),
	}
	if v, ok := f.get("ItemProcessor"); ok {
		s.ItemProcessor = f.d.decodeItemProcessor(v, f.at("ItemProcessor"), "ItemProcessor")
	}
	if v, ok := f.get("Iterator"); ok {
		s.Iterator = f.d.decodeItemProcessor(v, f.at("Iterator"), "Iterator")
	}
	if !f.has("ItemProcessor") && !f.has("Iterator") {
		f.require("ItemProcessor")
	}
	if v, ok := f.get("ItemReader"); ok {
		s.ItemReader = f.d.decodeItemReader(v, f.at("ItemReader"))
	}
	if v, ok := f.get("ItemBatcher"); ok {
		if bf, ok := f.d.fields(v, f.at("ItemBatcher"), "ItemBatcher"); ok {
			s.ItemBatcher = &ItemBatcher{
				MaxItemsPerBatch:          bf.intExpr("MaxItemsPerBatch"),
				MaxItemsPerBatchPath:      bf.text("MaxItemsPerBatchPath"),
				MaxInputBytesPerBatch:     bf.intExpr("MaxInputBytesPerBatch"),
				MaxInputBytesPerBatchPath: bf.text("MaxInputBytesPerBatchPath"),
				BatchInput:                bf.value("BatchInput"),
			}
			bf.done()
		}
	}
	if v, ok := f.get("ResultWriter"); ok {
		if wf, ok := f.d.fields(v, f.at("ResultWriter"), "ResultWriter"); ok {
			w := &ResultWriter{
				Resource:   wf.text("Resource"),
				Parameters: wf.value("Parameters"),
				Arguments:  wf.value("Arguments"),
			}
			if cv, ok := wf.get("WriterConfig"); ok {
				if cf, ok := f.d.fields(cv, wf.at("WriterConfig"), "WriterConfig"); ok {
					w.WriterConfig = &WriterConfig{
						OutputType:     cf.text("OutputType"),
						Transformation: cf.text("Transformation"),
					}
					cf.done()
				}
			}
			wf.done()
			s.ResultWriter = w
		}
	}
	s.Retry = f.retry()
	s.Catch = f.catch()
	return s
}

func (d *decoder) decodeItemReader(v any, loc string) *ItemReader {
	f, ok := d.fields(v, loc, "ItemReader")
	if !ok {
		return nil
	}
	f.require("Resource")
	r := &ItemReader{
		Resource:   f.text("Resource"),
		Parameters: f.value("Parameters"),
		Arguments:  f.value("Arguments"),
	}
	if cv, ok := f.get("ReaderConfig"); ok {
		if cf, ok := d.fields(cv, f.at("ReaderConfig"), "ReaderConfig"); ok {
			r.ReaderConfig = &ReaderConfig{
				InputType:         cf.text("InputType"),
				CSVHeaderLocation: cf.text("CSVHeaderLocation"),
				CSVHeaders:        cf.strings("CSVHeaders"),
				CSVDelimiter:      cf.text("CSVDelimiter"),
				ManifestType:      cf.text("ManifestType"),
				Transformation:    cf.text("Transformation"),
				MaxItems:          cf.intExpr("MaxItems"),
				MaxItemsPath:      cf.text("MaxItemsPath"),
			}
			cf.done()
		}
	}
	f.done()
	return r
}
