package jsonata

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// CodeInternal is the code of the error Eval returns if the evaluator
// itself fails (a bug): the evaluation fails, the process does not.
const CodeInternal = "U1000"

// Expr is a compiled expression. It is immutable: one Expr may be
// evaluated by many goroutines at once.
type Expr struct {
	src  string
	root *node
}

// Compile parses an expression. A syntax error is an *Error with an
// S0xxx code.
func Compile(expr string) (*Expr, error) {
	root, err := parse(expr)
	if err != nil {
		return nil, err
	}
	return &Expr{src: expr, root: root}, nil
}

// MustCompile is Compile that panics on error, for expressions fixed in
// the program.
func MustCompile(expr string) *Expr {
	e, err := Compile(expr)
	if err != nil {
		panic(err)
	}
	return e
}

// String returns the expression's source.
func (e *Expr) String() string { return e.src }

// Default limits.
const (
	// DefaultMaxDepth bounds the nesting of evaluation (recursion that is
	// not a tail call), like jsonata-js's stack.
	DefaultMaxDepth = 2000
	// DefaultMaxSteps bounds the number of evaluation steps.
	DefaultMaxSteps = 50_000_000
	// DefaultMaxItems bounds what one evaluation allocates, counted in
	// items of the sequences and arrays it builds (ranges, paths, array
	// constructors, function results) plus 16 bytes of string per item.
	DefaultMaxItems = 1 << 25
)

type evalConfig struct {
	bindings map[string]any
	funcs    map[string]*builtin
	maxDepth int
	maxSteps int
	maxItems int
	timeout  time.Duration
	now      time.Time
	err      error
}

// EvalOption configures one evaluation.
type EvalOption func(*evalConfig)

// WithBindings binds variables: WithBindings(map[string]any{"x": 1.0})
// makes $x evaluate to 1. Values follow the same model as the input.
func WithBindings(b map[string]any) EvalOption {
	return func(c *evalConfig) {
		if c.bindings == nil {
			c.bindings = map[string]any{}
		}
		for k, v := range b {
			c.bindings[k] = v
		}
	}
}

// WithFunction adds a host function callable as $name. signature is a
// JSONata function signature such as "<s-n?:s>" ("" for none), checked
// before fn is called (T0410 and friends on mismatch). fn receives the
// arguments in the value model of the package doc and returns a value in
// it (Undefined for no result). sig is the signature. An error fn returns ends the evaluation;
// return an *Error to choose its code.
func WithFunction(name string, sig string, fn func(ctx context.Context, args []any) (any, error)) EvalOption {
	// The signature is parsed once, here, so an option built once and
	// passed to many evaluations costs nothing per evaluation.
	var parsed *signature
	var perr error
	if sig != "" {
		s := sig
		if len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>' {
			s = s[1 : len(s)-1]
		}
		parsed, perr = parseSignature(s, 0)
	}
	b := &builtin{name: name, sig: parsed, fn: func(ev *evaluator, _ call, args []any) (any, error) {
		host := make([]any, len(args))
		for i, a := range args {
			host[i] = export(a)
		}
		r, err := fn(ev.ctx, host)
		if err != nil {
			return nil, err
		}
		return normalize(r), nil
	}}
	return func(c *evalConfig) {
		if perr != nil {
			c.err = perr
			return
		}
		if c.funcs == nil {
			c.funcs = map[string]*builtin{}
		}
		c.funcs[name] = b
	}
}

// WithMaxDepth sets the evaluation depth limit (DefaultMaxDepth); beyond
// it evaluation fails with U1001.
func WithMaxDepth(n int) EvalOption { return func(c *evalConfig) { c.maxDepth = n } }

// WithMaxSteps sets the step limit (DefaultMaxSteps); beyond it
// evaluation fails with U1001. 0 means no limit.
func WithMaxSteps(n int) EvalOption { return func(c *evalConfig) { c.maxSteps = n } }

// WithMaxItems sets the allocation bound (DefaultMaxItems); beyond it
// evaluation fails with U1004. 0 means no limit.
func WithMaxItems(n int) EvalOption { return func(c *evalConfig) { c.maxItems = n } }

// WithTimeout bounds the evaluation's time; beyond it evaluation fails
// with U1001. The context's deadline and cancellation apply as well.
func WithTimeout(d time.Duration) EvalOption { return func(c *evalConfig) { c.timeout = d } }

// WithNow fixes the instant $now() and $millis() return (by default the
// time Eval starts).
func WithNow(t time.Time) EvalOption { return func(c *evalConfig) { c.now = t } }

// Eval evaluates the expression against input. The result is Undefined
// when the expression selects nothing. Errors are *Error.
func (e *Expr) Eval(ctx context.Context, input any, opts ...EvalOption) (result any, err error) {
	defer func() {
		// a bug in this package must not take the host down: it fails the
		// evaluation as an internal error instead
		if r := recover(); r != nil {
			result, err = nil, &Error{Code: CodeInternal, Message: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	cfg := evalConfig{maxDepth: DefaultMaxDepth, maxSteps: DefaultMaxSteps, maxItems: DefaultMaxItems}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.err != nil {
		return nil, cfg.err
	}
	ev := &evaluator{ctx: ctx, expr: e, maxDepth: cfg.maxDepth, maxSteps: cfg.maxSteps, maxItems: cfg.maxItems, funcs: cfg.funcs}
	if ev.maxDepth <= 0 {
		ev.maxDepth = DefaultMaxDepth
	}
	ev.start = cfg.now
	if cfg.timeout > 0 {
		ev.deadline = time.Now().Add(cfg.timeout)
		ev.hasDL = true
	}
	if dl, ok := ctx.Deadline(); ok && (!ev.hasDL || dl.Before(ev.deadline)) {
		ev.deadline = dl
		ev.hasDL = true
	}
	input = normalize(input)
	root := &scope{names: make([]string, 0, 1+len(cfg.bindings)), vals: make([]any, 0, 1+len(cfg.bindings))}
	root.names = append(root.names, "$")
	root.vals = append(root.vals, input)
	for k, v := range cfg.bindings {
		root.names = append(root.names, k)
		root.vals = append(root.vals, normalize(v))
	}
	if a, ok := input.([]any); ok {
		input = &arr{items: []any{a}, seq: true, outer: true}
	}
	r, err := ev.eval(e.root, input, root)
	if err != nil {
		return nil, err
	}
	return exportResult(r)
}

// Normalize converts a value to Eval's number model: json.Number and Go
// integer and float32 values become float64, in nested arrays and maps
// too, copying only the containers that change. Eval does this itself for
// its input and bindings on every call; a host that evaluates many
// expressions over the same json.Number document can convert it once and
// pass the result, which Eval then walks without copying.
func Normalize(v any) any { return normalize(v) }

func normalize(v any) any {
	r, _ := norm(v)
	return r
}

func norm(v any) (any, bool) {
	switch x := v.(type) {
	case nil, bool, float64, string, *Object, undefinedType:
		return v, false
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil && !math.IsInf(f, 0) {
			return string(x), true
		}
		return f, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint64:
		return float64(x), true
	case uint32:
		return float64(x), true
	case []any:
		var out []any
		for i, it := range x {
			n, changed := norm(it)
			if changed && out == nil {
				out = make([]any, len(x))
				copy(out, x)
			}
			if out != nil {
				out[i] = n
			}
		}
		if out != nil {
			return out, true
		}
		return x, false
	case map[string]any:
		var out map[string]any
		for k, it := range x {
			n, changed := norm(it)
			if changed && out == nil {
				out = make(map[string]any, len(x))
				for k2, v2 := range x {
					out[k2] = v2
				}
			}
			if out != nil {
				out[k] = n
			}
		}
		if out != nil {
			return out, true
		}
		return x, false
	case []map[string]any:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = normalize(m)
		}
		return out, true
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, true
	case []float64:
		out := make([]any, len(x))
		for i, f := range x {
			out[i] = f
		}
		return out, true
	}
	return v, false
}

// export turns evaluation values into the result model: sequences and
// constructed arrays become []any, functions stay function values, an
// undefined value stays Undefined (an argument a host function was not
// given) but is null inside arrays.
func export(v any) any {
	if IsUndefined(v) {
		return v
	}
	r, _ := exportValue(v)
	return r
}

// exportResult is export for Eval's result, which is JSON as
// JSON.stringify makes it of a jsonata-js result: an infinite or NaN
// number (1/0) is null, and so is an undefined item of an array.
func exportResult(v any) (any, error) {
	if IsUndefined(v) {
		return v, nil
	}
	r, _ := exportValue(v)
	return r, nil
}

// exportValue converts v, reporting whether the value changed. Containers
// are changed in place only where a member changes, which only happens
// for containers the evaluation built.
func exportValue(v any) (any, bool) {
	switch x := v.(type) {
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, true
		}
		return v, false
	case undefinedType:
		return nil, true
	case *arr:
		out := make([]any, len(x.items))
		for i, it := range x.items {
			out[i], _ = exportValue(it)
		}
		return out, true
	case *tupleSeq:
		out := make([]any, len(x.items))
		for i, t := range x.items {
			out[i], _ = exportValue(t.at)
		}
		return out, true
	case *Object:
		for i, it := range x.vals {
			if n, changed := exportValue(it); changed {
				x.vals[i] = n
			}
		}
		return x, false
	case []any:
		for i, it := range x {
			if n, changed := exportValue(it); changed {
				x[i] = n
			}
		}
		return x, false
	}
	return v, false
}
