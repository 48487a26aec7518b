package sfn_test

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// TestAWSCLI drives the service with the AWS CLI, as a user would. StartSyncExecution needs
// AWS_DISABLE_HOST_PREFIX_INJECTION=true, or the CLI sends it to sync-127.0.0.1.
func TestAWSCLI(t *testing.T) {
	aws, err := exec.LookPath("aws")
	if err != nil || testing.Short() {
		if os.Getenv("SLUICE_REQUIRE_AWSCLI") == "1" {
			t.Fatal("the AWS CLI is required (SLUICE_REQUIRE_AWSCLI=1) but not on PATH")
		}
		t.Skip("the AWS CLI is not on PATH (or -short)")
	}
	svc, err := localsfn.New()
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	hs := httptest.NewServer(svc)
	defer hs.Close()
	invoke := func(args ...string) ([]byte, error) {
		cmd := exec.Command(aws, append([]string{"--endpoint-url", hs.URL, "--output", "json", "stepfunctions"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_DISABLE_HOST_PREFIX_INJECTION=true", "AWS_PAGER=")
		return cmd.CombinedOutput()
	}
	run := func(args ...string) map[string]any {
		t.Helper()
		out, err := invoke(args...)
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("aws %v: not JSON: %s", args, out)
		}
		return v
	}
	std := run("create-state-machine", "--name", "cli-std", "--role-arn", role, "--definition", passMachine)
	started := run("start-execution", "--state-machine-arn", std["stateMachineArn"].(string), "--name", "one", "--input", `{"who":"x"}`)
	execArn, _ := started["executionArn"].(string)
	if execArn == "" {
		t.Fatalf("start-execution: %v", started)
	}
	waitDone(t, svc, execArn)
	d := run("describe-execution", "--execution-arn", execArn)
	if d["status"] != "SUCCEEDED" {
		t.Errorf("describe-execution: got %v", d)
	}
	h := run("get-execution-history", "--execution-arn", execArn, "--reverse-order")
	events, _ := h["events"].([]any)
	if len(events) != 6 {
		t.Fatalf("get-execution-history: got %d events, want 6", len(events))
	}
	if first, _ := events[0].(map[string]any); first["type"] != "ExecutionSucceeded" {
		t.Errorf("reverse order: first event %v", first)
	}
	created := run("create-state-machine", "--name", "cli", "--type", "EXPRESS", "--role-arn", role, "--definition", passMachine)
	arn, _ := created["stateMachineArn"].(string)
	if arn == "" {
		t.Fatalf("create-state-machine: %v", created)
	}
	// CLIs whose botocore predates AWS_DISABLE_HOST_PREFIX_INJECTION (such as Debian bookworm's 2.9.19)
	// always call sync-<host>; the README gives the /etc/hosts workaround for them.
	if text, err := invoke("start-sync-execution", "--state-machine-arn", arn, "--input", `{}`); err != nil && strings.Contains(string(text), "sync-127.0.0.1") {
		t.Skipf("this AWS CLI ignores AWS_DISABLE_HOST_PREFIX_INJECTION: %s", strings.TrimSpace(string(text)))
	}
	out := run("start-sync-execution", "--state-machine-arn", arn, "--input", `{"who":"cli"}`)
	if out["status"] != "SUCCEEDED" || out["output"] != `{"greeting":"hello cli"}` {
		t.Errorf("start-sync-execution: got %v", out)
	}
}
