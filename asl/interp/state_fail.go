package interp

// runFail builds the failure a Fail state ends its program with: Error and
// Cause, or ErrorPath and CausePath (a reference path or an intrinsic
// function) evaluated against the state's input.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
func (th *thread) runFail(n *node, input any) *Failure {
	f := &Failure{Error: n.failError, Cause: n.failCause}
	for _, x := range []struct {
		p    evaluator
		expr string
		dst  *string
	}{{n.failErrorPath, n.failErrorExpr, &f.Error}, {n.failCausePath, n.failCauseExpr, &f.Cause}} {
		if x.p == nil {
			continue
		}
		v, err := x.p.Eval(th.scope(input))
		if err != nil {
			field := "ErrorPath"
			if x.dst == &f.Cause {
				field = "CausePath"
			}
			if AsFailure(err) != nil && AsFailure(err).Error != "States.Runtime" {
				return AsFailure(err)
			}
			return th.runtimeError("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", x.expr, field, render(input))
		}
		s, ok := v.(string)
		if !ok {
			return th.runtimeError("The ErrorPath/CausePath %s did not resolve to a string", x.expr)
		}
		*x.dst = s
	}
	return f
}
