package peerbench

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl/interp"
)

// sfnClient is the real SDK's Step Functions client for endpoint, with static credentials, as sfnload makes it.
func sfnClient(endpoint string) *sfn.Client {
	return sfn.New(sfn.Options{
		Region: floorRegion,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local", Source: "test"}, nil
		}),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
	})
}

// decodeJSON decodes text, numbers kept as written, for comparisons that ignore key order and spacing.
func decodeJSON(tb testing.TB, text string) any {
	tb.Helper()
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("decode %q: %v", text, err)
	}
	return v
}

// engineOutput runs chain20 on the engine with chain20Input in an execution named name and returns its output
// as JSON text.
func engineOutput(tb testing.TB, name string) string {
	tb.Helper()
	m, input := loadMachine(tb, "chain20", chain20Input)
	r := m.Run(context.Background(), input, interp.WithExecutionName(name))
	if r.Status != interp.StatusSucceeded {
		tb.Fatalf("the engine ran chain20 to %s (%s: %s)", r.Status, r.Error, r.Cause)
	}
	out, err := json.Marshal(r.Output)
	if err != nil {
		tb.Fatal(err)
	}
	return string(out)
}

// runOnFloor creates a machine on endpoint, starts an execution named name and describes it, as sfnload does.
func runOnFloor(t *testing.T, endpoint, name string) (*sfn.CreateStateMachineOutput, *sfn.StartExecutionOutput, *sfn.DescribeExecutionOutput) {
	t.Helper()
	c := sfnClient(endpoint)
	def, err := json.Marshal(map[string]any{"StartAt": "P", "States": map[string]any{"P": map[string]any{"Type": "Pass", "End": true}}})
	if err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateStateMachine(t.Context(), &sfn.CreateStateMachineInput{
		Name: aws.String("sfnload-chain20"), Definition: aws.String(string(def)),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/sfnload"), Type: types.StateMachineTypeStandard,
	})
	if err != nil {
		t.Fatalf("CreateStateMachine: %v", err)
	}
	started, err := c.StartExecution(t.Context(), &sfn.StartExecutionInput{
		StateMachineArn: created.StateMachineArn, Name: aws.String(name), Input: aws.String(chain20Input),
	})
	if err != nil {
		t.Fatalf("StartExecution: %v", err)
	}
	described, err := c.DescribeExecution(t.Context(), &sfn.DescribeExecutionInput{ExecutionArn: started.ExecutionArn})
	if err != nil {
		t.Fatalf("DescribeExecution: %v", err)
	}
	if _, err := c.DeleteStateMachine(t.Context(), &sfn.DeleteStateMachineInput{StateMachineArn: created.StateMachineArn}); err != nil {
		t.Fatalf("DeleteStateMachine: %v", err)
	}
	return created, started, described
}

// TestFloorAnswersSDK runs what sfnload runs against the floor with the real SDK: the answers deserialize, the
// execution SUCCEEDED with its dates, input and output, and the output is what the engine gives chain20 in an
// execution of that name.
func TestFloorAnswersSDK(t *testing.T) {
	clock := time.Date(2026, 12, 6, 14, 10, 22, 351e6, time.UTC)
	srv := httptest.NewServer(newFloor(func() time.Time { return clock }))
	defer srv.Close()
	for _, name := range []string{"run-1", "run-dndpl2h0is1m-7999", "Ünïcode_name-" + strings.Repeat("x", 67)} {
		t.Run(name, func(t *testing.T) {
			created, started, got := runOnFloor(t, srv.URL, name)
			wantMachine := "arn:aws:states:us-east-1:000000000000:stateMachine:sfnload-chain20"
			wantExecution := "arn:aws:states:us-east-1:000000000000:execution:sfnload-chain20:" + name
			if aws.ToString(created.StateMachineArn) != wantMachine || aws.ToString(started.ExecutionArn) != wantExecution {
				t.Errorf("ARNs %s, %s, want %s, %s", aws.ToString(created.StateMachineArn), aws.ToString(started.ExecutionArn), wantMachine, wantExecution)
			}
			if !created.CreationDate.Equal(clock) || !started.StartDate.Equal(clock) {
				t.Errorf("creationDate %v, startDate %v, want %v", created.CreationDate, started.StartDate, clock)
			}
			if id, ok := awsmiddleware.GetRequestIDMetadata(got.ResultMetadata); !ok || id == "" {
				t.Error("DescribeExecution's answer has no x-amzn-RequestId")
			}
			if got.Status != types.ExecutionStatusSucceeded || got.StartDate == nil || got.StopDate == nil || !got.StopDate.Equal(clock) {
				t.Fatalf("status %s, startDate %v, stopDate %v, want SUCCEEDED with both dates %v", got.Status, got.StartDate, got.StopDate, clock)
			}
			if aws.ToString(got.ExecutionArn) != wantExecution || aws.ToString(got.StateMachineArn) != wantMachine || aws.ToString(got.Name) != name {
				t.Errorf("described %s of %s named %s", aws.ToString(got.ExecutionArn), aws.ToString(got.StateMachineArn), aws.ToString(got.Name))
			}
			if got.InputDetails == nil || !got.InputDetails.Included || got.OutputDetails == nil || !got.OutputDetails.Included {
				t.Errorf("inputDetails %+v, outputDetails %+v, want both included", got.InputDetails, got.OutputDetails)
			}
			if got.RedriveStatus != types.ExecutionRedriveStatusNotRedrivable {
				t.Errorf("redriveStatus %s, want NOT_REDRIVABLE", got.RedriveStatus)
			}
			if diff := cmp.Diff(decodeJSON(t, aws.ToString(got.Input)), decodeJSON(t, chain20Input)); diff != "" {
				t.Errorf("input (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(decodeJSON(t, aws.ToString(got.Output)), decodeJSON(t, engineOutput(t, name))); diff != "" {
				t.Errorf("output against the engine's for chain20 (-got +want):\n%s", diff)
			}
		})
	}
}

// TestFloorErrors checks the floor's errors: the SDK reads each as the code AWS gives it.
func TestFloorErrors(t *testing.T) {
	srv := httptest.NewServer(newFloor(time.Now))
	defer srv.Close()
	c := sfnClient(srv.URL)
	machine := "arn:aws:states:us-east-1:000000000000:stateMachine:m"
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"start on a bad ARN", func() error {
			_, err := c.StartExecution(t.Context(), &sfn.StartExecutionInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:000000000000:activity:m")})
			return err
		}, "InvalidArn"},
		{"start with a bad name", func() error {
			_, err := c.StartExecution(t.Context(), &sfn.StartExecutionInput{StateMachineArn: aws.String(machine), Name: aws.String("a b")})
			return err
		}, "InvalidName"},
		{"start with a name too long", func() error {
			_, err := c.StartExecution(t.Context(), &sfn.StartExecutionInput{StateMachineArn: aws.String(machine), Name: aws.String(strings.Repeat("n", 81))})
			return err
		}, "InvalidName"},
		{"describe a bad ARN", func() error {
			_, err := c.DescribeExecution(t.Context(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(machine)})
			return err
		}, "InvalidArn"},
		{"an operation it does not serve", func() error {
			_, err := c.ListExecutions(t.Context(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine)})
			return err
		}, "UnknownOperationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ae smithy.APIError
			if err := tt.call(); !errors.As(err, &ae) || ae.ErrorCode() != tt.want {
				t.Errorf("got %v, want the API error %s", err, tt.want)
			}
		})
	}
	t.Run("a body that is not JSON", func(t *testing.T) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, strings.NewReader("{"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Target", "AWSStepFunctions.StartExecution")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusBadRequest || res.Header.Get("X-Amzn-Errortype") != "SerializationException" ||
			res.Header.Get("Content-Type") != "application/x-amz-json-1.0" || !strings.Contains(string(body), `"__type":"SerializationException"`) {
			t.Errorf("got %d %v %s, want 400 SerializationException", res.StatusCode, res.Header, body)
		}
	})
}

// TestFloorProcess starts the floor as the benchmark does, in a process of its own at GOMAXPROCS 1, runs an
// execution on it through the SDK, and stops it: it must exit cleanly.
func TestFloorProcess(t *testing.T) {
	p := startFloor(t, 1)
	_, _, got := runOnFloor(t, p.url, "run-process")
	if got.Status != types.ExecutionStatusSucceeded {
		t.Errorf("status %s, want SUCCEEDED", got.Status)
	}
	p.stop()
	if !p.cmd.ProcessState.Success() {
		t.Errorf("the floor exited with %v; standard error:\n%s", p.cmd.ProcessState, p.stderr.String())
	}
}

// FuzzChain20Output checks that every valid name, spliced into chain20's output, gives valid JSON carrying the
// name as it was: the floor's answers stay JSON whatever name sfnload sends.
func FuzzChain20Output(f *testing.F) {
	for _, s := range []string{"run-1", "run-dndpl2h0is1m-0", "a b", `a"b`, `a\b`, "é", "\u2028", "x\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if !validName(name) {
			return
		}
		var out struct {
			Acc struct {
				ExecName string `json:"execName"`
			} `json:"acc"`
		}
		text := chain20Output(name)
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			t.Fatalf("the output for %q is not JSON: %v\n%s", name, err, text)
		}
		if out.Acc.ExecName != name {
			t.Errorf("execName %q, want %q", out.Acc.ExecName, name)
		}
	})
}
