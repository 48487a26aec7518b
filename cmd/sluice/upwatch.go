package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sluicehq/sluice/local/stack"
)

// executionEventsPattern selects the starts and ends in the state machine's log group.
const executionEventsPattern = `{ $.type = "ExecutionStarted" || $.type = "ExecutionSucceeded" || $.type = "ExecutionFailed" || $.type = "ExecutionAborted" || $.type = "ExecutionTimedOut" }`

// watchStack prints, until ctx ends, one line per execution start and end (object key, outcome, duration,
// execution name) from the state machine's log group and, with tasks, the functions' log lines as they
// arrive. It reads them through the CloudWatch Logs API of the stack at url, as any client would.
func watchStack(ctx context.Context, endpoint, consoleURL string, res stack.Resources, tasks bool, std stdio) {
	logs := newLogsClient(endpoint)
	now := time.Now().UnixMilli()
	var mu sync.Mutex // one line at a time
	var wg sync.WaitGroup
	if res.StateMachineLogGroup != "" {
		starts := map[string]time.Time{}
		keys := map[string]string{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = followLogs(ctx, logs, []string{res.StateMachineLogGroup}, executionEventsPattern, now, 200*time.Millisecond, func(e logEvent) {
				line, ok := executionLine(e, starts, keys, consoleURL)
				if !ok {
					return
				}
				mu.Lock()
				fmt.Fprintln(std.Out, line)
				mu.Unlock()
			})
		}()
	}
	if tasks {
		c := &clients{res: res}
		groups, _ := c.functionGroups("")
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = followLogs(ctx, logs, groups, "", now, 200*time.Millisecond, func(e logEvent) {
				text, ok := renderLine(e.message)
				if !ok {
					return
				}
				mu.Lock()
				fmt.Fprintf(std.Out, "%s    %-22s %s\n", e.time().Local().Format("15:04:05.000"), c.functionOfGroup(e.group), text)
				mu.Unlock()
			})
		}()
	}
	wg.Wait()
}

// executionLine renders a Step Functions log record of an execution's start or end.
func executionLine(e logEvent, starts map[string]time.Time, keys map[string]string, consoleURL string) (string, bool) {
	var rec struct {
		Type         string `json:"type"`
		ExecutionArn string `json:"execution_arn"`
		Timestamp    string `json:"event_timestamp"`
		Details      struct {
			Input  string `json:"input"`
			Output string `json:"output"`
			Error  string `json:"error"`
			Cause  string `json:"cause"`
		} `json:"details"`
	}
	if json.Unmarshal([]byte(e.message), &rec) != nil || rec.ExecutionArn == "" {
		return "", false
	}
	ms, _ := strconv.ParseInt(rec.Timestamp, 10, 64)
	at := time.UnixMilli(ms)
	name := rec.ExecutionArn[strings.LastIndex(rec.ExecutionArn, ":")+1:]
	if rec.Type == "ExecutionStarted" {
		key := objectKeyOf(rec.Details.Input)
		if len(starts) < 10000 {
			starts[rec.ExecutionArn], keys[rec.ExecutionArn] = at, key
		}
		return fmt.Sprintf("%s  start     %-45s %9s  %s", at.Local().Format("15:04:05.000"), key, "", name), true
	}
	key, took := keys[rec.ExecutionArn], ""
	if t, ok := starts[rec.ExecutionArn]; ok {
		took = at.Sub(t).Round(time.Millisecond).String()
	}
	delete(starts, rec.ExecutionArn)
	delete(keys, rec.ExecutionArn)
	outcome, detail := "FAILED", ""
	switch rec.Type {
	case "ExecutionSucceeded":
		outcome = outcomeOf(rec.Details.Output)
	case "ExecutionAborted":
		outcome = "ABORTED"
	case "ExecutionTimedOut":
		outcome = "TIMED_OUT"
	}
	if rec.Details.Error != "" {
		detail = "  " + rec.Details.Error + ": " + firstLine(rec.Details.Cause)
	}
	if consoleURL != "" {
		detail += "  " + consoleURL + "execution?arn=" + url.QueryEscape(rec.ExecutionArn)
	}
	return fmt.Sprintf("%s  %-9s %-45s %9s  %s%s", at.Local().Format("15:04:05.000"), outcome, key, took, name, detail), true
}

// outcomeOf names what became of an object from its execution's output: stored, duplicate or rejected.
func outcomeOf(output string) string {
	var out struct {
		Stored *struct {
			Output struct{ Outcome string } `json:"output"`
		} `json:"stored"`
		Quarantined *struct{} `json:"quarantined"`
	}
	_ = json.Unmarshal([]byte(output), &out)
	switch {
	case out.Stored != nil && out.Stored.Output.Outcome != "":
		return out.Stored.Output.Outcome
	case out.Quarantined != nil:
		return "rejected"
	}
	return "succeeded"
}
