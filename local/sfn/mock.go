package sfn

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/sluicehq/sluice/asl/interp"
)

// MockConfig is a Step Functions Local mock configuration file (SFN_MOCK_CONFIG): test cases that replace
// the responses of chosen Task states, selected by starting an execution on "<stateMachineArn>#<case>".
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
type MockConfig struct {
	machines  map[string]map[string]map[string]string // machine -> case -> state -> response name
	responses map[string][]mockStep
}

// mockStep is one entry of a mocked response: the invocations [from, to] it answers.
type mockStep struct {
	from, to int
	ret      json.RawMessage
	throw    *Failure
}

// Failure is a mocked error: the name Retry and Catch match and its cause.
type Failure struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// LoadMockConfig reads a mock configuration file.
func LoadMockConfig(path string) (*MockConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read mock config: %w", err)
	}
	return ParseMockConfig(data)
}

// ParseMockConfig parses a mock configuration and checks it: every test case names a mocked response
// that exists, and every response's keys are indexes or ascending ranges that do not overlap, each with
// exactly one of Return and Throw.
func ParseMockConfig(data []byte) (*MockConfig, error) {
	var doc struct {
		StateMachines map[string]struct {
			TestCases map[string]map[string]string `json:"TestCases"`
		} `json:"StateMachines"`
		MockedResponses map[string]map[string]struct {
			Return json.RawMessage `json:"Return"`
			Throw  *Failure        `json:"Throw"`
		} `json:"MockedResponses"`
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("mock config: %w", err)
	}
	cfg := &MockConfig{machines: map[string]map[string]map[string]string{}, responses: map[string][]mockStep{}}
	for name, steps := range doc.MockedResponses {
		var list []mockStep
		for key, step := range steps {
			from, to, err := parseMockRange(key)
			if err != nil {
				return nil, fmt.Errorf("mock config: mocked response %q: %w", name, err)
			}
			if (step.Return == nil) == (step.Throw == nil) {
				return nil, fmt.Errorf("mock config: mocked response %q, %q: want exactly one of Return and Throw", name, key)
			}
			list = append(list, mockStep{from: from, to: to, ret: step.Return, throw: step.Throw})
		}
		sort.Slice(list, func(i, j int) bool { return list[i].from < list[j].from })
		for i := 1; i < len(list); i++ {
			if list[i].from <= list[i-1].to {
				return nil, fmt.Errorf("mock config: mocked response %q: invocation %d is answered twice", name, list[i].from)
			}
		}
		cfg.responses[name] = list
	}
	for machine, m := range doc.StateMachines {
		cfg.machines[machine] = map[string]map[string]string{}
		for tc, states := range m.TestCases {
			for state, resp := range states {
				if _, ok := cfg.responses[resp]; !ok {
					return nil, fmt.Errorf("mock config: state machine %q, test case %q, state %q: no mocked response %q", machine, tc, state, resp)
				}
			}
			cfg.machines[machine][tc] = states
		}
	}
	return cfg, nil
}

// parseMockRange reads "n" or "n-m" (inclusive).
func parseMockRange(key string) (int, int, error) {
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

// hasCase reports whether the configuration defines a test case for a state machine name.
func (c *MockConfig) hasCase(machine, testCase string) bool {
	_, ok := c.machines[machine][testCase]
	return ok
}

// caseRun is the mock state of one execution: the test case and the invocation counters.
type caseRun struct {
	cfg    *MockConfig
	states map[string]string

	mu       sync.Mutex
	counters map[string]int
}

func (c *MockConfig) newRun(machine, testCase string) *caseRun {
	return &caseRun{cfg: c, states: c.machines[machine][testCase], counters: map[string]int{}}
}

// mockOutcome is what a mocked invocation answers.
type mockOutcome struct {
	mocked bool            // false: the state is not mocked, call the real integration
	ret    json.RawMessage // the response, when not failed
	fail   *Failure        // a Throw, or States.Runtime for an invocation the response does not cover
}

// next answers the next invocation of state.
func (r *caseRun) next(state string) mockOutcome {
	name, ok := r.states[state]
	if !ok {
		return mockOutcome{}
	}
	r.mu.Lock()
	n := r.counters[state]
	r.counters[state] = n + 1
	r.mu.Unlock()
	for _, s := range r.cfg.responses[name] {
		if n >= s.from && n <= s.to {
			if s.throw != nil {
				return mockOutcome{mocked: true, fail: s.throw}
			}
			return mockOutcome{mocked: true, ret: s.ret}
		}
	}
	return mockOutcome{mocked: true, fail: &Failure{Error: "States.Runtime",
		Cause: fmt.Sprintf("The mocked response %q does not define invocation %d of state %q.", name, n, state)}}
}

// interceptTask answers the tasks of executions started on a mocked test case.
func (s *Service) interceptTask(ctx context.Context, req interp.TaskRequest) (any, bool, error) {
	s.mu.RLock()
	run := s.mockRuns[req.ExecutionArn]
	s.mu.RUnlock()
	if run == nil {
		return nil, false, nil
	}
	o := run.next(req.StateName)
	switch {
	case !o.mocked:
		return nil, false, nil
	case o.fail != nil:
		return nil, true, interp.Fail(o.fail.Error, o.fail.Cause)
	}
	v, err := decodeInput(string(o.ret))
	if err != nil {
		return nil, true, interp.Fail("States.Runtime", "the mocked response is not JSON: "+err.Error())
	}
	return v, true, nil
}
