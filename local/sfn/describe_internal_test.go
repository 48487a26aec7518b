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
// whole blob, and that the summary counts the events and sees the redrive point the blob holds, whether
// it comes from the summaries of the executions that ended last, a blob decoded whole, or a summary
// decode.
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
			for _, from := range []string{"recent", "blob cache", "decode"} {
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
				machine, name, _ := s.splitExecutionArn(arn)
				f, ok := s.history.lookup(machine, name)
				if !ok {
					t.Fatal("not in the history store")
				}
				switch from {
				case "recent":
					blob, err := s.history.load(f)
					if err != nil {
						t.Fatal(err)
					}
					s.history.recent.clear()
					s.history.recent.put(f.seg, f.off, blob) // as when it ended
					s.history.cache.clear()
				case "blob cache":
					s.history.recent.clear()
				case "decode":
					s.history.recent.clear()
					s.history.cache.clear()
				}
				sum, err := s.describeView(arn)
				if err != nil {
					t.Fatal(err)
				}
				if sum.events != nil || sum.point != nil || sum.counts == nil {
					t.Fatalf("from %s: describeView loaded the history (%d events, point %v)", from, len(sum.events), sum.point != nil)
				}
				if got, want := sum.eventCount(), len(whole.events); got != want || got == 0 {
					t.Errorf("from %s: events counted %d, want %d", from, got, want)
				}
				if got, want := sum.hasRedrivePoint(), whole.point != nil; got != want {
					t.Errorf("from %s: redrive point %v, want %v", from, got, want)
				}
				got, err := s.describeExecution(ctx, []byte(fmt.Sprintf(`{"executionArn":%q}`, arn)))
				if err != nil {
					t.Fatal(err)
				}
				want := describeFrom(t, s, whole)
				gotJSON, _ := json.Marshal(got)
				if diff := cmp.Diff(string(gotJSON), want); diff != "" {
					t.Errorf("from %s: DescribeExecution (-got +want):\n%s", from, diff)
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

// TestRecentSummariesBounded checks that the summaries kept stay within their count and byte bounds,
// dropping the oldest first, and that one larger than the byte bound is not kept.
func TestRecentSummariesBounded(t *testing.T) {
	var c recentSummaries
	blob := func(input int) *historyBlob {
		return &historyBlob{Execution: executionRecord{Input: strings.Repeat("x", input), Definition: "{}"}, End: endRecord{Status: "SUCCEEDED"}}
	}
	for i := range maxRecentSummaries + 10 {
		c.put(1, int64(i), blob(10))
	}
	if len(c.items) != maxRecentSummaries || c.bytes != 10*maxRecentSummaries {
		t.Errorf("after %d puts: %d kept, %d bytes; want %d, %d", maxRecentSummaries+10, len(c.items), c.bytes, maxRecentSummaries, 10*maxRecentSummaries)
	}
	if _, ok := c.get(1, 9); ok {
		t.Error("the oldest are still kept")
	}
	if r, ok := c.get(1, maxRecentSummaries+9); !ok || r.rec.Definition != "" {
		t.Errorf("the newest: kept %v, definition %q (want kept, none)", ok, r.rec.Definition)
	}
	c.put(2, 0, blob(maxRecentSummaryBytes/2))
	c.put(2, 1, blob(maxRecentSummaryBytes/2))
	if c.bytes > maxRecentSummaryBytes {
		t.Errorf("%d bytes kept, over the bound %d", c.bytes, maxRecentSummaryBytes)
	}
	if _, ok := c.get(2, 1); !ok {
		t.Error("the newest large summary is not kept")
	}
	c.put(3, 0, blob(maxRecentSummaryBytes+1))
	if _, ok := c.get(3, 0); ok {
		t.Error("a summary over the byte bound is kept")
	}
}

// TestRecentSummaries: the ring keeps the maxRecentSummaries summaries put last, and drops the oldest to
// keep their bytes within maxRecentSummaryBytes.
func TestRecentSummaries(t *testing.T) {
	var c recentSummaries
	blob := func(input string) *historyBlob {
		return &historyBlob{Execution: executionRecord{Input: input, Definition: "dropped"}, End: endRecord{Status: "SUCCEEDED"}}
	}
	const n = maxRecentSummaries + 10
	for i := range n {
		c.put(1, int64(i), blob("{}"))
	}
	for i := range n {
		_, got := c.get(1, int64(i))
		if want := i >= n-maxRecentSummaries; got != want {
			t.Errorf("summary %d of %d kept: got %v, want %v", i, n, got, want)
		}
	}
	if r, _ := c.get(1, n-1); r.rec.Definition != "" || r.rec.Input != "{}" {
		t.Errorf("summary kept: got definition %q input %q, want no definition and the input", r.rec.Definition, r.rec.Input)
	}
	// Three large ones fit in the bytes allowed only two at a time.
	big := strings.Repeat("x", maxRecentSummaryBytes/2-10)
	for i := range 3 {
		c.put(2, int64(i), blob(big))
	}
	var kept []int
	for i := range 3 {
		if _, ok := c.get(2, int64(i)); ok {
			kept = append(kept, i)
		}
	}
	if diff := cmp.Diff(kept, []int{1, 2}); diff != "" {
		t.Errorf("large summaries kept (-got +want):\n%s", diff)
	}
	if c.bytes > maxRecentSummaryBytes {
		t.Errorf("bytes held: got %d, want at most %d", c.bytes, maxRecentSummaryBytes)
	}
	c.clear()
	if _, ok := c.get(2, 2); ok {
		t.Error("a summary is found after clear")
	}
}
