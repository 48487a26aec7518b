package statetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/interp"
)

// Runner runs one case's execution and returns how it ended with its history.
type Runner interface {
	RunCase(ctx context.Context, s *Suite, c Case) (Outcome, error)
}

// Suite is a state machine with its case file.
type Suite struct {
	Definition *asl.StateMachine
	Cases      *CaseFile
}

// Load reads a definition (an ASL JSON file; ${...} definition substitutions may stay in it as long as
// the states that use them are mocked) and a case file.
func Load(definitionPath, casesPath string) (*Suite, error) {
	data, err := os.ReadFile(definitionPath)
	if err != nil {
		return nil, fmt.Errorf("read definition: %w", err)
	}
	sm, err := asl.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("definition %s: %w", definitionPath, err)
	}
	cf, err := LoadCaseFile(casesPath)
	if err != nil {
		return nil, err
	}
	return &Suite{Definition: sm, Cases: cf}, nil
}

// CaseResult is one case's result.
type CaseResult struct {
	Name       string
	Outcome    Outcome
	Mismatches []Mismatch
	// Err is set when the case could not run at all.
	Err error
}

// Passed reports whether the case ran and met every expectation.
func (r CaseResult) Passed() bool { return r.Err == nil && len(r.Mismatches) == 0 }

// Report is the result of a suite: each case in file order, and the coverage of all of them.
type Report struct {
	Cases    []CaseResult
	Coverage *Coverage
}

// Passed reports whether every case passed.
func (r *Report) Passed() bool {
	for _, c := range r.Cases {
		if !c.Passed() {
			return false
		}
	}
	return true
}

// Text renders the per-case results: "PASS name" or "FAIL name" followed by each diff, and a count.
func (r *Report) Text() string {
	var b strings.Builder
	failed := 0
	for _, c := range r.Cases {
		if c.Passed() {
			fmt.Fprintf(&b, "PASS %s\n", c.Name)
			continue
		}
		failed++
		fmt.Fprintf(&b, "FAIL %s\n", c.Name)
		if c.Err != nil {
			fmt.Fprintf(&b, "    %v\n", c.Err)
		}
		for _, m := range c.Mismatches {
			b.WriteString(indent(m.String(), "    "))
		}
	}
	fmt.Fprintf(&b, "%d cases, %d passed, %d failed\n", len(r.Cases), len(r.Cases)-failed, failed)
	return b.String()
}

func indent(s, prefix string) string {
	lines := strings.SplitAfter(strings.TrimRight(s, "\n")+"\n", "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(prefix + l)
		}
	}
	return b.String()
}

// Execute runs every case with runner, in parallel (GOMAXPROCS at a time), and computes the coverage.
func (s *Suite) Execute(ctx context.Context, runner Runner) *Report {
	results := make([]CaseResult, len(s.Cases.Cases))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, c := range s.Cases.Cases {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			res := CaseResult{Name: c.Name}
			res.Outcome, res.Err = runner.RunCase(ctx, s, c)
			results[i] = res
		}()
	}
	wg.Wait()
	cov := NewCoverage(s.Definition)
	for i, c := range s.Cases.Cases {
		if results[i].Err != nil {
			continue
		}
		obs := walk(results[i].Outcome.Events, cov, c.Name)
		results[i].Mismatches = check(c.Expect, results[i].Outcome, obs)
	}
	return &Report{Cases: results, Coverage: cov}
}

// Engine runs cases in process on the engine (asl/interp) with a virtual clock, so retry back-off and
// Wait states take no time: mocked states answer from the case's mocks; a Lambda task that is not mocked
// fails with Lambda.ResourceNotFoundException (the engine has no functions) and any other resource with
// States.TaskFailed, unless Options supply invokers.
type Engine struct {
	// Start is the virtual clock's start; zero: 2026-01-01T00:00:00Z.
	Start time.Time
	// Options are added to every machine (WithLambdaInvoker, WithTaskInvoker, ...).
	Options []interp.Option
}

var _ Runner = Engine{}

// RunCase runs c on a machine of its own with its own clock and mock counters.
func (e Engine) RunCase(ctx context.Context, s *Suite, c Case) (Outcome, error) {
	mocks, err := s.Cases.mocksOf(c)
	if err != nil {
		return Outcome{}, err
	}
	input, err := decodeInput(s.Cases.input(c))
	if err != nil {
		return Outcome{}, fmt.Errorf("case %q: input: %w", c.Name, err)
	}
	start := e.Start
	if start.IsZero() {
		start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	run := mocks.NewRun()
	opts := append([]interp.Option{
		interp.WithClock(interp.NewVirtualClock(start)),
		interp.WithTaskInterceptor(run),
		interp.WithRandom(func() float64 { return 0.5 }),
	}, e.Options...)
	m, err := interp.New(s.Definition, opts...)
	if err != nil {
		return Outcome{}, err
	}
	name := s.Cases.StateMachineName
	if name == "" {
		name = "machine"
	}
	var h interp.HistoryLog
	r := m.Run(ctx, input, interp.WithHistory(&h), interp.WithExecutionName(c.Name),
		interp.WithStateMachineArn("arn:aws:states:us-east-1:000000000000:stateMachine:"+name))
	out := Outcome{Status: string(r.Status), Error: r.Error, Cause: r.Cause, Events: EventsFromEngine(h.Events())}
	if r.Status == interp.StatusSucceeded {
		b, err := json.Marshal(r.Output)
		if err != nil {
			return Outcome{}, fmt.Errorf("case %q: output: %w", c.Name, err)
		}
		out.Output = string(b)
	}
	return out, nil
}

// errInlineMocks is the error of a case an endpoint cannot run as written.
var errInlineMocks = errors.New("mocks written in the case file run only in process (the endpoint serves the mock configuration file's test cases)")

func decodeInput(text string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}
