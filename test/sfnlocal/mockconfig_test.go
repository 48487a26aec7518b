package sfnlocal

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl/interp"
	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// expectations is cases.json.
type expectations struct {
	StateMachineName string          `json:"stateMachineName"`
	Input            json.RawMessage `json:"input"`
	Cases            []struct {
		Name   string `json:"name"`
		Expect struct {
			Status      string          `json:"status"`
			Path        []string        `json:"path"`
			Invocations map[string]int  `json:"invocations"`
			Output      json.RawMessage `json:"output"`
			Error       string          `json:"error"`
			Cause       string          `json:"cause"`
		} `json:"expect"`
	} `json:"cases"`
}

// TestMockConfigCases runs every test case of MockConfigFile.json against our Step Functions engine,
// through the Step Functions API, the way Step Functions Local runs them: the state machine is created
// under the mock file's name and each case starts on "<stateMachineArn>#<case>". With SFN_LOCAL_ENDPOINT
// set, the same test runs against a real Step Functions Local started with SFN_MOCK_CONFIG pointing at
// this directory's MockConfigFile.json (see the README).
func TestMockConfigCases(t *testing.T) {
	var exp expectations
	readJSON(t, "cases.json", &exp)
	definition := string(readFile(t, filepath.Join("..", "..", "statemachine", "pipeline.asl.json")))
	for _, fn := range []string{"ValidateFunctionArn", "ProcessFunctionArn", "StoreFunctionArn"} {
		// Mocked states never call the functions; the ARNs only have to be well formed.
		definition = strings.ReplaceAll(definition, "${"+fn+"}", "arn:aws:lambda:us-east-1:123456789012:function:"+strings.TrimSuffix(fn, "Arn"))
	}

	endpoint := os.Getenv("SFN_LOCAL_ENDPOINT")
	if endpoint == "" {
		cfg, err := localsfn.LoadMockConfig("MockConfigFile.json")
		if err != nil {
			t.Fatal(err)
		}
		// Retry back-off runs on a virtual clock: the cases finish at once, with coherent timestamps.
		svc, err := localsfn.New(localsfn.WithMockConfig(cfg), localsfn.WithClock(interp.NewVirtualClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))))
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(svc)
		defer svc.Close()
		defer hs.Close()
		endpoint = hs.URL
	}
	c := sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		APIOptions:  []func(*middleware.Stack) error{localsfn.DisableHostPrefix}})
	ctx := context.Background()
	created, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String(exp.StateMachineName), Definition: aws.String(definition),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/DummyRole"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(exp.Cases) < 4 {
		t.Fatalf("cases.json has %d cases, want the four the pipeline issue names", len(exp.Cases))
	}
	for _, ec := range exp.Cases {
		tc := ec.Expect
		t.Run(ec.Name, func(t *testing.T) {
			run, err := c.StartExecution(ctx, &sfn.StartExecutionInput{
				StateMachineArn: aws.String(*created.StateMachineArn + "#" + ec.Name), Input: aws.String(string(exp.Input)),
			})
			if err != nil {
				t.Fatal(err)
			}
			d := waitEnded(t, c, *run.ExecutionArn)
			if got := string(d.Status); got != tc.Status {
				t.Fatalf("status: got %s (%s: %s), want %s", got, aws.ToString(d.Error), aws.ToString(d.Cause), tc.Status)
			}
			if tc.Status == "SUCCEEDED" {
				if diff := cmp.Diff(decode(t, aws.ToString(d.Output)), decode(t, string(tc.Output))); diff != "" {
					t.Errorf("output (-got +want):\n%s", diff)
				}
			} else if aws.ToString(d.Error) != tc.Error || aws.ToString(d.Cause) != tc.Cause {
				t.Errorf("error: got %q / %q, want %q / %q", aws.ToString(d.Error), aws.ToString(d.Cause), tc.Error, tc.Cause)
			}
			states, invocations := walkHistory(t, c, *run.ExecutionArn)
			if diff := cmp.Diff(states, tc.Path); diff != "" {
				t.Errorf("states entered (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(invocations, tc.Invocations); diff != "" {
				t.Errorf("task invocations (-got +want):\n%s", diff)
			}
		})
	}
}

func waitEnded(t *testing.T, c *sfn.Client, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute) // a real Step Functions Local waits out the back-off
	for {
		d, err := c.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s still running", arn)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// walkHistory returns the states entered, in order, and how often each task state scheduled its task.
func walkHistory(t *testing.T, c *sfn.Client, arn string) ([]string, map[string]int) {
	t.Helper()
	var states []string
	invocations := map[string]int{}
	current := ""
	p := sfn.NewGetExecutionHistoryPaginator(c, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range page.Events {
			if d := ev.StateEnteredEventDetails; d != nil {
				current = aws.ToString(d.Name)
				states = append(states, current)
			}
			if ev.Type == sfntypes.HistoryEventTypeTaskScheduled || ev.Type == sfntypes.HistoryEventTypeLambdaFunctionScheduled {
				invocations[current]++
			}
		}
	}
	return states, invocations
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := json.Unmarshal(readFile(t, path), v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func decode(t *testing.T, text string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, text)
	}
	return v
}
