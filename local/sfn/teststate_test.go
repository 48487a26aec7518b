package sfn_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl/interp"
	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// TestState through the SDK: every state type, each inspection level, mocks with each validation mode,
// Retry and Catch, Map and Parallel with mocks, and requests AWS refuses.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
func TestTestState(t *testing.T) {
	failing := interp.TaskInvokerFunc(func(context.Context, interp.TaskRequest) (any, error) {
		return nil, interp.Fail("Boom", "the real task failed")
	})
	_, c := start(t, localsfn.WithTaskInvoker(failing))
	const role = "arn:aws:iam::123456789012:role/test"
	type want struct {
		status    types.TestExecutionStatus
		output    string // JSON, compared semantically; "" for none
		err       string
		nextState string
		insp      map[string]string // inspection data fields that must be there, as JSON
		details   *types.InspectionErrorDetails
	}
	tests := []struct {
		name string
		in   sdk.TestStateInput
		want want
	}{
		{"Pass at INFO has no inspection data",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r","Next":"N"}`), Input: aws.String(`{"a":1}`)},
			want{status: types.TestExecutionStatusSucceeded, output: `{"a":1,"r":{"x":1}}`, nextState: "N"}},
		{"Pass at DEBUG reports each step",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Pass","InputPath":"$.in","Parameters":{"v.$":"$.v"},"ResultPath":"$.out","End":true}`),
				Input: aws.String(`{"in":{"v":2}}`), InspectionLevel: types.InspectionLevelDebug},
			want{status: types.TestExecutionStatusSucceeded, output: `{"in":{"v":2},"out":{"v":2}}`,
				insp: map[string]string{"input": `{"in":{"v":2}}`, "afterInputPath": `{"v":2}`, "afterParameters": `{"v":2}`, "afterResultPath": `{"in":{"v":2},"out":{"v":2}}`}}},
		{"Choice reports the next state",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":1,"Next":"Big"}],"Default":"Small"}`),
				Input: aws.String(`{"n":5}`), InspectionLevel: types.InspectionLevelTrace},
			want{status: types.TestExecutionStatusSucceeded, output: `{"n":5}`, nextState: "Big"}},
		{"Wait returns at once",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Wait","Seconds":86400,"Next":"N"}`), Input: aws.String(`{}`)},
			want{status: types.TestExecutionStatusSucceeded, output: `{}`, nextState: "N"}},
		{"Succeed",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Succeed"}`), Input: aws.String(`{"k":true}`)},
			want{status: types.TestExecutionStatusSucceeded, output: `{"k":true}`}},
		{"Fail",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Fail","Error":"E","Cause":"C"}`)},
			want{status: types.TestExecutionStatusFailed, err: "E"}},
		{"Task with a mocked result and ResultSelector",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$"},"ResultSelector":{"p.$":"$.Payload"},"End":true}`),
				Input: aws.String(`{"a":1}`), InspectionLevel: types.InspectionLevelDebug,
				Mock: &types.MockInput{Result: aws.String(`{"StatusCode":200,"Payload":{"ok":true}}`)}},
			want{status: types.TestExecutionStatusSucceeded, output: `{"p":{"ok":true}}`,
				insp: map[string]string{"afterParameters": `{"FunctionName":"f","Payload":{"a":1}}`, "result": `{"StatusCode":200,"Payload":{"ok":true}}`, "afterResultSelector": `{"p":{"ok":true}}`}}},
		{"Task without a mock calls the real integration",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:::test:x","Catch":[{"ErrorEquals":["Boom"],"Next":"H"}],"End":true}`),
				RoleArn: aws.String(role), InspectionLevel: types.InspectionLevelDebug},
			want{status: types.TestExecutionStatusCaughtError, output: `{"Error":"Boom","Cause":"the real task failed"}`, err: "Boom", nextState: "H",
				details: &types.InspectionErrorDetails{CatchIndex: aws.Int32(0)}}},
		{"an activity task runs with a mock",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:a","End":true}`),
				Input: aws.String(`{}`), Mock: &types.MockInput{Result: aws.String(`{"done":1}`)}},
			want{status: types.TestExecutionStatusSucceeded, output: `{"done":1}`}},
		{"an activity task without a mock is refused, as it would wait for a worker",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:a","End":true}`),
				Input: aws.String(`{}`), RoleArn: aws.String(role)},
			want{status: types.TestExecutionStatusFailed, err: "States.Runtime"}},
		{"a mocked error a Retrier handles is RETRIABLE with its back-off",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"Retry":[{"ErrorEquals":["Other"]},{"ErrorEquals":["E"],"IntervalSeconds":3,"BackoffRate":2,"MaxAttempts":4}],"End":true}`),
				InspectionLevel: types.InspectionLevelDebug, Mock: &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String("E"), Cause: aws.String("c")}},
				StateConfiguration: &types.TestStateConfiguration{RetrierRetryCount: aws.Int32(2)}},
			want{status: types.TestExecutionStatusRetriable, err: "E", details: &types.InspectionErrorDetails{RetryIndex: aws.Int32(1), RetryBackoffIntervalSeconds: aws.Int32(12)}}},
		{"retries exhausted, caught",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"Retry":[{"ErrorEquals":["E"],"MaxAttempts":1}],"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"H"}],"End":true}`),
				Input: aws.String(`{"a":1}`), InspectionLevel: types.InspectionLevelDebug, Mock: &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String("E"), Cause: aws.String("c")}},
				StateConfiguration: &types.TestStateConfiguration{RetrierRetryCount: aws.Int32(1)}},
			want{status: types.TestExecutionStatusCaughtError, err: "E", nextState: "H", output: `{"a":1,"err":{"Error":"E","Cause":"c"}}`,
				details: &types.InspectionErrorDetails{RetryIndex: aws.Int32(0), CatchIndex: aws.Int32(0)}}},
		{"JSONata Task: Arguments, Output and variables",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Task","QueryLanguage":"JSONata","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"f","Payload":"{% $states.input.v & $suffix %}"},"Assign":{"seen":"{% $states.result.Payload %}"},"Output":"{% $states.result.Payload %}","End":true}`),
				Input: aws.String(`{"v":"a"}`), Variables: aws.String(`{"suffix":"b"}`), InspectionLevel: types.InspectionLevelTrace,
				Mock: &types.MockInput{Result: aws.String(`{"Payload":"ab"}`)}},
			want{status: types.TestExecutionStatusSucceeded, output: `"ab"`,
				insp: map[string]string{"afterArguments": `{"FunctionName":"f","Payload":"ab"}`, "variables": `{"seen":"ab","suffix":"b"}`}}},
		{"Parallel with a mocked result",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}],"ResultPath":"$.r","End":true}`),
				Input: aws.String(`{}`), Mock: &types.MockInput{Result: aws.String(`[1,2]`)}},
			want{status: types.TestExecutionStatusSucceeded, output: `{"r":[1,2]}`}},
		{"Parallel without a mock runs its branches",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"a","End":true}}},{"StartAt":"B","States":{"B":{"Type":"Pass","Result":"b","End":true}}}],"End":true}`)},
			want{status: types.TestExecutionStatusSucceeded, output: `["a","b"]`}},
		{"Map with a mocked result over its tolerance",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Map","ToleratedFailureCount":1,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"Catch":[{"ErrorEquals":["States.ExceedToleratedFailureThreshold"],"Next":"H"}],"End":true}`),
				Input: aws.String(`[1,2,3]`), InspectionLevel: types.InspectionLevelDebug, Mock: &types.MockInput{Result: aws.String(`[1,2,3]`)},
				StateConfiguration: &types.TestStateConfiguration{MapIterationFailureCount: aws.Int32(2)}},
			want{status: types.TestExecutionStatusCaughtError, err: "States.ExceedToleratedFailureThreshold", nextState: "H",
				output: `{"Error":"States.ExceedToleratedFailureThreshold","Cause":"The specified tolerated failure threshold was exceeded"}`}},
		{"Map without a mock runs its iterations",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"x.$":"$"},"End":true}}},"End":true}`),
				Input: aws.String(`[1,2]`)},
			want{status: types.TestExecutionStatusSucceeded, output: `[{"x":1},{"x":2}]`}},
		{"a state of a whole machine, by name",
			sdk.TestStateInput{Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Result":"b","End":true}}}`),
				StateName: aws.String("B")},
			want{status: types.TestExecutionStatusSucceeded, output: `"b"`}},
		{"PRESENT validation accepts a missing required field",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:::states:startExecution","Parameters":{"StateMachineArn":"x"},"End":true}`),
				Mock: &types.MockInput{Result: aws.String(`{}`), FieldValidationMode: types.MockResponseValidationModePresent}},
			want{status: types.TestExecutionStatusSucceeded, output: `{}`}},
		{"NONE validation accepts any type",
			sdk.TestStateInput{Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"End":true}`),
				Mock: &types.MockInput{Result: aws.String(`{"StatusCode":"two hundred"}`), FieldValidationMode: types.MockResponseValidationModeNone}},
			want{status: types.TestExecutionStatusSucceeded, output: `{"StatusCode":"two hundred"}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.TestState(t.Context(), &tc.in)
			if err != nil {
				t.Fatalf("TestState: %v", err)
			}
			if out.Status != tc.want.status {
				t.Errorf("status %s (%s: %s), want %s", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause), tc.want.status)
			}
			if tc.want.output != "" && !sameJSON(aws.ToString(out.Output), tc.want.output) {
				t.Errorf("output %s, want %s", aws.ToString(out.Output), tc.want.output)
			}
			if got := aws.ToString(out.Error); got != tc.want.err {
				t.Errorf("error %q, want %q", got, tc.want.err)
			}
			if got := aws.ToString(out.NextState); got != tc.want.nextState {
				t.Errorf("nextState %q, want %q", got, tc.want.nextState)
			}
			if len(tc.want.insp) > 0 || tc.want.details != nil {
				d := out.InspectionData
				if d == nil {
					t.Fatal("no inspection data")
				}
				got := map[string]*string{"input": d.Input, "afterInputPath": d.AfterInputPath, "afterParameters": d.AfterParameters,
					"afterArguments": d.AfterArguments, "result": d.Result, "afterResultSelector": d.AfterResultSelector,
					"afterResultPath": d.AfterResultPath, "variables": d.Variables}
				for k, w := range tc.want.insp {
					if !sameJSON(aws.ToString(got[k]), w) {
						t.Errorf("inspectionData.%s = %s, want %s", k, aws.ToString(got[k]), w)
					}
				}
				if diff := cmp.Diff(d.ErrorDetails, tc.want.details, cmp.AllowUnexported(types.InspectionErrorDetails{})); tc.want.details != nil && diff != "" {
					t.Errorf("errorDetails (-got +want):\n%s", diff)
				}
			} else if tc.in.InspectionLevel == "" && out.InspectionData != nil {
				t.Errorf("INFO answered inspection data %+v", out.InspectionData)
			}
		})
	}
}

// Requests TestState refuses, with AWS's error code and message.
func TestTestStateRefusals(t *testing.T) {
	_, c := start(t)
	tests := []struct {
		name      string
		in        sdk.TestStateInput
		code, msg string
	}{
		{"empty definition", sdk.TestStateInput{Definition: aws.String("")}, "ValidationException", "1 validation error detected: Value null at 'definition' failed to satisfy constraint: Member must not be null"},
		{"bad inspection level", sdk.TestStateInput{Definition: aws.String(`{"Type":"Succeed"}`), InspectionLevel: "LOUD"}, "ValidationException",
			"1 validation error detected: Value 'LOUD' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]"},
		{"invalid definition", sdk.TestStateInput{Definition: aws.String(`{"Type":"Nope","End":true}`)}, "InvalidDefinition",
			"Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at /States/StateName/Type'"},
		{"unknown state name", sdk.TestStateInput{Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`), StateName: aws.String("Z")},
			"ValidationException", "State 'Z' does not exist in the definition"},
		{"mocked result not JSON", sdk.TestStateInput{Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}`), Mock: &types.MockInput{Result: aws.String("{")}},
			"ValidationException", "Mocked result must be valid JSON"},
		{"mock on a Pass state", sdk.TestStateInput{Definition: aws.String(`{"Type":"Pass","End":true}`), Mock: &types.MockInput{Result: aws.String("{}")}},
			"ValidationException", "State type 'Pass' is not supported when a mock is specified"},
		{"mocked result of the wrong type (STRICT)", sdk.TestStateInput{Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}`), Mock: &types.MockInput{Result: aws.String(`{"StatusCode":"200"}`)}},
			"ValidationException", "Mock result schema validation error: Field 'StatusCode' must be a number"},
		{"Task without a mock needs a role", sdk.TestStateInput{Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}`)},
			"ValidationException", "RoleArn must be specified when testing a Task state"},
		{"context with a Task outside a callback task", sdk.TestStateInput{Definition: aws.String(`{"Type":"Pass","End":true}`), Context: aws.String(`{"Task":{"Token":"t"}}`)},
			"ValidationException", "Invalid Context object provided: Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.TestState(t.Context(), &tc.in)
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v, want %s", err, tc.code)
			}
			if ae.ErrorCode() != tc.code || ae.ErrorMessage() != tc.msg {
				t.Errorf("got %s %q\nwant %s %q", ae.ErrorCode(), ae.ErrorMessage(), tc.code, tc.msg)
			}
		})
	}
}

// The AWS CLI reaches TestState like StartSyncExecution: with AWS_DISABLE_HOST_PREFIX_INJECTION=true.
func TestTestStateAWSCLI(t *testing.T) {
	awscli, err := exec.LookPath("aws")
	if err != nil || testing.Short() {
		t.Skip("the AWS CLI is not on PATH (or -short)")
	}
	svc, err := localsfn.New()
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	hs := httptest.NewServer(svc)
	defer hs.Close()
	cmd := exec.Command(awscli, "--endpoint-url", hs.URL, "--output", "json", "stepfunctions", "test-state",
		"--definition", `{"Type":"Pass","Parameters":{"v.$":"$.a"},"End":true}`, "--input", `{"a":7}`, "--inspection-level", "DEBUG")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_DISABLE_HOST_PREFIX_INJECTION=true", "AWS_PAGER=")
	out, err := cmd.CombinedOutput()
	if err != nil && strings.Contains(string(out), "sync-127.0.0.1") {
		t.Skipf("this AWS CLI ignores AWS_DISABLE_HOST_PREFIX_INJECTION: %s", strings.TrimSpace(string(out)))
	}
	if err != nil {
		t.Fatalf("aws stepfunctions test-state: %v\n%s", err, out)
	}
	var got struct {
		Status         string `json:"status"`
		Output         string `json:"output"`
		InspectionData struct {
			AfterParameters string `json:"afterParameters"`
		} `json:"inspectionData"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("not JSON: %s", out)
	}
	if got.Status != "SUCCEEDED" || !sameJSON(got.Output, `{"v":7}`) || !sameJSON(got.InspectionData.AfterParameters, `{"v":7}`) {
		t.Errorf("test-state answered %s", out)
	}
}

func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return cmp.Equal(x, y)
}
