package main

import (
	"strings"
	"testing"
	"time"
)

func TestRenderLine(t *testing.T) {
	tests := []struct {
		in, want string
		shown    bool
	}{
		{"plain text", "plain text", true},
		{`{"time":"t","level":"INFO","msg":"object validated","key":"incoming/a.csv","rows":3}`, "INFO  object validated key=incoming/a.csv rows=3", true},
		{`{"_aws":{"Timestamp":1},"Rows":3}`, "", false},
		{`{"time":"t","type":"platform.start","record":{"requestId":"r1","version":"$LATEST"}}`, "START RequestId: r1", true},
		{`{"time":"t","type":"platform.report","record":{"requestId":"r1","metrics":{"durationMs":1.5,"billedDurationMs":2,"maxMemoryUsedMB":7},"status":"success"}}`,
			"REPORT RequestId: r1  1.5 ms (billed 2 ms)  max memory 7 MB  success", true},
	}
	for _, tt := range tests {
		got, shown := renderLine(tt.in)
		if got != tt.want || shown != tt.shown {
			t.Errorf("renderLine(%s) = %q, %v; want %q, %v", tt.in, got, shown, tt.want, tt.shown)
		}
	}
}

// The state machine's log records become one line per execution start and end.
func TestExecutionLine(t *testing.T) {
	const arn = "arn:aws:states:us-east-1:000000000000:execution:sluice-StateMachine:e1"
	starts, keys := map[string]time.Time{}, map[string]string{}
	start := logEvent{message: `{"id":"1","type":"ExecutionStarted","details":{"input":"{\"detail\":{\"object\":{\"key\":\"incoming/orders/a.csv\"}}}"},"event_timestamp":"1000","execution_arn":"` + arn + `"}`}
	line, ok := executionLine(start, starts, keys, "")
	if !ok || !strings.Contains(line, "start") || !strings.Contains(line, "incoming/orders/a.csv") || !strings.HasSuffix(line, "e1") {
		t.Errorf("start line %q", line)
	}
	end := logEvent{message: `{"id":"9","type":"ExecutionSucceeded","details":{"output":"{\"quarantined\":{}}"},"event_timestamp":"1250","execution_arn":"` + arn + `"}`}
	line, ok = executionLine(end, starts, keys, "http://127.0.0.1:4566/_console/")
	for _, want := range []string{"rejected", "incoming/orders/a.csv", "250ms", "e1", "_console/execution?arn=arn%3Aaws"} {
		if !ok || !strings.Contains(line, want) {
			t.Errorf("end line %q lacks %q", line, want)
		}
	}
	failed := logEvent{message: `{"id":"9","type":"ExecutionFailed","details":{"error":"States.TaskFailed","cause":"boom"},"event_timestamp":"2000","execution_arn":"` + arn + `"}`}
	if line, _ := executionLine(failed, starts, keys, ""); !strings.Contains(line, "FAILED") || !strings.Contains(line, "States.TaskFailed: boom") {
		t.Errorf("failure line %q", line)
	}
}
