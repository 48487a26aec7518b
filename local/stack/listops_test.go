package stack

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestLambdaPathsRouted: every Lambda API path reaches Lambda, with or without a trailing slash. Before,
// only /2015-03-31/functions/ did: `aws lambda list-functions` (GET /2015-03-31/functions) was answered
// by S3 with NoSuchBucket.
func TestLambdaPathsRouted(t *testing.T) {
	st := startTestStack(t, nil)
	tests := []struct {
		path       string
		wantStatus int
		want       string // in the body or the X-Amzn-ErrorType header
	}{
		{"/2015-03-31/functions", 200, `"Functions"`},
		{"/2015-03-31/functions/", 200, `"Functions"`},
		{"/2015-03-31/functions?MaxItems=1", 200, `"Functions"`},
		{"/2016-08-19/account-settings", 404, "UnknownOperationException"},
		{"/2016-08-19/account-settings/", 404, "UnknownOperationException"},
		{"/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Ax", 404, "UnknownOperationException"},
		{"/2018-10-31/layers", 404, "UnknownOperationException"},
		{"/2015-03-31/event-source-mappings/", 404, "UnknownOperationException"},
		{"/2020-04-22/code-signing-configs/", 404, "UnknownOperationException"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(newRequest(t, http.MethodGet, st.URL()+tt.path, "", ""))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body)+resp.Header.Get("X-Amzn-ErrorType"), tt.want) || strings.Contains(string(body), "NoSuchBucket") {
				t.Errorf("GET %s: got %d %s, want %d with %s", tt.path, resp.StatusCode, body, tt.wantStatus, tt.want)
			}
		})
	}
	// A bucket of S3 is still S3's.
	resp, err := http.DefaultClient.Do(newRequest(t, http.MethodGet, st.URL()+"/2015-03-31-not-lambda", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("X-Amzn-ErrorType") != "" {
		t.Errorf("GET /2015-03-31-not-lambda: got %d %v, want S3's 404", resp.StatusCode, resp.Header)
	}
}

// TestListOperationsAWSCLI runs each service's list operation with the AWS CLI against the stack, as a
// user checking what is there would.
func TestListOperationsAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not installed")
	}
	if testing.Short() {
		t.Skip("the AWS CLI takes seconds per call")
	}
	st := startTestStack(t, nil)
	res := st.Resources()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"lambda", "list-functions"}, res.Functions["ValidateFunction"]},
		{[]string{"s3api", "list-buckets"}, res.Bucket},
		{[]string{"s3", "ls"}, res.Bucket},
		{[]string{"stepfunctions", "list-state-machines"}, res.StateMachineArn},
		{[]string{"stepfunctions", "list-executions", "--state-machine-arn", res.StateMachineArn}, `"executions": []`},
		{[]string{"events", "list-rules"}, res.Rules[0]},
		{[]string{"events", "list-targets-by-rule", "--rule", res.Rules[0]}, res.StateMachineArn},
		{[]string{"cloudwatch", "list-metrics"}, `"Metrics"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), "aws", append([]string{"--endpoint-url", st.URL(), "--region", "us-east-1", "--output", "json"}, tt.args...)...)
			cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), tt.want) {
				t.Errorf("aws %s: %v\n%s\nwant %q in the output", strings.Join(tt.args, " "), err, out, tt.want)
			}
		})
	}
}
