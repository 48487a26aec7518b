package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// awsCLI returns a runner of the AWS CLI against e, configured as `sluice up` tells a user to: static
// credentials, a region and AWS_ENDPOINT_URL, with no user configuration. The test skips when the CLI is
// not installed, unless SLUICE_REQUIRE_AWSCLI=1.
func awsCLI(t *testing.T, e *env) func(args ...string) []byte {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("SLUICE_REQUIRE_AWSCLI") == "1" {
			t.Fatal("SLUICE_REQUIRE_AWSCLI=1 but the aws command is not installed (apt-get install awscli)")
		}
		t.Skip("aws command not installed (apt-get install awscli); set SLUICE_REQUIRE_AWSCLI=1 to require it")
	}
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"HOME="+home,
		"AWS_CONFIG_FILE="+filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"),
		"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_ENDPOINT_URL="+e.url, "AWS_PAGER=",
	)
	return func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		cmd.Dir = repoRoot
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return out
	}
}

// TestAWSCLIUserFlow follows what `sluice up` prints for a user: upload the schema and a sample object
// with `aws s3 cp`, then inspect the result with the AWS CLI: the execution, its history, the bucket's
// keys, and the metrics the tasks emitted.
func TestAWSCLIUserFlow(t *testing.T) {
	t.Parallel()
	e := startStack(t, "", "")
	aws := awsCLI(t, e)
	aws("s3", "cp", "sample/schemas/orders.json", "s3://"+e.bucket+"/schemas/orders.json")
	aws("s3", "cp", "sample/incoming/orders/2024-03-02.jsonl", "s3://"+e.bucket+"/incoming/orders/2024-03-02.jsonl")
	e.waitExecutions(t, 1)

	var list struct {
		Executions []struct {
			ExecutionArn, Status string
		} `json:"executions"`
	}
	mustJSON(t, aws("stepfunctions", "list-executions", "--state-machine-arn", e.sm, "--output", "json"), &list)
	if len(list.Executions) != 1 || list.Executions[0].Status != "SUCCEEDED" {
		t.Fatalf("list-executions: got %+v, want one SUCCEEDED", list.Executions)
	}
	arn := list.Executions[0].ExecutionArn

	var desc struct {
		Status, Input, Output string
	}
	mustJSON(t, aws("stepfunctions", "describe-execution", "--execution-arn", arn, "--output", "json"), &desc)
	if desc.Status != "SUCCEEDED" || !strings.Contains(desc.Input, "incoming/orders/2024-03-02.jsonl") || !strings.Contains(desc.Output, `"stored"`) {
		t.Errorf("describe-execution: got %+v", desc)
	}

	var hist struct {
		Events []struct {
			Type string `json:"type"`
		} `json:"events"`
	}
	mustJSON(t, aws("stepfunctions", "get-execution-history", "--execution-arn", arn, "--reverse-order", "--max-items", "1", "--output", "json"), &hist)
	if len(hist.Events) != 1 || hist.Events[0].Type != "ExecutionSucceeded" {
		t.Errorf("get-execution-history --reverse-order: got %+v, want ExecutionSucceeded first", hist.Events)
	}

	ls := string(aws("s3", "ls", "s3://"+e.bucket, "--recursive"))
	for _, want := range []string{"manifests/orders/2024-03-02.jsonl.", "processed/orders/dt=", "incoming/orders/2024-03-02.jsonl"} {
		if !strings.Contains(ls, want) {
			t.Errorf("s3 ls --recursive: no %s in\n%s", want, ls)
		}
	}

	var metrics struct {
		Metrics []struct {
			MetricName string
		}
	}
	mustJSON(t, aws("cloudwatch", "list-metrics", "--namespace", "Sluice", "--output", "json"), &metrics)
	var names []string
	for _, m := range metrics.Metrics {
		names = append(names, m.MetricName)
	}
	if len(names) == 0 {
		t.Errorf("cloudwatch list-metrics --namespace Sluice: no metrics from the tasks' Embedded Metric Format lines")
	}
	t.Logf("metrics: %v", slices.Compact(slices.Sorted(slices.Values(names))))
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v in %.300s", err, b)
	}
}
