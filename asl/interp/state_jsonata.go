package interp

import (
	"fmt"
	"math/big"
	"time"

	"github.com/sluicehq/sluice/asl"
)

// The data flow of a JSONata state: no InputPath, Parameters, ResultSelector,
// ResultPath or OutputPath; Arguments shapes what a task receives, Output
// what the state passes on (by default the task's result, the error output
// of a Catcher, or the input of the other states), and Assign sets
// variables. Output and Assign both see the variables as they were when
// the state was entered.
// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html

// runJSONata runs a JSONata state other than Fail (and Task, Parallel, Map,
// which go through runWithRetry).
func (th *thread) runJSONata(n *node, input any) (out any, next string, assigned map[string]any, f *Failure) {
	js := n.js
	env := th.jenv(input)
	out, next = input, n.next
	switch n.typ {
	case asl.TypeChoice:
		next = ""
		output := js.output
		for _, r := range js.rules {
			ok, f := env.condition(r.cond)
			if f != nil {
				return nil, "", nil, f
			}
			if ok {
				next = r.next
				if assigned, f = env.assign(r.assign, nil); f != nil {
					return nil, "", nil, f
				}
				if r.output != nil {
					output = r.output
				}
				break
			}
		}
		if next == "" {
			if n.def == "" {
				return nil, "", nil, &Failure{Error: "States.NoChoiceMatched", Cause: fmt.Sprintf(
					"No Matches! and no default in %q", n.name)}
			}
			next = n.def
		}
		if assigned, f = env.assign(js.assign, assigned); f != nil {
			return nil, "", nil, f
		}
		if output != nil {
			out, f = env.eval(output)
		}
		return out, next, assigned, f
	case asl.TypeWait:
		if f := th.waitJSONata(n, env); f != nil {
			return nil, "", nil, f
		}
	case asl.TypeSucceed:
		next = ""
	}
	if assigned, f = env.assign(js.assign, nil); f != nil {
		return nil, "", nil, f
	}
	if js.output != nil {
		if out, f = env.eval(js.output); f != nil {
			return nil, "", nil, f
		}
	}
	return out, next, assigned, nil
}

// condition evaluates a Choice rule's Condition, which must be a boolean.
func (js *jstates) condition(t *jtemplate) (bool, *Failure) {
	v, f := js.eval(t)
	if f != nil {
		return false, f
	}
	b, ok := v.(bool)
	if !ok {
		return false, js.th.queryError(t.field, "The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected 'boolean', but was '%s' for value: %s",
			t.src, t.field, jsonTypeName(v), render(v))
	}
	return b, nil
}

// waitJSONata waits for Seconds or until Timestamp, either of which may be
// an expression.
func (th *thread) waitJSONata(n *node, env *jstates) *Failure {
	js := n.js
	now := th.clock().Now()
	var d time.Duration
	switch {
	case js.seconds != nil:
		secs, f := env.intField(js.seconds, "Seconds")
		if f != nil {
			return f
		}
		d = seconds(int64(secs))
	case js.timestamp != nil:
		v, f := env.eval(js.timestamp)
		if f != nil {
			return f
		}
		s, _ := v.(string)
		ts, err := parseTimestamp(s)
		if err != nil {
			return th.queryError("Timestamp", "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: %s", rawText(v))
		}
		d = ts.Sub(now)
	case n.hasWaitSeconds:
		d = seconds(int64(n.waitSeconds))
	case n.hasWaitTimestamp:
		d = n.waitTimestamp.Sub(now)
	}
	return th.sleep(d)
}

// failJSONata builds a JSONata Fail state's failure; Error and Cause may be
// expressions, which must yield strings.
func (th *thread) failJSONata(n *node, input any) *Failure {
	js := n.js
	if js.failError == nil && js.failCause == nil {
		return &Failure{}
	}
	env := th.jenv(input)
	f := &Failure{}
	for _, x := range []struct {
		t   *jtemplate
		dst *string
	}{{js.failError, &f.Error}, {js.failCause, &f.Cause}} {
		if x.t == nil {
			continue
		}
		v, ff := env.eval(x.t)
		if ff != nil {
			return ff
		}
		s, ok := v.(string)
		if !ok {
			return th.queryError(x.t.field, "The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected 'string', but was '%s' for value: %s",
				x.t.src, x.t.field, jsonTypeName(v), render(v))
		}
		*x.dst = s
	}
	return f
}

// attemptJSONata runs one attempt of a JSONata Task, Parallel or Map state.
func (th *thread) attemptJSONata(n *node, input any) (any, *Failure) {
	th.started = false
	switch n.typ {
	case asl.TypeTask:
		return th.runTaskJSONata(n, input)
	case asl.TypeParallel:
		args := input
		if n.js.arguments != nil {
			var f *Failure
			if args, f = th.jenv(input).eval(n.js.arguments); f != nil {
				return nil, f
			}
		}
		return th.runParallel(n, args)
	default:
		return th.runMapJSONata(n, input)
	}
}

// runTaskJSONata evaluates Arguments (after registering a callback task's
// token, so $states.context.Task.Token is there) and the timeouts, then
// invokes the resource. Without Arguments the task receives the input.
func (th *thread) runTaskJSONata(n *node, input any) (any, *Failure) {
	t, js := n.task, n.js
	var tw *taskWait
	if t.waitForToken {
		tw = &taskWait{}
		th.token = th.e.m.cfg.tokens.register(tw)
		defer func(tok string) { th.e.m.cfg.tokens.remove(tok) }(th.token)
	}
	env := th.jenv(input)
	params := input
	var f *Failure
	if js.arguments != nil {
		if params, f = env.eval(js.arguments); f != nil {
			return nil, f
		}
	}
	timeout, heartbeat := t.timeout, t.heartbeat
	if js.timeout != nil {
		if timeout, f = env.positiveInt(js.timeout); f != nil {
			return nil, f
		}
	}
	if js.heartbeat != nil {
		if heartbeat, f = env.positiveInt(js.heartbeat); f != nil {
			return nil, f
		}
	}
	return th.invokeResource(n, params, tw, timeout, heartbeat)
}

// positiveInt evaluates TimeoutSeconds or HeartbeatSeconds.
func (js *jstates) positiveInt(t *jtemplate) (int, *Failure) {
	v, f := js.intField(t, t.field)
	if f == nil && v <= 0 {
		return 0, js.th.queryError(t.field, "The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected 'positive integer', but was 'number' for value: %d",
			t.src, t.field, v)
	}
	return v, f
}

// runMapJSONata resolves Items (by default the input, which must then be
// an array), MaxConcurrency and the tolerated failures, then runs the
// iterations; ItemSelector is applied per item (see iteration).
func (th *thread) runMapJSONata(n *node, input any) (any, *Failure) {
	js, ms := n.js, n.mapSpec
	if ms.unsupported != "" {
		return nil, th.runtimeError("%s", ms.unsupported)
	}
	// Every failure of a JSONata Map, an evaluation of its fields included,
	// records MapStateFailed (recorded: EvaluationFailed, MapStateFailed).
	th.started = true
	env := th.jenv(input)
	if ms.dist != nil {
		return th.runDistributed(n, input, env)
	}
	var items []any
	if js.items == nil {
		a, ok := input.([]any)
		if !ok {
			return nil, th.queryError("Items", "Map state input must be an array but was: %s", jsonTypeName(input))
		}
		items = a
	} else {
		v, f := env.eval(js.items)
		if f != nil {
			return nil, f
		}
		a, ok := v.([]any)
		if !ok {
			return nil, th.queryError("Items", "The JSONata expression '%s' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '%s' for value: %s",
				js.items.src, jsonTypeName(v), render(v))
		}
		items = a
	}
	limit, tolCount, tolPct := ms.maxConcurrency, ms.toleratedCount, ms.toleratedPercent
	var f *Failure
	if js.maxConcurrency != nil {
		if limit, f = env.intField(js.maxConcurrency, "MaxConcurrency"); f != nil {
			return nil, f
		}
	}
	if js.toleratedCount != nil {
		if tolCount, f = env.intField(js.toleratedCount, "ToleratedFailureCount"); f != nil {
			return nil, f
		}
	}
	if js.toleratedP != nil {
		v, f := env.eval(js.toleratedP)
		if f != nil {
			return nil, f
		}
		r, ok := numberRat(v)
		p, _ := new(big.Rat).Set(orZero(r)).Float64()
		if !ok || p < 0 || p > 100 {
			return nil, th.queryError("ToleratedFailurePercentage", "The JSONata expression '%s' specified for the field 'ToleratedFailurePercentage' returned an unexpected result type. Expected 'number between 0 and 100', but was '%s' for value: %s",
				js.toleratedP.src, jsonTypeName(v), render(v))
		}
		tolPct = p
	}
	return th.mapItems(n, input, items, limit, tolCount, tolPct)
}

func orZero(r *big.Rat) *big.Rat {
	if r == nil {
		return new(big.Rat)
	}
	return r
}

// succeedJSONata is the success path of a JSONata Task, Parallel or Map:
// Assign and Output see $states.result.
func (th *thread) succeedJSONata(n *node, input, result any) (any, map[string]any, *Failure) {
	env := th.jenv(input).with("result", result)
	assigned, f := env.assign(n.js.assign, nil)
	if f != nil {
		return nil, nil, f
	}
	out := result
	if n.js.output != nil {
		if out, f = env.eval(n.js.output); f != nil {
			return nil, nil, f
		}
	}
	return out, assigned, nil
}

// catchJSONata applies Catcher i of a JSONata state: its Assign and Output
// see $states.errorOutput, which is also the default output.
func (th *thread) catchJSONata(n *node, i int, input, errOut any) (any, map[string]any, *Failure) {
	jc := n.js.catches[i]
	env := th.jenv(input).with("errorOutput", errOut)
	assigned, f := env.assign(jc.assign, nil)
	if f != nil {
		return nil, nil, f
	}
	out := errOut
	if jc.output != nil {
		if out, f = env.eval(jc.output); f != nil {
			return nil, nil, f
		}
	}
	return out, assigned, nil
}
