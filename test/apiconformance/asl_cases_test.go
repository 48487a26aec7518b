package apiconformance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
)

// aslCase is one line of asl-cases.jsonl (see ../shared/conformance/README.md).
type aslCase struct {
	ID         string   `json:"id"`
	Definition string   `json:"definition"`
	Input      string   `json:"input"`
	Features   []string `json:"features"`
	Pure       bool     `json:"pure"`
	Expect     struct {
		Status string  `json:"status"`
		Output *string `json:"output"`
		Error  *string `json:"error"`
		Cause  *string `json:"cause"`
	} `json:"expect"`
	History []struct {
		Type string `json:"type"`
		Name string `json:"name"`
	} `json:"history"`
}

func loadASLCases(t *testing.T) []aslCase {
	t.Helper()
	sc := bufio.NewScanner(sharedFile(t, "asl-cases.jsonl"))
	sc.Buffer(nil, 16<<20)
	var cases []aslCase
	for sc.Scan() {
		var c aslCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("decode case: %v", err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// skipReason says why a case is outside this suite: it needs another service. Distributed Map
// and JSONata cases run like the others.
func skipReason(c aslCase) string {
	if !c.Pure {
		return "needs another service"
	}
	return ""
}

// knownGaps reads test/conformance's list of cases the engine does not pass yet (ID<TAB>reason).
func knownGaps(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "test", "conformance", "testdata", "known-gaps.txt"))
	if err != nil {
		t.Fatal(err)
	}
	gaps := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, reason, _ := strings.Cut(line, "\t")
		gaps[id] = reason
	}
	return gaps
}

// TestASLCasesThroughAPI runs the recorded Step Functions cases through the HTTP API of the stack and
// compares what DescribeExecution and GetExecutionHistory answer with what AWS answered. A case listed in
// test/conformance's known gaps may fail; any other failure is a difference from AWS, in the engine or in
// the API layer.
func TestASLCasesThroughAPI(t *testing.T) {
	cases := loadASLCases(t)
	gaps := knownGaps(t)
	e := startStack(t)
	skipped := map[string]int{}
	var run []aslCase
	for _, c := range cases {
		if r := skipReason(c); r != "" {
			skipped[r]++
			continue
		}
		run = append(run, c)
	}

	type result struct {
		c        aslCase
		problems []string
	}
	results := make([]result, len(run))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = result{run[i], runASLCase(e, i, run[i])}
			}
		}()
	}
	for i := range run {
		next <- i
	}
	close(next)
	wg.Wait()

	pass, gapFails := 0, 0
	for _, r := range results {
		_, known := gaps[r.c.ID]
		switch {
		case len(r.problems) == 0:
			pass++
		case known:
			gapFails++
		default:
			t.Errorf("case %s:\n  %s", r.c.ID, strings.Join(r.problems, "\n  "))
		}
	}
	var skips []string
	for r, n := range skipped {
		skips = append(skips, fmt.Sprintf("%d (%s)", n, r))
	}
	sort.Strings(skips)
	t.Logf("asl cases through the Step Functions API: %d of %d pass (%d known gaps of the engine fail); skipped %s",
		pass, len(run), gapFails, strings.Join(skips, ", "))
	fmt.Printf("apiconformance: ASL cases through the HTTP API: %d/%d pass, %d known gaps, skipped %s\n", pass, len(run), gapFails, strings.Join(skips, ", "))
}

// runASLCase creates the case's machine, runs its execution to the end and returns what differs from
// the recording.
func runASLCase(e *env, i int, c aslCase) (problems []string) {
	ctx := context.Background()
	p := newPlaceholders()
	created, err := e.sfn.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String(fmt.Sprintf("case-%d", i)),
		Definition: aws.String(c.Definition),
		RoleArn:    aws.String("arn:aws:iam::111111111111:role/snf_role"),
	})
	if c.Expect.Status == "CREATE_FAILED" {
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) {
			return []string{fmt.Sprintf("CreateStateMachine: got %v, want the API error %s", err, str(c.Expect.Error))}
		}
		if apiErr.ErrorCode() != str(c.Expect.Error) {
			problems = append(problems, fmt.Sprintf("CreateStateMachine error code: got %s, want %s", apiErr.ErrorCode(), str(c.Expect.Error)))
		}
		if c.Expect.Cause != nil && !p.matchString(apiErr.ErrorMessage(), *c.Expect.Cause) {
			problems = append(problems, fmt.Sprintf("CreateStateMachine message: got\n    %s\n  want\n    %s", apiErr.ErrorMessage(), *c.Expect.Cause))
		}
		return problems
	}
	if err != nil {
		return []string{fmt.Sprintf("CreateStateMachine: %v", err)}
	}
	start, err := e.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn, Input: aws.String(c.Input)})
	if err != nil {
		return []string{fmt.Sprintf("StartExecution: %v", err)}
	}
	d, err := waitExecution(ctx, e.sfn, start.ExecutionArn)
	if err != nil {
		return []string{err.Error()}
	}
	if string(d.Status) != c.Expect.Status {
		problems = append(problems, fmt.Sprintf("status: got %s (%s: %s), want %s", d.Status, str(d.Error), str(d.Cause), c.Expect.Status))
	}
	if c.Expect.Output != nil && d.Status == sfntypes.ExecutionStatusSucceeded && !p.matchJSON(str(d.Output), *c.Expect.Output) {
		problems = append(problems, fmt.Sprintf("output: got\n    %s\n  want\n    %s", str(d.Output), *c.Expect.Output))
	}
	if c.Expect.Status == "FAILED" {
		if c.Expect.Error != nil && !p.matchString(str(d.Error), *c.Expect.Error) {
			problems = append(problems, fmt.Sprintf("error: got %q, want %q", str(d.Error), *c.Expect.Error))
		}
		if !p.matchString(str(d.Cause), str(c.Expect.Cause)) {
			problems = append(problems, fmt.Sprintf("cause: got\n    %q\n  want\n    %q", str(d.Cause), str(c.Expect.Cause)))
		}
	}
	if len(c.History) > 0 {
		if diff, err := historyDiff(ctx, e.sfn, start.ExecutionArn, c); err != nil {
			problems = append(problems, err.Error())
		} else if diff != "" {
			problems = append(problems, diff)
		}
	}
	return problems
}

// waitExecution polls DescribeExecution until the execution is no longer RUNNING. The engine runs on a
// virtual clock, so waits and back-offs take no time; the deadline guards against a hung execution.
func waitExecution(ctx context.Context, c *sfn.Client, arn *string) (*sfn.DescribeExecutionOutput, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: arn})
		if err != nil {
			return nil, fmt.Errorf("DescribeExecution: %w", err)
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			return d, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("execution still RUNNING after a minute")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// historyDiff compares the event types and state names of GetExecutionHistory with the recording. Events
// of concurrent Map iterations and Parallel branches may interleave differently, so for those cases the
// sequences must be equal once sorted.
func historyDiff(ctx context.Context, c *sfn.Client, arn *string, rc aslCase) (string, error) {
	var got, want []string
	pages := sfn.NewGetExecutionHistoryPaginator(c, &sfn.GetExecutionHistoryInput{ExecutionArn: arn, MaxResults: 1000})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("GetExecutionHistory: %w", err)
		}
		for _, ev := range page.Events {
			s := string(ev.Type)
			if d := ev.StateEnteredEventDetails; d != nil {
				s += "(" + str(d.Name) + ")"
			}
			if d := ev.StateExitedEventDetails; d != nil {
				s += "(" + str(d.Name) + ")"
			}
			got = append(got, s)
		}
	}
	for _, h := range rc.History {
		s := h.Type
		if h.Name != "" {
			s += "(" + h.Name + ")"
		}
		want = append(want, s)
	}
	if slices.Equal(got, want) {
		return "", nil
	}
	concurrent := slices.Contains(rc.Features, "state:Map") || slices.Contains(rc.Features, "state:Parallel")
	if concurrent {
		gs, ws := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
		if slices.Equal(gs, ws) {
			return "", nil
		}
	}
	return fmt.Sprintf("history: got\n    %s\n  want\n    %s", strings.Join(got, " "), strings.Join(want, " ")), nil
}

func str(s *string) string { return aws.ToString(s) }
