package interp

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// echoLambda returns its payload; a function named "broken" raises; an
// unknown function is a service error.
var echoLambda = LambdaInvokerFunc(func(ctx context.Context, req LambdaRequest) (LambdaResponse, error) {
	switch {
	case strings.HasSuffix(req.FunctionName, "echo"):
		return LambdaResponse{Payload: req.Payload}, nil
	case strings.HasSuffix(req.FunctionName, "broken"):
		return LambdaResponse{FunctionError: "Unhandled", Payload: []byte(`{"errorType": "ValidationError", "errorMessage": "bad input"}`)}, nil
	}
	return LambdaResponse{}, &LambdaServiceError{Code: "ResourceNotFoundException", StatusCode: 404, RequestID: "r1",
		Message: "Function not found: " + req.FunctionName}
})

// A bare function ARN: the payload is the effective input, the result the
// function's response; a function error surfaces as its errorType with the
// error JSON as cause; the history uses LambdaFunction* events.
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
func TestLambdaFunctionARN(t *testing.T) {
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:"
	tests := []struct {
		name, fn             string
		wantStatus           Status
		wantOutput           string
		wantError, wantCause string
		wantTypes            string
	}{
		{"success", "echo", StatusSucceeded, `{"x":1}`, "", "",
			"ExecutionStarted TaskStateEntered(L) LambdaFunctionScheduled LambdaFunctionStarted LambdaFunctionSucceeded TaskStateExited(L) ExecutionSucceeded"},
		{"function error", "broken", StatusFailed, "", "ValidationError", `{"errorType": "ValidationError", "errorMessage": "bad input"}`,
			"ExecutionStarted TaskStateEntered(L) LambdaFunctionScheduled LambdaFunctionStarted LambdaFunctionFailed ExecutionFailed"},
		{"service error", "missing", StatusFailed, "", "Lambda.ResourceNotFoundException",
			"Function not found: " + arn + "missing (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: r1; Proxy: null)",
			"ExecutionStarted TaskStateEntered(L) LambdaFunctionScheduled LambdaFunctionStarted LambdaFunctionFailed ExecutionFailed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := `{"StartAt":"L","States":{"L":{"Type":"Task","Resource":"` + arn + tc.fn + `","End":true}}}`
			r, ev := run(t, def, `{"x":1}`, WithLambdaInvoker(echoLambda))
			if r.Status != tc.wantStatus || r.Error != tc.wantError || r.Cause != tc.wantCause {
				t.Errorf("got %s %q %q, want %s %q %q", r.Status, r.Error, r.Cause, tc.wantStatus, tc.wantError, tc.wantCause)
			}
			if tc.wantOutput != "" && canon(t, r.Output) != canon(t, mustJSON(t, tc.wantOutput)) {
				t.Errorf("output: got %s, want %s", canon(t, r.Output), tc.wantOutput)
			}
			if got := types(ev); got != tc.wantTypes {
				t.Errorf("history:\n got %s\nwant %s", got, tc.wantTypes)
			}
		})
	}
}

// The lambda:invoke integration wraps the response as the SDK returns it,
// re-serialises a function error compactly as cause, and records Task*
// events with resourceType "lambda" and resource "invoke".
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
func TestLambdaInvokeIntegration(t *testing.T) {
	def := `{"StartAt":"L","States":{"L":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
		"Parameters":{"FunctionName.$":"$.fn","Payload":{"v.$":"$.v"}},"ResultSelector":{"p.$":"$.Payload","s.$":"$.StatusCode","x.$":"$.ExecutedVersion"},"End":true}}}`
	r, ev := run(t, def, `{"fn":"echo","v":[1,2]}`, WithLambdaInvoker(echoLambda))
	if r.Status != StatusSucceeded {
		t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
	}
	if diff := cmp.Diff(`{"p":{"v":[1,2]},"s":200,"x":"$LATEST"}`, canon(t, r.Output)); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	var sched *TaskScheduledEventDetails
	for _, e := range ev {
		if e.TaskScheduledEventDetails != nil {
			sched = e.TaskScheduledEventDetails
		}
	}
	want := &TaskScheduledEventDetails{ResourceType: "lambda", Resource: "invoke", Region: "us-east-1",
		Parameters: `{"FunctionName":"echo","Payload":{"v":[1,2]}}`}
	if diff := cmp.Diff(want, sched); diff != "" {
		t.Errorf("TaskScheduled details (-want +got):\n%s", diff)
	}

	r, ev = run(t, def, `{"fn":"broken","v":1}`, WithLambdaInvoker(echoLambda))
	if r.Error != "ValidationError" || r.Cause != `{"errorType":"ValidationError","errorMessage":"bad input"}` {
		t.Errorf("function error: got %q %q", r.Error, r.Cause)
	}
	if got, want := types(ev), "ExecutionStarted TaskStateEntered(L) TaskScheduled TaskStarted TaskFailed ExecutionFailed"; got != want {
		t.Errorf("history:\n got %s\nwant %s", got, want)
	}
}

// The full wrapper has the fields AWS returns.
func TestLambdaInvokeWrapper(t *testing.T) {
	def := `{"StartAt":"L","States":{"L":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"echo","Payload":"raw"},"End":true}}}`
	r, _ := run(t, def, `{}`, WithLambdaInvoker(echoLambda))
	out, ok := r.Output.(map[string]any)
	if !ok {
		t.Fatalf("output %v is not an object", r.Output)
	}
	var keys []string
	for k := range out {
		keys = append(keys, k)
	}
	if diff := cmp.Diff([]string{"ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"}, sortStrings(keys)); diff != "" {
		t.Errorf("wrapper keys (-want +got):\n%s", diff)
	}
	// A string Payload is sent as the raw request body: "raw" is not JSON,
	// so the echoed response is kept as a string.
	if out["Payload"] != "raw" {
		t.Errorf("Payload: got %#v, want %q", out["Payload"], "raw")
	}
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

// lambda:invoke.waitForTaskToken invokes the function with the token in
// its payload, then waits for the host to complete the token.
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
func TestLambdaInvokeWaitForTaskToken(t *testing.T) {
	tokens := NewTaskTokens()
	got := make(chan string, 1)
	inv := LambdaInvokerFunc(func(ctx context.Context, req LambdaRequest) (LambdaResponse, error) {
		got <- string(req.Payload)
		return LambdaResponse{StatusCode: 202}, nil
	})
	clock := NewVirtualClock(epoch)
	m := compile(t, `{"StartAt":"L","States":{"L":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
		"Parameters":{"FunctionName":"worker","Payload":{"token.$":"$$.Task.Token"}},"TimeoutSeconds":300,"End":true}}}`,
		WithClock(clock), WithLambdaInvoker(inv), WithTaskTokens(tokens))
	var h HistoryLog
	// The test acts on the execution from outside: it holds the virtual
	// clock meanwhile, or the 300 s timeout would pass at once.
	clock.Hold()
	e := m.Start(context.Background(), mustJSON(t, `{}`), WithHistory(&h))
	payload := mustJSON(t, <-got).(map[string]any)
	tok, _ := payload["token"].(string)
	if tok == "" {
		t.Fatalf("payload %v carries no token", payload)
	}
	if err := tokens.Succeed(tok, map[string]any{"done": true}); err != nil {
		t.Fatal(err)
	}
	clock.Release()
	r := wait(t, e)
	if r.Status != StatusSucceeded || canon(t, r.Output) != `{"done":true}` {
		t.Errorf("got %s %v", r.Status, r.Output)
	}
	want := "ExecutionStarted TaskStateEntered(L) TaskScheduled TaskStarted TaskSubmitted TaskSucceeded TaskStateExited(L) ExecutionSucceeded"
	if got := types(h.Events()); got != want {
		t.Errorf("history:\n got %s\nwant %s", got, want)
	}
}

// A TaskInterceptor answers tasks itself (mocked responses): its result is
// the integration's result as is, its error fails the task.
func TestTaskInterceptor(t *testing.T) {
	var seen []string
	mock := TaskInterceptorFunc(func(ctx context.Context, req TaskRequest) (any, bool, error) {
		seen = append(seen, req.StateName)
		switch req.StateName {
		case "Invoke":
			return map[string]any{"StatusCode": 200, "Payload": map[string]any{"mocked": true}}, true, nil
		case "Throw":
			return nil, true, Fail("Mock.Error", "thrown by the mock")
		}
		return nil, false, nil
	})
	def := `{"StartAt":"Invoke","States":{
		"Invoke":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"OutputPath":"$.Payload","Next":"Real"},
		"Real":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:echo","Next":"Throw"},
		"Throw":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},
			"Catch":[{"ErrorEquals":["Mock.Error"],"ResultPath":"$.err","Next":"Done"}],"End":true},
		"Done":{"Type":"Succeed"}}}`
	r, _ := run(t, def, `{}`, WithTaskInterceptor(mock), WithLambdaInvoker(echoLambda))
	want := `{"err":{"Cause":"thrown by the mock","Error":"Mock.Error"},"mocked":true}`
	if got := canon(t, r.Output); got != want {
		t.Errorf("output: got %s, want %s", got, want)
	}
	if diff := cmp.Diff([]string{"Invoke", "Real", "Throw"}, seen); diff != "" {
		t.Errorf("intercepted states (-want +got):\n%s", diff)
	}
}

// The Payload a lambda:invoke task sends is its value rendered as the
// engine renders payloads, whatever it holds (here taken from the task's
// rendered parameters), with a TimeoutSeconds too (the call then runs on
// a goroutine of its own).
func TestLambdaInvokePayloadRendered(t *testing.T) {
	var got []string
	spy := LambdaInvokerFunc(func(_ context.Context, req LambdaRequest) (LambdaResponse, error) {
		got = append(got, string(req.Payload))
		return LambdaResponse{Payload: []byte(`{}`)}, nil
	})
	const in = `{"v":{"z":"<&>\u2028\"q\\","a":[1.50,-0,1e400,null,true,{}],"é":"\ud83d\ude00"},"n":7}`
	tests := []struct {
		name, payload, want string
	}{
		{"object", `{"x.$":"$.v","AClientContext":"c"}`, `{"AClientContext":"c","x":{"a":[1.50,-0,1e400,null,true,{}],"z":"<&>` + "\u2028" + `\"q\\","é":"😀"}}`},
		{"array", `["a",{"b.$":"$.n"}]`, `["a",{"b":7}]`},
		{"number", `3.25`, `3.25`},
		{"empty object", `{}`, `{}`},
		{"from the input", `null,"Payload.$":"$.v"`, `{"a":[1.50,-0,1e400,null,true,{}],"z":"<&>` + "\u2028" + `\"q\\","é":"😀"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = nil
			payload := `"Payload":` + tt.payload
			if strings.HasPrefix(tt.payload, "null,") {
				payload = strings.TrimPrefix(tt.payload, "null,")
			}
			def := `{"StartAt":"L","States":{"L":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":30,
				"Parameters":{"FunctionName":"f","InvocationType":"RequestResponse",` + payload + `},"End":true}}}`
			r, _ := run(t, def, in, WithLambdaInvoker(spy))
			if r.Status != StatusSucceeded {
				t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
			}
			if diff := cmp.Diff(got, []string{tt.want}); diff != "" {
				t.Errorf("payloads sent (-got +want):\n%s", diff)
			}
		})
	}
}

// FuzzMemberText: the text memberText finds for a member of an object
// rendered by the engine is the member's value rendered; a member that is
// not there is not found.
func FuzzMemberText(f *testing.F) {
	f.Add(`{"FunctionName":"f","Payload":{"a":[1,"<&>"]}}`, "Payload")
	f.Add(`{"A":1,"Payload":"x","Z":{}}`, "Z")
	f.Add(`{"P\u0061yload":2}`, "Payload")
	f.Add(`{"k":{"Payload":1}}`, "Payload")
	f.Add(`[1]`, "")
	f.Fuzz(func(t *testing.T, text, key string) {
		v, err := decodeJSON([]byte(text))
		if err != nil {
			return
		}
		rendered, err := marshal(v)
		if err != nil {
			return
		}
		got, ok := memberText(rendered, key)
		m, isObject := v.(map[string]any)
		member, has := m[key]
		if ok != (isObject && has) {
			t.Fatalf("memberText(%s, %q) found %v, want %v", rendered, key, ok, isObject && has)
		}
		if !ok {
			return
		}
		want, err := marshal(member)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("memberText(%s, %q) = %s, want %s", rendered, key, got, want)
		}
	})
}
