package gen_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/gen"
)

// mockFileJSON returns the generated MockConfigFile.json decoded as generic JSON, so that the checks see
// the file's exact shape rather than the Go types.
func mockFileJSON(t *testing.T) map[string]any {
	t.Helper()
	files, err := gen.Files(gen.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Path == gen.PathMockConfig {
			var doc map[string]any
			dec := json.NewDecoder(bytes.NewReader(f.Data))
			dec.UseNumber()
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("decode %s: %v", f.Path, err)
			}
			return doc
		}
	}
	t.Fatalf("Files returned no %s", gen.PathMockConfig)
	return nil
}

func keys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

// TestMockConfigFormat checks the file against Step Functions Local's documented format
// (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html): top-level
// StateMachines and MockedResponses only; each test case maps existing states to existing mocked
// responses; each mocked response maps "N" or "N-M" keys, covering 0.. without gaps, to exactly one of
// Return or Throw {Error, Cause}; every lambda:invoke Return is the {StatusCode, Payload} wrapper.
func TestMockConfigFormat(t *testing.T) {
	doc := mockFileJSON(t)
	if diff := cmp.Diff([]string{"MockedResponses", "StateMachines"}, keys(doc)); diff != "" {
		t.Fatalf("top-level keys (-want +got):\n%s", diff)
	}
	c := gen.DefaultConfig()
	definition := gen.StateMachine(c)
	machines := doc["StateMachines"].(map[string]any)
	if diff := cmp.Diff([]string{c.MockStateMachineName}, keys(machines)); diff != "" {
		t.Errorf("state machines (-want +got):\n%s", diff)
	}
	responses := doc["MockedResponses"].(map[string]any)
	used := map[string]bool{}
	machine := machines[c.MockStateMachineName].(map[string]any)
	if diff := cmp.Diff([]string{"TestCases"}, keys(machine)); diff != "" {
		t.Errorf("state machine keys (-want +got):\n%s", diff)
	}
	for name, tc := range machine["TestCases"].(map[string]any) {
		for state, resp := range tc.(map[string]any) {
			s, ok := definition.States[state]
			if !ok {
				t.Errorf("case %s mocks state %q, which the definition lacks", name, state)
			} else if s.Type() != asl.TypeTask {
				t.Errorf("case %s mocks %s state %q; only Task states call integrations", name, s.Type(), state)
			}
			if _, ok := responses[resp.(string)]; !ok {
				t.Errorf("case %s: state %s uses mocked response %q, which is not defined", name, state, resp)
			}
			used[resp.(string)] = true
		}
	}
	for name, r := range responses {
		t.Run(name, func(t *testing.T) {
			if !used[name] {
				t.Error("mocked response is used by no test case")
			}
			next := 0
			byIndex := r.(map[string]any)
			indexes := keys(byIndex)
			slices.SortFunc(indexes, func(a, b string) int { return first(t, a) - first(t, b) })
			for _, key := range indexes {
				from, to := first(t, key), last(t, key)
				if from != next || to < from {
					t.Errorf("index %q: want ranges covering 0.. in order without gaps (next %d)", key, next)
				}
				next = to + 1
				entry := byIndex[key].(map[string]any)
				switch ks := keys(entry); {
				case slices.Equal(ks, []string{"Return"}):
					ret, ok := entry["Return"].(map[string]any)
					if !ok || !slices.Equal(keys(ret), []string{"Payload", "StatusCode"}) || ret["StatusCode"] != json.Number("200") {
						t.Errorf("index %q: Return %v is not the lambda:invoke wrapper {StatusCode: 200, Payload}", key, entry["Return"])
					}
				case slices.Equal(ks, []string{"Throw"}):
					th, ok := entry["Throw"].(map[string]any)
					if !ok || !slices.Equal(keys(th), []string{"Cause", "Error"}) {
						t.Errorf("index %q: Throw %v wants exactly Error and Cause", key, entry["Throw"])
					}
				default:
					t.Errorf("index %q has keys %v, want exactly one of Return and Throw", key, ks)
				}
			}
		})
	}
}

func first(t *testing.T, key string) int {
	n, err := strconv.Atoi(strings.SplitN(key, "-", 2)[0])
	if err != nil {
		t.Fatalf("mocked response index %q: %v", key, err)
	}
	return n
}

func last(t *testing.T, key string) int {
	parts := strings.SplitN(key, "-", 2)
	n, err := strconv.Atoi(parts[len(parts)-1])
	if err != nil {
		t.Fatalf("mocked response index %q: %v", key, err)
	}
	return n
}

// TestMockExpectations checks the expected outcomes agree with the definition and the mocks: the states
// follow the machine's transitions, and the retry counts fit the Retry policy.
func TestMockExpectations(t *testing.T) {
	c := gen.DefaultConfig()
	file, want, err := gen.MockConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	definition := gen.StateMachine(c)
	cases := file.StateMachines[c.MockStateMachineName].TestCases
	if got := len(want.Cases); got != len(cases) {
		t.Fatalf("%d expectations for %d test cases", got, len(cases))
	}
	var names []string
	for _, mc := range want.Cases {
		names = append(names, mc.Name)
		t.Run(mc.Name, func(t *testing.T) {
			mocks, ok := cases[mc.Name]
			if !ok {
				t.Fatal("no such test case in the mock file")
			}
			if mc.Expect.Path[0] != definition.StartAt {
				t.Errorf("first state %q, want %q", mc.Expect.Path[0], definition.StartAt)
			}
			for i := 1; i < len(mc.Expect.Path); i++ {
				if !canReach(definition.States[mc.Expect.Path[i-1]], mc.Expect.Path[i]) {
					t.Errorf("%s cannot go to %s", mc.Expect.Path[i-1], mc.Expect.Path[i])
				}
			}
			end := definition.States[mc.Expect.Path[len(mc.Expect.Path)-1]].Type()
			if wantEnd := map[string]asl.StateType{"SUCCEEDED": asl.TypeSucceed, "FAILED": asl.TypeFail}[mc.Expect.Status]; end != wantEnd {
				t.Errorf("ends in a %s state with status %s", end, mc.Expect.Status)
			}
			for state, n := range mc.Expect.Invocations {
				if _, ok := mocks[state]; !ok {
					t.Errorf("%s is invoked %d times but not mocked", state, n)
				}
				if n > 1+max(c.TaskRetry.MaxAttempts, c.ThrottleRetry.MaxAttempts) {
					t.Errorf("%s invoked %d times, more than the Retry policy allows", state, n)
				}
			}
			if (mc.Expect.Status == "FAILED") != (mc.Expect.Error != "") || (mc.Expect.Status == "SUCCEEDED") != (mc.Expect.Output != nil) {
				t.Errorf("status %s with error %q and output %v", mc.Expect.Status, mc.Expect.Error, mc.Expect.Output != nil)
			}
		})
	}
	wantNames := []string{"HappyPath", "RejectedObject", "TransientErrorRetried", "ObjectChangedRecorded", "RetriesExhaustedRecorded",
		"ProcessRetriesExhaustedRecorded", "StoreRetriesExhaustedRecorded", "QuarantineAndRecordFailureExhausted",
		"ThrottledRetried", "QuarantineThrottledRetried", "ThrottlingExhaustedRecorded", "ProcessThrottlingExhaustedRecorded",
		"StoreThrottlingExhaustedRecorded", "QuarantineAndRecordFailureThrottled"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("cases (-want +got):\n%s", diff)
	}
}

// canReach reports whether state s can transition to next: Next, a Choice branch or Default, or a Catch.
func canReach(s asl.State, next string) bool {
	if n, _ := s.Transition(); n == next {
		return true
	}
	switch s := s.(type) {
	case *asl.Choice:
		if s.Default == next {
			return true
		}
		for _, r := range s.Choices {
			if r.Next == next {
				return true
			}
		}
	case *asl.Task:
		for _, c := range s.Catch {
			if c.Next == next {
				return true
			}
		}
	}
	return false
}
