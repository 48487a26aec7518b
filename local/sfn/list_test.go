package sfn_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/sluicehq/sluice/asl/interp"
	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// ListExecutions pages through every execution exactly once while executions end between pages (moving
// from the running set to the history store) and all share one start millisecond: the next token names
// the last execution listed, not an offset into a list that changes under it.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html
func TestListExecutionsPagingIsStable(t *testing.T) {
	clock := interp.NewVirtualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	svc, c := start(t, localsfn.WithClock(clock), localsfn.WithDataDir(t.TempDir()))
	arn := create(t, c, "paged", `{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s","End":true}}}`, types.StateMachineTypeStandard)
	const n = 60
	var arns []string
	for i := range n {
		// Every other execution ends at once: the first page mixes running and ended ones.
		input := fmt.Sprintf(`{"s":%d}`, 10*(i%2))
		out, err := c.StartExecution(t.Context(), &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String(fmt.Sprintf("e-%03d", i)), Input: &input})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, *out.ExecutionArn)
	}
	seen := map[string]int{}
	page := func(token *string) *string {
		t.Helper()
		out, err := c.ListExecutions(t.Context(), &sdk.ListExecutionsInput{StateMachineArn: &arn, MaxResults: 7, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Executions {
			seen[*e.ExecutionArn]++
		}
		return out.NextToken
	}
	for i, a := range arns {
		if i%2 == 0 {
			waitDone(t, svc, a)
		}
	}
	token := page(nil) // half running, half in the history store
	clock.Advance(time.Minute)
	for _, a := range arns {
		waitDone(t, svc, a) // they end and move to the history store
	}
	for token != nil {
		token = page(token)
	}
	if len(seen) != n {
		t.Errorf("listed %d executions, want %d", len(seen), n)
	}
	for a, k := range seen {
		if k != 1 {
			t.Errorf("%s listed %d times", a, k)
		}
	}
	if _, err := c.ListExecutions(context.Background(), &sdk.ListExecutionsInput{StateMachineArn: &arn, NextToken: aws.String("not-a-token!")}); err == nil {
		t.Error("a malformed next token was accepted")
	}
}
