package interp

import "github.com/sluicehq/sluice/asl/jsonpath"

// The JSONPath data flow of a state: InputPath, Parameters, ResultPath,
// OutputPath and Assign.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html

func (th *thread) evalPath(p ioPath, input any) (any, *Failure) {
	switch p.kind {
	case ioAbsent, ioRoot:
		return input, nil
	case ioNull:
		return map[string]any{}, nil
	}
	v, err := p.path.Eval(th.scope(input))
	if err != nil {
		return nil, th.pathFailure(p.expr, err)
	}
	return v, nil
}

// pathFailure reports an InputPath or OutputPath that matched nothing.
func (th *thread) pathFailure(expr string, err error) *Failure {
	if f := AsFailure(err); f != nil && f.Error != "States.Runtime" {
		return f
	}
	if je, ok := err.(*jsonpath.Error); ok {
		return th.runtimeError("%s", je.Cause)
	}
	return th.runtimeError("Invalid path '%s' : %v", expr, err)
}

func (th *thread) inputPath(n *node, input any) (any, *Failure) {
	return th.evalPath(n.inputPath, input)
}

func (th *thread) outputPath(n *node, out any) (any, *Failure) { return th.evalPath(n.outputPath, out) }

// resultPath merges result into the state's raw input as ResultPath says:
// absent or "$" replaces the input, null discards the result.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html
func (th *thread) resultPath(p ioPath, input, result any) (any, *Failure) {
	th.hint.key = "" // no hint (renderOutput); a new one sets every field
	switch p.kind {
	case ioAbsent, ioRoot:
		return result, nil
	case ioNull:
		return input, nil
	}
	v, err := jsonpath.Set(input, p.path, result)
	if err != nil {
		return nil, th.evalFailure(err)
	}
	if key, ok := p.path.SingleField(); ok {
		base, _ := input.(map[string]any)
		out, _ := v.(map[string]any)
		th.hint.set(base, out, key, result)
	}
	return v, nil
}

// evalTemplate builds a payload (Parameters, ResultSelector, ItemSelector),
// writing its text as it goes: a payload is rendered for the history, the
// size check or a state's output, and the template writes it more cheaply
// than a renderer walking the map can (see tmplText).
func (th *thread) evalTemplate(t *jsonpath.Template, input any) (any, *Failure) {
	th.tmplVal = nil // its text is about to be overwritten
	if th.tmplText == nil {
		// Room for a typical payload at once, rather than growing to it;
		// a branch or an iteration usually works on a smaller one.
		size := 128
		if th.top {
			size = 512
		}
		th.tmplText = make([]byte, 0, size)
	}
	spare, maker := th.spare, th.spareBy
	th.spare, th.spareBy = nil, nil
	if sameMap(spare, th.memoVal) || maker != nil && !sameMap(th.memoVal, th.owned) {
		// Its text is about to change: the spare, or an object in it.
		th.memoVal = nil
	}
	v, text, ok, err := t.EvalAppendReuse(th.scope(input), th.tmplText[:0], spare, maker)
	if err != nil {
		return nil, th.evalFailure(err)
	}
	if m, isMap := v.(map[string]any); ok && isMap {
		th.tmplVal, th.tmplText = m, text
	}
	return v, nil
}

// evalPlain builds a payload whose text is not needed as a whole.
func (th *thread) evalPlain(t *jsonpath.Template, input any) (any, *Failure) {
	v, err := t.Eval(th.scope(input))
	if err != nil {
		return nil, th.evalFailure(err)
	}
	return v, nil
}

// evalAssign evaluates an Assign template into variable values.
func (th *thread) evalAssign(t *jsonpath.Template, input any, into map[string]any) (map[string]any, *Failure) {
	if t == nil {
		return into, nil
	}
	v, f := th.evalPlain(t, input)
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
