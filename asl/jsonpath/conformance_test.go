package jsonpath

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// conformanceFile finds ../shared/conformance/asl-cases.jsonl relative to
// the repository root (the directory holding go.mod).
func conformanceFile(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
	file := filepath.Join(dir, "..", "shared", "conformance", "asl-cases.jsonl")
	if _, err := os.Stat(file); err != nil {
		t.Skipf("conformance cases not available: %v", err)
	}
	return file
}

type conformanceCase struct {
	ID         string   `json:"id"`
	Definition string   `json:"definition"`
	Input      string   `json:"input"`
	Features   []string `json:"features"`
	Expect     struct {
		Status string  `json:"status"`
		Output *string `json:"output"`
		Error  *string `json:"error"`
		Cause  *string `json:"cause"`
	} `json:"expect"`
}

// passState is the subset of a Pass state this test can run with the
// package alone.
type passState struct {
	Type       string          `json:"Type"`
	Next       string          `json:"Next"`
	End        bool            `json:"End"`
	InputPath  json.RawMessage `json:"InputPath"`
	Parameters json.RawMessage `json:"Parameters"`
	Result     json.RawMessage `json:"Result"`
	ResultPath json.RawMessage `json:"ResultPath"`
	OutputPath json.RawMessage `json:"OutputPath"`
	Assign     json.RawMessage `json:"Assign"`
}

// TestConformancePassStates runs the recorded AWS executions made only of
// Pass states in JSONPath mode (paths, templates, variables, the context
// object and intrinsic functions) through this package, applying the Pass
// state's data flow (InputPath, Parameters/Result, ResultPath, OutputPath,
// Assign) itself, and compares the output with what AWS returned.
// Recorded placeholders (<...>) match any string.
func TestConformancePassStates(t *testing.T) {
	file := conformanceFile(t)
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	ran := 0
	for sc.Scan() {
		var c conformanceCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("decode case: %v", err)
		}
		states, start, ok := passChain(t, &c)
		if !ok {
			continue
		}
		ran++
		t.Run(c.ID, func(t *testing.T) {
			runPassChain(t, &c, states, start)
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if ran < 40 {
		t.Errorf("ran %d conformance cases, expected at least 40: did the selection break?", ran)
	}
	t.Logf("ran %d Pass-state conformance cases", ran)
}

// passChain selects cases that are a chain of Pass states using JSONPath.
func passChain(t *testing.T, c *conformanceCase) (map[string]passState, string, bool) {
	relevant := false
	for _, f := range c.Features {
		switch {
		case f == "JSONata" || strings.HasPrefix(f, "QueryLanguage"):
			return nil, "", false
		case strings.HasPrefix(f, "intrinsic:"), f == "context-object", f == "variable-reference",
			f == "field:Parameters", f == "field:InputPath", f == "field:OutputPath", f == "field:ResultPath", f == "field:Assign":
			relevant = true
		}
	}
	if !relevant || (c.Expect.Status != "SUCCEEDED" && c.Expect.Status != "CREATE_FAILED") {
		return nil, "", false
	}
	if c.Expect.Output != nil && strings.Contains(*c.Expect.Output, "RandomNumberGenerated") {
		return nil, "", false // the recorder replaced the random value by a fixed word
	}
	var def struct {
		StartAt string                     `json:"StartAt"`
		States  map[string]json.RawMessage `json:"States"`
	}
	if err := json.Unmarshal([]byte(c.Definition), &def); err != nil {
		return nil, "", false
	}
	states := map[string]passState{}
	for name, raw := range def.States {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			return nil, "", false
		}
		for k := range fields {
			switch k {
			case "Type", "Next", "End", "InputPath", "Parameters", "Result", "ResultPath", "OutputPath", "Assign", "Comment":
			default:
				return nil, "", false
			}
		}
		var s passState
		if err := json.Unmarshal(raw, &s); err != nil || s.Type != "Pass" {
			return nil, "", false
		}
		states[name] = s
	}
	return states, def.StartAt, true
}

func runPassChain(t *testing.T, c *conformanceCase, states map[string]passState, start string) {
	// Compile everything first, as CreateStateMachine would.
	type compiled struct {
		s                           passState
		inputPath, outputPath       *Path
		resultPath                  *Path
		params, assign              *Template
		result                      any
		hasInputPath, nullInputPath bool
		hasResultPath, nullResult   bool
		hasOutputPath, nullOutput   bool
	}
	prog := map[string]*compiled{}
	var compileErr error
	pathField := func(raw json.RawMessage, ref bool) (p *Path, present, null bool, err error) {
		if raw == nil {
			return nil, false, false, nil
		}
		if string(raw) == "null" {
			return nil, true, true, nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, true, false, err
		}
		if ref {
			p, err = CompileReference(s)
		} else {
			p, err = Compile(s)
		}
		return p, true, false, err
	}
	names := make([]string, 0, len(states))
	for name := range states {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s := states[name]
		cp := &compiled{s: s}
		var err error
		var errs []error
		cp.inputPath, cp.hasInputPath, cp.nullInputPath, err = pathField(s.InputPath, false)
		errs = append(errs, err)
		cp.outputPath, cp.hasOutputPath, cp.nullOutput, err = pathField(s.OutputPath, false)
		errs = append(errs, err)
		cp.resultPath, cp.hasResultPath, cp.nullResult, err = pathField(s.ResultPath, true)
		errs = append(errs, err)
		if s.Parameters != nil {
			cp.params, err = CompileTemplate(mustJSON(t, string(s.Parameters)))
			errs = append(errs, err)
		}
		if s.Assign != nil {
			cp.assign, err = CompileTemplate(mustJSON(t, string(s.Assign)))
			errs = append(errs, err)
		}
		if s.Result != nil {
			cp.result = mustJSON(t, string(s.Result))
		}
		if err := errors.Join(errs...); err != nil && compileErr == nil {
			compileErr = err
		}
		prog[name] = cp
	}
	if c.Expect.Status == "CREATE_FAILED" {
		if compileErr == nil {
			t.Fatalf("compiled fine, AWS rejected the definition: %v", *c.Expect.Cause)
		}
		var fe *FieldError
		if errors.As(compileErr, &fe) && c.Expect.Cause != nil && !strings.Contains(*c.Expect.Cause, fe.Error()) {
			t.Errorf("compile error %q is not part of AWS's cause %q", fe.Error(), *c.Expect.Cause)
		}
		return
	}
	if compileErr != nil {
		t.Fatalf("compile: %v", compileErr)
	}

	input := mustJSON(t, orEmpty(c.Input))
	vars := map[string]any{}
	ctx := map[string]any{
		"Execution":    map[string]any{"Id": "arn:aws:states:us-east-1:111111111111:execution:sm-name-x:exec", "Input": input, "Name": "exec", "StartTime": "2024-01-01T00:00:00Z", "RoleArn": "arn:aws:iam::111111111111:role/r"},
		"StateMachine": map[string]any{"Id": "arn:aws:states:us-east-1:111111111111:stateMachine:sm-name-x", "Name": "sm-name-x"},
	}
	scope := &Scope{Context: ctx, Random: seqRandom(1), Var: func(n string) (any, bool) { v, ok := vars[n]; return v, ok }}
	cur := input
	name := start
	for steps := 0; ; steps++ {
		if steps > 100 {
			t.Fatal("too many steps")
		}
		cp := prog[name]
		if cp == nil {
			t.Fatalf("no state %q", name)
		}
		ctx["State"] = map[string]any{"Name": name, "EnteredTime": "2024-01-01T00:00:00Z", "RetryCount": json.Number("0")}
		raw := cur
		eff := cur
		var err error
		switch {
		case cp.nullInputPath:
			eff = map[string]any{}
		case cp.inputPath != nil:
			if eff, err = cp.inputPath.Eval(&Scope{Input: cur, Context: ctx, Var: scope.Var}); err != nil {
				t.Fatalf("InputPath: %v", err)
			}
		}
		result := eff
		if cp.params != nil {
			if result, err = cp.params.Eval(&Scope{Input: eff, Context: ctx, Var: scope.Var, Random: scope.Random}); err != nil {
				t.Fatalf("Parameters: %v", err)
			}
		}
		if cp.result != nil {
			result = cp.result
		}
		if cp.assign != nil {
			// In JSONPath mode "$" in Assign is the state's result
			// (recorded: BASE_ASSIGN_FROM_RESULT).
			assigned, err := cp.assign.Eval(&Scope{Input: result, Context: ctx, Var: scope.Var, Random: scope.Random})
			if err != nil {
				t.Fatalf("Assign: %v", err)
			}
			for k, v := range assigned.(map[string]any) {
				vars[k] = v
			}
		}
		out := result
		switch {
		case cp.nullResult:
			out = raw
		case cp.resultPath != nil:
			if out, err = Set(raw, cp.resultPath, result); err != nil {
				t.Fatalf("ResultPath: %v", err)
			}
		}
		switch {
		case cp.nullOutput:
			out = map[string]any{}
		case cp.outputPath != nil:
			if out, err = cp.outputPath.Eval(&Scope{Input: out, Context: ctx, Var: scope.Var}); err != nil {
				t.Fatalf("OutputPath: %v", err)
			}
		}
		cur = out
		if cp.s.End {
			break
		}
		name = cp.s.Next
	}
	want := mustJSON(t, orEmpty(c.Expect.Output))
	if !matchRecorded(cur, want) {
		t.Errorf("output = %s\nwant     %s", jsonText(cur), jsonText(want))
	}
}

func orEmpty(s any) string {
	switch x := s.(type) {
	case string:
		if x == "" {
			return "{}"
		}
		return x
	case *string:
		if x == nil || *x == "" {
			return "null"
		}
		return *x
	}
	return "null"
}

var placeholder = regexp.MustCompile(`^<[^<>]+>$`)

// matchRecorded compares got with a recorded value whose "<...>" strings
// are wildcards for any string.
func matchRecorded(got, want any) bool {
	if s, ok := want.(string); ok && placeholder.MatchString(s) {
		_, isString := got.(string)
		return isString
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok || !matchRecorded(gv, wv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !matchRecorded(g[i], w[i]) {
				return false
			}
		}
		return true
	}
	return equal(got, want)
}
