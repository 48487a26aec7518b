package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// boto3Pythons returns the Python interpreters that can import boto3: the one on PATH and Debian's
// (python3-boto3, whose boto3 1.26 speaks CloudWatch's query protocol), once each.
func boto3Pythons(t *testing.T) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	for _, name := range []string{"python3", "/usr/bin/python3"} {
		path, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		real, err := filepath.EvalSymlinks(path)
		if err != nil || seen[real] {
			continue
		}
		seen[real] = true
		if exec.Command(path, "-c", "import boto3").Run() == nil {
			out = append(out, path)
		}
	}
	return out
}

// TestBoto3Probe drives the stack with boto3, as a Python user would: S3, Step Functions with paging
// and modeled errors, EventBridge, Lambda, and CloudWatch in whichever protocol that boto3 speaks
// (Debian's boto3 1.26 sends CloudWatch's query protocol, which was answered "404 page not found").
// It runs with every interpreter that has boto3 and skips when none has (CI installs python3-boto3).
func TestBoto3Probe(t *testing.T) {
	pythons := boto3Pythons(t)
	if len(pythons) == 0 {
		t.Skip("no python3 can import boto3 (apt-get install python3-boto3)")
	}
	if testing.Short() {
		t.Skip("boto3 takes a second to start")
	}
	for _, py := range pythons {
		t.Run(py, func(t *testing.T) {
			e := startStack(t, "", "")
			res := e.st.Resources()
			probe, _ := filepath.Abs(filepath.Join("testdata", "boto3_probe.py"))
			cmd := exec.CommandContext(t.Context(), py, probe, e.url, e.bucket, e.sm, res.Rules[0], res.Functions["ValidateFunction"])
			cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
			raw, err := cmd.Output()
			if err != nil {
				var stderr []byte
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = ee.Stderr
				}
				t.Fatalf("%s: %v\n%s", py, err, stderr)
			}
			var got struct {
				Boto3, Botocore     string
				S3List              []string  `json:"s3_list"`
				S3Get               string    `json:"s3_get"`
				S3Missing           string    `json:"s3_missing"`
				S3Buckets           []string  `json:"s3_buckets"`
				SFNPages            []int     `json:"sfn_pages"`
				SFNMachines         []string  `json:"sfn_machines"`
				SFNModeledError     string    `json:"sfn_modeled_error"`
				SFNDuplicateName    string    `json:"sfn_duplicate_name"`
				EventsRules         []string  `json:"events_rules"`
				EventsMatch         bool      `json:"events_match"`
				EventsBadPattern    string    `json:"events_bad_pattern"`
				LambdaFunctions     []string  `json:"lambda_functions"`
				LambdaMissing       string    `json:"lambda_missing"`
				LambdaFunctionError string    `json:"lambda_function_error"`
				CWMetrics           []string  `json:"cw_metrics"`
				CWSum               float64   `json:"cw_sum"`
				CWMax               []float64 `json:"cw_max"`
				CWBadPeriod         string    `json:"cw_bad_period"`
				CWProtocol          string    `json:"cw_protocol"`
			}
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("probe output %s: %v", raw, err)
			}
			t.Logf("boto3 %s, botocore %s, CloudWatch protocol %s", got.Boto3, got.Botocore, got.CWProtocol)
			check := func(what string, got, want any) {
				t.Helper()
				if diff := cmp.Diff(got, want); diff != "" {
					t.Errorf("%s (-got +want):\n%s", what, diff)
				}
			}
			check("s3 list", got.S3List, []string{"probe/a.txt"})
			check("s3 get", got.S3Get, "hello")
			check("s3 missing key", got.S3Missing, "NoSuchKey")
			check("s3 buckets", slices.Contains(got.S3Buckets, e.bucket), true)
			check("sfn pages of one", got.SFNPages, []int{1, 1, 1})
			check("sfn machines", slices.Contains(got.SFNMachines, e.sm), true)
			check("sfn modeled error", got.SFNModeledError, "ExecutionDoesNotExist")
			check("sfn duplicate name", got.SFNDuplicateName, "StateMachineAlreadyExists")
			check("events rules", got.EventsRules, res.Rules)
			check("events match", got.EventsMatch, true)
			check("events bad pattern", got.EventsBadPattern, "InvalidEventPatternException")
			check("lambda functions", len(got.LambdaFunctions), len(res.Functions))
			check("lambda missing", got.LambdaMissing, "ResourceNotFoundException")
			check("lambda function error", got.LambdaFunctionError, "Unhandled")
			check("cloudwatch metrics", got.CWMetrics, []string{"Hits"})
			check("cloudwatch sum", got.CWSum, 2.5+1+2*3)
			check("cloudwatch max", got.CWMax, []float64{2.5})
			check("cloudwatch bad period", got.CWBadPeriod, "InvalidParameterValue")
		})
	}
}
