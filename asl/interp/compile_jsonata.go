package interp

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/sluicehq/sluice/asl"
)

// jsonataSpec is what a JSONata state evaluates: its Arguments, Output and
// Assign, and the fields of its type that may be expressions.
// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
type jsonataSpec struct {
	arguments *jtemplate // Task, Parallel
	output    *jtemplate
	assign    *jtemplate

	timeout, heartbeat *jtemplate // Task
	seconds, timestamp *jtemplate // Wait
	failError          *jtemplate // Fail
	failCause          *jtemplate

	rules []jchoice // Choice

	items, itemSelector        *jtemplate // Map
	maxConcurrency             *jtemplate
	toleratedCount, toleratedP *jtemplate

	catches []jcatch // parallel to node.catch
}

type jchoice struct {
	cond   *jtemplate
	next   string
	assign *jtemplate
	output *jtemplate
}

type jcatch struct {
	assign, output *jtemplate
}

// intExpr compiles an integer field that may be an expression; a constant
// stays in the node's own field.
func (c *compiler) intExpr(field string, v *asl.IntExpr) (*jtemplate, error) {
	if v == nil || v.Expr == "" {
		return nil, nil
	}
	return c.jexpr(field, v.Expr)
}

func (c *compiler) numExpr(field string, v *asl.NumExpr) (*jtemplate, error) {
	if v == nil || v.Expr == "" {
		return nil, nil
	}
	return c.jexpr(field, v.Expr)
}

// jsonataNode compiles the JSONata fields of state s into n.
func (c *compiler) jsonataNode(n *node, s asl.State, machineLang asl.QueryLanguage) error {
	js := &jsonataSpec{}
	n.js = js
	var err error
	val := func(dst **jtemplate, field string, v any) {
		if err == nil {
			*dst, err = c.jsonata(field, v)
		}
	}
	str := func(dst **jtemplate, field, v string) {
		if err == nil {
			*dst, err = c.jexpr(field, v)
		}
	}
	ints := func(dst **jtemplate, field string, v *asl.IntExpr) {
		if err == nil {
			*dst, err = c.intExpr(field, v)
		}
	}
	switch st := s.(type) {
	case *asl.Pass:
		val(&js.output, "Output", st.Output)
		val(&js.assign, "Assign", assignValue(st.Assign))
	case *asl.Task:
		val(&js.arguments, "Arguments", st.Arguments)
		val(&js.output, "Output", st.Output)
		val(&js.assign, "Assign", assignValue(st.Assign))
		ints(&js.timeout, "TimeoutSeconds", st.TimeoutSeconds)
		ints(&js.heartbeat, "HeartbeatSeconds", st.HeartbeatSeconds)
		if err == nil {
			n.task, err = c.task(st)
		}
	case *asl.Choice:
		val(&js.output, "Output", st.Output)
		val(&js.assign, "Assign", assignValue(st.Assign))
		n.def = st.Default
		for i, r := range st.Choices {
			if err != nil {
				break
			}
			c.loc = append(c.loc, "Choices", fmt.Sprint(i))
			jr := jchoice{next: r.Next}
			at := fmt.Sprintf("Choices[%d]/", i)
			val(&jr.cond, at+"Condition", r.Condition)
			val(&jr.assign, at+"Assign", assignValue(r.Assign))
			val(&jr.output, at+"Output", r.Output)
			if err == nil && jr.cond == nil {
				err = c.errorf("a JSONata Choice rule needs a Condition")
			}
			c.loc = c.loc[:len(c.loc)-2]
			js.rules = append(js.rules, jr)
		}
	case *asl.Wait:
		val(&js.output, "Output", st.Output)
		val(&js.assign, "Assign", assignValue(st.Assign))
		ints(&js.seconds, "Seconds", st.Seconds)
		if st.Seconds != nil && st.Seconds.Expr == "" {
			n.waitSeconds, n.hasWaitSeconds = st.Seconds.Value, true
		}
		if _, isExpr := jsonataExpr(st.Timestamp); isExpr {
			str(&js.timestamp, "Timestamp", st.Timestamp)
		} else if st.Timestamp != "" {
			ts, perr := parseTimestamp(st.Timestamp)
			if perr != nil {
				return c.errorf("Timestamp: %w", perr)
			}
			n.waitTimestamp, n.hasWaitTimestamp = ts, true
		}
	case *asl.Succeed:
		val(&js.output, "Output", st.Output)
	case *asl.Fail:
		str(&js.failError, "Error", st.Error)
		str(&js.failCause, "Cause", st.Cause)
	case *asl.Parallel:
		val(&js.arguments, "Arguments", st.Arguments)
		val(&js.output, "Output", st.Output)
		val(&js.assign, "Assign", assignValue(st.Assign))
		for i, b := range st.Branches {
			if err != nil {
				break
			}
			c.loc = append(c.loc, "Branches", fmt.Sprint(i))
			var p *program
			p, err = c.program(b.StartAt, b.States, machineLang)
			c.loc = c.loc[:len(c.loc)-2]
			n.branches = append(n.branches, p)
		}
	case *asl.Map:
		val(&js.output, "Output", st.Output)
		val(&js.assign, "Assign", assignValue(st.Assign))
		val(&js.items, "Items", st.Items)
		val(&js.itemSelector, "ItemSelector", st.ItemSelector)
		ints(&js.maxConcurrency, "MaxConcurrency", st.MaxConcurrency)
		ints(&js.toleratedCount, "ToleratedFailureCount", st.ToleratedFailureCount)
		if err == nil {
			js.toleratedP, err = c.numExpr("ToleratedFailurePercentage", st.ToleratedFailurePercentage)
		}
		if err == nil {
			n.mapSpec, err = c.mapState(n.name, st, machineLang, true)
		}
	default:
		return c.errorf("unknown state type %T", s)
	}
	if err != nil {
		return err
	}
	var catchers []asl.Catcher
	switch st := s.(type) {
	case *asl.Task:
		n.retry, catchers = c.retriers(st.Retry), st.Catch
	case *asl.Parallel:
		n.retry, catchers = c.retriers(st.Retry), st.Catch
	case *asl.Map:
		n.retry, catchers = c.retriers(st.Retry), st.Catch
	}
	for i, k := range catchers {
		c.loc = append(c.loc, "Catch", fmt.Sprint(i))
		var jc jcatch
		at := fmt.Sprintf("Catch[%d]/", i)
		val(&jc.assign, at+"Assign", assignValue(k.Assign))
		val(&jc.output, at+"Output", k.Output)
		c.loc = c.loc[:len(c.loc)-2]
		if err != nil {
			return err
		}
		n.catch = append(n.catch, catchPolicy{errorEquals: k.ErrorEquals, next: k.Next})
		js.catches = append(js.catches, jc)
	}
	n.usesContext = jsonataMentionsContext(s) || n.task != nil && n.task.waitForToken
	return nil
}

// jsonataMentionsContext reports whether a JSONata state's own fields
// mention "context", so $states.context is built only where it may be read.
func jsonataMentionsContext(s asl.State) bool {
	var own any = s
	switch st := s.(type) {
	case *asl.Parallel:
		c := *st
		c.Branches = nil
		own = &c
	case *asl.Map:
		c := *st
		c.ItemProcessor, c.Iterator = nil, nil
		own = &c
	}
	b, err := json.Marshal(own)
	if err != nil || bytes.Contains(b, []byte("context")) {
		return true
	}
	// $states as a whole holds the context too.
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("$states"))
		if j < 0 {
			return false
		}
		i += j + len("$states")
		if i >= len(b) || b[i] != '.' {
			return true
		}
	}
}
