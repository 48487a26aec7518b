package logs_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/logs"
)

// TestPutLent: PutLent's callers each reuse one buffer for their messages, writing the next call's into it
// as soon as a call returns, while the others' calls are committed with theirs (group commit): every
// event is stored as it was during its call, in order, read back with GetLogEvents. With the race
// detector, a read of a message after PutLent returned is a race with the caller's next write.
func TestPutLent(t *testing.T) {
	const writers, calls, perCall = 6, 15, 3
	at := time.Date(2026, 3, 1, 11, 59, 0, 0, time.UTC)
	message := func(w, c, i int) string {
		return fmt.Sprintf("w%d c%d e%d %s", w, c, i, strings.Repeat("m", (w*7+c*3+i)%50))
	}
	for _, dir := range []string{"memory", "disk"} {
		t.Run(dir, func(t *testing.T) {
			e := newEnv(t, map[string]string{"memory": "", "disk": t.TempDir()}[dir])
			e.setup(t, "g")
			var wg sync.WaitGroup
			for w := range writers {
				wg.Go(func() {
					var buf []byte
					evs := make([]logs.LentEvent, perCall)
					for c := range calls {
						buf = buf[:0]
						var ends [perCall]int
						for i := range perCall {
							buf = append(buf, message(w, c, i)...)
							ends[i] = len(buf)
						}
						start := 0
						for i := range perCall {
							evs[i] = logs.LentEvent{Timestamp: at.Add(time.Duration(c) * time.Millisecond), Message: buf[start:ends[i]]}
							start = ends[i]
						}
						if err := e.svc.PutLent(t.Context(), "g", fmt.Sprint("s", w), evs); err != nil {
							t.Error(err)
							return
						}
						for i := range buf {
							buf[i] = 'x'
						}
					}
				})
			}
			wg.Wait()
			for w := range writers {
				out, err := e.client.GetLogEvents(t.Context(), &cwl.GetLogEventsInput{LogGroupName: aws.String("g"),
					LogStreamName: aws.String(fmt.Sprint("s", w)), StartFromHead: aws.Bool(true)})
				if err != nil {
					t.Fatal(err)
				}
				got := messages(out.Events, func(e types.OutputLogEvent) *string { return e.Message })
				var want []string
				for c := range calls {
					for i := range perCall {
						want = append(want, message(w, c, i))
					}
				}
				if diff := cmp.Diff(got, want); diff != "" {
					t.Errorf("stream s%d (-got +want):\n%s", w, diff)
				}
			}
		})
	}
}

// TestPutLentLimits: PutLent cuts events into batches within PutLogEvents' limits as Put does
// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html: at most
// 10,000 events and 1,048,576 bytes, counted as the messages' bytes plus 26 per event, per batch), a
// message larger than a batch cut to fit, and every event is stored, in order, as it was during the call.
func TestPutLentLimits(t *testing.T) {
	at := time.Date(2026, 3, 1, 11, 59, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		sizes []int
		want  []int // the stored messages' sizes
	}{
		{"10,001 events", slices.Repeat([]int{1}, 10001), slices.Repeat([]int{1}, 10001)},
		{"a message of 1 MiB cut to the batch size less 26", []int{3, 1 << 20, 5}, []int{3, 1<<20 - 26, 5}},
		{"two messages that do not fit one batch", []int{600 << 10, 600 << 10}, []int{600 << 10, 600 << 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, t.TempDir())
			e.setup(t, "g")
			var buf []byte
			for i, n := range tc.sizes {
				buf = append(buf, bytes.Repeat([]byte{byte('a' + i%26)}, n)...)
			}
			evs := make([]logs.LentEvent, len(tc.sizes))
			start := 0
			for i, n := range tc.sizes {
				evs[i] = logs.LentEvent{Timestamp: at, Message: buf[start : start+n]}
				start += n
			}
			if err := e.svc.PutLent(t.Context(), "g", "s", evs); err != nil {
				t.Fatal(err)
			}
			clear(buf)
			var got []int
			var token *string
			for {
				out, err := e.client.GetLogEvents(t.Context(), &cwl.GetLogEventsInput{LogGroupName: aws.String("g"),
					LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true), NextToken: token})
				if err != nil {
					t.Fatal(err)
				}
				for _, ev := range out.Events {
					m := aws.ToString(ev.Message)
					if want := strings.Repeat(string(rune('a'+len(got)%26)), len(m)); m != want {
						t.Fatalf("event %d: %.20q..., want %.20q...", len(got), m, want)
					}
					got = append(got, len(m))
				}
				if len(out.Events) == 0 || aws.ToString(out.NextForwardToken) == aws.ToString(token) {
					break
				}
				token = out.NextForwardToken
			}
			if diff := cmp.Diff(got, tc.want); diff != "" {
				t.Errorf("stored message sizes (-got +want):\n%s", diff)
			}
		})
	}
}
