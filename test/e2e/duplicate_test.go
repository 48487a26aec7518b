package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"
)

// TestDuplicateDelivery delivers one S3 event twice, as EventBridge may (delivery is at least once:
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html): the rule's target
// starts an execution per delivery, so the second delivery is a second StartExecution with the same
// input. Both executions succeed; one stores the object and the other finds the manifest and reports a
// duplicate; there is one manifest and one output.
func TestDuplicateDelivery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		concurrent bool // redeliver while the first execution runs, not after it ended
	}{
		{"redelivered after the first execution ended", false},
		{"redelivered while the first execution runs", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := startStack(t, "", "")
			e.putSchema(t)
			e.putSample(t, "sample/incoming/orders/2024-03-01.csv")
			var first []sfntypes.ExecutionListItem
			if tc.concurrent {
				waitFor(t, "the first execution", func() bool { first = e.executions(t); return len(first) > 0 })
			} else {
				first = e.waitExecutions(t, 1)
			}
			d, err := e.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: first[0].ExecutionArn})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.sfn.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(e.sm), Input: d.Input}); err != nil {
				t.Fatal(err)
			}
			e.waitExecutions(t, 2)
			all := e.describeAll(t)
			var outcomes, keys []string
			for _, x := range all {
				if x.Status != sfntypes.ExecutionStatusSucceeded {
					t.Fatalf("execution %s: got %s (%s: %s), want SUCCEEDED", str(x.Name), x.Status, str(x.Error), str(x.Cause))
				}
				o := outcomeOf(t, x)
				if o.Stored == nil {
					t.Fatalf("execution %s has no store output: %s", str(x.Name), str(x.Output))
				}
				outcomes = append(outcomes, o.Stored.Output.Outcome)
				keys = append(keys, o.Stored.Output.Key)
			}
			slices.Sort(outcomes)
			if diff := cmp.Diff([]string{"duplicate", "stored"}, outcomes); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if len(keys) == 2 && keys[0] != keys[1] {
				t.Errorf("the two executions name different outputs: %v", keys)
			}
			if got := e.keys(t, "manifests/"); len(got) != 1 {
				t.Errorf("manifests: got %v, want one", got)
			}
			if got := e.keys(t, "processed/"); len(got) != 1 {
				t.Errorf("outputs: got %v, want one", got)
			}
			if got := e.keys(t, "staging/"); len(got) != 0 {
				t.Errorf("staging objects left behind: %v", got)
			}
		})
	}
}

// TestPutEventsRejectsAWSSource checks that a client cannot pose as S3: events whose source starts with
// "aws." come only from AWS services, and PutEvents answers such an entry with
// NotAuthorizedForSourceException (see the error codes of PutEventsResultEntry,
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsResultEntry.html, and
// https://github.com/aws-samples/serverless-patterns/pull/3089 for AWS's answer to one).
func TestPutEventsRejectsAWSSource(t *testing.T) {
	t.Parallel()
	e := startStack(t, "", "")
	detail, _ := json.Marshal(map[string]any{"bucket": map[string]string{"name": e.bucket}, "object": map[string]any{"key": "incoming/orders/x.csv", "etag": "0", "size": 1}})
	out, err := e.eb.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String("aws.s3"), DetailType: aws.String("Object Created"), Detail: aws.String(string(detail)),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.FailedEntryCount != 1 || str(out.Entries[0].ErrorCode) != "NotAuthorizedForSourceException" {
		t.Errorf("PutEvents: got %d failed, first entry %+v, want NotAuthorizedForSourceException", out.FailedEntryCount, out.Entries[0])
	}
	if got := e.executions(t); len(got) != 0 {
		t.Errorf("a forged S3 event started %d executions", len(got))
	}
}
