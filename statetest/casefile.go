package statetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sluicehq/sluice/asl/interp/mockconfig"
)

// CaseFile is a test file: the cases to run against one state machine.
//
//	{
//	  "stateMachineName": "sluice-StateMachine",
//	  "mockConfigFile": "MockConfigFile.json",
//	  "input": {...},
//	  "cases": [{
//	    "name": "HappyPath",
//	    "description": "...",
//	    "input": {...},
//	    "mockCase": "HappyPath",
//	    "mocks": {"Validate": "ValidateValid", "Store": {"0": {"Return": {...}}}},
//	    "expect": {"status": "SUCCEEDED", "outputIncludes": {...}, "path": ["Validate", ...]}
//	  }]
//	}
type CaseFile struct {
	// Comment is free text.
	Comment string `json:"comment,omitempty"`
	// StateMachineName is the machine's name: the key of its test cases in the mock configuration file,
	// and the machine an --endpoint run starts its cases on.
	StateMachineName string `json:"stateMachineName"`
	// MockConfigFile is a Step Functions Local mock configuration file, relative to the case file.
	MockConfigFile string `json:"mockConfigFile,omitempty"`
	// Input is the execution input of every case that gives none.
	Input json.RawMessage `json:"input,omitempty"`
	// Cases are run in parallel; results are reported in this order.
	Cases []Case `json:"cases"`

	mocks *mockconfig.File
}

// Case is one test case.
type Case struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Input is the execution input; absent: the file's.
	Input json.RawMessage `json:"input,omitempty"`
	// MockCase names the mock configuration file's test case whose mocks the case uses; absent: the
	// case's own name when the file has such a case.
	MockCase string `json:"mockCase,omitempty"`
	// Mocks adds or replaces mocks per state: the name of a mocked response of the mock configuration
	// file, or a mocked response written out ({"0": {"Return": ...}, "1-2": {"Throw": ...}}).
	Mocks map[string]json.RawMessage `json:"mocks,omitempty"`
	// Expect is what the run must show.
	Expect Expect `json:"expect"`
}

// Expect is what a case's run must show. Absent fields are not checked.
type Expect struct {
	// Status is the execution's final status: SUCCEEDED, FAILED, TIMED_OUT or ABORTED.
	Status string `json:"status,omitempty"`
	// Output is the execution's whole output.
	Output json.RawMessage `json:"output,omitempty"`
	// OutputIncludes is a JSON subset of the output: every member it names must be there with that
	// value (objects recursively; arrays element by element, same length).
	OutputIncludes json.RawMessage `json:"outputIncludes,omitempty"`
	// Error and Cause are the execution's error and cause.
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
	// Path is the states entered, in order.
	Path []string `json:"path,omitempty"`
	// Invocations counts task invocations per state, retries included; states not named must have none.
	Invocations map[string]int `json:"invocations,omitempty"`
	// States checks the output of named states (their last exit).
	States map[string]StateExpect `json:"states,omitempty"`
}

// StateExpect is what a state's output must be.
type StateExpect struct {
	Output         json.RawMessage `json:"output,omitempty"`
	OutputIncludes json.RawMessage `json:"outputIncludes,omitempty"`
}

// ParseCaseFile parses a case file; dir resolves its mockConfigFile.
func ParseCaseFile(data []byte, dir string) (*CaseFile, error) {
	var f CaseFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("case file: %w", err)
	}
	if len(f.Cases) == 0 {
		return nil, errors.New("case file: no cases")
	}
	seen := map[string]bool{}
	for _, c := range f.Cases {
		if c.Name == "" {
			return nil, errors.New("case file: a case has no name")
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("case file: case %q is defined twice", c.Name)
		}
		seen[c.Name] = true
	}
	if f.MockConfigFile != "" {
		path := f.MockConfigFile
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		m, err := mockconfig.Load(path)
		if err != nil {
			return nil, err
		}
		f.mocks = m
	}
	for _, c := range f.Cases {
		if _, err := f.mocksOf(c); err != nil {
			return nil, err
		}
	}
	return &f, nil
}

// LoadCaseFile reads a case file.
func LoadCaseFile(path string) (*CaseFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read case file: %w", err)
	}
	return ParseCaseFile(data, filepath.Dir(path))
}

// mockCaseName is the mock file's test case a case uses, "" for none.
func (f *CaseFile) mockCaseName(c Case) string {
	if c.MockCase != "" {
		return c.MockCase
	}
	if f.mocks != nil && f.mocks.HasCase(f.StateMachineName, c.Name) {
		return c.Name
	}
	return ""
}

// mocksOf resolves a case's mocks: its mock file test case, then its own.
func (f *CaseFile) mocksOf(c Case) (mockconfig.Case, error) {
	out := mockconfig.Case{}
	if name := f.mockCaseName(c); name != "" {
		if f.mocks == nil {
			return nil, fmt.Errorf("case %q: mockCase %q but no mockConfigFile", c.Name, name)
		}
		mc, ok := f.mocks.Case(f.StateMachineName, name)
		if !ok {
			return nil, fmt.Errorf("case %q: the mock configuration has no test case %q for state machine %q", c.Name, name, f.StateMachineName)
		}
		for k, v := range mc {
			out[k] = v
		}
	}
	for state, raw := range c.Mocks {
		var name string
		if json.Unmarshal(raw, &name) == nil {
			if f.mocks == nil {
				return nil, fmt.Errorf("case %q, state %q: mocked response %q but no mockConfigFile", c.Name, state, name)
			}
			r, ok := f.mocks.Response(name)
			if !ok {
				return nil, fmt.Errorf("case %q, state %q: no mocked response %q", c.Name, state, name)
			}
			out[state] = mockconfig.Named{Name: name, Response: r}
			continue
		}
		r, err := mockconfig.ParseResponse(raw)
		if err != nil {
			return nil, fmt.Errorf("case %q, state %q: mocked response: %w", c.Name, state, err)
		}
		out[state] = mockconfig.Named{Name: c.Name + "." + state, Response: r}
	}
	return out, nil
}

// input is a case's execution input text.
func (f *CaseFile) input(c Case) string {
	switch {
	case len(c.Input) > 0:
		return string(c.Input)
	case len(f.Input) > 0:
		return string(f.Input)
	}
	return "{}"
}
