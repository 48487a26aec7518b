package statetest

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/google/go-cmp/cmp"
)

// Mismatch is one expectation a run did not meet.
type Mismatch struct {
	// What names the expectation: "status", "output", "path", "state Process output", ...
	What string
	// Diff is the difference, (-got +want).
	Diff string
}

func (m Mismatch) String() string { return fmt.Sprintf("%s (-got +want):\n%s", m.What, m.Diff) }

// Outcome is how one run ended, whichever runner ran it.
type Outcome struct {
	Status string
	Output string // JSON text (SUCCEEDED)
	Error  string
	Cause  string
	Events []Event
}

// check compares a run with the expectations.
func check(e Expect, got Outcome, obs observed) []Mismatch {
	var out []Mismatch
	diff := func(what string, g, w any) {
		if d := cmp.Diff(g, w); d != "" {
			out = append(out, Mismatch{What: what, Diff: d})
		}
	}
	if e.Status != "" {
		diff("status", got.Status, e.Status)
	}
	if e.Error != "" {
		diff("error", got.Error, e.Error)
	}
	if e.Cause != "" {
		diff("cause", got.Cause, e.Cause)
	}
	if len(e.Output) > 0 {
		diff("output", jsonValue(got.Output), jsonValue(string(e.Output)))
	}
	if len(e.OutputIncludes) > 0 {
		w := jsonValue(string(e.OutputIncludes))
		diff("output includes", prune(jsonValue(got.Output), w), w)
	}
	if e.Path != nil {
		diff("path", obs.path, e.Path)
	}
	if e.Invocations != nil {
		diff("invocations", obs.invocations, e.Invocations)
	}
	names := make([]string, 0, len(e.States))
	for n := range e.States {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		se := e.States[n]
		text, ok := obs.outputs[n]
		var g any = absent{}
		if ok {
			g = jsonValue(text)
		}
		if len(se.Output) > 0 {
			diff("state "+n+" output", g, jsonValue(string(se.Output)))
		}
		if len(se.OutputIncludes) > 0 {
			w := jsonValue(string(se.OutputIncludes))
			diff("state "+n+" output includes", prune(g, w), w)
		}
	}
	return out
}

// absent stands for a value that is not there (an output of a state never exited), so a diff shows it.
type absent struct{}

// jsonValue decodes JSON text for comparison (numbers as float64); text that is not JSON stays a string.
func jsonValue(text string) any {
	if text == "" {
		return absent{}
	}
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return "not JSON: " + text
	}
	return v
}

// prune returns the part of got that want describes: for objects only the members want names (a member
// got lacks stays absent), arrays of the same length element by element, anything else as is. Diffing
// the result against want shows exactly where got is not a superset of want.
func prune(got, want any) any {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return got
		}
		out := map[string]any{}
		for k, wv := range w {
			if gv, ok := g[k]; ok {
				out[k] = prune(gv, wv)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return got
		}
		out := make([]any, len(g))
		for i := range g {
			out[i] = prune(g[i], w[i])
		}
		return out
	}
	return got
}
