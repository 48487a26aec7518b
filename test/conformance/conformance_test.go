package conformance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/interp"
)

// casesFile is the recorded cases, relative to this package's directory:
// the repository root's sibling "shared" folder.
const casesFile = "../../../shared/conformance/asl-cases.jsonl"

type recordedCase struct {
	ID         string            `json:"id"`
	Definition string            `json:"definition"`
	Input      string            `json:"input"`
	Features   []string          `json:"features"`
	Pure       bool              `json:"pure"`
	Requires   []string          `json:"requires"`
	Lambdas    map[string]string `json:"lambdas"`
	Expect     struct {
		Status string  `json:"status"`
		Output *string `json:"output"`
		Error  *string `json:"error"`
		Cause  *string `json:"cause"`
	} `json:"expect"`
	History []struct {
		Type string `json:"type"`
		Name string `json:"name"`
	} `json:"history"`
}

// handledLambdas are the recorded handlers caseLambdas reproduces.
var handledLambdas = map[string]bool{
	"id_function.py": true, "echo_function.py": true, "raise_exception.py": true,
	"raise_custom_exception.py": true, "return_bytes_str.py": true,
	"large_output_string.py": true, "wait_60_seconds.py": true,
}

func loadCases(t *testing.T) []recordedCase {
	t.Helper()
	f, err := os.Open(casesFile)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not present: conformance cases skipped", casesFile)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []recordedCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var c recordedCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("decode case: %v", err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// runnable reports whether the case needs nothing but the interpreter and,
// at most, Lambda handlers caseLambdas reproduces.
func runnable(c recordedCase) bool {
	if c.Pure {
		return true
	}
	if len(c.Requires) != 1 || c.Requires[0] != "lambda" || len(c.Lambdas) == 0 {
		return false
	}
	for _, h := range c.Lambdas {
		if !handledLambdas[path.Base(h)] {
			return false
		}
	}
	return true
}

func loadGaps(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "known-gaps.txt"))
	if err != nil {
		t.Fatal(err)
	}
	gaps := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, reason, ok := strings.Cut(line, "\t")
		if !ok || strings.TrimSpace(reason) == "" {
			t.Fatalf("known-gaps.txt: line without a tab-separated reason: %q", line)
		}
		gaps[id] = reason
	}
	return gaps
}

func TestRecordedCases(t *testing.T) {
	cases := loadCases(t)
	gaps := loadGaps(t)
	type tally struct{ run, pass int }
	byFeature := map[string]*tally{}
	total := tally{}
	seen := map[string]bool{}
	for _, c := range cases {
		if !runnable(c) {
			continue
		}
		seen[c.ID] = true
		problems := runCase(c)
		total.run++
		if len(problems) == 0 {
			total.pass++
		}
		for _, f := range c.Features {
			if byFeature[f] == nil {
				byFeature[f] = &tally{}
			}
			byFeature[f].run++
			if len(problems) == 0 {
				byFeature[f].pass++
			}
		}
		reason, known := gaps[c.ID]
		switch {
		case len(problems) > 0 && !known:
			t.Errorf("case %s:\n  %s", c.ID, strings.Join(problems, "\n  "))
		case len(problems) > 0 && os.Getenv("CONFORMANCE_VERBOSE") != "":
			t.Logf("known gap %s:\n  %s", c.ID, strings.Join(problems, "\n  "))
		case len(problems) == 0 && known:
			t.Errorf("case %s passes but is listed in known-gaps.txt (%s): remove it", c.ID, reason)
		}
	}
	for id := range gaps {
		if !seen[id] {
			t.Errorf("known-gaps.txt lists %s, which is not a runnable case", id)
		}
	}
	features := make([]string, 0, len(byFeature))
	for f := range byFeature {
		features = append(features, f)
	}
	sort.Strings(features)
	var b strings.Builder
	fmt.Fprintf(&b, "conformance: %d of %d runnable recorded cases pass (%d listed as known gaps)\n", total.pass, total.run, len(gaps))
	for _, f := range features {
		fmt.Fprintf(&b, "  %-45s %3d/%3d\n", f, byFeature[f].pass, byFeature[f].run)
	}
	t.Log(b.String())
	if os.Getenv("CONFORMANCE_PRINT") != "" {
		fmt.Print(b.String())
	}
}

// runCase runs one case and returns what differs from the recording.
func runCase(c recordedCase) (problems []string) {
	sm, err := asl.Parse([]byte(c.Definition))
	if c.Expect.Status == "CREATE_FAILED" {
		var ve *asl.ValidationError
		if !errors.As(err, &ve) {
			return []string{fmt.Sprintf("Parse: got error %v, want a validation error", err)}
		}
		if c.Expect.Cause != nil && !newMatcher().str(ve.Error(), *c.Expect.Cause) {
			return []string{fmt.Sprintf("Parse: got message\n    %s\n  want\n    %s", ve.Error(), *c.Expect.Cause)}
		}
		return nil
	}
	if err != nil {
		return []string{fmt.Sprintf("Parse: %v", err)}
	}
	clock := interp.NewVirtualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	lambdas := &caseLambdas{clock: clock, functions: map[string]string{}}
	for name, h := range c.Lambdas {
		lambdas.functions[name] = h
	}
	m, err := interp.New(sm, interp.WithClock(clock), interp.WithLambdaInvoker(lambdas),
		interp.WithRegion("us-east-1", "111111111111"), interp.WithRandom(func() float64 { return 0.5 }))
	if err != nil {
		return []string{fmt.Sprintf("New: %v", err)}
	}
	input, err := decode(c.Input)
	if err != nil {
		return []string{fmt.Sprintf("input: %v", err)}
	}
	var hist interp.HistoryLog
	e := m.Start(context.Background(), input, interp.WithHistory(&hist), interp.WithExecutionName("case"),
		interp.WithStateMachineArn("arn:aws:states:us-east-1:111111111111:stateMachine:case"))
	// A guard against a hung execution, not a speed assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := e.Wait(ctx)
	if err != nil {
		e.Stop("Hung", "the conformance run gave up")
		return []string{"execution did not finish"}
	}
	mt := newMatcher()
	if string(r.Status) != c.Expect.Status {
		problems = append(problems, fmt.Sprintf("status: got %s (%s: %s), want %s", r.Status, r.Error, r.Cause, c.Expect.Status))
	}
	if c.Expect.Output != nil && r.Status == interp.StatusSucceeded {
		want, err := decode(*c.Expect.Output)
		if err != nil {
			problems = append(problems, fmt.Sprintf("expected output: %v", err))
		} else if !mt.value(r.Output, want) {
			got, _ := json.Marshal(r.Output)
			problems = append(problems, fmt.Sprintf("output: got\n    %s\n  want\n    %s", got, *c.Expect.Output))
		}
	}
	if c.Expect.Status == "FAILED" {
		if c.Expect.Error != nil && !mt.str(r.Error, *c.Expect.Error) {
			problems = append(problems, fmt.Sprintf("error: got %q, want %q", r.Error, *c.Expect.Error))
		}
		wantCause := ""
		if c.Expect.Cause != nil {
			wantCause = *c.Expect.Cause
		}
		if !mt.str(r.Cause, wantCause) {
			problems = append(problems, fmt.Sprintf("cause: got\n    %q\n  want\n    %q", r.Cause, wantCause))
		}
	}
	if len(c.History) > 0 {
		if d := historyDiff(hist.Events(), c); d != "" {
			problems = append(problems, d)
		}
	}
	return problems
}

// historyDiff compares event types (and state names) with the recording.
// Branches and iterations run concurrently, so events of a Parallel or Map
// state may interleave differently: the sequences must be equal after
// sorting when they are not equal as recorded.
func historyDiff(events []interp.HistoryEvent, c recordedCase) string {
	var got, want []string
	for _, ev := range events {
		s := string(ev.Type)
		if d := ev.StateEnteredEventDetails; d != nil {
			s += "(" + d.Name + ")"
		}
		if d := ev.StateExitedEventDetails; d != nil {
			s += "(" + d.Name + ")"
		}
		got = append(got, s)
	}
	for _, h := range c.History {
		s := h.Type
		if h.Name != "" {
			s += "(" + h.Name + ")"
		}
		want = append(want, s)
	}
	if strings.Join(got, " ") == strings.Join(want, " ") {
		return ""
	}
	gs, ws := append([]string(nil), got...), append([]string(nil), want...)
	sort.Strings(gs)
	sort.Strings(ws)
	if strings.Join(gs, " ") == strings.Join(ws, " ") && concurrent(c) {
		return ""
	}
	return fmt.Sprintf("history: got\n    %s\n  want\n    %s", strings.Join(got, " "), strings.Join(want, " "))
}

func concurrent(c recordedCase) bool {
	for _, f := range c.Features {
		if f == "state:Parallel" || f == "state:Map" {
			return true
		}
	}
	return false
}

func decode(s string) (any, error) {
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// matcher compares values with the recording's placeholders: <...> tokens
// (one token, one value within a case), the account 111111111111, and the
// whole strings date, datetime, timestamp and snf_role_arn.
type matcher struct{ bound map[string]string }

func newMatcher() *matcher { return &matcher{bound: map[string]string{}} }

var tokenRE = regexp.MustCompile(`<[^<>]+>|111111111111`)

func (m *matcher) str(got, want string) bool {
	switch want {
	case "date", "datetime", "timestamp", "snf_role_arn":
		return true
	}
	if got == want {
		return true
	}
	locs := tokenRE.FindAllStringIndex(want, -1)
	if len(locs) == 0 {
		return false
	}
	var re strings.Builder
	re.WriteString("^")
	var names []string
	prev := 0
	for _, l := range locs {
		re.WriteString(regexp.QuoteMeta(want[prev:l[0]]))
		re.WriteString("(.*?)")
		names = append(names, want[l[0]:l[1]])
		prev = l[1]
	}
	re.WriteString(regexp.QuoteMeta(want[prev:]))
	re.WriteString("$")
	r, err := regexp.Compile(re.String())
	if err != nil {
		return false
	}
	sub := r.FindStringSubmatch(got)
	if sub == nil {
		return false
	}
	for i, name := range names {
		if name == "111111111111" {
			continue
		}
		if v, ok := m.bound[name]; ok && v != sub[i+1] {
			return false
		}
		m.bound[name] = sub[i+1]
	}
	return true
}

func (m *matcher) value(got, want any) bool {
	switch w := want.(type) {
	case string:
		if g, ok := got.(string); ok {
			return m.str(g, w)
		}
		switch w {
		case "date", "datetime", "timestamp", "snf_role_arn":
			return true
		case "RandomNumberGenerated":
			// The recording replaced States.MathRandom's result with
			// this marker.
			_, isNum := got.(json.Number)
			return isNum
		}
		return false
	case json.Number:
		wf, err := w.Float64()
		switch g := got.(type) {
		case json.Number:
			gf, err1 := g.Float64()
			return err == nil && err1 == nil && gf == wf
		case float64: // a number computed by JSONata
			return err == nil && g == wf
		}
		return false
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if ok && wv == any(k) {
				// The recording replaced a volatile value (a request id,
				// an HTTP header) with its own key.
				continue
			}
			if !ok || !m.value(gv, wv) {
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
			if !m.value(g[i], w[i]) {
				return false
			}
		}
		return true
	}
	return got == want
}
