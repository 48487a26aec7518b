package events_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/sluicehq/sluice/local/events/internal/patterncases"
)

// TestConformanceThroughAPI runs the shared pattern cases through
// TestEventPattern with the real SDK client over HTTP.
func TestConformanceThroughAPI(t *testing.T) {
	cases := patterncases.Load(t)
	c := newFixture(t).client
	for _, tc := range cases {
		t.Run(tc.ID, func(t *testing.T) {
			out, err := c.TestEventPattern(context.Background(), &eventbridge.TestEventPatternInput{
				EventPattern: aws.String(string(tc.PatternBytes())), Event: aws.String(string(tc.EventBytes()))})
			if tc.Expect == "error" {
				if err == nil {
					t.Fatalf("TestEventPattern succeeded (Result %v), want %s", out.Result, tc.Error.Code)
				}
				code, msg := apiError(t, err)
				if code != tc.Error.Code || msg != tc.Error.Message {
					t.Errorf("error = %s: %s\nwant %s: %s", code, msg, tc.Error.Code, tc.Error.Message)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out.Result != *tc.Match {
				t.Errorf("Result = %v, want %v", out.Result, *tc.Match)
			}
		})
	}
}
