package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// logEvent is one line read from CloudWatch Logs, with the group it came from.
type logEvent struct {
	group, stream, id, message string
	ts                         int64
}

func (e logEvent) time() time.Time { return time.UnixMilli(e.ts) }

func newLogsClient(url string) *cwl.Client {
	return cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
}

// readLogs returns the events of groups that match pattern from startMs on, oldest first.
func readLogs(ctx context.Context, c *cwl.Client, groups []string, pattern string, startMs int64) ([]logEvent, error) {
	var out []logEvent
	for _, g := range groups {
		in := &cwl.FilterLogEventsInput{LogGroupName: aws.String(g), StartTime: aws.Int64(startMs)}
		if pattern != "" {
			in.FilterPattern = aws.String(pattern)
		}
		p := cwl.NewFilterLogEventsPaginator(c, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				var nf *cwltypes.ResourceNotFoundException
				if errors.As(err, &nf) {
					break // a group nothing has written to yet
				}
				return nil, err
			}
			for _, e := range page.Events {
				out = append(out, logEvent{group: g, stream: aws.ToString(e.LogStreamName), id: aws.ToString(e.EventId),
					message: aws.ToString(e.Message), ts: aws.ToInt64(e.Timestamp)})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ts < out[j].ts })
	return out, nil
}

// followLogs calls emit for every event of groups matching pattern from startMs on, as they arrive, until
// ctx ends. It polls FilterLogEvents as `aws logs tail --follow` does (startTime moved to the newest
// event's timestamp, events already seen at that timestamp skipped), every interval.
func followLogs(ctx context.Context, c *cwl.Client, groups []string, pattern string, startMs int64, interval time.Duration, emit func(logEvent)) error {
	from := map[string]int64{}
	seen := map[string]map[string]bool{} // group -> ids at from[group]
	for _, g := range groups {
		from[g] = startMs
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		var batch []logEvent
		for _, g := range groups {
			evs, err := readLogs(ctx, c, []string{g}, pattern, from[g])
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			for _, e := range evs {
				if seen[g][e.id] {
					continue
				}
				if e.ts > from[g] {
					from[g], seen[g] = e.ts, map[string]bool{}
				}
				if seen[g] == nil {
					seen[g] = map[string]bool{}
				}
				seen[g][e.id] = true
				batch = append(batch, e)
			}
		}
		sort.SliceStable(batch, func(i, j int) bool { return batch[i].ts < batch[j].ts })
		for _, e := range batch {
			emit(e)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// renderLine makes a log line short for a terminal: a JSON line becomes its level, message and fields (the
// timestamp and Embedded Metric Format blocks left out); Lambda's platform records become START and
// REPORT lines; anything else is shown as it is.
func renderLine(msg string) (string, bool) {
	var m map[string]any
	if !strings.HasPrefix(msg, "{") || json.Unmarshal([]byte(msg), &m) != nil {
		return msg, true
	}
	if _, emf := m["_aws"]; emf {
		return "", false
	}
	if typ, _ := m["type"].(string); strings.HasPrefix(typ, "platform.") {
		rec, _ := m["record"].(map[string]any)
		switch typ {
		case "platform.start":
			return fmt.Sprintf("START RequestId: %v", rec["requestId"]), true
		case "platform.report":
			met, _ := rec["metrics"].(map[string]any)
			return fmt.Sprintf("REPORT RequestId: %v  %v ms (billed %v ms)  max memory %v MB  %v", rec["requestId"],
				met["durationMs"], met["billedDurationMs"], met["maxMemoryUsedMB"], rec["status"]), true
		}
	}
	level, _ := m["level"].(string)
	text, _ := m["msg"].(string)
	if text == "" {
		return msg, true
	}
	var b strings.Builder
	if level != "" {
		fmt.Fprintf(&b, "%-5s ", level)
	}
	b.WriteString(text)
	keys := make([]string, 0, len(m))
	for k := range m {
		switch k {
		case "time", "timestamp", "level", "msg", "bucket", "execution":
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, _ := json.Marshal(m[k])
		s := string(v)
		if str, ok := m[k].(string); ok && !strings.ContainsAny(str, " \t\"") {
			s = str
		}
		fmt.Fprintf(&b, " %s=%s", k, s)
	}
	return b.String(), true
}
