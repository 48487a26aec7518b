package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// liveLimit bounds one event stream; the browser's EventSource reconnects by itself after it.
const liveLimit = 10 * time.Minute

// live streams server-sent events for an execution: one "change" event each time its status or the
// length of its history changes, and a last one when it ends. The page then redraws itself.
func (c *Console) live(w http.ResponseWriter, r *http.Request) {
	arn := r.URL.Query().Get("arn")
	if arn == "" {
		c.liveList(w, r)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ctx := r.Context()
	tick := time.NewTicker(c.poll)
	defer tick.Stop()
	deadline := time.After(liveLimit)
	fmt.Fprintf(w, ": watching %s\n\n", arn)
	flusher.Flush()
	lastStatus, lastID := "", int64(-1)
	if v := r.URL.Query().Get("events"); v != "" {
		_, _ = fmt.Sscan(v, &lastID)
	}
	for {
		d, err := c.describe(ctx, arn)
		if err != nil {
			fmt.Fprintf(w, "event: gone\ndata: {}\n\n")
			flusher.Flush()
			return
		}
		var out struct {
			Events []struct {
				ID int64 `json:"id"`
			} `json:"events"`
		}
		in := map[string]any{"executionArn": arn, "maxResults": 1, "reverseOrder": true, "includeExecutionData": false}
		if err := c.sfn.Call(ctx, "AWSStepFunctions.GetExecutionHistory", in, &out); err != nil {
			return
		}
		id := int64(0)
		if len(out.Events) > 0 {
			id = out.Events[0].ID
		}
		if d.Status != lastStatus || id != lastID {
			if lastStatus != "" || (lastID >= 0 && id != lastID) {
				b, _ := json.Marshal(map[string]any{"status": d.Status, "events": id})
				fmt.Fprintf(w, "event: change\ndata: %s\n\n", b)
				flusher.Flush()
			}
			lastStatus, lastID = d.Status, id
		}
		if d.Status != "RUNNING" {
			fmt.Fprintf(w, "event: end\ndata: {}\n\n")
			flusher.Flush()
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-deadline:
			return
		case <-tick.C:
		}
	}
}

// liveList streams a "change" event each time a state machine's list of executions changes: one starts,
// or a running one ends. It compares the newest page and the running ones between polls.
func (c *Console) liveList(w http.ResponseWriter, r *http.Request) {
	machine := r.URL.Query().Get("sm")
	flusher, ok := w.(http.Flusher)
	if !ok || machine == "" {
		http.Error(w, "streaming needs a state machine (sm)", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ctx := r.Context()
	tick := time.NewTicker(c.poll * 2)
	defer tick.Stop()
	deadline := time.After(liveLimit)
	fmt.Fprintf(w, ": watching %s\n\n", machine)
	flusher.Flush()
	last := ""
	for {
		newest, _, err := c.listPage(ctx, machine, "", "", 20)
		if err != nil {
			fmt.Fprintf(w, "event: gone\ndata: {}\n\n")
			flusher.Flush()
			return
		}
		running, _, err := c.listPage(ctx, machine, "RUNNING", "", 100)
		if err != nil {
			return
		}
		var sig strings.Builder
		for _, it := range append(newest, running...) {
			sig.WriteString(it.ExecutionArn + "=" + it.Status + ";")
		}
		if last != "" && sig.String() != last {
			fmt.Fprintf(w, "event: change\ndata: {}\n\n")
			flusher.Flush()
		}
		last = sig.String()
		select {
		case <-ctx.Done():
			return
		case <-deadline:
			return
		case <-tick.C:
		}
	}
}
