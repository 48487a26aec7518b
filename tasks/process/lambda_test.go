package process_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/process"
)

// invoke runs the handler the way the Lambda runtime does, from the JSON payload the state machine sends
// to the JSON result or the error type and message Step Functions sees.
func invoke(t *testing.T, h *process.Handler, payload []byte) *messages.InvokeResponse {
	t.Helper()
	req := &messages.InvokeRequest{Payload: payload, Deadline: messages.InvokeRequest_Timestamp{Seconds: time.Now().Add(time.Minute).Unix()}}
	var resp messages.InvokeResponse
	//lint:ignore SA1019 Function is deprecated for the go1.x runtime, but it is the exported path to the runtime's error conversion
	if err := lambda.NewFunction(lambda.NewHandler(h.Handle)).Invoke(req, &resp); err != nil {
		t.Fatal(err)
	}
	return &resp
}

func TestLambdaPayloads(t *testing.T) {
	s, in := setup(t)
	payload, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	resp := invoke(t, newHandler(s), payload)
	if resp.Error != nil {
		t.Fatalf("invoke: %+v", resp.Error)
	}
	var got tasks.ProcessOutput
	if err := json.Unmarshal(resp.Payload, &got); err != nil {
		t.Fatalf("result %s: %v", resp.Payload, err)
	}
	if got.Rows != 3 || got.Staging.Key != "staging/exec-1/orders/a.csv.jsonl.gz" || len(got.Columns) != 8 {
		t.Errorf("result: got %s", resp.Payload)
	}
	// Through JSON, statistics are JSON values of the column's type.
	if diff := cmp.Diff(got.Columns[1], tasks.ColumnStats{Name: "quantity", Count: 3, Min: raw("1"), Max: raw("7")}); diff != "" {
		t.Errorf("quantity stats (-got +want):\n%s", diff)
	}

	// The errorType of each failure the task returns is its Go type's name.
	putSchema(t, s, "orders", "orders-strict.schema.json")
	resp = invoke(t, newHandler(s), payload)
	if resp.Error == nil || resp.Error.Type != tasks.ErrorNameInvalidObject {
		t.Errorf("errorType of a no-longer-valid object: got %+v, want %q", resp.Error, tasks.ErrorNameInvalidObject)
	}
	s.Fail("GET", "incoming/", 1, 503, "SlowDown")
	putSchema(t, s, "orders", "orders.schema.json")
	resp = invoke(t, newHandler(s), payload)
	if resp.Error == nil || resp.Error.Type != tasks.ErrorNameTransient {
		t.Errorf("errorType of a throttled read: got %+v, want %q", resp.Error, tasks.ErrorNameTransient)
	}
}
