package apiconformance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/smithy-go"
)

// patternCase is one line of event-pattern-cases.jsonl (see ../shared/conformance/README.md).
type patternCase struct {
	ID          string          `json:"id"`
	Pattern     json.RawMessage `json:"pattern"`
	PatternText *string         `json:"pattern_text"`
	Event       json.RawMessage `json:"event"`
	EventText   *string         `json:"event_text"`
	Match       *bool           `json:"match"`
	Expect      string          `json:"expect"`
	Error       *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// TestEventPatternCasesThroughStack runs the EventBridge pattern cases recorded against AWS through
// TestEventPattern on the stack's one endpoint: the match result, or the error code and message of an
// invalid pattern.
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html
func TestEventPatternCasesThroughStack(t *testing.T) {
	sc := bufio.NewScanner(sharedFile(t, "event-pattern-cases.jsonl"))
	sc.Buffer(nil, 16<<20)
	var cases []patternCase
	for sc.Scan() {
		var c patternCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	e := startStack(t)
	pass := 0
	for _, tc := range cases {
		ok := t.Run(tc.ID, func(t *testing.T) {
			pattern, event := string(tc.Pattern), string(tc.Event)
			if tc.PatternText != nil {
				pattern = *tc.PatternText
			}
			if tc.EventText != nil {
				event = *tc.EventText
			}
			out, err := e.eb.TestEventPattern(context.Background(), &eventbridge.TestEventPatternInput{
				EventPattern: aws.String(pattern), Event: aws.String(event)})
			if tc.Expect == "error" {
				var apiErr smithy.APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("TestEventPattern: got %v (result %v), want %s", err, out != nil && out.Result, tc.Error.Code)
				}
				if apiErr.ErrorCode() != tc.Error.Code || apiErr.ErrorMessage() != tc.Error.Message {
					t.Errorf("error: got %s: %s\n  want %s: %s", apiErr.ErrorCode(), apiErr.ErrorMessage(), tc.Error.Code, tc.Error.Message)
				}
				return
			}
			if err != nil {
				t.Fatalf("TestEventPattern: %v", err)
			}
			if tc.Match == nil {
				t.Fatalf("case has neither an error nor a match result")
			}
			if out.Result != *tc.Match {
				t.Errorf("result: got %v, want %v", out.Result, *tc.Match)
			}
		})
		if ok {
			pass++
		}
	}
	t.Logf("event pattern cases through the stack: %d of %d pass", pass, len(cases))
	fmt.Printf("apiconformance: event pattern cases through TestEventPattern: %d/%d pass\n", pass, len(cases))
}
