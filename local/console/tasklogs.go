package console

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// maxInvocationLines bounds the lines read for one invocation; maxWindowInvocations the invocations read
// for one attempt's time window.
const (
	maxInvocationLines   = 2000
	maxWindowInvocations = 20
)

// CloudWatchLogs reads the tasks' log lines from CloudWatch Logs (its API, "Logs_20140328.*"), where the
// local Lambda writes every invocation as Lambda does: a START line (or, with LogFormat JSON, a
// platform.start record) naming the request id, the function's own lines, END and REPORT (or
// platform.report), in the stream of the instance that ran it, one invocation at a time. groups maps a
// function name to its log group (LoggingConfig.LogGroup); others use /aws/lambda/<name>.
func CloudWatchLogs(api API, groups map[string]string) TaskLogs {
	return cloudWatchLogs{api: api, groups: groups}
}

type cloudWatchLogs struct {
	api    API
	groups map[string]string
}

var _ TaskLogs = cloudWatchLogs{}

type logEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
}

// filter is one page of FilterLogEvents.
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
func (l cloudWatchLogs) filter(ctx context.Context, group string, streams []string, from, to time.Time, pattern, token string) ([]logEvent, string, error) {
	in := map[string]any{"logGroupName": group, "startTime": from.UnixMilli(), "endTime": to.UnixMilli(), "limit": 1000}
	if len(streams) > 0 {
		in["logStreamNames"] = streams
	}
	if pattern != "" {
		in["filterPattern"] = pattern
	}
	if token != "" {
		in["nextToken"] = token
	}
	var out struct {
		Events    []logEvent `json:"events"`
		NextToken string     `json:"nextToken"`
	}
	if err := l.api.Call(ctx, "Logs_20140328.FilterLogEvents", in, &out); err != nil {
		return nil, "", err
	}
	return out.Events, out.NextToken, nil
}

func (l cloudWatchLogs) Invocations(ctx context.Context, function string, from, to time.Time) ([]Invocation, error) {
	group := l.groups[function]
	if group == "" {
		group = "/aws/lambda/" + function
	}
	var starts []logEvent
	token := ""
	for len(starts) < maxWindowInvocations {
		evs, next, err := l.filter(ctx, group, nil, from, to, `?"START RequestId: " ?"platform.start"`, token)
		if err != nil {
			var apiErr *APIError
			if asAPIError(err, &apiErr) && apiErr.Code == "ResourceNotFoundException" {
				return nil, nil // nothing logged yet
			}
			return nil, err
		}
		starts = append(starts, evs...)
		if token = next; token == "" {
			break
		}
	}
	var out []Invocation
	for _, s := range starts {
		id := startRequestID(s.Message)
		if id == "" {
			continue
		}
		inv, err := l.invocation(ctx, group, s, id)
		if err != nil {
			return out, err
		}
		inv.Function = function
		out = append(out, inv)
	}
	return out, nil
}

// invocation reads an invocation's lines: its stream from its start to its end line.
func (l cloudWatchLogs) invocation(ctx context.Context, group string, start logEvent, id string) (Invocation, error) {
	inv := Invocation{RequestID: id, Start: time.UnixMilli(start.Timestamp).UTC()}
	token := ""
	begun := false
	for len(inv.Lines) < maxInvocationLines {
		evs, next, err := l.filter(ctx, group, []string{start.LogStreamName}, inv.Start, inv.Start.Add(16*time.Minute), "", token)
		if err != nil {
			return inv, err
		}
		for _, ev := range evs {
			if !begun {
				begun = startRequestID(ev.Message) == id
				if !begun {
					continue
				}
			}
			inv.Lines = append(inv.Lines, ev.Message)
			if endRequestID(ev.Message) == id {
				inv.Duration = time.UnixMilli(ev.Timestamp).Sub(inv.Start)
				return inv, nil
			}
		}
		if token = next; token == "" {
			break
		}
	}
	return inv, nil
}

// startRequestID is the request id of a START line or platform.start record ("" for other lines).
func startRequestID(msg string) string {
	if rest, ok := strings.CutPrefix(msg, "START RequestId: "); ok {
		id, _, _ := strings.Cut(rest, " ")
		return id
	}
	return platformRequestID(msg, "platform.start")
}

// endRequestID is the request id of a REPORT line or platform.report record, the last of an invocation.
func endRequestID(msg string) string {
	if rest, ok := strings.CutPrefix(msg, "REPORT RequestId: "); ok {
		id, _, _ := strings.Cut(rest, "\t")
		return strings.TrimSpace(strings.Fields(id + " ")[0])
	}
	return platformRequestID(msg, "platform.report")
}

func platformRequestID(msg, typ string) string {
	if !strings.Contains(msg, typ) {
		return ""
	}
	var rec struct {
		Type   string `json:"type"`
		Record struct {
			RequestID string `json:"requestId"`
		} `json:"record"`
	}
	if json.Unmarshal([]byte(msg), &rec) != nil || rec.Type != typ {
		return ""
	}
	return rec.Record.RequestID
}
