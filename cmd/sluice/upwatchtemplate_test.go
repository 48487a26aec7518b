package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/sluicehq/sluice/deploy"
	"github.com/sluicehq/sluice/gen"
)

// TestUpWatchRedeploys: `sluice up --watch` deploys the template file again when it changes (what
// make gen does after an edit of gen/config.go), as an in-place update of the state machine: its ARN
// stays, its definition is the new one.
func TestUpWatchRedeploys(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the stack; skipped with -short")
	}
	file := filepath.Join(t.TempDir(), "template.json")
	if err := os.WriteFile(file, deploy.Template, 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	up := startUp(t, "--watch", "--template", file, "--addr", addr, "--data", t.TempDir())
	up.waitOutput(t, "listening on")
	client := sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + addr),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	machines, err := client.ListStateMachines(t.Context(), &sfn.ListStateMachinesInput{})
	if err != nil || len(machines.StateMachines) != 1 {
		t.Fatalf("ListStateMachines = %+v, %v; want the stack's one", machines, err)
	}
	arn := machines.StateMachines[0].StateMachineArn

	c := gen.DefaultConfig()
	c.TaskRetry.MaxAttempts = 2
	changed, err := gen.TemplateJSON(c)
	if err != nil {
		t.Fatal(err)
	}
	// Written elsewhere and renamed into place, as an editor or make gen would.
	tmp := file + ".new"
	if err := os.WriteFile(tmp, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
	up.waitOutput(t, "is up to date with "+file)
	d, err := client.DescribeStateMachine(t.Context(), &sfn.DescribeStateMachineInput{StateMachineArn: arn})
	if err != nil {
		t.Fatalf("the state machine is gone after the update: %v", err)
	}
	if !strings.Contains(aws.ToString(d.Definition), `"MaxAttempts":2`) {
		t.Errorf("definition after the redeploy has no MaxAttempts 2:\n%.400s", aws.ToString(d.Definition))
	}
	if strings.Contains(up.out.String(), "update failed") {
		t.Errorf("output:\n%s", up.out.String())
	}
}
