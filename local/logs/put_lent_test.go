package logs_test

import (
	"fmt"
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
