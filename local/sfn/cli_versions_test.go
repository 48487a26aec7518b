package sfn_test

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// TestAWSCLIVersionsAndActivities drives versions, aliases and activities with the AWS CLI, as a user
// would: publishing, list-state-machine-versions, an alias, start-execution on it, and get-activity-task
// with and without a task.
func TestAWSCLIVersionsAndActivities(t *testing.T) {
	aws, err := exec.LookPath("aws")
	if err != nil || testing.Short() {
		if os.Getenv("SLUICE_REQUIRE_AWSCLI") == "1" {
			t.Fatal("the AWS CLI is required (SLUICE_REQUIRE_AWSCLI=1) but not on PATH")
		}
		t.Skip("the AWS CLI is not on PATH (or -short)")
	}
	svc, err := localsfn.New(localsfn.WithActivityPollTimeout(200 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	hs := httptest.NewServer(svc)
	defer hs.Close()
	run := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(aws, append([]string{"--endpoint-url", hs.URL, "--output", "json", "stepfunctions"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		v := map[string]any{}
		if len(out) > 0 {
			if err := json.Unmarshal(out, &v); err != nil {
				t.Fatalf("aws %v: not JSON: %s", args, out)
			}
		}
		return v
	}
	created := run("create-state-machine", "--name", "cli-v", "--role-arn", role, "--definition", resultMachine("one"), "--publish", "--version-description", "first")
	arn, _ := created["stateMachineArn"].(string)
	if created["stateMachineVersionArn"] != arn+":1" {
		t.Fatalf("create-state-machine --publish: %v", created)
	}
	published := run("update-state-machine", "--state-machine-arn", arn, "--definition", resultMachine("two"), "--publish", "--version-description", "second")
	if published["stateMachineVersionArn"] != arn+":2" {
		t.Fatalf("update-state-machine --publish: %v", published)
	}
	var got []string
	for _, v := range run("list-state-machine-versions", "--state-machine-arn", arn)["stateMachineVersions"].([]any) {
		got = append(got, v.(map[string]any)["stateMachineVersionArn"].(string))
	}
	if diff := cmp.Diff(got, []string{arn + ":2", arn + ":1"}); diff != "" {
		t.Errorf("list-state-machine-versions (-got +want):\n%s", diff)
	}
	alias := run("create-state-machine-alias", "--name", "live", "--routing-configuration",
		`[{"stateMachineVersionArn":"`+arn+`:1","weight":100}]`)["stateMachineAliasArn"].(string)
	started := run("start-execution", "--state-machine-arn", alias)
	execArn := started["executionArn"].(string)
	waitDone(t, svc, execArn)
	d := run("describe-execution", "--execution-arn", execArn)
	if d["stateMachineVersionArn"] != arn+":1" || d["stateMachineAliasArn"] != alias || d["output"] != `"one"` {
		t.Errorf("describe-execution of an alias's execution: %v", d)
	}

	act := run("create-activity", "--name", "cli-act")["activityArn"].(string)
	if empty := run("get-activity-task", "--activity-arn", act, "--worker-name", "cli"); empty["taskToken"] != nil {
		t.Errorf("get-activity-task with nothing queued: %v", empty)
	}
	machine := run("create-state-machine", "--name", "cli-act-m", "--role-arn", role, "--definition",
		`{"StartAt":"W","States":{"W":{"Type":"Task","Resource":"`+act+`","End":true}}}`)["stateMachineArn"].(string)
	execArn = run("start-execution", "--state-machine-arn", machine, "--input", `{"job":1}`)["executionArn"].(string)
	var task map[string]any
	for range 50 { // the task is queued as the execution reaches its state
		if task = run("get-activity-task", "--activity-arn", act, "--worker-name", "cli"); task["taskToken"] != nil {
			break
		}
	}
	if task["input"] != `{"job":1}` {
		t.Fatalf("get-activity-task: %v", task)
	}
	// "--task-token=" keeps a token that begins with "-" from being read as an option.
	run("send-task-success", "--task-token="+task["taskToken"].(string), "--task-output", `{"done":true}`)
	if status := waitDone(t, svc, execArn); status != "SUCCEEDED" {
		t.Errorf("activity execution: %s", status)
	}
}
