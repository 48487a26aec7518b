package logs_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/logs"
)

// TestPutOrder: Put stores a stream's events by time whatever order it is given them in, events of the
// same millisecond in the order given; in order, they stay as they are. Read back with GetLogEvents.
func TestPutOrder(t *testing.T) {
	at := func(ms int) time.Time {
		return time.Date(2026, 3, 1, 11, 59, 0, 0, time.UTC).Add(time.Duration(ms) * time.Millisecond)
	}
	for _, tc := range []struct {
		name string
		in   []logs.Event
		want []string
	}{
		{"in order", []logs.Event{{Timestamp: at(1), Message: "a"}, {Timestamp: at(1), Message: "b"}, {Timestamp: at(2), Message: "c"}},
			[]string{"a", "b", "c"}},
		{"reversed", []logs.Event{{Timestamp: at(3), Message: "a"}, {Timestamp: at(2), Message: "b"}, {Timestamp: at(1), Message: "c"}},
			[]string{"c", "b", "a"}},
		{"ties keep their order", []logs.Event{{Timestamp: at(5), Message: "a"}, {Timestamp: at(1), Message: "b"},
			{Timestamp: at(5), Message: "c"}, {Timestamp: at(1), Message: "d"}, {Timestamp: at(5), Message: "e"}},
			[]string{"b", "d", "a", "c", "e"}},
		{"empty messages dropped", []logs.Event{{Timestamp: at(2), Message: "a"}, {Timestamp: at(1), Message: ""}, {Timestamp: at(1), Message: "b"}},
			[]string{"b", "a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, t.TempDir())
			e.setup(t, "g")
			if err := e.svc.Put(t.Context(), "g", "s", tc.in); err != nil {
				t.Fatal(err)
			}
			out, err := e.client.GetLogEvents(t.Context(), &cwl.GetLogEventsInput{LogGroupName: aws.String("g"),
				LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
			if err != nil {
				t.Fatal(err)
			}
			got := messages(out.Events, func(e types.OutputLogEvent) *string { return e.Message })
			if diff := cmp.Diff(got, tc.want); diff != "" {
				t.Errorf("events (-got +want):\n%s", diff)
			}
		})
	}
}
