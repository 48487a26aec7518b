package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDeployDryRun(t *testing.T) {
	dist := t.TempDir()
	artifacts := map[string]Artifact{
		"validate": {File: "validate-0123456789abcdef.zip", Key: "sluice/validate-0123456789abcdef.zip"},
		"process":  {File: "process-0123456789abcdef.zip", Key: "sluice/process-0123456789abcdef.zip"},
		"store":    {File: "store-0123456789abcdef.zip", Key: "sluice/store-0123456789abcdef.zip"},
	}
	b, err := json.Marshal(artifacts)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dist, artifactsFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runCLI(t, "deploy", "--stack", "sluice-test", "--region", "eu-west-1",
		"--artifact-bucket", "my-artifacts", "--dist", dist, "--dry-run")
	if err != nil {
		t.Fatalf("deploy --dry-run: %v\n%s", err, stderr)
	}
	want := "upload " + filepath.Join(dist, "validate-0123456789abcdef.zip") + " -> s3://my-artifacts/sluice/validate-0123456789abcdef.zip\n" +
		"upload " + filepath.Join(dist, "process-0123456789abcdef.zip") + " -> s3://my-artifacts/sluice/process-0123456789abcdef.zip\n" +
		"upload " + filepath.Join(dist, "store-0123456789abcdef.zip") + " -> s3://my-artifacts/sluice/store-0123456789abcdef.zip\n" +
		"run aws cloudformation deploy --stack-name sluice-test --region eu-west-1 --template-file deploy/template.json" +
		" --s3-bucket my-artifacts --s3-prefix sluice/templates --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset" +
		" --parameter-overrides ArtifactBucket=my-artifacts ValidateCodeKey=sluice/validate-0123456789abcdef.zip" +
		" ProcessCodeKey=sluice/process-0123456789abcdef.zip StoreCodeKey=sluice/store-0123456789abcdef.zip\n"
	if diff := cmp.Diff(want, stdout); diff != "" {
		t.Errorf("dry run (-want +got):\n%s", diff)
	}
}

func TestDeployNeedsBuildOutput(t *testing.T) {
	dist := t.TempDir()
	if err := os.WriteFile(filepath.Join(dist, artifactsFile), []byte(`{"validate": {"file": "v.zip", "key": "k"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, dir := range map[string]string{"no artifacts.json": t.TempDir(), "missing functions": dist} {
		t.Run(name, func(t *testing.T) {
			_, _, err := runCLI(t, "deploy", "--stack", "s", "--region", "r", "--artifact-bucket", "b", "--dist", dir, "--dry-run")
			if err == nil {
				t.Error("deploy succeeded without a complete build output")
			}
		})
	}
}
