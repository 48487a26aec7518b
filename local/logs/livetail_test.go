package logs_test

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/sluicehq/sluice/local/logs"
)

// StartLiveTail through the SDK: the session starts, then updates carry the events put after it that match
// its filter pattern, from the streams it names.
func TestStartLiveTail(t *testing.T) {
	e := newEnv(t, "")
	e.setup(t, "g", "a", "b")
	e.put(t, "g", "a", "before the session")
	withoutPrefix := func(o *cwl.Options) { o.APIOptions = append(o.APIOptions, logs.DisableHostPrefix) }
	out, err := e.client.StartLiveTail(t.Context(), &cwl.StartLiveTailInput{
		LogGroupIdentifiers: []string{"arn:aws:logs:us-east-1:000000000000:log-group:g"}, LogEventFilterPattern: aws.String("ERROR"),
		LogStreamNamePrefixes: []string{"a"}}, withoutPrefix)
	if err != nil {
		t.Fatal(err)
	}
	stream := out.GetStream()
	defer stream.Close()
	first := <-stream.Events()
	if _, ok := first.(*types.StartLiveTailResponseStreamMemberSessionStart); !ok {
		t.Fatalf("first event %T, want the session start", first)
	}
	e.put(t, "g", "a", "ERROR one")
	e.put(t, "g", "a", "INFO two")
	e.put(t, "g", "b", "ERROR in another stream")
	var got []string
	timeout := time.After(10 * time.Second)
	for len(got) == 0 {
		select {
		case ev, ok := <-stream.Events():
			if !ok {
				t.Fatalf("stream ended: %v", stream.Err())
			}
			if u, ok := ev.(*types.StartLiveTailResponseStreamMemberSessionUpdate); ok {
				for _, r := range u.Value.SessionResults {
					got = append(got, aws.ToString(r.Message))
				}
			}
		case <-timeout:
			t.Fatal("no session update with the new event")
		}
	}
	if len(got) != 1 || got[0] != "ERROR one" {
		t.Errorf("live tail got %q, want [ERROR one]", got)
	}

	var notFound *types.ResourceNotFoundException
	_, err = e.client.StartLiveTail(t.Context(), &cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"nope"}}, withoutPrefix)
	if !errors.As(err, &notFound) {
		t.Errorf("live tail of a missing group: %v", err)
	}
}
