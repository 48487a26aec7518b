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
	var out any
	if n.setsInPlace && th.e.cfg.checkpoint == nil {
		out, f = th.setResult(n, input, result)
	} else {
		out, f = th.resultPath(n.resultPath, input, result)
	}
	if f != nil {
		return nil, nil, f
	}
	out, f = th.outputPath(n, out)
	return out, assigned, f
}

// setResult applies the ResultPath of a state that sets in place
// (node.setsInPlace): in its input itself when the thread owns the input
// (thread.owned), else in a copy, which the thread then owns. A host that
// takes checkpoints gets each state's input in a Snapshot, so it is not
// done with one.
func (th *thread) setResult(n *node, input, result any) (any, *Failure) {
	// fresh: result is the object this state's Parameters just made.
	r, fresh := result.(map[string]any)
	fresh = fresh && n.makesResult() && sameMap(r, th.tmplVal)
	if m, ok := input.(map[string]any); ok && sameMap(m, th.owned) {
		key, _ := n.resultPath.path.SingleField()
		old, had := m[key]
		o, isMap := old.(map[string]any)
		// Field by field, here and for the hint: a struct copied whole
		// into the thread goes through the collector's bulk barrier,
		// which costs more than the pointers' own while it marks.
		u := &th.undo
		u.m, u.key, u.old, u.had, u.madeBy = m, key, old, had, nil
		u.freed = n.freesOld && isMap && sameMap(o, th.fresh)
		if th.undo.freed && th.freshBy != nil && n.leavesMadeFree(key, th.freshBy) {
			th.undo.madeBy = th.freshBy
		}
		if sameMap(m, th.memoVal) {
			th.memoVal = nil // its text is the input's
		}
		m[key] = result
		th.hint.set(m, m, key, result)
		th.fresh, th.freshBy = nil, nil
		if fresh {
			th.fresh, th.freshBy = r, n.parameters
		}
		return m, nil
	}
	out, f := th.resultPath(n.resultPath, input, result)
	th.fresh, th.freshBy = nil, nil
	if f == nil {
		th.owned, _ = out.(map[string]any)
		if fresh {
			th.fresh, th.freshBy = r, n.parameters
		}
	}
	return out, f
}
