package asl

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// object writes a JSON object with its members in the order they are added.
// Absent values (empty strings, absent Paths, nil) are skipped by the typed
// adders, so each state's encoder reads as a list of its fields.
type object struct {
	buf []byte
	n   int
	err error
}

func (o *object) key(k string) {
	if o.n == 0 {
		o.buf = append(o.buf, '{')
	} else {
		o.buf = append(o.buf, ',')
	}
	o.n++
	o.buf = jsonvalue.AppendString(o.buf, k)
	o.buf = append(o.buf, ':')
}

func (o *object) raw(k string, b []byte) {
	o.key(k)
	o.buf = append(o.buf, b...)
}

// value adds any JSON value; nil is skipped.
func (o *object) value(k string, v any) {
	if v == nil {
		return
	}
	o.key(k)
	b, err := jsonvalue.Append(o.buf, v)
	if err != nil {
		if o.err == nil {
			o.err = err
		}
		return
	}
	o.buf = b
}

func (o *object) str(k, v string) {
	if v == "" {
		return
	}
	o.key(k)
	o.buf = jsonvalue.AppendString(o.buf, v)
}

func (o *object) boolean(k string, v bool) {
	if v {
		o.raw(k, []byte("true"))
	}
}

func (o *object) path(k string, p Path) {
	switch p.kind {
	case pathNull:
		o.raw(k, []byte("null"))
	case pathSet:
		o.key(k)
		o.buf = jsonvalue.AppendString(o.buf, p.expr)
	}
}

func (o *object) intPtr(k string, v *int) {
	if v != nil {
		o.raw(k, strconv.AppendInt(nil, int64(*v), 10))
	}
}

func (o *object) floatPtr(k string, v *float64) {
	if v != nil {
		o.value(k, *v)
	}
}

func (o *object) intExpr(k string, v *IntExpr) {
	switch {
	case v == nil:
	case v.Expr != "":
		o.str(k, v.Expr)
	default:
		o.raw(k, strconv.AppendInt(nil, int64(v.Value), 10))
	}
}

func (o *object) numExpr(k string, v *NumExpr) {
	switch {
	case v == nil:
	case v.Expr != "":
		o.str(k, v.Expr)
	default:
		o.value(k, v.Value)
	}
}

// assign adds an Assign map; nil is absent, an empty map is {}.
func (o *object) assign(k string, m map[string]any) {
	if m != nil {
		o.value(k, m)
	}
}

// marshaler adds a nested value written by its own encoder.
func (o *object) marshaler(k string, m json.Marshaler) {
	b, err := m.MarshalJSON()
	if err != nil {
		if o.err == nil {
			o.err = err
		}
		return
	}
	o.raw(k, b)
}

// nested adds a value that holds states, written straight into o's buffer.
func (o *object) nested(k string, a appender) {
	o.key(k)
	o.appendNested(a)
}

func (o *object) appendNested(a appender) {
	b, err := a.appendJSON(o.buf)
	if err != nil {
		if o.err == nil {
			o.err = err
		}
		return
	}
	o.buf = b
}

// appender is implemented by the values that hold states (machines, branches, item processors, and the
// Parallel and Map states): each writes itself at the end of its caller's buffer, so that encoding a
// machine nested d deep copies each byte once rather than once per level.
type appender interface {
	appendJSON(dst []byte) ([]byte, error)
}

// bytes ends the object and returns the buffer it was written to the end of.
func (o *object) bytes() ([]byte, error) {
	if o.err != nil {
		return nil, o.err
	}
	if o.n == 0 {
		return append(o.buf, "{}"...), nil
	}
	return append(o.buf, '}'), nil
}

// MarshalJSON writes the definition as ASL JSON, deterministically: see the
// package documentation for the order of fields and states.
func (sm StateMachine) MarshalJSON() ([]byte, error) {
	var o object
	o.str("Comment", sm.Comment)
	o.str("QueryLanguage", string(sm.QueryLanguage))
	o.str("StartAt", sm.StartAt)
	o.intPtr("TimeoutSeconds", sm.TimeoutSeconds)
	o.str("Version", sm.Version)
	o.nested("States", states{sm.StartAt, sm.States})
	return o.bytes()
}

// MarshalJSON writes the branch as ASL JSON.
func (b Branch) MarshalJSON() ([]byte, error) { return b.appendJSON(nil) }

func (b Branch) appendJSON(dst []byte) ([]byte, error) {
	o := object{buf: dst}
	o.str("Comment", b.Comment)
	o.str("StartAt", b.StartAt)
	o.nested("States", states{b.StartAt, b.States})
	return o.bytes()
}

// MarshalJSON writes the item processor as ASL JSON.
func (p ItemProcessor) MarshalJSON() ([]byte, error) { return p.appendJSON(nil) }

func (p ItemProcessor) appendJSON(dst []byte) ([]byte, error) {
	o := object{buf: dst}
	o.str("Comment", p.Comment)
	if c := p.ProcessorConfig; c != nil {
		var pc object
		pc.str("Mode", string(c.Mode))
		pc.str("ExecutionType", string(c.ExecutionType))
		b, _ := pc.bytes()
		o.raw("ProcessorConfig", b)
	}
	o.str("StartAt", p.StartAt)
	o.nested("States", states{p.StartAt, p.States})
	return o.bytes()
}

// states writes a States object in flow order.
type states struct {
	startAt string
	m       map[string]State
}

func (ss states) appendJSON(dst []byte) ([]byte, error) {
	o := object{buf: dst}
	for _, name := range FlowOrder(ss.startAt, ss.m) {
		switch s := ss.m[name].(type) {
		case nil:
			o.raw(name, []byte("null"))
		case appender:
			o.nested(name, s)
		case json.Marshaler: // every State implements json.Marshaler
			o.marshaler(name, s)
		}
	}
	return o.bytes()
}

// FlowOrder lists the names of states in the order a reader follows them:
// startAt first, then depth-first along each state's transitions (Next,
// then Choices in order, Default, then Catch in order), then the states no
// transition reaches, sorted by name. Names that transitions mention but
// states lacks are left out.
func FlowOrder(startAt string, states map[string]State) []string {
	order := make([]string, 0, len(states))
	seen := make(map[string]bool, len(states))
	var visit func(name string)
	visit = func(name string) {
		if seen[name] {
			return
		}
		s, ok := states[name]
		if !ok {
			return
		}
		seen[name] = true
		order = append(order, name)
		if s == nil {
			return
		}
		for _, next := range Transitions(s) {
			visit(next)
		}
	}
	visit(startAt)
	if len(order) < len(states) {
		rest := make([]string, 0, len(states)-len(order))
		for name := range states {
			if !seen[name] {
				rest = append(rest, name)
			}
		}
		slices.Sort(rest)
		order = append(order, rest...)
	}
	return order
}

// Transitions lists the states s can go to next, in order: Next, the Next
// of each top-level Choice rule, Default, the Next of each Catcher.
// Duplicates are kept.
func Transitions(s State) []string {
	var out []string
	switch s := s.(type) {
	case *Choice:
		for i := range s.Choices {
			if n := s.Choices[i].Next; n != "" {
				out = append(out, n)
			}
		}
		if s.Default != "" {
			out = append(out, s.Default)
		}
		return out
	case *Task:
		out = appendCatchers(out, s.Next, s.Catch)
	case *Parallel:
		out = appendCatchers(out, s.Next, s.Catch)
	case *Map:
		out = appendCatchers(out, s.Next, s.Catch)
	default:
		if next, _ := s.Transition(); next != "" {
			out = append(out, next)
		}
	}
	return out
}

func appendCatchers(out []string, next string, catch []Catcher) []string {
	if next != "" {
		out = append(out, next)
	}
	for i := range catch {
		if n := catch[i].Next; n != "" {
			out = append(out, n)
		}
	}
	return out
}

func (o *object) common(t StateType, comment string, ql QueryLanguage) {
	o.str("Type", string(t))
	o.str("Comment", comment)
	o.str("QueryLanguage", string(ql))
}

func (o *object) end(next string, end bool) {
	o.str("Next", next)
	o.boolean("End", end)
}

func (o *object) retryCatch(retry []Retrier, catch []Catcher) {
	if retry != nil {
		o.value("Retry", retry)
	}
	if catch != nil {
		o.value("Catch", catch)
	}
}

// MarshalJSON writes the state as ASL JSON.
func (s *Pass) MarshalJSON() ([]byte, error) {
	var o object
	o.common(TypePass, s.Comment, s.QueryLanguage)
	o.path("InputPath", s.InputPath)
	o.value("Parameters", s.Parameters)
	o.value("Result", s.Result)
	o.path("ResultPath", s.ResultPath)
	o.path("OutputPath", s.OutputPath)
	o.value("Output", s.Output)
	o.assign("Assign", s.Assign)
	o.end(s.Next, s.End)
	return o.bytes()
}

// MarshalJSON writes the state as ASL JSON.
func (s *Task) MarshalJSON() ([]byte, error) {
	var o object
	o.common(TypeTask, s.Comment, s.QueryLanguage)
	o.str("Resource", s.Resource)
	if c := s.Credentials; c != nil {
		var co object
		co.str("RoleArn", c.RoleArn)
		co.str("RoleArn.$", c.RoleArnPath)
		b, _ := co.bytes()
		o.raw("Credentials", b)
	}
	o.path("InputPath", s.InputPath)
	o.value("Parameters", s.Parameters)
	o.value("Arguments", s.Arguments)
	o.intExpr("TimeoutSeconds", s.TimeoutSeconds)
	o.str("TimeoutSecondsPath", s.TimeoutSecondsPath)
	o.intExpr("HeartbeatSeconds", s.HeartbeatSeconds)
	o.str("HeartbeatSecondsPath", s.HeartbeatSecondsPath)
	o.value("ResultSelector", s.ResultSelector)
	o.path("ResultPath", s.ResultPath)
	o.path("OutputPath", s.OutputPath)
	o.value("Output", s.Output)
	o.assign("Assign", s.Assign)
	o.retryCatch(s.Retry, s.Catch)
	o.end(s.Next, s.End)
	return o.bytes()
}

// MarshalJSON writes the state as ASL JSON.
func (s *Choice) MarshalJSON() ([]byte, error) {
	var o object
	o.common(TypeChoice, s.Comment, s.QueryLanguage)
	o.path("InputPath", s.InputPath)
	if s.Choices != nil {
		o.value("Choices", s.Choices)
	}
	o.str("Default", s.Default)
	o.path("OutputPath", s.OutputPath)
	o.value("Output", s.Output)
	o.assign("Assign", s.Assign)
	return o.bytes()
}

// MarshalJSON writes the rule as ASL JSON.
func (r ChoiceRule) MarshalJSON() ([]byte, error) {
	var o object
	o.str("Comment", r.Comment)
	o.value("Condition", r.Condition)
	o.str("Variable", r.Variable)
	if r.Operator != "" {
		if r.Value == nil {
			o.raw(string(r.Operator), []byte("null"))
		} else {
			o.value(string(r.Operator), r.Value)
		}
	}
	if r.And != nil {
		o.value("And", r.And)
	}
	if r.Or != nil {
		o.value("Or", r.Or)
	}
	if r.Not != nil {
		o.value("Not", *r.Not)
	}
	o.str("Next", r.Next)
	o.value("Output", r.Output)
	o.assign("Assign", r.Assign)
	return o.bytes()
}

// MarshalJSON writes the state as ASL JSON.
func (s *Wait) MarshalJSON() ([]byte, error) {
	var o object
	o.common(TypeWait, s.Comment, s.QueryLanguage)
	o.path("InputPath", s.InputPath)
	o.intExpr("Seconds", s.Seconds)
	o.str("SecondsPath", s.SecondsPath)
	o.str("Timestamp", s.Timestamp)
	o.str("TimestampPath", s.TimestampPath)
	o.path("OutputPath", s.OutputPath)
	o.value("Output", s.Output)
	o.assign("Assign", s.Assign)
	o.end(s.Next, s.End)
	return o.bytes()
}

// MarshalJSON writes the state as ASL JSON.
func (s *Succeed) MarshalJSON() ([]byte, error) {
	var o object
	o.common(TypeSucceed, s.Comment, s.QueryLanguage)
	o.path("InputPath", s.InputPath)
	o.path("OutputPath", s.OutputPath)
	o.value("Output", s.Output)
	return o.bytes()
}

// MarshalJSON writes the state as ASL JSON.
func (s *Fail) MarshalJSON() ([]byte, error) {
	var o object
	o.common(TypeFail, s.Comment, s.QueryLanguage)
	o.str("Error", s.Error)
	o.str("ErrorPath", s.ErrorPath)
	o.str("Cause", s.Cause)
	o.str("CausePath", s.CausePath)
	return o.bytes()
}

// MarshalJSON writes the state as ASL JSON.
func (s *Parallel) MarshalJSON() ([]byte, error) { return s.appendJSON(nil) }

func (s *Parallel) appendJSON(dst []byte) ([]byte, error) {
	o := object{buf: dst}
	o.common(TypeParallel, s.Comment, s.QueryLanguage)
	o.path("InputPath", s.InputPath)
	o.value("Parameters", s.Parameters)
	o.value("Arguments", s.Arguments)
	if s.Branches != nil {
		o.key("Branches")
		o.buf = append(o.buf, '[')
		for i := range s.Branches {
			if i > 0 {
				o.buf = append(o.buf, ',')
			}
			o.appendNested(s.Branches[i])
		}
		o.buf = append(o.buf, ']')
	}
	o.value("ResultSelector", s.ResultSelector)
	o.path("ResultPath", s.ResultPath)
	o.path("OutputPath", s.OutputPath)
	o.value("Output", s.Output)
	o.assign("Assign", s.Assign)
	o.retryCatch(s.Retry, s.Catch)
	o.end(s.Next, s.End)
	return o.bytes()
}

// MarshalJSON writes the state as ASL JSON.
func (s *Map) MarshalJSON() ([]byte, error) { return s.appendJSON(nil) }

func (s *Map) appendJSON(dst []byte) ([]byte, error) {
	o := object{buf: dst}
	o.common(TypeMap, s.Comment, s.QueryLanguage)
	o.path("InputPath", s.InputPath)
	o.str("ItemsPath", s.ItemsPath)
	o.value("Items", s.Items)
	if s.ItemReader != nil {
		o.marshaler("ItemReader", s.ItemReader)
	}
	o.value("ItemSelector", s.ItemSelector)
	o.value("Parameters", s.Parameters)
	if s.ItemBatcher != nil {
		o.marshaler("ItemBatcher", s.ItemBatcher)
	}
	o.intExpr("MaxConcurrency", s.MaxConcurrency)
	o.str("MaxConcurrencyPath", s.MaxConcurrencyPath)
	o.numExpr("ToleratedFailurePercentage", s.ToleratedFailurePercentage)
	o.str("ToleratedFailurePercentagePath", s.ToleratedFailurePercentagePath)
	o.intExpr("ToleratedFailureCount", s.ToleratedFailureCount)
	o.str("ToleratedFailureCountPath", s.ToleratedFailureCountPath)
	o.str("Label", s.Label)
	if s.ItemProcessor != nil {
		o.nested("ItemProcessor", *s.ItemProcessor)
	}
	if s.Iterator != nil {
		o.nested("Iterator", *s.Iterator)
	}
	if s.ResultWriter != nil {
		o.marshaler("ResultWriter", s.ResultWriter)
	}
	o.value("ResultSelector", s.ResultSelector)
	o.path("ResultPath", s.ResultPath)
	o.path("OutputPath", s.OutputPath)
	o.value("Output", s.Output)
	o.assign("Assign", s.Assign)
	o.retryCatch(s.Retry, s.Catch)
	o.end(s.Next, s.End)
	return o.bytes()
}

// MarshalJSON writes the reader as ASL JSON.
func (r *ItemReader) MarshalJSON() ([]byte, error) {
	var o object
	o.str("Resource", r.Resource)
	if c := r.ReaderConfig; c != nil {
		var co object
		co.str("InputType", c.InputType)
		co.str("CSVHeaderLocation", c.CSVHeaderLocation)
		if c.CSVHeaders != nil {
			co.value("CSVHeaders", c.CSVHeaders)
		}
		co.str("CSVDelimiter", c.CSVDelimiter)
		co.str("ManifestType", c.ManifestType)
		co.str("Transformation", c.Transformation)
		co.intExpr("MaxItems", c.MaxItems)
		co.str("MaxItemsPath", c.MaxItemsPath)
		b, err := co.bytes()
		if err != nil {
			return nil, err
		}
		o.raw("ReaderConfig", b)
	}
	o.value("Parameters", r.Parameters)
	o.value("Arguments", r.Arguments)
	return o.bytes()
}

// MarshalJSON writes the batcher as ASL JSON.
func (b *ItemBatcher) MarshalJSON() ([]byte, error) {
	var o object
	o.intExpr("MaxItemsPerBatch", b.MaxItemsPerBatch)
	o.str("MaxItemsPerBatchPath", b.MaxItemsPerBatchPath)
	o.intExpr("MaxInputBytesPerBatch", b.MaxInputBytesPerBatch)
	o.str("MaxInputBytesPerBatchPath", b.MaxInputBytesPerBatchPath)
	o.value("BatchInput", b.BatchInput)
	return o.bytes()
}

// MarshalJSON writes the writer as ASL JSON.
func (w *ResultWriter) MarshalJSON() ([]byte, error) {
	var o object
	o.str("Resource", w.Resource)
	if c := w.WriterConfig; c != nil {
		var co object
		co.str("OutputType", c.OutputType)
		co.str("Transformation", c.Transformation)
		b, _ := co.bytes()
		o.raw("WriterConfig", b)
	}
	o.value("Parameters", w.Parameters)
	o.value("Arguments", w.Arguments)
	return o.bytes()
}

// MarshalJSON writes the retrier as ASL JSON.
func (r Retrier) MarshalJSON() ([]byte, error) {
	var o object
	o.str("Comment", r.Comment)
	o.value("ErrorEquals", nonNil(r.ErrorEquals))
	o.intPtr("IntervalSeconds", r.IntervalSeconds)
	o.intPtr("MaxAttempts", r.MaxAttempts)
	o.floatPtr("BackoffRate", r.BackoffRate)
	o.intPtr("MaxDelaySeconds", r.MaxDelaySeconds)
	o.str("JitterStrategy", string(r.JitterStrategy))
	return o.bytes()
}

// MarshalJSON writes the catcher as ASL JSON.
func (c Catcher) MarshalJSON() ([]byte, error) {
	var o object
	o.str("Comment", c.Comment)
	o.value("ErrorEquals", nonNil(c.ErrorEquals))
	o.path("ResultPath", c.ResultPath)
	o.value("Output", c.Output)
	o.assign("Assign", c.Assign)
	o.str("Next", c.Next)
	return o.bytes()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
