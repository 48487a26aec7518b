// Package mockconfig reads Step Functions Local mock configuration files (SFN_MOCK_CONFIG) and answers the
// mocked Task invocations of one execution, so that the local Step Functions service (local/sfn) and the
// state machine test runner (statetest) interpret the format the same way.
// https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html
//
//	{"StateMachines": {"<name>": {"TestCases": {"<case>": {"<state>": "<mocked response>"}}}},
//	 "MockedResponses": {"<mocked response>": {"0": {"Return": ...}, "1-2": {"Throw": {"Error": ..., "Cause": ...}}}}}
//
// The rules are Step Functions Local's: each mocked state of an execution has one invocation counter,
// starting at 0 and advancing on every invocation, retries and Map iterations included; the response whose
// key ("n" or the inclusive range "n-m") covers the counter answers; an invocation the response does not
// cover fails the execution with States.Runtime. Return is the integration's whole response (for
// lambda:invoke, the wrapper with StatusCode and Payload); Throw fails the task with its Error and Cause,
// which Retry and Catch see as usual. States that a test case does not name call the real integration.
package mockconfig

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/sluicehq/sluice/asl/interp"
)

// File is a parsed mock configuration file. It is immutable once parsed.
type File struct {
	machines  map[string]map[string]map[string]string // machine -> case -> state -> response name
	responses map[string]Response
}

// Response is one mocked response: the invocations each entry answers.
type Response []Step

// Step answers the invocations From..To (inclusive) of a state with either Return or Throw.
type Step struct {
	From, To int
	// Return is the integration's response as JSON text; Value is the same decoded with UseNumber.
	Return json.RawMessage
	Value  any
	Throw  *Failure
}

// Failure is a mocked error: the name Retry and Catch match and its cause.
type Failure struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// rawStep is an entry of a mocked response as the file writes it.
type rawStep struct {
	Return json.RawMessage `json:"Return"`
	Throw  *Failure        `json:"Throw"`
}

// Load reads a mock configuration file.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read mock config: %w", err)
	}
	return Parse(data)
}

// Parse parses a mock configuration and checks it: every test case names a mocked response that exists,
// and every response's keys are indexes or ascending ranges that do not overlap, each with exactly one of
// Return and Throw, and every Return is JSON.
func Parse(data []byte) (*File, error) {
	var doc struct {
		StateMachines map[string]struct {
			TestCases map[string]map[string]string `json:"TestCases"`
		} `json:"StateMachines"`
		MockedResponses map[string]json.RawMessage `json:"MockedResponses"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("mock config: %w", err)
	}
	f := &File{machines: map[string]map[string]map[string]string{}, responses: map[string]Response{}}
	for name, raw := range doc.MockedResponses {
		r, err := ParseResponse(raw)
		if err != nil {
			return nil, fmt.Errorf("mock config: mocked response %q: %w", name, err)
		}
		f.responses[name] = r
	}
	for machine, m := range doc.StateMachines {
		f.machines[machine] = map[string]map[string]string{}
		for tc, states := range m.TestCases {
			for state, resp := range states {
				if _, ok := f.responses[resp]; !ok {
					return nil, fmt.Errorf("mock config: state machine %q, test case %q, state %q: no mocked response %q", machine, tc, state, resp)
				}
			}
			f.machines[machine][tc] = states
		}
	}
	return f, nil
}

// ParseResponse parses one mocked response: {"0": {"Return": ...}, "1-2": {"Throw": {...}}}.
func ParseResponse(data []byte) (Response, error) {
	var steps map[string]rawStep
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&steps); err != nil {
		return nil, err
	}
	if steps == nil {
		return nil, errors.New("want an object of invocation indexes")
	}
	var list Response
	for key, step := range steps {
		from, to, err := parseRange(key)
		if err != nil {
			return nil, err
		}
		if (step.Return == nil) == (step.Throw == nil) {
			return nil, fmt.Errorf("%q: want exactly one of Return and Throw", key)
		}
		s := Step{From: from, To: to, Return: step.Return, Throw: step.Throw}
		if step.Return != nil {
			if s.Value, err = decode(step.Return); err != nil {
				return nil, fmt.Errorf("%q: Return: %w", key, err)
			}
		}
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].From < list[j].From })
	for i := 1; i < len(list); i++ {
		if list[i].From <= list[i-1].To {
			return nil, fmt.Errorf("invocation %d is answered twice", list[i].From)
		}
	}
	return list, nil
}

func decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
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

// parseRange reads "n" or "n-m" (inclusive).
func parseRange(key string) (int, int, error) {
	a, b, isRange := strings.Cut(key, "-")
	from, err := strconv.Atoi(a)
	if err != nil || from < 0 {
		return 0, 0, fmt.Errorf("key %q is not an invocation index or range", key)
	}
	to := from
	if isRange {
		if to, err = strconv.Atoi(b); err != nil || to < from {
			return 0, 0, fmt.Errorf("key %q is not an ascending range", key)
		}
	}
	return from, to, nil
}

// Machines returns the state machine names the file has test cases for, sorted.
func (f *File) Machines() []string {
	var names []string
	for n := range f.machines {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Cases returns the test case names of a state machine, sorted.
func (f *File) Cases(machine string) []string {
	var names []string
	for n := range f.machines[machine] {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// HasCase reports whether the file defines a test case for a state machine name.
func (f *File) HasCase(machine, testCase string) bool {
	_, ok := f.machines[machine][testCase]
	return ok
}

// Response returns a mocked response by name.
func (f *File) Response(name string) (Response, bool) {
	r, ok := f.responses[name]
	return r, ok
}

// Case returns the mocks of a test case: state name -> mocked response.
func (f *File) Case(machine, testCase string) (Case, bool) {
	states, ok := f.machines[machine][testCase]
	if !ok {
		return nil, false
	}
	c := Case{}
	for state, name := range states {
		c[state] = Named{Name: name, Response: f.responses[name]}
	}
	return c, true
}

// Named is a mocked response and its name ("" for one given inline).
type Named struct {
	Name     string
	Response Response
}

// Case is the mocks of one test case: state name -> mocked response.
type Case map[string]Named

// Run is the mock state of one execution of a test case: its invocation counters. It is safe for
// concurrent use (Parallel branches and Map iterations invoke concurrently).
type Run struct {
	c        Case
	mu       sync.Mutex
	counters map[string]int
}

// NewRun starts the counters of one execution of c at 0.
func (c Case) NewRun() *Run { return &Run{c: c, counters: map[string]int{}} }

// Outcome is what a mocked invocation answers.
type Outcome struct {
	Mocked bool // false: the state is not mocked, call the real integration
	Value  any  // the response (decoded with UseNumber), when not failed
	Fail   *Failure
}

// Next answers the next invocation of state.
func (r *Run) Next(state string) Outcome {
	n, ok := r.c[state]
	if !ok {
		return Outcome{}
	}
	r.mu.Lock()
	i := r.counters[state]
	r.counters[state] = i + 1
	r.mu.Unlock()
	for _, s := range n.Response {
		if i >= s.From && i <= s.To {
			if s.Throw != nil {
				return Outcome{Mocked: true, Fail: s.Throw}
			}
			return Outcome{Mocked: true, Value: s.Value}
		}
	}
	return Outcome{Mocked: true, Fail: &Failure{Error: "States.Runtime",
		Cause: fmt.Sprintf("The mocked response %q does not define invocation %d of state %q.", n.Name, i, state)}}
}

// InterceptTask answers req from the mocks, as an interp.TaskInterceptor of one execution does.
func (r *Run) InterceptTask(_ context.Context, req interp.TaskRequest) (any, bool, error) {
	o := r.Next(req.StateName)
	switch {
	case !o.Mocked:
		return nil, false, nil
	case o.Fail != nil:
		return nil, true, interp.Fail(o.Fail.Error, o.Fail.Cause)
	}
	return o.Value, true, nil
}

var _ interp.TaskInterceptor = (*Run)(nil)
