package logs_test

import (
	"errors"
	"net"
	"strings"
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
	var got []string
	// A session whose connection the client's own transport closes is started again (at most three times):
	// the SDK's HTTP client may close a connection whose response arrives while it still finishes writing
	// the request (https://github.com/aws/aws-sdk-go-v2/issues/2737), which ends a long-lived event stream.
	for attempt := 1; len(got) == 0; attempt++ {
		var closed bool
		got, closed = liveTailUpdate(t, e, withoutPrefix)
		if closed && attempt == 3 {
			t.Fatal("three live tail sessions ended by the client's transport")
		}
	}
	if len(got) != 1 || got[0] != "ERROR one" {
		t.Errorf("live tail got %q, want [ERROR one]", got)
	}

	var notFound *types.ResourceNotFoundException
	_, err := e.client.StartLiveTail(t.Context(), &cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"nope"}}, withoutPrefix)
	if !errors.As(err, &notFound) {
		t.Errorf("live tail of a missing group: %v", err)
	}
}

// liveTailUpdate starts a session on group g's streams prefixed "a" with the filter pattern ERROR, puts three
// events and returns the messages of the first update. closed reports a session the client's transport
// closed before its first update (got is then empty).
func liveTailUpdate(t *testing.T, e *env, withoutPrefix func(*cwl.Options)) (got []string, closed bool) {
	t.Helper()
	out, err := e.client.StartLiveTail(t.Context(), &cwl.StartLiveTailInput{
		LogGroupIdentifiers: []string{"arn:aws:logs:us-east-1:000000000000:log-group:g"}, LogEventFilterPattern: aws.String("ERROR"),
		LogStreamNamePrefixes: []string{"a"}}, withoutPrefix)
	if err != nil {
		t.Fatal(err)
	}
	stream := out.GetStream()
	defer stream.Close()
	first, ok := <-stream.Events()
	if !ok && isClosedConn(stream.Err()) {
		return nil, true
	}
	if _, ok := first.(*types.StartLiveTailResponseStreamMemberSessionStart); !ok {
		t.Fatalf("first event %T, want the session start (%v)", first, stream.Err())
	}
	e.put(t, "g", "a", "ERROR one")
	e.put(t, "g", "a", "INFO two")
	e.put(t, "g", "b", "ERROR in another stream")
	timeout := time.After(10 * time.Second)
	for len(got) == 0 {
		select {
		case ev, ok := <-stream.Events():
			if !ok {
				if isClosedConn(stream.Err()) {
					return nil, true
				}
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
	return got, false
}

// isClosedConn reports the error of a read on a connection closed on the client's side (net.ErrClosed,
// which the SDK's event stream reader may report as text only).
func isClosedConn(err error) bool {
	return err != nil && (errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), net.ErrClosed.Error()))
}
