package main

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/gen"
	localsfn "github.com/sluicehq/sluice/local/sfn"
)

var (
	pipelineDefinition = filepath.Join("..", "..", gen.PathStateMachine)
	pipelineCases      = filepath.Join("..", "..", gen.PathMockCases)
	pipelineMocks      = filepath.Join("..", "..", gen.PathMockConfig)
)

// editedCases writes the pipeline's case file, changed by edit, beside a copy of its mock file.
func editedCases(t *testing.T, edit func(cases []map[string]any) []map[string]any) string {
	t.Helper()
	var doc map[string]any
	data, err := os.ReadFile(pipelineCases)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var cases []map[string]any
	for _, c := range doc["cases"].([]any) {
		cases = append(cases, c.(map[string]any))
	}
	doc["cases"] = edit(cases)
	dir := t.TempDir()
	mocks, err := os.ReadFile(pipelineMocks)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(gen.PathMockConfig)), mocks, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cases.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTestPipelinePasses(t *testing.T) {
	html := filepath.Join(t.TempDir(), "coverage.html")
	stdout, stderr, err := runCLI(t, "test", "--definition", pipelineDefinition, "--cases", pipelineCases,
		"--min-coverage", "100", "--html", html)
	if err != nil {
		t.Fatalf("sluice test: %v\n%s%s", err, stdout, stderr)
	}
	for _, want := range []string{"PASS HappyPath", "14 cases, 14 passed, 0 failed", "coverage: 100.0% (states 9/9, transitions 32/32)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "100.0% covered: states 9/9, transitions 32/32.") || strings.Contains(string(page), `class="missed"`) {
		t.Errorf("HTML page does not show full coverage:\n%s", page)
	}
}

// A broken expectation fails the run with a diff that shows the wrong value (-got +want).
func TestTestBrokenExpectationShowsDiff(t *testing.T) {
	path := editedCases(t, func(cases []map[string]any) []map[string]any {
		expect := cases[0]["expect"].(map[string]any)
		expect["path"] = []any{"Validate", "IsValid", "Quarantine", "Rejected"}
		expect["outputIncludes"] = map[string]any{"processing": map[string]any{"result": map[string]any{"rows": 43}}}
		return cases
	})
	stdout, _, err := runCLI(t, "test", "--definition", pipelineDefinition, "--cases", path)
	if !errors.Is(err, errTestsFailed) {
		t.Fatalf("got error %v, want errTestsFailed\n%s", err, stdout)
	}
	for _, want := range []string{
		"FAIL HappyPath",
		"output includes (-got +want):",
		"path (-got +want):",
		"PASS RejectedObject",
		"14 cases, 13 passed, 1 failed",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	for _, line := range [][2]string{{"-", `"rows": float64(42)`}, {"+", `"rows": float64(43)`}, {"-", `"Process"`}, {"+", `"Quarantine"`}} {
		if !hasDiffLine(stdout, line[0], line[1]) {
			t.Errorf("output lacks a diff line %s %s:\n%s", line[0], line[1], stdout)
		}
	}
}

// hasDiffLine reports whether text has a diff line starting with sign (after indentation) that contains
// substr. go-cmp varies the spaces of its output on purpose, so no test matches it whole.
func hasDiffLine(text, sign, substr string) bool {
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimLeft(l, " \t")
		if strings.HasPrefix(l, sign) && strings.Contains(l, substr) {
			return true
		}
	}
	return false
}

// Removing the case that alone covers some transitions drops the coverage under 100%, which only
// --min-coverage turns into a failure.
func TestTestRemovedCaseDropsCoverage(t *testing.T) {
	path := editedCases(t, func(cases []map[string]any) []map[string]any {
		var kept []map[string]any
		for _, c := range cases {
			if c["name"] != "QuarantineAndRecordFailureExhausted" {
				kept = append(kept, c)
			}
		}
		return kept
	})
	html := filepath.Join(t.TempDir(), "coverage.html")
	stdout, stderr, err := runCLI(t, "test", "--definition", pipelineDefinition, "--cases", path, "--html", html)
	if err != nil {
		t.Fatalf("without --min-coverage: %v\n%s%s", err, stdout, stderr)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(page), `class="missed"`); n != 3 {
		t.Errorf("HTML page marks %d rows missed, want 3:\n%s", n, page)
	}
	for _, want := range []string{"[ ] RecordFailure: Retry 1 exhausted", "[ ] Quarantine: Retry 1 exhausted", "coverage: 92.7% (states 9/9, transitions 29/32)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	_, _, err = runCLI(t, "test", "--definition", pipelineDefinition, "--cases", path, "--min-coverage", "100")
	if !errors.Is(err, errTestsFailed) || !strings.Contains(err.Error(), "coverage 92.7% is under --min-coverage 100%") {
		t.Errorf("with --min-coverage 100: got %v, want the coverage failure", err)
	}
	if _, _, err := runCLI(t, "test", "--definition", pipelineDefinition, "--cases", path, "--min-coverage", "80"); err != nil {
		t.Errorf("with --min-coverage 80: %v", err)
	}
	if _, _, err := runCLI(t, "test", "--cases", path, "--min-coverage", "101"); !errors.Is(err, errUsage) {
		t.Errorf("--min-coverage 101: got %v, want a usage error", err)
	}
}

// --endpoint runs the same cases through the Step Functions API of a local service that loaded the mock
// file, as `SFN_MOCK_CONFIG=... sluice up` serves them, with the same results and coverage.
func TestTestEndpoint(t *testing.T) {
	cfg, err := localsfn.LoadMockConfig(pipelineMocks)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := localsfn.New(localsfn.WithMockConfig(cfg), localsfn.WithClock(interp.NewVirtualClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(svc)
	defer svc.Close()
	defer hs.Close()
	definition, err := os.ReadFile(pipelineDefinition)
	if err != nil {
		t.Fatal(err)
	}
	text := string(definition)
	for _, fn := range []string{"ValidateFunctionArn", "ProcessFunctionArn", "StoreFunctionArn"} {
		text = strings.ReplaceAll(text, "${"+fn+"}", "arn:aws:lambda:us-east-1:000000000000:function:"+strings.TrimSuffix(fn, "Arn"))
	}
	c := sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := c.CreateStateMachine(t.Context(), &sfn.CreateStateMachineInput{
		Name: aws.String(gen.LocalStateMachineName), Definition: aws.String(text),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/StateMachineRole"),
	}); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runCLI(t, "test", "--definition", pipelineDefinition, "--cases", pipelineCases,
		"--endpoint", hs.URL, "--min-coverage", "100")
	if err != nil {
		t.Fatalf("sluice test --endpoint: %v\n%s%s", err, stdout, stderr)
	}
	if !strings.Contains(stdout, "14 cases, 14 passed, 0 failed") {
		t.Errorf("output:\n%s", stdout)
	}
}
