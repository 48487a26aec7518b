package asl

import (
	"slices"
)

func (v *validator) retryCatch(loc string, ql QueryLanguage, retry []Retrier, catch []Catcher) {
	for i := range retry {
		r := &retry[i]
		rl := index(loc+"/Retry", i)
		v.errorEquals(rl, r.ErrorEquals, i == len(retry)-1, "Retry")
		if r.IntervalSeconds != nil {
			v.intRange(rl+"/IntervalSeconds", "IntervalSeconds", *r.IntervalSeconds, 1, maxSeconds)
		}
		if r.MaxAttempts != nil {
			v.intRange(rl+"/MaxAttempts", "MaxAttempts", *r.MaxAttempts, 0, maxSeconds)
		}
		if r.BackoffRate != nil && *r.BackoffRate < 1 {
			v.schema(rl+"/BackoffRate", "The value for the field 'BackoffRate' must be greater than or equal to 1.0")
		}
		if r.MaxDelaySeconds != nil {
			v.intRange(rl+"/MaxDelaySeconds", "MaxDelaySeconds", *r.MaxDelaySeconds, 1, maxDelaySeconds)
		}
		switch r.JitterStrategy {
		case "", JitterFull, JitterNone:
		default:
			v.schema(rl+"/JitterStrategy", "The value for the field 'JitterStrategy' must be one of [FULL, NONE]")
		}
	}
	for i := range catch {
		c := &catch[i]
		cl := index(loc+"/Catch", i)
		v.errorEquals(cl, c.ErrorEquals, i == len(catch)-1, "Catch")
		if ql == JSONata {
			if !c.ResultPath.IsAbsent() {
				v.otherLanguage(cl, "ResultPath")
			}
			v.jsonataValue(cl+"/Output", c.Output)
		} else {
			if c.Output != nil {
				v.otherLanguage(cl, "Output")
			}
			v.pathField(cl+"/ResultPath", "ResultPath", c.ResultPath, true)
		}
		v.assign(cl, ql, c.Assign)
	}
}

// errorEquals checks one retrier's or catcher's ErrorEquals: non-empty, and
// States.ALL alone and in the last element.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
func (v *validator) errorEquals(loc string, names []string, last bool, field string) {
	at := loc + "/ErrorEquals"
	if len(names) == 0 {
		v.schema(at, "The field 'ErrorEquals' should be non-empty")
		return
	}
	if !slices.Contains(names, ErrAll) {
		return
	}
	if len(names) > 1 {
		v.schema(at, "The error name States.ALL must appear alone in ErrorEquals")
	}
	if !last {
		v.schema(at, "The error name States.ALL must appear in the last "+field+" entry")
	}
}
