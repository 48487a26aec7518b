package lambda_test

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The AWS CLI invokes functions with only an endpoint override; run it when installed.
func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not installed")
	}
	if testing.Short() {
		t.Skip("the AWS CLI takes seconds per call")
	}
	e := newEnv(t)
	hs := httptest.NewServer(e.srv)
	defer hs.Close()
	outFile := filepath.Join(t.TempDir(), "out.json")
	cmd := exec.Command("aws", "--endpoint-url", hs.URL, "--region", "us-east-1", "--output", "json",
		"lambda", "invoke", "--function-name", "echo", "--payload", `{"fail":"named"}`, outFile)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=id", "AWS_SECRET_ACCESS_KEY=secret", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	meta, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws lambda invoke: %v\n%s", err, meta)
	}
	if !strings.Contains(string(meta), `"FunctionError": "Unhandled"`) {
		t.Errorf("invoke metadata lacks FunctionError:\n%s", meta)
	}
	body, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(body)), `{"errorMessage":"invalid: bad row","errorType":"ValidationError"}`; got != want {
		t.Errorf("payload = %s, want %s", got, want)
	}
}
