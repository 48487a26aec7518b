package logs_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sluicehq/sluice/local/logs"
)

// FuzzRequests sends arbitrary bodies to every operation: the service answers each with a success or one
// of its client errors (400), never an internal error, and stays usable.
func FuzzRequests(f *testing.F) {
	ops := []string{"CreateLogGroup", "DeleteLogGroup", "DescribeLogGroups", "PutRetentionPolicy", "DeleteRetentionPolicy",
		"CreateLogStream", "DeleteLogStream", "DescribeLogStreams", "PutLogEvents", "GetLogEvents", "FilterLogEvents"}
	seeds := []string{
		`{"logGroupName":"g"}`, `{"logGroupName":"g","logStreamName":"s"}`,
		`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1772366400000,"message":"x"}]}`,
		`{"logGroupName":"g","filterPattern":"{ $.a = 1 }","limit":1,"nextToken":"MDAwMDAwMDAwMDAwMA"}`,
		`{"logGroupName":"g","logStreamName":"s","nextToken":"f/000000000000000000000000000000000000000","startFromHead":true}`,
		`{"logGroupName":"g","retentionInDays":30}`, `{"limit":0}`, `{"logGroupIdentifier":"arn:aws:logs:us-east-1:000000000000:log-group:g:*"}`,
		`[]`, `{"logGroupName":5}`, ``,
	}
	for i, s := range seeds {
		f.Add(uint8(i), s)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		svc, err := logs.New(logs.WithClock(&clock{t: now}))
		if err != nil {
			t.Fatal(err)
		}
		defer svc.Close()
		call := func(op, body string) int {
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewBufferString(body))
			req.Header.Set("X-Amz-Target", logs.TargetPrefix+op)
			rec := httptest.NewRecorder()
			svc.ServeHTTP(rec, req)
			return rec.Code
		}
		call("CreateLogGroup", `{"logGroupName":"g"}`)
		call("CreateLogStream", `{"logGroupName":"g","logStreamName":"s"}`)
		call("PutLogEvents", `{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1772366400000,"message":"{\"a\":1}"}]}`)
		if code := call(ops[int(op)%len(ops)], body); code != http.StatusOK && code != http.StatusBadRequest {
			t.Fatalf("%s %q: status %d", ops[int(op)%len(ops)], body, code)
		}
		if code := call("FilterLogEvents", `{"logGroupName":"g"}`); code != http.StatusOK && code != http.StatusBadRequest {
			t.Fatalf("after %s %q: FilterLogEvents status %d", ops[int(op)%len(ops)], body, code)
		}
	})
}
