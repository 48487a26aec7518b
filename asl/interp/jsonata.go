package interp

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/asl/jsonata"
)

// The JSONata query language of Step Functions: any string of a JSONata
// state's fields that starts with "{%" and ends with "%}" is an expression,
// evaluated with the reserved variable $states (input, result, errorOutput,
// context) and the workflow variables bound.
// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html

// ErrQueryEvaluation is the error name of a JSONata expression that fails,
// returns nothing, or returns a value of the wrong type.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
const ErrQueryEvaluation = "States.QueryEvaluationError"

// jtemplate is a compiled JSONata field value: a constant, one expression,
// or an object or array holding expressions somewhere inside.
type jtemplate struct {
	field string // the field's location for messages: "Output", "Arguments"
	konst any    // the value when it holds no expression
	expr  *jsonata.Expr
	src   string // the expression without "{%" and "%}"
	obj   []jmember
	arr   []*jtemplate
	kind  uint8
}

type jmember struct {
	key string
	val *jtemplate
}

const (
	jConst uint8 = iota
	jExpr
	jObject
	jArray
)

// jsonataExpr reports whether s is a JSONata expression "{% ... %}" and
// returns its body. The delimiters must be the string's first and last
// characters: " {% x %} " is a constant.
func jsonataExpr(s string) (string, bool) {
	if len(s) >= 4 && strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}") {
		return s[2 : len(s)-2], true
	}
	return "", false
}

// compileJSONata compiles a field's value; nil stays nil (absent field).
func (c *compiler) jsonata(field string, v any) (*jtemplate, error) {
	if v == nil {
		return nil, nil
	}
	return c.jvalue(field, v)
}

func (c *compiler) jvalue(field string, v any) (*jtemplate, error) {
	switch x := v.(type) {
	case string:
		body, ok := jsonataExpr(x)
		if !ok {
			return &jtemplate{field: field, konst: x}, nil
		}
		e, err := jsonata.Compile(body)
		if err != nil {
			return nil, c.errorf("%s: the JSONata expression '%s' is invalid: %w", field, strings.TrimSpace(body), err)
		}
		return &jtemplate{field: field, kind: jExpr, expr: e, src: strings.TrimSpace(body)}, nil
	case map[string]any:
		t := &jtemplate{field: field, kind: jObject, obj: make([]jmember, 0, len(x))}
		dynamic := false
		for _, k := range sortedKeys(x) {
			m, err := c.jvalue(field+"/"+k, x[k])
			if err != nil {
				return nil, err
			}
			dynamic = dynamic || m.kind != jConst
			t.obj = append(t.obj, jmember{key: k, val: m})
		}
		if !dynamic {
			return &jtemplate{field: field, konst: x}, nil
		}
		return t, nil
	case []any:
		t := &jtemplate{field: field, kind: jArray, arr: make([]*jtemplate, 0, len(x))}
		dynamic := false
		for i, e := range x {
			m, err := c.jvalue(field+"["+strconv.Itoa(i)+"]", e)
			if err != nil {
				return nil, err
			}
			dynamic = dynamic || m.kind != jConst
			t.arr = append(t.arr, m)
		}
		if !dynamic {
			return &jtemplate{field: field, konst: x}, nil
		}
		return t, nil
	}
	return &jtemplate{field: field, konst: v}, nil
}

// jexpr compiles a string field that may hold an expression (Fail's Error
// and Cause, Wait's Timestamp, the numeric fields written as "{% %}").
func (c *compiler) jexpr(field, s string) (*jtemplate, error) {
	if s == "" {
		return nil, nil
	}
	return c.jvalue(field, s)
}

// jstates is the evaluation environment of one state: $states and the
// workflow variables, converted once to JSONata's value model.
type jstates struct {
	th       *thread
	bindings map[string]any
	states   map[string]any
}

// jenv builds the environment for the running state with $states.input.
func (th *thread) jenv(input any) *jstates {
	b := make(map[string]any)
	th.vars.each(func(k string, v any) {
		if _, seen := b[k]; !seen {
			b[k] = toJSONata(v)
		}
	})
	st := map[string]any{"input": toJSONata(input)}
	if th.state == nil || th.state.usesContext {
		st["context"] = toJSONata(th.contextObject())
	}
	b["states"] = st
	return &jstates{th: th, bindings: b, states: st}
}

// with returns a copy of the environment with one more $states member
// (result, errorOutput).
func (js *jstates) with(key string, v any) *jstates {
	st := make(map[string]any, len(js.states)+1)
	for k, x := range js.states {
		st[k] = x
	}
	st[key] = toJSONata(v)
	b := make(map[string]any, len(js.bindings))
	for k, x := range js.bindings {
		b[k] = x
	}
	b["states"] = st
	return &jstates{th: js.th, bindings: b, states: st}
}

// eval evaluates a template into the interpreter's value model. Every
// expression must return a value: undefined is an error.
func (js *jstates) eval(t *jtemplate) (any, *Failure) {
	switch t.kind {
	case jConst:
		return t.konst, nil
	case jExpr:
		v, f := js.evalExpr(t)
		if f != nil {
			return nil, f
		}
		return fromJSONata(v), nil
	case jObject:
		out := make(map[string]any, len(t.obj))
		for _, m := range t.obj {
			v, f := js.eval(m.val)
			if f != nil {
				return nil, f
			}
			out[m.key] = v
		}
		return out, nil
	default:
		out := make([]any, len(t.arr))
		for i, m := range t.arr {
			v, f := js.eval(m)
			if f != nil {
				return nil, f
			}
			out[i] = v
		}
		return out, nil
	}
}

// evalExpr evaluates one expression, in JSONata's value model.
func (js *jstates) evalExpr(t *jtemplate) (any, *Failure) {
	th := js.th
	v, err := t.expr.Eval(th.ctx, nil, js.options()...)
	if err != nil {
		if th.ctx.Err() != nil {
			return nil, errStopped
		}
		return nil, th.queryError(t.field, "The JSONata expression '%s' specified for the field '%s' threw an error during evaluation. %s",
			t.src, t.field, jsonataMessage(err))
	}
	if jsonata.IsUndefined(v) {
		return nil, th.queryError(t.field, "The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", t.src, t.field)
	}
	return v, nil
}

func jsonataMessage(err error) string {
	var je *jsonata.Error
	if errors.As(err, &je) {
		// AWS writes the code and jsonata-js's message, without a position.
		return je.Code + ": " + je.Message
	}
	return err.Error()
}

// queryError is a States.QueryEvaluationError of the running state in
// field, recorded as an EvaluationFailed event.
func (th *thread) queryError(field, format string, args ...any) *Failure {
	f := &Failure{Error: ErrQueryEvaluation, Cause: th.causePrefix() + fmt.Sprintf(format, args...)}
	name := ""
	if th.state != nil {
		name = th.state.name
	}
	th.emit(&HistoryEvent{Type: EvaluationFailed, EvaluationFailedEventDetails: &EvaluationFailedEventDetails{
		Error: f.Error, Cause: f.Cause, Location: field, State: name,
	}})
	return f
}

// evalAssignJSONata evaluates an Assign block.
func (js *jstates) assign(t *jtemplate, into map[string]any) (map[string]any, *Failure) {
	if t == nil {
		return into, nil
	}
	v, f := js.eval(t)
	if f != nil {
		return nil, f
	}
	m, _ := v.(map[string]any)
	if into == nil {
		into = make(map[string]any, len(m))
	}
	for k, x := range m {
		into[k] = x
	}
	return into, nil
}

// intField evaluates a numeric field written as an expression to a
// non-negative integer.
func (js *jstates) intField(t *jtemplate, name string) (int, *Failure) {
	v, f := js.eval(t)
	if f != nil {
		return 0, f
	}
	r, ok := numberRat(v)
	if !ok || !r.IsInt() || r.Sign() < 0 || !r.Num().IsInt64() || r.Num().Int64() > math.MaxInt32 {
		return 0, js.th.queryError(name, "The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected 'integer', but was '%s' for value: %s",
			t.src, name, jsonTypeName(v), render(v))
	}
	return int(r.Num().Int64()), nil
}

// jsonTypeName names v's JSON type as AWS's messages do.
func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number, float64:
		return "number"
	}
	return "unknown"
}

// toJSONata converts a value of the interpreter's model (json.Number) to
// JSONata's (float64), copying only containers that hold numbers.
func toJSONata(v any) any {
	r, _ := toJ(v)
	return r
}

func toJ(v any) (any, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil && !math.IsInf(f, 0) {
			return string(x), true
		}
		return f, true
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			if c, changed := toJ(e); changed {
				if out == nil {
					out = make(map[string]any, len(x))
					for k2, e2 := range x {
						out[k2] = e2
					}
				}
				out[k] = c
			}
		}
		if out == nil {
			return v, false
		}
		return out, true
	case []any:
		var out []any
		for i, e := range x {
			if c, changed := toJ(e); changed {
				if out == nil {
					out = append([]any(nil), x...)
				}
				out[i] = c
			}
		}
		if out == nil {
			return v, false
		}
		return out, true
	}
	return v, false
}

// fromJSONata converts a JSONata result to the interpreter's model:
// ordered objects become plain maps; numbers stay float64.
func fromJSONata(v any) any {
	switch x := v.(type) {
	case float64:
		// Kept as a double: the engine renders it as JavaScript writes it,
		// and the next JSONata state reads it without converting.
		return x
	case *jsonata.Object:
		out := make(map[string]any, x.Len())
		for i, k := range x.Keys() {
			if e := x.Value(i); !jsonata.IsUndefined(e) {
				out[k] = fromJSONata(e)
			}
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = fromJSONata(e)
		}
		return out
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if !jsonata.IsUndefined(e) {
				out = append(out, fromJSONata(e))
			}
		}
		return out
	case nil, bool, string, json.Number:
		return v
	}
	// A function value: JSONata's $string renders it "".
	return ""
}

// options are the evaluation options: the bindings and the functions Step
// Functions adds to JSONata.
func (js *jstates) options() []jsonata.EvalOption {
	th := js.th
	return append([]jsonata.EvalOption{
		jsonata.WithBindings(js.bindings),
		jsonata.WithNow(th.clock().Now()),
	}, th.e.m.jsonataFuncs()...)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
