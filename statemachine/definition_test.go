package statemachine_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/statemachine"
	"github.com/sluicehq/sluice/tasks"
)

var update = flag.Bool("update", false, "rewrite testdata/pipeline.golden.json")

// testOptions are fixed here, independent of the generator's defaults, so the golden file changes only
// when the definition's shape does.
func testOptions() statemachine.Options {
	return statemachine.Options{
		ValidateTimeoutSeconds: 330,
		ProcessTimeoutSeconds:  930,
		StoreTimeoutSeconds:    150,
		Retry:                  statemachine.Retry{IntervalSeconds: 1, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 30},
		ThrottleRetry:          statemachine.Retry{IntervalSeconds: 2, MaxAttempts: 12, BackoffRate: 2, MaxDelaySeconds: 60},
		TimeoutSeconds:         3600,
	}
}

func encode(t *testing.T, m *asl.StateMachine) []byte {
	t.Helper()
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatalf("encode definition: %v", err)
	}
	return append(b, '\n')
}

func TestDefinitionGolden(t *testing.T) {
	got := encode(t, statemachine.Definition(testOptions()))
	golden := filepath.Join("testdata", "pipeline.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (run go test -update): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("definition differs from %s (-want +got; go test -update rewrites it):\n%s", golden, diff)
	}
}

// TestDefinitionParses checks the definition is valid ASL as CreateStateMachine would see it, once the
// "${...}" substitutions are replaced by function ARNs, and survives a parse/encode round trip.
func TestDefinitionParses(t *testing.T) {
	b := encode(t, statemachine.Definition(testOptions()))
	for _, key := range []string{statemachine.SubstValidateFunctionArn, statemachine.SubstProcessFunctionArn, statemachine.SubstStoreFunctionArn} {
		b = bytes.ReplaceAll(b, []byte("${"+key+"}"), []byte("arn:aws:lambda:us-east-1:123456789012:function:"+key))
	}
	m, err := asl.Parse(b)
	if err != nil {
		t.Fatalf("asl.Parse: %v", err)
	}
	if got := encode(t, m); !bytes.Equal(got, b) {
		t.Errorf("round trip differs:\n%s", cmp.Diff(string(b), string(got)))
	}
}

func tasksOf(m *asl.StateMachine) map[string]*asl.Task {
	out := map[string]*asl.Task{}
	for name, s := range m.States {
		if task, ok := s.(*asl.Task); ok {
			out[name] = task
		}
	}
	return out
}

func TestEveryTaskRetriesCatchesAndTimesOut(t *testing.T) {
	o := testOptions()
	m := statemachine.Definition(o)
	tasks := tasksOf(m)
	var names []string
	for name := range tasks {
		names = append(names, name)
	}
	slices.Sort(names)
	if diff := cmp.Diff([]string{"Process", "Quarantine", "RecordFailure", "Store", "Validate"}, names); diff != "" {
		t.Fatalf("task states (-want +got):\n%s", diff)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			task := tasks[name]
			if task.Resource != statemachine.LambdaInvoke {
				t.Errorf("Resource = %q, want %q", task.Resource, statemachine.LambdaInvoke)
			}
			if task.TimeoutSeconds == nil || task.TimeoutSeconds.Value <= 0 {
				t.Errorf("TimeoutSeconds = %v, want a positive timeout", task.TimeoutSeconds)
			}
			if len(task.Retry) != 2 {
				t.Fatalf("Retry has %d retriers, want 2 (throttling, then the rest)", len(task.Retry))
			}
			var all []string
			for i, want := range []statemachine.Retry{o.ThrottleRetry, o.Retry} {
				r := task.Retry[i]
				all = append(all, r.ErrorEquals...)
				if r.JitterStrategy != asl.JitterFull || r.MaxDelaySeconds == nil || *r.MaxDelaySeconds != want.MaxDelaySeconds ||
					r.MaxAttempts == nil || *r.MaxAttempts != want.MaxAttempts || r.BackoffRate == nil || *r.BackoffRate != want.BackoffRate {
					t.Errorf("Retry[%d] = %+v, want full jitter, capped back-off and the options' attempts %+v", i, r, want)
				}
			}
			if diff := cmp.Diff(all, statemachine.RetryableErrors(), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("Retry ErrorEquals (-got +want):\n%s", diff)
			}
			if got := task.Retry[0].ErrorEquals; !slices.Equal(got, []string{statemachine.ErrorThrottled}) {
				t.Errorf("Retry[0] ErrorEquals = %v, want throttling alone", got)
			}
			if len(task.Catch) != 1 || !slices.Equal(task.Catch[0].ErrorEquals, []string{asl.ErrAll}) {
				t.Errorf("Catch = %+v, want one States.ALL catcher", task.Catch)
			}
		})
	}
}

// TestErrorPolicy checks, through asl.ErrorMatches (the engine's matcher), which errors each task retries
// and that every error ends up caught.
func TestErrorPolicy(t *testing.T) {
	m := statemachine.Definition(testOptions())
	tests := []struct {
		err       string
		retried   bool
		caughtAll bool
	}{
		{"Lambda.ClientExecutionTimeoutException", true, true},
		{"Lambda.ServiceException", true, true},
		{"Lambda.AWSLambdaException", true, true},
		{"Lambda.SdkClientException", true, true},
		{"Lambda.TooManyRequestsException", true, true},
		{tasks.ErrorNameTransient, true, true},
		{tasks.ErrorNameObjectNotFound, false, true},
		{tasks.ErrorNameObjectChanged, false, true},
		{tasks.ErrorNameInvalidInvocation, false, true},
		{tasks.ErrorNameInvalidObject, false, true}, // the same bytes fail the same way
		{"States.Timeout", false, true},
		{"States.TaskFailed", false, true},
		// A payload too large is caught (recorded AWS behaviour; see asl.ErrorMatches), but States.Runtime
		// never is: it fails the execution with no record under failed/
		// (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
		{"States.DataLimitExceeded", false, true},
		{"States.Runtime", false, false},
	}
	for name, task := range tasksOf(m) {
		for _, tt := range tests {
			t.Run(name+"/"+tt.err, func(t *testing.T) {
				retried := false
				for _, r := range task.Retry {
					retried = retried || asl.ErrorMatches(r.ErrorEquals, tt.err)
				}
				if got := retried; got != tt.retried {
					t.Errorf("retried = %v, want %v", got, tt.retried)
				}
				if got := asl.ErrorMatches(task.Catch[0].ErrorEquals, tt.err); got != tt.caughtAll {
					t.Errorf("caught = %v, want %v", got, tt.caughtAll)
				}
			})
		}
	}
}

// TestFlow follows each path through the machine by its transitions.
func TestFlow(t *testing.T) {
	m := statemachine.Definition(testOptions())
	next := func(name string) string {
		n, _ := m.States[name].Transition()
		return n
	}
	if m.StartAt != statemachine.StateValidate {
		t.Errorf("StartAt = %q", m.StartAt)
	}
	choice, ok := m.States[statemachine.StateIsValid].(*asl.Choice)
	if !ok {
		t.Fatalf("%s is %T, want a Choice", statemachine.StateIsValid, m.States[statemachine.StateIsValid])
	}
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"valid", []string{next(statemachine.StateValidate), choice.Choices[0].Next, next(statemachine.StateProcess), next(statemachine.StateStore)},
			[]string{"IsValid", "Process", "Store", "Stored"}},
		{"invalid", []string{choice.Default, next(statemachine.StateQuarantine)}, []string{"Quarantine", "Rejected"}},
		{"failure", []string{m.States[statemachine.StateProcess].(*asl.Task).Catch[0].Next, next(statemachine.StateRecordFailure),
			m.States[statemachine.StateRecordFailure].(*asl.Task).Catch[0].Next}, []string{"RecordFailure", "Failed", "Failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("path (-want +got):\n%s", diff)
			}
		})
	}
	if r := choice.Choices[0]; r.Variable != "$.validation.report.valid" || r.Operator != asl.BooleanEquals || r.Value != true {
		t.Errorf("choice rule = %+v, want $.validation.report.valid BooleanEquals true", r)
	}
	for name, want := range map[string]asl.StateType{"Stored": asl.TypeSucceed, "Rejected": asl.TypeSucceed, "Failed": asl.TypeFail} {
		if got := m.States[name].Type(); got != want {
			t.Errorf("%s is a %s, want %s", name, got, want)
		}
	}
}

// TestPayloads checks each task sends the invocation plus what its function needs, keeps only the
// function's Payload, and puts it beside the input.
func TestPayloads(t *testing.T) {
	m := statemachine.Definition(testOptions())
	invocation := map[string]any{"bucket.$": "$.detail.bucket.name", "object.$": "$.detail.object", "execution.$": "$$.Execution.Id"}
	with := func(function string, extra map[string]any) map[string]any {
		p := map[string]any{}
		for k, v := range invocation {
			p[k] = v
		}
		for k, v := range extra {
			p[k] = v
		}
		return map[string]any{"FunctionName": "${" + function + "}", "Payload": p}
	}
	tests := []struct {
		state      string
		parameters map[string]any
		selector   map[string]any
		resultPath string
	}{
		{"Validate", with("ValidateFunctionArn", nil), map[string]any{"report.$": "$.Payload"}, "$.validation"},
		{"Process", with("ProcessFunctionArn", map[string]any{"report.$": "$.validation.report"}),
			map[string]any{"result.$": "$.Payload"}, "$.processing"},
		{"Store", with("StoreFunctionArn", map[string]any{"action": "commit", "report.$": "$.validation.report", "result.$": "$.processing.result"}),
			map[string]any{"output.$": "$.Payload"}, "$.stored"},
		{"Quarantine", with("StoreFunctionArn", map[string]any{"action": "quarantine", "report.$": "$.validation.report"}),
			map[string]any{"output.$": "$.Payload"}, "$.quarantined"},
		{"RecordFailure", with("StoreFunctionArn", map[string]any{"action": "fail", "failure.$": "$.failure"}),
			map[string]any{"output.$": "$.Payload"}, "$.recorded"},
	}
	for _, tt := range tests {
		t.Run(tt.state, func(t *testing.T) {
			task := m.States[tt.state].(*asl.Task)
			if diff := cmp.Diff(tt.parameters, task.Parameters); diff != "" {
				t.Errorf("Parameters (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.selector, task.ResultSelector); diff != "" {
				t.Errorf("ResultSelector (-want +got):\n%s", diff)
			}
			if got, _ := task.ResultPath.Expr(); got != tt.resultPath {
				t.Errorf("ResultPath = %q, want %q", got, tt.resultPath)
			}
		})
	}
}

// TestDefinitionResource checks Options.Resource replaces every task's Resource (the template's partition
// placeholder) and nothing else.
func TestDefinitionResource(t *testing.T) {
	o := testOptions()
	o.Resource = "${" + statemachine.SubstLambdaInvoke + "}"
	def := encode(t, statemachine.Definition(o))
	want := bytes.ReplaceAll(encode(t, statemachine.Definition(testOptions())),
		[]byte(`"`+statemachine.LambdaInvoke+`"`), []byte(`"${LambdaInvokeResource}"`))
	if !bytes.Equal(def, want) {
		t.Errorf("definition with Options.Resource:\n%s\nwant:\n%s", def, want)
	}
	if n := bytes.Count(def, []byte(`"Resource": "${LambdaInvokeResource}"`)) + bytes.Count(def, []byte(`"Resource":"${LambdaInvokeResource}"`)); n != 5 {
		t.Errorf("%d tasks use the placeholder, want 5", n)
	}
}
