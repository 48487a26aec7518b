package sfn

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDescribeFromSummary checks that DescribeExecution of executions that have ended and left memory
// (succeeded, failed with a redrive point, failed before its first state) answers what it answers from the
// whole blob, and that the summary counts the events and sees the redrive point the blob holds, with the
// blob cache empty (a summary decode) and full (a blob decoded whole).
func TestDescribeFromSummary(t *testing.T) {
	s, err := New(WithDataDir(t.TempDir()), WithSync(false))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	defs := map[string]string{
		"ok":    `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.a","Next":"B"},"B":{"Type":"Pass","End":true}}}`,
		"fails": `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Fail","Error":"Boom","Cause":"on purpose"}}}`,
		"early": `{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.missing","End":true}}}`,
	}
	var arns []string
	for name, def := range defs {
		if _, err := s.createStateMachine(ctx, []byte(fmt.Sprintf(`{"name":%q,"definition":%q,"roleArn":"arn:aws:iam::000000000000:role/r"}`, name, def))); err != nil {
			t.Fatal(err)
		}
		arn, err := s.Start(ctx, s.machineArn(name), "e-"+name, `{"id":"order-1"}`)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Wait(ctx, arn); err != nil {
			t.Fatal(err)
		}
		arns = append(arns, arn)
	}
	for _, arn := range arns {
		t.Run(arn, func(t *testing.T) {
			for _, cached := range []bool{false, true} {
				s.history.cache.clear()
				whole, err := s.view(arn, true) // leaves the blob in the cache
				if err != nil {
					t.Fatal(err)
				}
				if whole.live != nil {
					t.Fatal("the execution is still in memory")
				}
				if strings.HasSuffix(arn, ":e-fails") && whole.point == nil {
					t.Fatal("the failed execution kept no redrive point: the case tests nothing")
				}
				if !cached {
					s.history.cache.clear()
				}
				sum, err := s.describeView(arn)
				if err != nil {
					t.Fatal(err)
				}
				if sum.events != nil || sum.point != nil || sum.counts == nil {
					t.Fatalf("cached %v: describeView loaded the history (%d events, point %v)", cached, len(sum.events), sum.point != nil)
				}
				if got, want := sum.eventCount(), len(whole.events); got != want || got == 0 {
					t.Errorf("cached %v: events counted %d, want %d", cached, got, want)
				}
				if got, want := sum.hasRedrivePoint(), whole.point != nil; got != want {
					t.Errorf("cached %v: redrive point %v, want %v", cached, got, want)
				}
				got, err := s.describeExecution(ctx, []byte(fmt.Sprintf(`{"executionArn":%q}`, arn)))
				if err != nil {
					t.Fatal(err)
				}
				want := describeFrom(t, s, whole)
				gotJSON, _ := json.Marshal(got)
				if diff := cmp.Diff(string(gotJSON), want); diff != "" {
					t.Errorf("cached %v: DescribeExecution (-got +want):\n%s", cached, diff)
				}
			}
		})
	}
}

// describeFrom is DescribeExecution's answer made from a whole view, as it was made before summaries.
func describeFrom(t *testing.T, s *Service, v execView) string {
	t.Helper()
	out := describeExecutionOutput{
		ExecutionArn: v.rec.Arn, StateMachineArn: v.rec.MachineArn, Name: v.rec.Name, Status: string(v.status),
		StartDate: epoch(v.rec.Start), Input: v.rec.Input, InputDetails: dataDetails{Included: true},
		RedriveCount: v.rec.RedriveCount, StateMachineVersionArn: v.rec.VersionArn, StateMachineAliasArn: v.rec.AliasArn,
	}
	out.RedriveStatus, out.RedriveStatusReason = s.redriveStatus(v, s.clock.Now())
	out.StopDate = epochPtr(v.end.Stop)
	out.Error, out.Cause = v.end.Error, v.end.Cause
	if v.status == "SUCCEEDED" {
		output := v.end.Output
		out.Output, out.OutputDetails = &output, &dataDetails{Included: true}
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
