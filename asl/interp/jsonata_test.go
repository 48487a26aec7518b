package interp

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl"
)

// echoTask answers a generic task with its input; a task whose input has
// "fail" fails with that error name.
var echoTask = TaskInvokerFunc(func(_ context.Context, req TaskRequest) (any, error) {
	if m, ok := req.Input.(map[string]any); ok {
		if name, ok := m["fail"].(string); ok {
			return nil, Fail(name, "asked to fail")
		}
	}
	return req.Input, nil
})

// The data flow of JSONata states: Arguments, Output, Assign, $states.
// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
func TestJSONataDataFlow(t *testing.T) {
	tests := []struct {
		name   string
		states string // the States object; StartAt is "S"
		input  string
		want   string
	}{
		{"Pass without Output passes its input", `{"S":{"Type":"Pass","End":true}}`, `{"a":1}`, `{"a":1}`},
		{"Output constant", `{"S":{"Type":"Pass","Output":{"k":[1,"x",null]},"End":true}}`, `{}`, `{"k":[1,"x",null]}`},
		{"Output expression", `{"S":{"Type":"Pass","Output":"{% $states.input.a * 2 %}","End":true}}`, `{"a":21}`, `42`},
		{"expressions nested in objects and arrays", `{"S":{"Type":"Pass","Output":{"o":{"v":"{% $states.input.a %}"},"l":["{% $states.input.a + 1 %}","lit"]},"End":true}}`,
			`{"a":1}`, `{"l":[2,"lit"],"o":{"v":1}}`},
		{"delimiters must be the string's ends", `{"S":{"Type":"Pass","Output":{"a":" {% 1 %}","b":"$states.input"},"End":true}}`, `{}`, `{"a":" {% 1 %}","b":"$states.input"}`},
		{"Task Arguments and default output is the result", `{"S":{"Type":"Task","Resource":"arn:aws:states:::test:echo","Arguments":{"x":"{% $states.input.v %}"},"End":true}}`,
			`{"v":"hi"}`, `{"x":"hi"}`},
		{"Task without Arguments receives the input", `{"S":{"Type":"Task","Resource":"arn:aws:states:::test:echo","End":true}}`, `{"v":1}`, `{"v":1}`},
		{"Task Output reads $states.result and $states.input", `{"S":{"Type":"Task","Resource":"arn:aws:states:::test:echo","Arguments":{"r":1},"Output":{"res":"{% $states.result.r %}","in":"{% $states.input.v %}"},"End":true}}`,
			`{"v":2}`, `{"in":2,"res":1}`},
		{"Assign then read in the next state", `{"S":{"Type":"Pass","Assign":{"x":"{% $states.input.v %}"},"Next":"T"},"T":{"Type":"Pass","Output":"{% $x %}","End":true}}`,
			`{"v":"val"}`, `"val"`},
		{"Output sees variables as they were on entry", `{"S":{"Type":"Pass","Assign":{"x":1},"Next":"T"},"T":{"Type":"Pass","Assign":{"x":2},"Output":"{% $x %}","End":true}}`,
			`{}`, `1`},
		{"JSONPath variables are visible to JSONata", `{"S":{"Type":"Pass","QueryLanguage":"JSONPath","Assign":{"p.$":"$.a"},"Next":"T"},"T":{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% $p %}","End":true}}`,
			`{"a":[1,2]}`, `[1,2]`},
		{"Choice Condition and rule Output", `{"S":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.n > 1 %}","Output":{"big":true},"Next":"E"}],"Default":"E"},"E":{"Type":"Succeed"}}`,
			`{"n":5}`, `{"big":true}`},
		{"Choice Default keeps the input", `{"S":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.n > 1 %}","Next":"E"}],"Default":"E"},"E":{"Type":"Succeed"}}`,
			`{"n":0}`, `{"n":0}`},
		{"Map Items, ItemSelector with the item's index, MaxConcurrency expression", `{"S":{"Type":"Map","Items":"{% $states.input.xs %}","MaxConcurrency":"{% 2 %}",
			"ItemSelector":{"i":"{% $states.context.Map.Item.Index %}","v":"{% $states.context.Map.Item.Value %}","all":"{% $count($states.input.xs) %}"},
			"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}`,
			`{"xs":["a","b"]}`, `[{"all":2,"i":0,"v":"a"},{"all":2,"i":1,"v":"b"}]`},
		{"Map over its input without Items", `{"S":{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $states.input * 10 %}","End":true}}},"End":true}}`,
			`[1,2]`, `[10,20]`},
		{"Parallel Arguments", `{"S":{"Type":"Parallel","Arguments":{"v":"{% $states.input.a %}"},"Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Output":"{% $states.input.v %}","End":true}}}],"End":true}}`,
			`{"a":7}`, `[7]`},
		{"Wait Seconds expression", `{"S":{"Type":"Wait","Seconds":"{% $states.input.s %}","End":true}}`, `{"s":30}`, `{"s":30}`},
		{"Wait Timestamp expression", `{"S":{"Type":"Wait","Timestamp":"{% $states.input.t %}","End":true}}`, `{"t":"2025-01-01T00:01:00Z"}`, `{"t":"2025-01-01T00:01:00Z"}`},
		{"Task TimeoutSeconds expression", `{"S":{"Type":"Task","Resource":"arn:aws:states:::test:echo","TimeoutSeconds":"{% 5 %}","End":true}}`, `{"v":1}`, `{"v":1}`},
		{"numbers render as JavaScript writes them", `{"S":{"Type":"Pass","Output":{"a":"{% 0.1 + 0.2 %}","b":"{% 1e21 %}","c":"{% 3.0 %}"},"End":true}}`,
			`{}`, `{"a":0.30000000000000004,"b":1e+21,"c":3}`},
		{"$partition", `{"S":{"Type":"Pass","Output":"{% $partition([1,2,3,4,5], 2) %}","End":true}}`, `{}`, `[[1,2],[3,4],[5]]`},
		{"$range", `{"S":{"Type":"Pass","Output":"{% $range(0, 10, 4) %}","End":true}}`, `{}`, `[0,4,8]`},
		{"$range downwards", `{"S":{"Type":"Pass","Output":"{% $range(3, 1, -1) %}","End":true}}`, `{}`, `[3,2,1]`},
		{"$hash", `{"S":{"Type":"Pass","Output":"{% $hash('abc', 'SHA-256') %}","End":true}}`, `{}`, `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`},
		{"$parse", `{"S":{"Type":"Pass","Output":"{% $parse($states.input.s).k %}","End":true}}`, `{"s":"{\"k\":[true]}"}`, `[true]`},
		{"$random with a seed repeats", `{"S":{"Type":"Pass","Output":"{% $random(7) = $random(7) and $random(7) >= 0 and $random(7) < 1 %}","End":true}}`, `{}`, `true`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lang := `"QueryLanguage":"JSONata",`
			if strings.Contains(tc.states, `"QueryLanguage":"JSONPath"`) {
				lang = "" // a JSONata machine cannot hold JSONPath states
			}
			def := `{` + lang + `"StartAt":"S","States":` + tc.states + `}`
			r, _ := run(t, def, tc.input, WithTaskInvoker(echoTask))
			if r.Status != StatusSucceeded {
				t.Fatalf("status %s: %s: %s", r.Status, r.Error, r.Cause)
			}
			if diff := cmp.Diff(canon(t, r.Output), canon(t, mustJSON(t, tc.want))); diff != "" {
				t.Errorf("output (-got +want):\n%s", diff)
			}
		})
	}
}

// A failed evaluation is States.QueryEvaluationError, recorded as an
// EvaluationFailed event; undefined is a failure in every field.
func TestJSONataEvaluationErrors(t *testing.T) {
	tests := []struct {
		name, states, input string
		cause               string // a regular expression
		history             string
	}{
		{"undefined in Output", `{"S":{"Type":"Pass","Output":{"r":"{% $nope %}"},"End":true}}`, `{}`,
			`^An error occurred while executing the state 'S' \(entered at the event id #2\)\. The JSONata expression '\$nope' specified for the field 'Output/r' returned nothing \(undefined\)\.$`,
			"ExecutionStarted PassStateEntered(S) EvaluationFailed ExecutionFailed"},
		{"undefined inside an array names the index", `{"S":{"Type":"Pass","Output":{"l":[1,"{% $nope %}"]},"End":true}}`, `{}`,
			`specified for the field 'Output/l\[1\]' returned nothing \(undefined\)\.$`,
			"ExecutionStarted PassStateEntered(S) EvaluationFailed ExecutionFailed"},
		{"a Catcher's field names its index", `{"S":{"Type":"Task","Resource":"arn:aws:states:::test:x","Arguments":{"fail":"Boom"},"Catch":[{"ErrorEquals":["Other"],"Next":"E"},{"ErrorEquals":["Boom"],"Output":"{% $nope %}","Next":"E"}],"End":true},"E":{"Type":"Succeed"}}`, `{}`,
			`specified for the field 'Catch\[1\]/Output' returned nothing \(undefined\)\.$`,
			"ExecutionStarted TaskStateEntered(S) TaskScheduled TaskStarted TaskFailed EvaluationFailed ExecutionFailed"},
		{"type error", `{"S":{"Type":"Pass","Output":"{% 'a' + 1 %}","End":true}}`, `{}`,
			`The JSONata expression ''a' \+ 1' specified for the field 'Output' threw an error during evaluation\. T2001: The left side of the "\+" operator must evaluate to a number$`,
			"ExecutionStarted PassStateEntered(S) EvaluationFailed ExecutionFailed"},
		{"Condition not boolean", `{"S":{"Type":"Choice","Choices":[{"Condition":"{% 1 %}","Next":"E"}]},"E":{"Type":"Succeed"}}`, `{}`,
			`field 'Choices\[0\]/Condition' returned an unexpected result type\. Expected 'boolean', but was 'number' for value: 1$`,
			"ExecutionStarted ChoiceStateEntered(S) EvaluationFailed ExecutionFailed"},
		{"Items not an array", `{"S":{"Type":"Map","Items":"{% 'x' %}","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}`, `{}`,
			`field 'Items' returned an unexpected result type\. Expected 'array', but was 'string' for value: "x"$`,
			"ExecutionStarted MapStateEntered(S) EvaluationFailed MapStateFailed ExecutionFailed"},
		{"$eval is refused", `{"S":{"Type":"Pass","Output":"{% $eval('1') %}","End":true}}`, `{}`,
			`\$eval is not supported by Step Functions: use \$parse`,
			"ExecutionStarted PassStateEntered(S) EvaluationFailed ExecutionFailed"},
		{"bad Wait Timestamp", `{"S":{"Type":"Wait","Timestamp":"{% 'yesterday' %}","End":true}}`, `{}`,
			`The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: yesterday$`,
			"ExecutionStarted WaitStateEntered(S) EvaluationFailed ExecutionFailed"},
		{"Fail Error must be a string", `{"S":{"Type":"Fail","Error":"{% 1 %}"}}`, `{}`,
			`field 'Error' returned an unexpected result type\. Expected 'string'`,
			"ExecutionStarted FailStateEntered(S) EvaluationFailed ExecutionFailed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := `{"QueryLanguage":"JSONata","StartAt":"S","States":` + tc.states + `}`
			r, ev := run(t, def, tc.input, WithTaskInvoker(echoTask))
			if r.Status != StatusFailed || r.Error != ErrQueryEvaluation {
				t.Fatalf("got %s %s (%s), want FAILED %s", r.Status, r.Error, r.Cause, ErrQueryEvaluation)
			}
			if !regexp.MustCompile(tc.cause).MatchString(r.Cause) {
				t.Errorf("cause %q does not match %q", r.Cause, tc.cause)
			}
			if got := types(ev); got != tc.history {
				t.Errorf("history:\n got %s\nwant %s", got, tc.history)
			}
			for _, e := range ev {
				if e.Type == EvaluationFailed && (e.EvaluationFailedEventDetails == nil || e.EvaluationFailedEventDetails.State != "S") {
					t.Errorf("EvaluationFailed details %+v, want the state S", e.EvaluationFailedEventDetails)
				}
			}
		})
	}
}

// Fail's Error and Cause may be expressions.
func TestJSONataFail(t *testing.T) {
	def := `{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Fail","Error":"{% 'E.' & $states.input.k %}","Cause":"{% $string($states.input) %}"}}}`
	r, _ := run(t, def, `{"k":"x"}`)
	if r.Status != StatusFailed || r.Error != "E.x" || r.Cause != `{"k":"x"}` {
		t.Errorf("got %s %q %q, want FAILED E.x {\"k\":\"x\"}", r.Status, r.Error, r.Cause)
	}
}

// A Catcher's Assign and Output see $states.errorOutput, which is also its
// default output; Retry works as in JSONPath, and an evaluation error is
// caught like any other error.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
func TestJSONataRetryAndCatch(t *testing.T) {
	var calls atomic.Int32
	flaky := TaskInvokerFunc(func(_ context.Context, req TaskRequest) (any, error) {
		if calls.Add(1) < 3 {
			return nil, Fail("Transient", "try again")
		}
		return map[string]any{"attempt": jsonInt(req.Attempt)}, nil
	})
	def := `{"QueryLanguage":"JSONata","StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"arn:aws:states:::test:x","Retry":[{"ErrorEquals":["Transient"],"IntervalSeconds":1,"MaxAttempts":5}],
			"Output":{"n":"{% $states.result.attempt %}","retries":"{% $states.context.State.RetryCount %}"},"End":true}}}`
	r, _ := run(t, def, `{}`, WithTaskInvoker(flaky))
	if r.Status != StatusSucceeded {
		t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
	}
	if diff := cmp.Diff(canon(t, r.Output), canon(t, mustJSON(t, `{"n":2,"retries":2}`))); diff != "" {
		t.Errorf("retry output (-got +want):\n%s", diff)
	}

	const v = `"V":{"Type":"Pass","Output":{"in":"{% $states.input.in %}","c":"{% $states.input.c %}","v":"{% $seen %}"},"End":true}`
	const e = `"E":{"Type":"Succeed"}`
	tests := []struct{ name, catch, next, input, want string }{
		{"default output is the error output", `{"ErrorEquals":["States.ALL"],"Next":"E"}`, e, `{"fail":"Boom"}`,
			`{"Error":"Boom","Cause":"asked to fail"}`},
		{"Output and Assign see errorOutput and input", `{"ErrorEquals":["Boom"],"Assign":{"seen":"{% $states.errorOutput.Error %}"},"Output":{"in":"{% $states.input.fail %}","c":"{% $states.errorOutput.Cause %}"},"Next":"V"}`,
			v, `{"fail":"Boom"}`, `{"c":"asked to fail","in":"Boom","v":"Boom"}`},
		{"an evaluation error in Output is caught", `{"ErrorEquals":["States.QueryEvaluationError"],"Output":"{% $states.errorOutput.Error %}","Next":"E"}`,
			e, `{"ok":1}`, `"States.QueryEvaluationError"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := `{"QueryLanguage":"JSONata","StartAt":"T","States":{
				"T":{"Type":"Task","Resource":"arn:aws:states:::test:x","Output":"{% $states.result.nope %}","Catch":[` + tc.catch + `],"End":true},` + tc.next + `}}`
			r, _ := run(t, def, tc.input, WithTaskInvoker(echoTask))
			if r.Status != StatusSucceeded {
				t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
			}
			if diff := cmp.Diff(canon(t, r.Output), canon(t, mustJSON(t, tc.want))); diff != "" {
				t.Errorf("output (-got +want):\n%s", diff)
			}
		})
	}
}

// $uuid gives version 4 UUIDs; $random without a seed reads the machine's
// random source (WithRandom), so tests can fix it.
func TestJSONataRandomFunctions(t *testing.T) {
	def := `{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Pass","Output":{"u":"{% $uuid() %}","r":"{% $random() %}"},"End":true}}}`
	r, _ := run(t, def, `{}`)
	out := r.Output.(map[string]any)
	if u, _ := out["u"].(string); !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(u) {
		t.Errorf("$uuid() = %q, not a version 4 UUID", out["u"])
	}
	if got := canon(t, out["r"]); got != "0.5" {
		t.Errorf("$random() = %s, want 0.5 from the fixed random source", got)
	}
}

// A JSONata expression that does not parse is refused with the definition,
// as CreateStateMachine refuses it: INVALID_JSONATA_EXPRESSION with the
// parser's message at the expression's path.
func TestJSONataCompileError(t *testing.T) {
	_, err := asl.Parse([]byte(`{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Pass","Output":{"a":"{% 1 + %}"},"End":true}}}`))
	want := "Invalid State Machine Definition: 'INVALID_JSONATA_EXPRESSION: Unexpected end of expression at /States/S/Output/a'"
	if err == nil || err.Error() != want {
		t.Fatalf("Parse: %v, want %s", err, want)
	}
}

// Stop interrupts a JSONata Wait like a JSONPath one.
func TestJSONataWaitStops(t *testing.T) {
	clock := NewVirtualClock(epoch)
	m := compile(t, `{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Wait","Seconds":"{% 3600 %}","End":true}}}`, WithClock(clock))
	var h HistoryLog
	clock.Hold() // keep the hour from passing before the test stops the execution
	e := m.Start(context.Background(), map[string]any{}, WithHistory(&h))
	e.Stop("stopped", "by the test")
	clock.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := e.Wait(ctx)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal(err)
	}
	if r.Status != StatusAborted {
		t.Errorf("status %s, want %s", r.Status, StatusAborted)
	}
}
