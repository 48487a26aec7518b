package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/sluicehq/sluice/gen"
	"github.com/sluicehq/sluice/internal/deployer"
)

// fakeDist writes a build output whose zips are placeholders: the local stack runs the functions'
// handlers in process and never opens their code.
func fakeDist(t *testing.T) string {
	t.Helper()
	dist := t.TempDir()
	artifacts := map[string]Artifact{}
	for _, f := range gen.DefaultConfig().Functions() {
		name := f.Name + "-00000000000000e2.zip"
		if err := os.WriteFile(filepath.Join(dist, name), []byte("PK\x05\x06"+strings.Repeat("\x00", 18)), 0o644); err != nil {
			t.Fatal(err)
		}
		artifacts[f.Name] = Artifact{File: name, Key: artifactKeyPrefix + name}
	}
	b, err := json.Marshal(artifacts)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dist, artifactsFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dist
}

// startEmptyUp starts `sluice up --empty` (the services, no stack) and returns its endpoint; it skips
// the test when this sluice up has no --empty.
func startEmptyUp(t *testing.T) string {
	t.Helper()
	if _, usage, _ := runCLI(t, "up", "-h"); !strings.Contains(usage, "-empty") {
		t.Skip("sluice up has no --empty: no local CloudFormation to deploy to")
	}
	addr := freeAddr(t)
	up := startUp(t, "--empty", "--addr", addr, "--data", t.TempDir())
	up.waitOutput(t, "listening on")
	return "http://" + addr
}

// TestDeployEndpoint deploys the generated template with `sluice deploy --endpoint` to an empty local
// stack, exactly as to AWS: the default artifact bucket is made, the change set shown and executed, the
// outputs printed; `sluice run --stack` then runs the sample dataset through it (bucket and state
// machine from the outputs); deploying again changes nothing; a changed retry count updates the state
// machine in place; a bad resource rolls the update back and names it; `sluice destroy` deletes the
// stack and names the data bucket it keeps.
func TestDeployEndpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys a stack and runs the sample dataset; skipped with -short")
	}
	endpoint := startEmptyUp(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")
	t.Setenv("AWS_REGION", "us-east-1")
	dist := fakeDist(t)
	const stackName = "pipeline"
	deploy := func(t *testing.T, extra ...string) (string, string, error) {
		t.Helper()
		args := append([]string{"deploy", "--endpoint", endpoint, "--stack", stackName, "--no-build", "--dist", dist, "--yes"}, extra...)
		return runCLI(t, args...)
	}

	// Before the deploy, a run has no stack to go through, and says how to make one.
	if _, _, err := runCLI(t, "run", "--endpoint", endpoint, "--stack", stackName); err == nil ||
		!strings.Contains(err.Error(), "deploy --endpoint "+endpoint+" --stack "+stackName) {
		t.Errorf("run before the deploy: %v, want an error saying to deploy the stack", err)
	}

	out, errOut, err := deploy(t)
	if err != nil {
		t.Fatalf("deploy: %v\n%s\n%s", err, out, errOut)
	}
	bucket := deployer.DefaultBucket("000000000000", "us-east-1")
	for _, want := range []string{
		"created artifact bucket s3://" + bucket, "uploaded s3://" + bucket + "/sluice/validate-00000000000000e2.zip",
		"CREATE_COMPLETE", "[", // the events, with the progress count
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("deploy progress lacks %q:\n%s", want, errOut)
		}
	}
	for _, want := range []string{"ACTION  LOGICAL ID", "Add     StateMachine", "Stack " + stackName + ": CREATE_COMPLETE",
		gen.OutputBucketName, gen.OutputStateMachineArn, "run --endpoint " + endpoint + " --stack " + stackName} {
		if !strings.Contains(out, want) {
			t.Errorf("deploy output lacks %q:\n%s", want, out)
		}
	}

	t.Run("run through the stack's outputs", func(t *testing.T) {
		out, errOut, err := runCLI(t, "run", "--endpoint", endpoint, "--stack", stackName, "--timeout", "2m")
		if err != nil {
			t.Fatalf("run: %v\n%s\n%s", err, out, errOut)
		}
		if !strings.Contains(out, "stored") {
			t.Errorf("run summary has no stored object:\n%s", out)
		}
	})

	t.Run("show and logs through the stack's outputs", func(t *testing.T) {
		// The stack is not named sluice, so its bucket and state machine are not the template's local
		// names: show and logs find the object only through the stack's outputs and resources.
		target, err := loadTarget(t.Context(), endpoint, "")
		if err != nil {
			t.Fatal(err)
		}
		res, err := stackResources(t.Context(), target.cloudFormation(), stackName)
		if err != nil {
			t.Fatal(err)
		}
		const key = "incoming/orders/2024-03-01.csv"
		out, errOut, err := runCLI(t, "show", "--endpoint", endpoint, "--stack", stackName, key)
		if err != nil {
			t.Fatalf("show: %v\n%s\n%s", err, out, errOut)
		}
		for _, want := range []string{key + "  ", "outputs in s3://" + res.Bucket + ":", "logs --endpoint " + endpoint + " --stack " + stackName + " " + key} {
			if !strings.Contains(out, want) {
				t.Errorf("show output lacks %q:\n%s", want, out)
			}
		}
		out, errOut, err = runCLI(t, "logs", "--endpoint", endpoint, "--stack", stackName, key)
		if err != nil || strings.TrimSpace(out) == "" {
			t.Errorf("logs: %v, %d bytes of lines\n%s", err, len(out), errOut)
		}
		if _, _, err := runCLI(t, "show", "--endpoint", endpoint, "--stack", "nosuch", key); err == nil ||
			!strings.Contains(err.Error(), "deploy --endpoint "+endpoint+" --stack nosuch") {
			t.Errorf("show of a stack that is not there: %v, want an error saying to deploy it", err)
		}
	})

	t.Run("again: no changes", func(t *testing.T) {
		out, errOut, err := deploy(t)
		if err != nil {
			t.Fatalf("deploy: %v\n%s\n%s", err, out, errOut)
		}
		if !strings.Contains(out, "No changes to deploy") || !strings.Contains(errOut, "is already there") {
			t.Errorf("second deploy: want no changes and no upload:\n%s\n%s", out, errOut)
		}
	})

	cfg := gen.DefaultConfig()
	cfg.TaskRetry.MaxAttempts = 2
	changed, err := gen.TemplateJSON(cfg)
	if err != nil {
		t.Fatal(err)
	}
	changedFile := filepath.Join(t.TempDir(), "template.json")
	if err := os.WriteFile(changedFile, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Run("a changed retry count updates the state machine in place", func(t *testing.T) {
		out, errOut, err := deploy(t, "--template", changedFile)
		if err != nil {
			t.Fatalf("deploy: %v\n%s\n%s", err, out, errOut)
		}
		if !strings.Contains(out, "Modify  StateMachine") || !strings.Contains(out, "UPDATE_COMPLETE") {
			t.Errorf("update: want the state machine modified and UPDATE_COMPLETE:\n%s", out)
		}
		target, err := loadTarget(t.Context(), endpoint, "")
		if err != nil {
			t.Fatal(err)
		}
		res, err := stackResources(t.Context(), target.cloudFormation(), stackName)
		if err != nil {
			t.Fatal(err)
		}
		d, err := target.sfn().DescribeStateMachine(t.Context(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(res.StateMachineArn)})
		if err != nil {
			t.Fatal(err)
		}
		if def := aws.ToString(d.Definition); !strings.Contains(def, `"MaxAttempts": `+strconv.Itoa(cfg.TaskRetry.MaxAttempts)) &&
			!strings.Contains(def, `"MaxAttempts":`+strconv.Itoa(cfg.TaskRetry.MaxAttempts)) {
			t.Errorf("the state machine's definition has no MaxAttempts %d:\n%s", cfg.TaskRetry.MaxAttempts, def)
		}
	})

	t.Run("a bad resource rolls back and is named", func(t *testing.T) {
		var doc map[string]any
		if err := json.Unmarshal(changed, &doc); err != nil {
			t.Fatal(err)
		}
		doc["Resources"].(map[string]any)["BadLogGroup"] = map[string]any{"Type": "AWS::Logs::LogGroup",
			"Properties": map[string]any{"RetentionInDays": 4}} // not a retention CloudWatch Logs takes
		bad, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		badFile := filepath.Join(t.TempDir(), "bad.json")
		if err := os.WriteFile(badFile, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		// A stack of its own: its create fails and rolls back (ROLLBACK_COMPLETE).
		args := []string{"deploy", "--endpoint", endpoint, "--stack", "broken", "--no-build", "--dist", dist, "--yes", "--template", badFile}
		out, errOut, err := runCLI(t, args...)
		if !errors.Is(err, deployer.ErrStackFailed) {
			t.Fatalf("deploy of a bad resource: %v, want ErrStackFailed\n%s\n%s", err, out, errOut)
		}
		if !strings.Contains(out, "What failed:") || !strings.Contains(out, "BadLogGroup") || !strings.Contains(err.Error(), "ROLLBACK_COMPLETE") {
			t.Errorf("a failed deploy should end in ROLLBACK_COMPLETE and name the failed resource: %v\n%s", err, out)
		}
		// A stack whose create failed takes no change set: it can only be deleted, and the error says so.
		if _, _, err := runCLI(t, args...); !errors.Is(err, deployer.ErrStackBusy) || !strings.Contains(err.Error(), "sluice destroy") {
			t.Errorf("deploy over ROLLBACK_COMPLETE: %v, want ErrStackBusy saying to destroy", err)
		}
		if out, errOut, err := runCLI(t, "destroy", "--endpoint", endpoint, "--stack", "broken", "--yes"); err != nil || !strings.Contains(out, "Stack broken deleted") {
			t.Errorf("destroy of the rolled back stack: %v\n%s\n%s", err, out, errOut)
		}
	})

	t.Run("a bad resource in an update rolls back, and the next deploy works", func(t *testing.T) {
		var doc map[string]any
		if err := json.Unmarshal(changed, &doc); err != nil {
			t.Fatal(err)
		}
		doc["Resources"].(map[string]any)["BadLogGroup"] = map[string]any{"Type": "AWS::Logs::LogGroup",
			"Properties": map[string]any{"RetentionInDays": 4}}
		bad, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		badFile := filepath.Join(t.TempDir(), "bad.json")
		if err := os.WriteFile(badFile, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		out, errOut, err := deploy(t, "--template", badFile)
		if !errors.Is(err, deployer.ErrStackFailed) || !strings.Contains(err.Error(), "UPDATE_ROLLBACK_COMPLETE") {
			t.Fatalf("update with a bad resource: %v, want ErrStackFailed in UPDATE_ROLLBACK_COMPLETE\n%s\n%s", err, out, errOut)
		}
		if !strings.Contains(out, "BadLogGroup") {
			t.Errorf("the failed update should name the failed resource:\n%s", out)
		}
		// The stack runs the last good template again: deploying it changes nothing, and the parameters
		// the deploy does not give (LogLevel) kept their values through the rollback.
		out, errOut, err = deploy(t, "--template", changedFile)
		if err != nil || !strings.Contains(out, "No changes to deploy") {
			t.Errorf("deploy of the good template after the rollback: %v, want no changes\n%s\n%s", err, out, errOut)
		}
	})

	t.Run("destroy", func(t *testing.T) {
		out, errOut, err := runCLI(t, "destroy", "--endpoint", endpoint, "--stack", stackName, "--yes")
		if err != nil {
			t.Fatalf("destroy: %v\n%s\n%s", err, out, errOut)
		}
		for _, want := range []string{"Stack " + stackName + " deleted", "The data bucket s3://", "is retained",
			"artifact bucket s3://" + bucket} {
			if !strings.Contains(out, want) {
				t.Errorf("destroy output lacks %q:\n%s", want, out)
			}
		}
		out, _, err = runCLI(t, "destroy", "--endpoint", endpoint, "--stack", stackName, "--yes")
		if err != nil || !strings.Contains(out, "nothing to delete") {
			t.Errorf("destroy of a deleted stack: %v %q, want nothing to delete", err, out)
		}
	})
}
