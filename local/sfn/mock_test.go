package sfn

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMockConfigRules(t *testing.T) {
	cfg, err := ParseMockConfig([]byte(`{
	 "StateMachines": {"M": {"TestCases": {"Retry": {"Call": "FlakyThenOK", "Other": "Once"}}}},
	 "MockedResponses": {
	  "FlakyThenOK": {"0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "down"}},
	                  "1-2": {"Throw": {"Error": "TransientError", "Cause": "again"}},
	                  "3": {"Return": {"StatusCode": 200, "Payload": {"ok": true}}}},
	  "Once": {"0": {"Return": 42}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.hasCase("M", "Retry") || cfg.hasCase("M", "Nope") || cfg.hasCase("X", "Retry") {
		t.Fatal("hasCase answers wrongly")
	}
	run := cfg.newRun("M", "Retry")
	var got []string
	for range 5 {
		o := run.next("Call")
		switch {
		case o.fail != nil:
			got = append(got, o.fail.Error)
		default:
			got = append(got, string(o.ret))
		}
	}
	want := []string{"Lambda.ServiceException", "TransientError", "TransientError", `{"StatusCode": 200, "Payload": {"ok": true}}`, "States.Runtime"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("responses by invocation (-got +want):\n%s", diff)
	}
	if o := run.next("Other"); string(o.ret) != "42" {
		t.Errorf("second state has its own counter: got %+v", o)
	}
	if o := run.next("Unmocked"); o.mocked {
		t.Errorf("a state the case does not name must call the real integration: got %+v", o)
	}
	// Counters belong to one execution.
	if o := cfg.newRun("M", "Retry").next("Call"); o.fail == nil || o.fail.Error != "Lambda.ServiceException" {
		t.Errorf("new execution starts at invocation 0: got %+v", o)
	}
}

func TestMockConfigErrors(t *testing.T) {
	bad := map[string]string{
		"unknown response": `{"StateMachines": {"M": {"TestCases": {"C": {"S": "Missing"}}}}, "MockedResponses": {}}`,
		"both":             `{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "E", "Cause": "c"}}}}}`,
		"neither":          `{"StateMachines": {}, "MockedResponses": {"R": {"0": {}}}}`,
		"overlap":          `{"StateMachines": {}, "MockedResponses": {"R": {"0-2": {"Return": 1}, "2": {"Return": 2}}}}`,
		"descending range": `{"StateMachines": {}, "MockedResponses": {"R": {"3-1": {"Return": 1}}}}`,
		"not an index":     `{"StateMachines": {}, "MockedResponses": {"R": {"first": {"Return": 1}}}}`,
		"unknown field":    `{"StateMachines": {}, "MockedResponses": {}, "Extra": 1}`,
		"malformed":        `{"StateMachines": `,
	}
	for name, src := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseMockConfig([]byte(src)); err == nil {
				t.Errorf("want an error for %s", src)
			}
		})
	}
}

// TestGeneratedMockConfigParses reads the project's generated mock file.
func TestGeneratedMockConfigParses(t *testing.T) {
	path := filepath.Join("..", "..", "test", "sfnlocal", "MockConfigFile.json")
	if _, err := os.Stat(path); err != nil {
		t.Skip("no generated mock config")
	}
	cfg, err := LoadMockConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, cases := range cfg.machines {
		if len(cases) == 0 || strings.TrimSpace(name) == "" {
			t.Errorf("machine %q has no test cases", name)
		}
	}
}

func FuzzParseMockConfig(f *testing.F) {
	f.Add([]byte(`{"StateMachines": {"M": {"TestCases": {"C": {"S": "R"}}}}, "MockedResponses": {"R": {"0-1": {"Return": {}}}}}`))
	f.Add([]byte(`{"MockedResponses": {"R": {"0": {"Throw": {"Error": "E", "Cause": "c"}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseMockConfig(data)
		if err != nil {
			return
		}
		for m, cases := range cfg.machines {
			for c, states := range cases {
				run := cfg.newRun(m, c)
				for s := range states {
					if o := run.next(s); !o.mocked {
						t.Fatalf("state %q of case %q is named but not mocked", s, c)
					}
				}
			}
		}
	})
}
