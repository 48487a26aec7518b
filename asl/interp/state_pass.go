package interp

// runPass passes its input (or Result) to its output through the data
// flow fields.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html
func (th *thread) runPass(n *node, input any) (any, map[string]any, *Failure) {
	eff, f := th.inputPath(n, input)
	if f != nil {
		return nil, nil, f
	}
	if n.parameters != nil {
		if eff, f = th.evalTemplate(n.parameters, eff); f != nil {
			return nil, nil, f
		}
	}
	result := eff
	if n.hasResult {
		result = n.result
	}
	assigned, f := th.evalAssign(n.assign, result, nil)
	if f != nil {
		return nil, nil, f
	}
	out, f := th.resultPath(n.resultPath, input, result)
	if f != nil {
		return nil, nil, f
	}
	out, f = th.outputPath(n, out)
	return out, assigned, f
}
