package apiconformance

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
)

// testStateCase is one line of ../shared/conformance/teststate-cases.jsonl: a TestState request as sent
// to AWS and what AWS answered (the fields it returned, or the error it refused the request with).
type testStateCase struct {
	ID       string   `json:"id"`
	Features []string `json:"features"`
	Request  struct {
		Definition      string `json:"definition"`
		Input           *string
		InspectionLevel string `json:"inspectionLevel"`
		StateName       string `json:"stateName"`
		RoleArn         string `json:"roleArn"`
		Variables       *string
		Context         *string
		RevealSecrets   bool `json:"revealSecrets"`
		Mock            *struct {
			Result      *string `json:"result"`
			ErrorOutput *struct {
				Error string `json:"error"`
				Cause string `json:"cause"`
			} `json:"errorOutput"`
			FieldValidationMode string `json:"fieldValidationMode"`
		} `json:"mock"`
		StateConfiguration *struct {
			RetrierRetryCount        *int32  `json:"retrierRetryCount"`
			ErrorCausedByState       *string `json:"errorCausedByState"`
			MapIterationFailureCount *int32  `json:"mapIterationFailureCount"`
			MapItemReaderData        *string `json:"mapItemReaderData"`
		} `json:"stateConfiguration"`
	} `json:"request"`
	Expect map[string]any `json:"expect"`
}

// TestTestStateCasesThroughAPI sends the TestState requests recorded against AWS through the SDK to the
// stack and compares the answer with AWS's, field by field (only the fields AWS returned). Cases listed
// in testdata/teststate-known-gaps.txt may fail; the test fails when one of them passes.
func TestTestStateCasesThroughAPI(t *testing.T) {
	f := sharedFile(t, "teststate-cases.jsonl")
	var cases []testStateCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var c testStateCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("decode case: %v", err)
		}
		cases = append(cases, c)
	}
	gaps := testStateGaps(t)
	e := startStack(t)
	pass := 0
	byFeature := map[string][2]int{}
	for _, c := range cases {
		problems := runTestStateCase(t, e, c)
		reason, known := gaps[c.ID]
		switch {
		case len(problems) == 0 && known:
			t.Errorf("case %s passes but is listed in teststate-known-gaps.txt (%s): remove it", c.ID, reason)
		case len(problems) > 0 && !known:
			t.Errorf("case %s:\n  %s", c.ID, strings.Join(problems, "\n  "))
		case len(problems) > 0 && os.Getenv("CONFORMANCE_VERBOSE") != "":
			t.Logf("known gap %s:\n  %s", c.ID, strings.Join(problems, "\n  "))
		}
		if len(problems) == 0 {
			pass++
		}
		for _, f := range c.Features {
			n := byFeature[f]
			n[1]++
			if len(problems) == 0 {
				n[0]++
			}
			byFeature[f] = n
		}
	}
	var feats []string
	for f, n := range byFeature {
		feats = append(feats, fmt.Sprintf("  %-55s %3d/%3d", f, n[0], n[1]))
	}
	sort.Strings(feats)
	t.Logf("TestState cases through the API: %d of %d pass (%d known gaps)\n%s", pass, len(cases), len(gaps), strings.Join(feats, "\n"))
	fmt.Printf("apiconformance: TestState cases through the HTTP API: %d/%d pass, %d known gaps\n", pass, len(cases), len(gaps))
}

func testStateGaps(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "teststate-known-gaps.txt"))
	if err != nil {
		t.Fatal(err)
	}
	gaps := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, reason, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("teststate-known-gaps.txt: line without a tab-separated reason: %q", line)
		}
		gaps[id] = reason
	}
	return gaps
}

func runTestStateCase(t *testing.T, e *env, c testStateCase) []string {
	r := c.Request
	in := &sfn.TestStateInput{Definition: aws.String(r.Definition), Input: r.Input, Variables: r.Variables,
		Context: r.Context, RevealSecrets: r.RevealSecrets}
	if r.RoleArn != "" {
		in.RoleArn = aws.String(r.RoleArn)
	}
	if r.StateName != "" {
		in.StateName = aws.String(r.StateName)
	}
	if r.InspectionLevel != "" {
		in.InspectionLevel = types.InspectionLevel(r.InspectionLevel)
	}
	if m := r.Mock; m != nil {
		in.Mock = &types.MockInput{Result: m.Result, FieldValidationMode: types.MockResponseValidationMode(m.FieldValidationMode)}
		if m.ErrorOutput != nil {
			in.Mock.ErrorOutput = &types.MockErrorOutput{Error: aws.String(m.ErrorOutput.Error), Cause: aws.String(m.ErrorOutput.Cause)}
		}
	}
	if s := r.StateConfiguration; s != nil {
		in.StateConfiguration = &types.TestStateConfiguration{RetrierRetryCount: s.RetrierRetryCount,
			ErrorCausedByState: s.ErrorCausedByState, MapIterationFailureCount: s.MapIterationFailureCount,
			MapItemReaderData: s.MapItemReaderData}
	}
	out, err := e.sfn.TestState(t.Context(), in)
	want := c.Expect
	var problems []string
	if code, ok := want["error_code"].(string); ok {
		var ae smithy.APIError
		switch {
		case err == nil:
			problems = append(problems, fmt.Sprintf("answered %s, want error %s: %v", out.Status, code, want["message"]))
		case !errors.As(err, &ae):
			problems = append(problems, fmt.Sprintf("error %v, want %s", err, code))
		case ae.ErrorCode() != code || ae.ErrorMessage() != want["message"]:
			problems = append(problems, fmt.Sprintf("error %s %q\n  want %s %q", ae.ErrorCode(), ae.ErrorMessage(), code, want["message"]))
		}
		return problems
	}
	if err != nil {
		return []string{fmt.Sprintf("error %v, want %v", err, want["status"])}
	}
	p := newPlaceholders()
	str := func(name string, got *string) {
		w, ok := want[name].(string)
		if !ok {
			return
		}
		if got == nil || !p.matchString(*got, w) {
			problems = append(problems, fmt.Sprintf("%s: got %s, want %s", name, deref(got), w))
		}
	}
	if s := string(out.Status); s != want["status"] {
		problems = append(problems, fmt.Sprintf("status %s, want %v", s, want["status"]))
	}
	if w, ok := want["output"].(string); ok {
		if out.Output == nil || !p.matchJSON(*out.Output, w) {
			problems = append(problems, fmt.Sprintf("output: got %s\n    want %s", deref(out.Output), w))
		}
	}
	str("error", out.Error)
	str("cause", out.Cause)
	str("nextState", out.NextState)
	if wi, ok := want["inspectionData"].(map[string]any); ok {
		problems = append(problems, compareInspection(p, out.InspectionData, wi)...)
	}
	return problems
}

func deref(s *string) string {
	if s == nil {
		return "<none>"
	}
	return *s
}

// compareInspection compares the inspection data fields AWS returned.
func compareInspection(p *placeholders, got *types.InspectionData, want map[string]any) []string {
	if got == nil {
		return []string{"inspectionData: none"}
	}
	var problems []string
	text := map[string]*string{
		"input": got.Input, "afterInputPath": got.AfterInputPath, "afterParameters": got.AfterParameters,
		"afterArguments": got.AfterArguments, "result": got.Result, "afterResultSelector": got.AfterResultSelector,
		"afterResultPath": got.AfterResultPath, "variables": got.Variables,
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w := want[k]
		if g, ok := text[k]; ok {
			ws, _ := w.(string)
			if g == nil || !p.matchJSON(*g, ws) {
				problems = append(problems, fmt.Sprintf("inspectionData.%s: got %s, want %s", k, deref(g), ws))
			}
			continue
		}
		gotJSON, err := json.Marshal(inspectionField(got, k))
		wantJSON, _ := json.Marshal(w)
		if err != nil || !p.matchJSON(string(gotJSON), string(wantJSON)) {
			problems = append(problems, fmt.Sprintf("inspectionData.%s: got %s, want %s", k, gotJSON, wantJSON))
		}
	}
	return problems
}

func inspectionField(d *types.InspectionData, name string) any {
	switch name {
	case "maxConcurrency":
		return d.MaxConcurrency
	case "toleratedFailureCount":
		return d.ToleratedFailureCount
	case "toleratedFailurePercentage":
		return d.ToleratedFailurePercentage
	case "errorDetails":
		if d.ErrorDetails == nil {
			return nil
		}
		m := map[string]any{}
		if d.ErrorDetails.RetryIndex != nil {
			m["retryIndex"] = *d.ErrorDetails.RetryIndex
		}
		if d.ErrorDetails.RetryBackoffIntervalSeconds != nil {
			m["retryBackoffIntervalSeconds"] = *d.ErrorDetails.RetryBackoffIntervalSeconds
		}
		if d.ErrorDetails.CatchIndex != nil {
			m["catchIndex"] = *d.ErrorDetails.CatchIndex
		}
		return m
	}
	return fmt.Sprintf("<unknown field %s>", name)
}
