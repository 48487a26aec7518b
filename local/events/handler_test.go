package events_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/events"
)

// post sends a raw request and returns the status and decoded error body.
func post(t *testing.T, url, target, body string) (int, map[string]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]string
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

// Bad input on the wire gets AWS's JSON error shape, never a crash
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html).
func TestProtocolErrors(t *testing.T) {
	f := newFixture(t, events.WithMaxRequestBytes(1024))
	tests := []struct {
		name, target, body string
		status             int
		typ                string
	}{
		{"unknown operation", "AWSEvents.CreateArchive", `{}`, 400, "UnknownOperationException"},
		{"wrong service prefix", "AWSStepFunctions.PutRule", `{}`, 400, "UnknownOperationException"},
		{"no target", "", `{}`, 400, "UnknownOperationException"},
		{"malformed JSON", "AWSEvents.PutRule", `{"Name":`, 400, "SerializationException"},
		{"wrong type", "AWSEvents.PutRule", `{"Name":5}`, 400, "SerializationException"},
		{"array body", "AWSEvents.ListRules", `[]`, 400, "SerializationException"},
		{"trailing data", "AWSEvents.ListRules", `{} {}`, 400, "SerializationException"},
		{"missing required", "AWSEvents.TestEventPattern", `{"EventPattern":"{\"a\":[\"b\"]}"}`, 400, "ValidationException"},
		{"missing name", "AWSEvents.DescribeRule", ``, 400, "ValidationException"},
		{"oversized", "AWSEvents.PutRule", `{"Name":"` + strings.Repeat("x", 200000) + `"}`, 413, "RequestEntityTooLargeException"},
		{"target bad shape", "AWSEvents.PutTargets", `{"Rule":"r","Targets":[5]}`, 400, "SerializationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(t, f.url, tt.target, tt.body)
			if status != tt.status || body["__type"] != tt.typ {
				t.Errorf("got %d %v, want %d %s", status, body, tt.status, tt.typ)
			}
		})
	}
	t.Run("missing event message", func(t *testing.T) {
		_, body := post(t, f.url, "AWSEvents.TestEventPattern", `{"EventPattern":"{\"a\":[\"b\"]}"}`)
		want := map[string]string{"__type": "ValidationException", "message": "1 validation error detected: Value null at 'event' failed to satisfy constraint: Member must not be null"}
		if diff := cmp.Diff(body, want); diff != "" {
			t.Errorf("body (-got +want):\n%s", diff)
		}
	})
	t.Run("GET", func(t *testing.T) {
		resp, err := http.Get(f.url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("GET status = %d, want 400", resp.StatusCode)
		}
	})
}

// FuzzServeHTTP sends arbitrary bodies to every operation: the answer is
// always a well-formed JSON response with a 2xx or an AWS error type.
func FuzzServeHTTP(f *testing.F) {
	ops := []string{"PutEvents", "PutRule", "DescribeRule", "ListRules", "DeleteRule", "EnableRule", "DisableRule",
		"PutTargets", "ListTargetsByRule", "RemoveTargets", "TestEventPattern", "ListEventBuses", "DescribeEventBus",
		"ListRuleNamesByTarget"}
	seeds := []string{`{}`, `{"Name":"r","EventPattern":"{\"a\":[\"b\"]}"}`,
		`{"Rule":"r","Targets":[{"Id":"t","Arn":"arn:x","InputTransformer":{"InputPathsMap":{"k":"$.detail"},"InputTemplate":"<k>"}}]}`,
		`{"Entries":[{"Source":"s","DetailType":"d","Detail":"{\"a\":1}"}]}`,
		`{"EventPattern":"{\"a\":[{\"numeric\":[\">\",1]}]}","Event":"{\"id\":\"1\",\"account\":\"1\",\"source\":\"s\",\"time\":\"t\",\"region\":\"r\",\"resources\":[],\"detail-type\":\"d\",\"a\":2}"}`,
		`{"Name":null}`, `[`, ``}
	for i, s := range seeds {
		f.Add(uint8(i), s)
	}
	svc, err := events.New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		rec := httptest.NewRecorder()
		req, _ := http.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "AWSEvents."+ops[int(op)%len(ops)])
		svc.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("response is not JSON: %q", rec.Body.String())
		}
	})
}

// invoke calls an operation in-process and returns the body and the error
// type ("" on success).
func invoke(h http.Handler, op string, body []byte) ([]byte, string) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
	req.Header.Set("X-Amz-Target", "AWSEvents."+op)
	h.ServeHTTP(rec, req)
	if rec.Code == http.StatusOK {
		return rec.Body.Bytes(), ""
	}
	var e map[string]string
	_ = json.Unmarshal(rec.Body.Bytes(), &e)
	return rec.Body.Bytes(), e["__type"] + ": " + e["message"]
}
