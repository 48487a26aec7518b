package statetest

import (
	"testing"
)

// Run runs a case file against a state machine definition in process (Engine) as subtests of t, one per
// case, failing each with the same (-got +want) diffs `sluice test` prints, and returns the report (its
// Coverage for a test that wants a minimum).
func Run(t *testing.T, definitionPath, casesPath string, opts ...Engine) *Report {
	t.Helper()
	s, err := Load(definitionPath, casesPath)
	if err != nil {
		t.Fatal(err)
	}
	var e Engine
	if len(opts) > 0 {
		e = opts[0]
	}
	r := s.Execute(t.Context(), e)
	for _, c := range r.Cases {
		t.Run(c.Name, func(t *testing.T) {
			if c.Err != nil {
				t.Fatal(c.Err)
			}
			for _, m := range c.Mismatches {
				t.Error(m.String())
			}
		})
	}
	return r
}
