package cloudwatch_test

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/local/cloudwatch"
)

// The AWS CLI (botocore 1.43) speaks AWS JSON 1.0 to CloudWatch; run it when installed.
func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not installed")
	}
	if testing.Short() {
		t.Skip("the AWS CLI takes seconds per call")
	}
	srv, err := cloudwatch.New()
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("aws", append([]string{"--endpoint-url", hs.URL, "--region", "us-east-1", "--output", "json", "cloudwatch"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=id", "AWS_SECRET_ACCESS_KEY=secret", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("put-metric-data", "--namespace", "Sluice", "--metric-name", "Rows", "--value", "5", "--dimensions", "Stage=validate", "--timestamp", "2026-11-25T10:00:00Z")
	out := run("list-metrics", "--namespace", "Sluice")
	if !strings.Contains(out, `"MetricName": "Rows"`) || !strings.Contains(out, `"Value": "validate"`) {
		t.Errorf("list-metrics output lacks the metric:\n%s", out)
	}
	out = run("get-metric-statistics", "--namespace", "Sluice", "--metric-name", "Rows", "--dimensions", "Name=Stage,Value=validate",
		"--start-time", "2026-11-25T09:00:00Z", "--end-time", "2026-11-25T11:00:00Z", "--period", "3600", "--statistics", "Sum")
	if !strings.Contains(out, `"Sum": 5`) {
		t.Errorf("get-metric-statistics output lacks Sum 5:\n%s", out)
	}
}
