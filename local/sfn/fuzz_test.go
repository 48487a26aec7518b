package sfn_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// FuzzServeHTTP sends arbitrary bodies to every operation: the answer is a success or an AWS client
// error with a JSON body naming its code, never a 5xx or a crash.
func FuzzServeHTTP(f *testing.F) {
	ops := []string{"CreateStateMachine", "DescribeStateMachine", "UpdateStateMachine", "DeleteStateMachine",
		"ListStateMachines", "ValidateStateMachineDefinition", "StartExecution", "StopExecution",
		"DescribeExecution", "ListExecutions", "GetExecutionHistory", "DescribeStateMachineForExecution",
		"SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat", "TagResource", "UntagResource",
		"ListTagsForResource", "PublishStateMachineVersion", "ListStateMachineVersions", "DeleteStateMachineVersion",
		"CreateStateMachineAlias", "DescribeStateMachineAlias", "UpdateStateMachineAlias", "DeleteStateMachineAlias",
		"ListStateMachineAliases", "CreateActivity", "DescribeActivity", "DeleteActivity", "ListActivities",
		"GetActivityTask", "RedriveExecution", "Nope"}
	f.Add(uint8(0), `{"name":"m","roleArn":"arn:aws:iam::000000000000:role/r","definition":"{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}"}`)
	f.Add(uint8(6), `{"stateMachineArn":"arn:aws:states:us-east-1:000000000000:stateMachine:m","input":"{}"}`)
	f.Add(uint8(10), `{"executionArn":"arn:aws:states:us-east-1:000000000000:execution:m:x","maxResults":-1}`)
	f.Add(uint8(4), `{"maxResults":"x"}`)
	f.Add(uint8(31), `{"executionArn":"arn:aws:states:us-east-1:000000000000:execution:m:x","clientToken":"\u0000"}`)
	f.Add(uint8(12), `{"taskToken":"","output":"{"}`)
	f.Add(uint8(5), `{"definition":"{\"StartAt\":1}"}`)
	f.Add(uint8(1), `[`)
	f.Add(uint8(22), `{"name":"a","routingConfiguration":[{"stateMachineVersionArn":"arn:aws:states:us-east-1:000000000000:stateMachine:m:1","weight":100}]}`)
	f.Add(uint8(18), `{"stateMachineArn":"arn:aws:states:us-east-1:000000000000:stateMachine:m","revisionId":"INITIAL"}`)
	f.Add(uint8(27), `{"name":"act"}`)
	f.Add(uint8(31), `{"activityArn":"arn:aws:states:us-east-1:000000000000:activity:act","workerName":""}`)
	svc, err := localsfn.New(localsfn.WithActivityPollTimeout(time.Millisecond)) // no long polls
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { svc.Close() })
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "AWSStepFunctions."+ops[int(op)%len(ops)])
		rec := httptest.NewRecorder()
		svc.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d: %s", ops[int(op)%len(ops)], body, rec.Code, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %q: answer is not JSON: %s", ops[int(op)%len(ops)], body, rec.Body)
		}
		if rec.Code >= 400 && rec.Header().Get("X-Amzn-ErrorType") == "" {
			t.Fatalf("%s %q: error without a code", ops[int(op)%len(ops)], body)
		}
	})
}
