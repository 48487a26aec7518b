package interp

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The members of $$.State and $$.Execution in each kind of state. The context object page lists State's
// EnteredTime, Name and RetryCount, and Execution's Id, Input, Name, RoleArn, StartTime, RedriveCount and
// RedriveTime, the last "only available if you've redriven an execution"; RetryCount belongs to the states
// that retry (Task, Parallel, Map): a Pass state's State was recorded on AWS without it (the shared
// conformance cases of the context object), a Task state's with RetryCount 0, 1, 2, 3 on its attempts
// (github.com/localstack/localstack, commit 8b9a79f0,
// tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json,
// test_lambda_invoke_with_retry_extended_input), and TestState's Map and Task states with RetryCount 0
// (tests/aws/services/stepfunctions/v2/test_state/test_test_state_scenarios.snapshot.json,
// test_base_map_state_inspect and test_state_task_catch_error).
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
func TestContextObjectMembers(t *testing.T) {
	const fn = "arn:aws:lambda:us-east-1:123456789012:function:echo"
	tests := []struct {
		name, def string
		want      string // the State members, then the Execution members
	}{
		{"Pass", `{"StartAt":"S","States":{"S":{"Type":"Pass","Parameters":{"s.$":"$$.State","e.$":"$$.Execution"},"End":true}}}`,
			"EnteredTime Name | Id Input Name RedriveCount RoleArn StartTime"},
		{"Task", `{"StartAt":"S","States":{"S":{"Type":"Task","Resource":"` + fn + `","Parameters":{"s.$":"$$.State","e.$":"$$.Execution"},"End":true}}}`,
			"EnteredTime Name RetryCount | Id Input Name RedriveCount RoleArn StartTime"},
		{"Parallel", `{"StartAt":"S","States":{"S":{"Type":"Parallel","Parameters":{"s.$":"$$.State","e.$":"$$.Execution"},"OutputPath":"$[0]","End":true,
			"Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}]}}}`,
			"EnteredTime Name RetryCount | Id Input Name RedriveCount RoleArn StartTime"},
		{"Map ItemSelector", `{"StartAt":"S","States":{"S":{"Type":"Map","ItemsPath":"$.items","ItemSelector":{"s.$":"$$.State","e.$":"$$.Execution"},"OutputPath":"$[0]","End":true,
			"ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}}}}`,
			"EnteredTime Name RetryCount | Id Input Name RedriveCount RoleArn StartTime"},
		{"state in a Map iteration", `{"StartAt":"S","States":{"S":{"Type":"Map","ItemsPath":"$.items","OutputPath":"$[0]","End":true,
			"ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Pass","Parameters":{"s.$":"$$.State","e.$":"$$.Execution"},"End":true}}}}}}`,
			"EnteredTime Name | Id Input Name RedriveCount RoleArn StartTime"},
		{"Succeed", `{"StartAt":"S","States":{"S":{"Type":"Succeed","OutputPath":"$$"}}}`, "EnteredTime Name | Id Input Name RedriveCount RoleArn StartTime"},
		{"Wait", `{"StartAt":"S","States":{"S":{"Type":"Wait","Seconds":0,"OutputPath":"$$","End":true}}}`, "EnteredTime Name | Id Input Name RedriveCount RoleArn StartTime"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := run(t, tc.def, `{"items":[1]}`, WithLambdaInvoker(echoLambda))
			if r.Status != StatusSucceeded {
				t.Fatalf("%s %s %s", r.Status, r.Error, r.Cause)
			}
			out, _ := r.Output.(map[string]any)
			s, e := out["s"], out["e"]
			if s == nil { // the whole context object
				s, e = out["State"], out["Execution"]
			}
			if got := keys(s) + " | " + keys(e); got != tc.want {
				t.Errorf("members:\n got %s\nwant %s", got, tc.want)
			}
		})
	}

	// After a redrive: RedriveCount counts it and RedriveTime is the redrive's time.
	def := `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"v.$":"States.StringToJson(States.ArrayGetItem(States.Array('{', '{}'), $$.Execution.RedriveCount))","e.$":"$$.Execution"},"End":true}}}`
	clock := NewVirtualClock(epoch)
	m := compile(t, def, WithClock(clock))
	e := m.Start(t.Context(), mustJSON(t, `{}`))
	if r := wait(t, e); r.Status != StatusFailed {
		t.Fatalf("first attempt: %s", r.Status)
	}
	clock.Advance(time.Minute)
	e2, err := m.Resume(t.Context(), e.RedrivePoint().Redrive(clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	r := wait(t, e2)
	ex, _ := r.Output.(map[string]any)["e"].(map[string]any)
	got := map[string]any{"RedriveCount": ex["RedriveCount"], "RedriveTime": ex["RedriveTime"], "StartTime": ex["StartTime"]}
	want := map[string]any{"RedriveCount": jsonInt(1), "RedriveTime": "2025-01-01T00:01:00.000Z", "StartTime": "2025-01-01T00:00:00.000Z"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("$$.Execution after a redrive (-got +want):\n%s", diff)
	}
}

func keys(v any) string {
	m, _ := v.(map[string]any)
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, " ")
}
