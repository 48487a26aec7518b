package sfn_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"

	localsfn "github.com/sluicehq/sluice/local/sfn"
)

type logRecorder struct {
	mu   sync.Mutex
	recs []localsfn.ExecutionLog
}

func (r *logRecorder) PutExecutionLog(_ context.Context, rec localsfn.ExecutionLog) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec)
	return nil
}

// failMachine passes its input on and then fails.
const failMachine = `{"StartAt":"A","States":{
 "A":{"Type":"Pass","Next":"B"},
 "B":{"Type":"Fail","Error":"Boom","Cause":"on purpose"}}}`

// The level of the LoggingConfiguration decides which events are logged, in Step Functions' record shape
// (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html), with or without execution data.
func TestExecutionLogging(t *testing.T) {
	const group = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/vendedlogs/states/x:*"
	tests := []struct {
		level       types.LogLevel
		includeData bool
		want        []string
	}{
		{types.LogLevelAll, true, []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "FailStateEntered", "ExecutionFailed"}},
		{types.LogLevelError, false, []string{"FailStateEntered", "ExecutionFailed"}},
		{types.LogLevelFatal, false, []string{"ExecutionFailed"}},
		{types.LogLevelOff, false, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.level), func(t *testing.T) {
			rec := &logRecorder{}
			svc, c := start(t, localsfn.WithLogSink(rec))
			in := &sdk.CreateStateMachineInput{Name: aws.String("logged"), Definition: aws.String(failMachine), RoleArn: aws.String(role),
				LoggingConfiguration: &types.LoggingConfiguration{Level: tt.level, IncludeExecutionData: tt.includeData}}
			if tt.level != types.LogLevelOff {
				in.LoggingConfiguration.Destinations = []types.LogDestination{{CloudWatchLogsLogGroup: &types.CloudWatchLogsLogGroup{LogGroupArn: aws.String(group)}}}
			}
			sm, err := c.CreateStateMachine(t.Context(), in)
			if err != nil {
				t.Fatal(err)
			}
			started, err := c.StartExecution(t.Context(), &sdk.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"secret":"s3://bucket/key"}`)})
			if err != nil {
				t.Fatal(err)
			}
			waitDone(t, svc, aws.ToString(started.ExecutionArn))
			rec.mu.Lock()
			defer rec.mu.Unlock()
			var types []string
			for _, r := range rec.recs {
				var m struct {
					ID           string          `json:"id"`
					Type         string          `json:"type"`
					Details      json.RawMessage `json:"details"`
					Previous     string          `json:"previous_event_id"`
					Timestamp    string          `json:"event_timestamp"`
					ExecutionArn string          `json:"execution_arn"`
					RedriveCount string          `json:"redrive_count"`
				}
				if err := json.Unmarshal([]byte(r.Message), &m); err != nil {
					t.Fatalf("record %s: %v", r.Message, err)
				}
				types = append(types, m.Type)
				if m.ExecutionArn != aws.ToString(started.ExecutionArn) || m.ID == "" || m.Timestamp == "" || m.RedriveCount != "0" {
					t.Errorf("record %s lacks the execution's fields", r.Message)
				}
				if r.LogGroupArn != group {
					t.Errorf("record to %s, want %s", r.LogGroupArn, group)
				}
				var details map[string]any
				_ = json.Unmarshal(m.Details, &details)
				_, hasInput := details["input"]
				if m.Type == "ExecutionStarted" && hasInput != tt.includeData {
					t.Errorf("ExecutionStarted details %s: input present %v, want %v", m.Details, hasInput, tt.includeData)
				}
				if m.Type == "ExecutionFailed" && details["error"] != "Boom" {
					t.Errorf("ExecutionFailed details %s, want error Boom", m.Details)
				}
			}
			if diff := cmp.Diff(types, tt.want); diff != "" {
				t.Errorf("logged events (-got +want):\n%s", diff)
			}
		})
	}
}
