package sfn_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"

	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// lentRecorder is a LentLogSink that checks, in each call, that the lent messages stay as they were until
// it returns (it reads them again after letting other goroutines run), and keeps copies of them by
// execution.
type lentRecorder struct {
	mu   sync.Mutex
	errs []error
	recs map[string][]string // by execution ARN
}

func (r *lentRecorder) PutExecutionLog(ctx context.Context, rec localsfn.ExecutionLog) error {
	return r.PutExecutionLogsLent(ctx, []localsfn.LentExecutionLog{{LogGroupArn: rec.LogGroupArn, LogStream: rec.LogStream,
		Timestamp: rec.Timestamp, Message: []byte(rec.Message)}})
}

func (r *lentRecorder) PutExecutionLogsLent(_ context.Context, recs []localsfn.LentExecutionLog) error {
	var errs []error
	copies := make([]string, len(recs))
	arn := ""
	for i, rec := range recs {
		copies[i] = string(rec.Message)
		var m struct {
			ExecutionArn string `json:"execution_arn"`
		}
		if err := json.Unmarshal(rec.Message, &m); err != nil {
			errs = append(errs, fmt.Errorf("record %q: %v", rec.Message, err))
			continue
		}
		if i == 0 {
			arn = m.ExecutionArn
		} else if m.ExecutionArn != arn {
			errs = append(errs, fmt.Errorf("one call with records of executions %s and %s", arn, m.ExecutionArn))
		}
	}
	time.Sleep(200 * time.Microsecond) // let the other executions encode their records meanwhile
	for i, rec := range recs {
		if !bytes.Equal(rec.Message, []byte(copies[i])) {
			errs = append(errs, fmt.Errorf("record changed during the call: %q, was %q", rec.Message, copies[i]))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, errs...)
	r.recs[arn] = append(r.recs[arn], copies...)
	return nil
}

// TestExecutionLogsLent: a LentLogSink's messages are not written (their buffers not reused) before its
// call returns, while executions running at once (with Parallel branches) encode theirs; each call holds
// one execution's records, and every event of each execution's history has its record, once. Run with
// -race: a buffer handed back early is written by another execution's encoding while the sink reads it.
func TestExecutionLogsLent(t *testing.T) {
	const def = `{"StartAt":"P","States":{
	 "P":{"Type":"Parallel","Next":"S","Branches":[
	  {"StartAt":"A1","States":{"A1":{"Type":"Pass","Result":{"a":"aaaaaaaaaaaaaaaa"},"Next":"A2"},"A2":{"Type":"Wait","Seconds":0,"Next":"A3"},"A3":{"Type":"Pass","End":true}}},
	  {"StartAt":"B1","States":{"B1":{"Type":"Pass","Result":{"b":"bbbbbbbb"},"Next":"B2"},"B2":{"Type":"Wait","Seconds":0,"Next":"B3"},"B3":{"Type":"Pass","End":true}}},
	  {"StartAt":"C1","States":{"C1":{"Type":"Pass","Next":"C2"},"C2":{"Type":"Pass","End":true}}}]},
	 "S":{"Type":"Succeed"}}}`
	const group = "arn:aws:logs:us-east-1:000000000000:log-group:g:*"
	const executions = 12
	logs := &lentRecorder{recs: map[string][]string{}}
	svc, c := start(t, localsfn.WithLogSink(logs))
	ctx := t.Context()
	sm, err := c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{Name: aws.String("lent"), Definition: aws.String(def), RoleArn: aws.String(role),
		LoggingConfiguration: &types.LoggingConfiguration{Level: types.LogLevelAll, IncludeExecutionData: true,
			Destinations: []types.LogDestination{{CloudWatchLogsLogGroup: &types.CloudWatchLogsLogGroup{LogGroupArn: aws.String(group)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	arns := make([]string, executions)
	for i := range arns {
		out, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(fmt.Sprintf(`{"n":%d}`, i))})
		if err != nil {
			t.Fatal(err)
		}
		arns[i] = aws.ToString(out.ExecutionArn)
	}
	for _, arn := range arns {
		if status := waitDone(t, svc, arn); status != "SUCCEEDED" {
			t.Fatalf("execution %s: %s", arn, status)
		}
		hist, err := c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var want []int
		for _, ev := range hist.Events {
			want = append(want, int(ev.Id))
		}
		logs.mu.Lock()
		recs := logs.recs[arn]
		logs.mu.Unlock()
		var got []int
		for _, rec := range recs {
			var m struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal([]byte(rec), &m); err != nil {
				t.Fatalf("record %q: %v", rec, err)
			}
			id, err := strconv.Atoi(m.ID)
			if err != nil {
				t.Fatalf("record %q: id %v", rec, err)
			}
			got = append(got, id)
		}
		slices.Sort(got)
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("execution %s: ids of the records delivered (-got +want):\n%s", arn, diff)
		}
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	for _, err := range logs.errs {
		t.Error(err)
	}
}
