package mockconfig

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRules(t *testing.T) {
	f, err := Parse([]byte(`{
	 "StateMachines": {"M": {"TestCases": {"Retry": {"Call": "FlakyThenOK", "Other": "Once"}}}},
	 "MockedResponses": {
	  "FlakyThenOK": {"0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "down"}},
	                  "1-2": {"Throw": {"Error": "TransientError", "Cause": "again"}},
	                  "3": {"Return": {"StatusCode": 200, "Payload": {"ok": true}}}},
	  "Once": {"0": {"Return": 42}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if !f.HasCase("M", "Retry") || f.HasCase("M", "Nope") || f.HasCase("X", "Retry") {
		t.Fatal("HasCase answers wrongly")
	}
	c, ok := f.Case("M", "Retry")
	if !ok {
		t.Fatal("no case M/Retry")
	}
	run := c.NewRun()
	var got []string
	for range 5 {
		o := run.Next("Call")
		switch {
		case o.Fail != nil:
			got = append(got, o.Fail.Error)
		default:
			b, _ := json.Marshal(o.Value)
			got = append(got, string(b))
		}
	}
	want := []string{"Lambda.ServiceException", "TransientError", "TransientError", `{"Payload":{"ok":true},"StatusCode":200}`, "States.Runtime"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("responses by invocation (-got +want):\n%s", diff)
	}
	if o := run.Next("Other"); o.Value != json.Number("42") {
		t.Errorf("second state has its own counter: got %+v", o)
	}
	if o := run.Next("Unmocked"); o.Mocked {
		t.Errorf("a state the case does not name must call the real integration: got %+v", o)
	}
	// Counters belong to one execution.
	if o := c.NewRun().Next("Call"); o.Fail == nil || o.Fail.Error != "Lambda.ServiceException" {
		t.Errorf("new execution starts at invocation 0: got %+v", o)
	}
	if diff := cmp.Diff(f.Machines(), []string{"M"}); diff != "" {
		t.Errorf("machines (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(f.Cases("M"), []string{"Retry"}); diff != "" {
		t.Errorf("cases (-got +want):\n%s", diff)
	}
}

func TestErrors(t *testing.T) {
	bad := map[string]string{
		"unknown response": `{"StateMachines": {"M": {"TestCases": {"C": {"S": "Missing"}}}}, "MockedResponses": {}}`,
		"both":             `{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "E", "Cause": "c"}}}}}`,
		"neither":          `{"StateMachines": {}, "MockedResponses": {"R": {"0": {}}}}`,
		"overlap":          `{"StateMachines": {}, "MockedResponses": {"R": {"0-2": {"Return": 1}, "2": {"Return": 2}}}}`,
		"descending range": `{"StateMachines": {}, "MockedResponses": {"R": {"3-1": {"Return": 1}}}}`,
		"not an index":     `{"StateMachines": {}, "MockedResponses": {"R": {"first": {"Return": 1}}}}`,
		"null response":    `{"StateMachines": {}, "MockedResponses": {"R": null}}`,
		"unknown field":    `{"StateMachines": {}, "MockedResponses": {}, "Extra": 1}`,
		"malformed":        `{"StateMachines": `,
	}
	for name, src := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(src)); err == nil {
				t.Errorf("want an error for %s", src)
			}
		})
	}
}

// TestGeneratedFileParses reads the project's generated mock file.
func TestGeneratedFileParses(t *testing.T) {
	f, err := Load(filepath.Join("..", "..", "..", "test", "sfnlocal", "MockConfigFile.json"))
	if err != nil {
		if os.IsNotExist(err) {
			t.Skip("no generated mock config")
		}
		t.Fatal(err)
	}
	for _, m := range f.Machines() {
		if len(f.Cases(m)) == 0 {
			t.Errorf("machine %q has no test cases", m)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"StateMachines": {"M": {"TestCases": {"C": {"S": "R"}}}}, "MockedResponses": {"R": {"0-1": {"Return": {}}}}}`))
	f.Add([]byte(`{"MockedResponses": {"R": {"0": {"Throw": {"Error": "E", "Cause": "c"}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			return
		}
		for _, m := range file.Machines() {
			for _, name := range file.Cases(m) {
				c, _ := file.Case(m, name)
				run := c.NewRun()
				for s := range c {
					if o := run.Next(s); !o.Mocked {
						t.Fatalf("state %q of case %q is named but not mocked", s, name)
					}
				}
			}
		}
	})
}
