package interp

// runParallel runs every branch concurrently on the effective input (after
// Parameters), or one after another when no branch can wait (see fanout),
// and returns their outputs in branch order. The first branch to
// fail stops the others and fails the state with its error.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
func (th *thread) runParallel(n *node, eff any) (any, *Failure) {
	input := eff
	if n.parameters != nil {
		var f *Failure
		if input, f = th.evalTemplate(n.parameters, eff); f != nil {
			return nil, f
		}
	}
	th.emit(&HistoryEvent{Type: ParallelStateStarted})
	th.started = true
	started := th.prev
	job, done := th.completed(n, len(n.branches), func(sc *cancelScope, i int) (any, *Failure) {
		c := th.branch(sc, n, i)
		c.prev = started
		return c.runProgram(n.branches[i], input, false)
	})
	results, first := th.fanout(len(n.branches), 0, n.instant(), job, func(int) bool { return true })
	done(first == nil && th.ctx.Err() == nil, results)
	if th.ctx.Err() != nil {
		return nil, errStopped
	}
	if first != nil {
		return nil, first
	}
	return results, nil
}
