package stack

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestUnknownTarget checks that a JSON-protocol request for an operation no service has is answered
// as AWS's JSON services answer one: 400, __type UnknownOperationException, a JSON content type and
// x-amzn-RequestId, whether the target's service is served or not (before, an unknown service fell
// through to S3 and got a plain-text 404).
func TestUnknownTarget(t *testing.T) {
	st := startTestStack(t, nil)
	tests := []struct {
		target, contentType string
	}{
		{"AmazonSQS.SendMessage", "application/x-amz-json-1.0"},
		{"DynamoDB_20120810.ListTables", "application/x-amz-json-1.0"},
		{"Logs_20140328.NoSuchOperation", "application/x-amz-json-1.1"},
		{"NoDotAtAll", "application/x-amz-json-1.1"},
		{"AWSStepFunctions.NoSuchOperation", "application/x-amz-json-1.0"},
		{"AWSEvents.NoSuchOperation", "application/x-amz-json-1.1"},
		{"GraniteServiceVersion20100801.NoSuchOperation", "application/x-amz-json-1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			req := with(newRequest(t, http.MethodPost, st.URL()+"/", tt.contentType, `{}`), "X-Amz-Target", tt.target)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Type string `json:"__type"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			// CloudWatch names the shape with its namespace ("com.amazonaws.cloudwatch#..."); the SDKs
			// keep what follows '#'.
			typ := body.Type[strings.LastIndex(body.Type, "#")+1:]
			if resp.StatusCode != http.StatusBadRequest || typ != "UnknownOperationException" {
				t.Errorf("answer %d %q, want 400 UnknownOperationException", resp.StatusCode, body.Type)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-amz-json-1.") {
				t.Errorf("Content-Type %q, want an AWS JSON type", ct)
			}
			if resp.Header.Get("X-Amzn-RequestId") == "" {
				t.Error("no X-Amzn-RequestId")
			}
		})
	}
}
