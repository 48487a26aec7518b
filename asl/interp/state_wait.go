package interp

import (
	"encoding/json"
	"math"
	"math/big"
	"time"
)

// runWait delays for Seconds, SecondsPath, until Timestamp or until
// TimestampPath; a time in the past does not wait. The output is the
// effective input.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
func (th *thread) runWait(n *node, input any) (any, map[string]any, *Failure) {
	eff, f := th.inputPath(n, input)
	if f != nil {
		return nil, nil, f
	}
	now := th.clock().Now()
	var d time.Duration
	switch {
	case n.hasWaitSeconds:
		d = seconds(int64(n.waitSeconds))
	case n.hasWaitTimestamp:
		d = n.waitTimestamp.Sub(now)
	case n.waitSecondsPath != nil:
		expr := n.waitSecondsPath.String()
		v, err := n.waitSecondsPath.Eval(th.scope(eff))
		if err != nil {
			return nil, nil, th.runtimeError("The SecondsPath parameter does not reference an input value: %s", expr)
		}
		num, ok := v.(json.Number)
		if !ok {
			return nil, nil, th.runtimeError("The SecondsPath parameter cannot be parsed as a long value: %s == %s", expr, render(v))
		}
		r, ok := new(big.Rat).SetString(string(num))
		if !ok || !r.IsInt() || !r.Num().IsInt64() {
			return nil, nil, th.runtimeError("The SecondsPath parameter cannot be parsed as a long value: %s == %s", expr, num)
		}
		secs := r.Num().Int64()
		if secs < 0 {
			return nil, nil, th.runtimeError("The SecondsPath parameter references a negative value: %s == %s", expr, num)
		}
		d = seconds(secs)
	case n.waitTimestampPath != nil:
		expr := n.waitTimestampPath.String()
		v, err := n.waitTimestampPath.Eval(th.scope(eff))
		if err != nil {
			return nil, nil, th.runtimeError("The TimestampPath parameter does not reference an input value: %s", expr)
		}
		s, _ := v.(string)
		ts, perr := parseTimestamp(s)
		if perr != nil {
			return nil, nil, th.runtimeError("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", expr, rawText(v))
		}
		d = ts.Sub(now)
	}
	if f := th.sleep(d); f != nil {
		return nil, nil, f
	}
	assigned, f := th.evalAssign(n.assign, eff, nil)
	if f != nil {
		return nil, nil, f
	}
	out, f := th.outputPath(n, eff)
	return out, assigned, f
}

// rawText renders a value as AWS does in messages: strings bare, other
// values as JSON.
func rawText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return render(v)
}

// seconds converts a count of seconds to a Duration, saturating instead of
// overflowing (a Duration holds about 292 years).
func seconds(n int64) time.Duration {
	const limit = int64(math.MaxInt64 / int64(time.Second))
	if n > limit {
		return time.Duration(limit) * time.Second
	}
	return time.Duration(n) * time.Second
}
