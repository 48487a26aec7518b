package interp

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestReadsOnlyExecutionContext checks which states may see the context object made once per execution:
// those whose every "$$" reads below $$.Execution or $$.StateMachine.
func TestReadsOnlyExecutionContext(t *testing.T) {
	tests := []struct {
		params string
		want   bool
	}{
		{`{"n.$":"$$.Execution.Name"}`, true},
		{`{"n.$":"$$.Execution"}`, true},
		{`{"n.$":"$$.StateMachine.Id","i.$":"$$.Execution.Input.id"}`, true},
		{`{"n.$":"States.Format('{}-{}', $$.Execution.Name, $$.StateMachine.Name)"}`, true},
		{`{"n.$":"$$.Execution['Name']"}`, true},
		{`{"n.$":"$$"}`, false},
		{`{"n.$":"$$.State.Name"}`, false},
		{`{"n.$":"$$.Execution.Name","s.$":"$$.State.EnteredTime"}`, false},
		{`{"n.$":"$$['Execution']"}`, false},
		{`{"n.$":"$$.ExecutionName"}`, false},
		{`{"n.$":"$$.StateMachines"}`, false},
		{`{"n.$":"$$.*"}`, false},
		{`{"n.$":"$$..Name"}`, false},
		{`{"n.$":"States.Array($$)"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.params, func(t *testing.T) {
			m := compile(t, `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":`+tt.params+`,"End":true}}}`)
			n := m.top.states["P"]
			if !n.usesContext {
				t.Fatal("usesContext false, want true")
			}
			if got := n.ctxExecOnly; got != tt.want {
				t.Errorf("ctxExecOnly: got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestExecutionContextReadsTheSame runs the same paths into $$.Execution and $$.StateMachine in a state
// that gets the context object made once per execution and in one that gets the whole object (its
// Comment mentions $$.State), and checks both give the same output, and the same failure when a path
// names nothing: the failure's cause quotes the whole context object, $$.State included.
func TestExecutionContextReadsTheSame(t *testing.T) {
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	run := func(t *testing.T, params, comment string) Result {
		t.Helper()
		def := `{"StartAt":"P","States":{"P":{"Type":"Pass","Comment":` + comment + `,"Parameters":` + params + `,"End":true}}}`
		m := compile(t, def, WithClock(NewVirtualClock(start)))
		if got, want := m.top.states["P"].ctxExecOnly, !strings.Contains(comment, "$$"); got != want {
			t.Fatalf("ctxExecOnly: got %v, want %v", got, want)
		}
		return m.Run(context.Background(), mustJSON(t, `{"id":"order-1"}`), WithExecutionName("exec-1"),
			WithExecutionArn("arn:aws:states:us-east-1:123456789012:execution:sm:exec-1"),
			WithStateMachineArn("arn:aws:states:us-east-1:123456789012:stateMachine:sm"))
	}
	tests := []struct {
		name       string
		params     string
		wantStatus Status
	}{
		{"members", `{"name.$":"$$.Execution.Name","id.$":"$$.Execution.Id","sm.$":"$$.StateMachine","input.$":"$$.Execution.Input",
			"fmt.$":"States.Format('{} of {}', $$.Execution.Name, $$.StateMachine.Name)","start.$":"$$.Execution.StartTime"}`, StatusSucceeded},
		{"whole execution", `{"e.$":"$$.Execution"}`, StatusSucceeded},
		{"not found", `{"x.$":"$$.Execution.Nope"}`, StatusFailed},
		{"not found in an intrinsic", `{"x.$":"States.Format('{}', $$.StateMachine.Nope)"}`, StatusFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			once := run(t, tt.params, `"reads the execution's members"`)
			whole := run(t, tt.params, `"also mentions $$.State"`)
			if once.Status != tt.wantStatus {
				t.Fatalf("status: got %s (%s: %s), want %s", once.Status, once.Error, once.Cause, tt.wantStatus)
			}
			got, _ := json.Marshal(map[string]any{"status": once.Status, "output": once.Output, "error": once.Error, "cause": once.Cause})
			want, _ := json.Marshal(map[string]any{"status": whole.Status, "output": whole.Output, "error": whole.Error, "cause": whole.Cause})
			if diff := cmp.Diff(string(got), string(want)); diff != "" {
				t.Errorf("result (-got +want):\n%s", diff)
			}
			if tt.wantStatus == StatusFailed && !strings.Contains(once.Cause, `"State":{`) {
				t.Errorf("cause %q does not quote the whole context object", once.Cause)
			}
		})
	}
}

// TestItemSelectorContextReadsTheSame runs ItemSelectors that read $$.Map (and $$.Execution) in a Map
// state that gets the context object of $$.Execution, $$.StateMachine and the item's $$.Map (of $$.Map
// alone when the state reads neither of the other two), and in one
// that gets the whole object (its Comment mentions $$.State), and checks both give the same output, and
// the same failure when a path names nothing: the failure's cause quotes the whole context object.
func TestItemSelectorContextReadsTheSame(t *testing.T) {
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	run := func(t *testing.T, selector, comment string) Result {
		t.Helper()
		def := `{"StartAt":"M","States":{"M":{"Type":"Map","Comment":` + comment + `,"ItemsPath":"$.items","ItemSelector":` + selector +
			`,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
		m := compile(t, def, WithClock(NewVirtualClock(start)))
		if got, want := m.top.states["M"].ctxMapOnly, !strings.Contains(comment, "$$"); got != want {
			t.Fatalf("ctxMapOnly: got %v, want %v", got, want)
		}
		alone := !strings.Contains(comment, "$$") && !strings.Contains(selector, "$$.Execution") && !strings.Contains(selector, "$$.StateMachine")
		if got := m.top.states["M"].ctxMapAlone; got != alone {
			t.Fatalf("ctxMapAlone: got %v, want %v", got, alone)
		}
		// One item: which of several failing iterations fails the Map first is not fixed.
		return m.Run(context.Background(), mustJSON(t, `{"items":[{"b":1}],"id":"order-1"}`), WithExecutionName("exec-1"),
			WithExecutionArn("arn:aws:states:us-east-1:123456789012:execution:sm:exec-1"),
			WithStateMachineArn("arn:aws:states:us-east-1:123456789012:stateMachine:sm"))
	}
	tests := []struct {
		name       string
		selector   string
		wantStatus Status
	}{
		{"item members", `{"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value","id.$":"$.id"}`, StatusSucceeded},
		{"map alone", `{"m.$":"$$.Map","i.$":"$$.Map.Item","f.$":"States.Format('{}', $$.Map.Item.Index)"}`, StatusSucceeded},
		{"map and execution", `{"m.$":"$$.Map","e.$":"$$.Execution.Name","sm.$":"$$.StateMachine.Name",
			"f.$":"States.Format('{}#{}', $$.Execution.Name, $$.Map.Item.Index)"}`, StatusSucceeded},
		{"not found", `{"x.$":"$$.Map.Item.Nope"}`, StatusFailed},
		{"not found in an intrinsic", `{"x.$":"States.Array($$.Map.Nope)"}`, StatusFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			small := run(t, tt.selector, `"reads the item"`)
			whole := run(t, tt.selector, `"also mentions $$.State"`)
			if small.Status != tt.wantStatus {
				t.Fatalf("status: got %s (%s: %s), want %s", small.Status, small.Error, small.Cause, tt.wantStatus)
			}
			got, _ := json.Marshal(map[string]any{"status": small.Status, "output": small.Output, "error": small.Error, "cause": small.Cause})
			want, _ := json.Marshal(map[string]any{"status": whole.Status, "output": whole.Output, "error": whole.Error, "cause": whole.Cause})
			if diff := cmp.Diff(string(got), string(want)); diff != "" {
				t.Errorf("result (-got +want):\n%s", diff)
			}
			if tt.wantStatus == StatusFailed && !strings.Contains(small.Cause, `"State":{`) {
				t.Errorf("cause %q does not quote the whole context object", small.Cause)
			}
		})
	}
}
