package statetest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func loadTestdata(t *testing.T) *Suite {
	t.Helper()
	s, err := Load(filepath.Join("testdata", "branches.asl.json"), filepath.Join("testdata", "branches.cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Coverage reaches into Parallel branches and Map item processors, tells Choice rules from the Default,
// and counts a Retrier retried and exhausted and a Catcher of a Parallel state whose failure names no error.
func TestCoverageOfBranches(t *testing.T) {
	r := Run(t, filepath.Join("testdata", "branches.asl.json"), filepath.Join("testdata", "branches.cases.json"))
	got := map[string][]string{}
	for _, it := range r.Coverage.Items {
		got[it.Label()] = it.Cases
	}
	want := map[string][]string{
		"Pick":                         {"MapItems", "Neither", "ParallelCaught", "ParallelOK"},
		"Pick -> Fan (Choice rule 0)":  {"ParallelCaught", "ParallelOK"},
		"Pick -> Each (Choice rule 1)": {"MapItems"},
		"Pick -> Done (Default)":       {"Neither"},
		"Fan":                          {"ParallelCaught", "ParallelOK"},
		"Fan -> Done (Next)":           {"ParallelOK"},
		"Fan -> Done (Catch 0)":        {"ParallelCaught"},
		"A":                            {"ParallelCaught", "ParallelOK"},
		"A (End)":                      {"ParallelOK"},
		"A: Retry 0 retried":           {"ParallelCaught"},
		"A: Retry 0 exhausted":         {"ParallelCaught"},
		"Each":                         {"MapItems"},
		"Each -> Done (Next)":          {"MapItems"},
		"B":                            {"MapItems"},
		"B (End)":                      {"MapItems"},
		"Done":                         {"MapItems", "Neither", "ParallelCaught", "ParallelOK"},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("coverage (-got +want):\n%s", diff)
	}
	if p := r.Coverage.Totals().Percent(); p != 100 {
		t.Errorf("coverage %.1f%%, want 100%%", p)
	}
}

// Each kind of expectation fails with a diff naming it.
func TestMismatches(t *testing.T) {
	s := loadTestdata(t)
	s.Cases.Cases[0].Expect.Status = "FAILED"
	s.Cases.Cases[1].Expect.Invocations = map[string]int{"A": 7}
	s.Cases.Cases[2].Expect.States["Each"] = StateExpect{OutputIncludes: []byte(`{"results": ["b"]}`)}
	s.Cases.Cases[3].Expect.Output = []byte(`{"n": 4}`)
	s.Cases.Cases[3].Expect.States = map[string]StateExpect{"Fan": {Output: []byte(`{}`)}}
	r := s.Execute(context.Background(), Engine{})
	if r.Passed() {
		t.Fatal("report passed")
	}
	var got [][]string
	for _, c := range r.Cases {
		var whats []string
		for _, m := range c.Mismatches {
			whats = append(whats, m.What)
		}
		got = append(got, whats)
	}
	want := [][]string{{"status"}, {"invocations"}, {"state Each output includes"}, {"output", "state Fan output"}}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("mismatches (-got +want):\n%s", diff)
	}
	text := r.Text()
	for _, w := range []string{"FAIL ParallelOK", "status (-got +want):", "4 cases, 0 passed, 4 failed"} {
		if !strings.Contains(text, w) {
			t.Errorf("report lacks %q:\n%s", w, text)
		}
	}
	if !hasDiffLine(text, "-", `"SUCCEEDED"`) || !hasDiffLine(text, "+", `"FAILED"`) {
		t.Errorf("report lacks the status diff lines:\n%s", text)
	}
}

func TestPrune(t *testing.T) {
	tests := []struct {
		name      string
		got, want any
		pruned    any
	}{
		{"members want names", map[string]any{"a": 1.0, "b": 2.0}, map[string]any{"a": 1.0}, map[string]any{"a": 1.0}},
		{"missing member stays absent", map[string]any{"b": 2.0}, map[string]any{"a": 1.0}, map[string]any{}},
		{"nested", map[string]any{"x": map[string]any{"a": 1.0, "b": 2.0}}, map[string]any{"x": map[string]any{"b": 0.0}}, map[string]any{"x": map[string]any{"b": 2.0}}},
		{"arrays element-wise", []any{map[string]any{"a": 1.0, "b": 2.0}}, []any{map[string]any{"a": 1.0}}, []any{map[string]any{"a": 1.0}}},
		{"arrays of another length as is", []any{1.0, 2.0}, []any{1.0}, []any{1.0, 2.0}},
		{"type differs", "s", map[string]any{"a": 1.0}, "s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(prune(tt.got, tt.want), tt.pruned); diff != "" {
				t.Errorf("prune (-got +want):\n%s", diff)
			}
		})
	}
}

func TestParseCaseFileErrors(t *testing.T) {
	bad := map[string]string{
		"no cases":            `{"stateMachineName": "M", "cases": []}`,
		"unnamed case":        `{"cases": [{"expect": {}}]}`,
		"duplicate":           `{"cases": [{"name": "A"}, {"name": "A"}]}`,
		"unknown field":       `{"cases": [{"name": "A", "expct": {}}]}`,
		"named mock, no file": `{"cases": [{"name": "A", "mocks": {"S": "R"}}]}`,
		"bad inline mock":     `{"cases": [{"name": "A", "mocks": {"S": {"0": {}}}}]}`,
		"mockCase, no file":   `{"cases": [{"name": "A", "mockCase": "X"}]}`,
		"missing mock file":   `{"mockConfigFile": "nope.json", "cases": [{"name": "A"}]}`,
		"malformed":           `{"cases": [`,
	}
	for name, src := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseCaseFile([]byte(src), t.TempDir()); err == nil {
				t.Errorf("want an error for %s", src)
			}
		})
	}
}

func FuzzParseCaseFile(f *testing.F) {
	f.Add([]byte(`{"stateMachineName": "M", "input": {}, "cases": [{"name": "A", "mocks": {"S": {"0": {"Return": 1}}}, "expect": {"status": "SUCCEEDED", "path": ["S"]}}]}`))
	f.Add([]byte(`{"cases": [{"name": "A", "expect": {"outputIncludes": {"a": [1, {"b": null}]}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cf, err := ParseCaseFile(data, t.TempDir())
		if err != nil {
			return
		}
		for _, c := range cf.Cases {
			if c.Name == "" {
				t.Fatal("a case without a name was accepted")
			}
			if _, err := cf.mocksOf(c); err != nil {
				t.Fatalf("accepted case %q has unresolvable mocks: %v", c.Name, err)
			}
		}
	})
}

// hasDiffLine reports whether text has a diff line starting with sign (after indentation) that contains
// substr. go-cmp varies the spaces of its output on purpose, so no test matches it whole.
func hasDiffLine(text, sign, substr string) bool {
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimLeft(l, " \t")
		if strings.HasPrefix(l, sign) && strings.Contains(l, substr) {
			return true
		}
	}
	return false
}

// When several rules and the Default lead to the same state, the engine tells which one each input took.
func TestCoverageOfRulesToTheSameState(t *testing.T) {
	dir := t.TempDir()
	def := `{"StartAt": "Pick", "States": {
	  "Pick": {"Type": "Choice", "Choices": [
	    {"Variable": "$.n", "NumericEquals": 1, "Next": "Done"},
	    {"Variable": "$.n", "NumericEquals": 2, "Next": "Done"}], "Default": "Done"},
	  "Done": {"Type": "Succeed"}}}`
	cases := `{"cases": [
	  {"name": "Two", "input": {"n": 2}, "expect": {"path": ["Pick", "Done"]}},
	  {"name": "Three", "input": {"n": 3}, "expect": {"path": ["Pick", "Done"]}}]}`
	for name, text := range map[string]string{"m.asl.json": def, "cases.json": cases} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := Run(t, filepath.Join(dir, "m.asl.json"), filepath.Join(dir, "cases.json"))
	got := map[string][]string{}
	for _, it := range r.Coverage.Items {
		got[it.Label()] = it.Cases
	}
	want := map[string][]string{
		"Pick":                         {"Three", "Two"},
		"Pick -> Done (Choice rule 0)": nil,
		"Pick -> Done (Choice rule 1)": {"Two"},
		"Pick -> Done (Default)":       {"Three"},
		"Done":                         {"Three", "Two"},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("coverage (-got +want):\n%s", diff)
	}
}
