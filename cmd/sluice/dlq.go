package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sluicehq/sluice/local/events"
	"github.com/sluicehq/sluice/local/stack"
)

// runDLQ lists the events a running local stack could not deliver to their targets, or redrives them:
//
//	sluice dlq [--endpoint http://127.0.0.1:4566] [--json] [--redrive [ID...]]
//
// On AWS those events land in the rule's SQS dead-letter queue; the local stack keeps them in
// EventBridge's dead-letter list instead.
func runDLQ(ctx context.Context, args []string, std stdio) error {
	fset := newFlagSet("dlq", std)
	endpoint := fset.String("endpoint", "http://127.0.0.1:4566", "the running stack (sluice up)")
	redrive := fset.Bool("redrive", false, "deliver the named dead letters again (all of them when none is named)")
	asJSON := fset.Bool("json", false, "print the dead letters as JSON (every field, for scripts)")
	fset.Usage = func() {
		fmt.Fprint(fset.Output(), `usage: sluice dlq [flags]
       sluice dlq --redrive [ID...]

Lists the events the running stack could not deliver to their targets (the local stand-in for the rule's
SQS dead-letter queue): the dead letter's ID, the object key of the S3 event, the reason, its age and the
retries made. With --redrive it delivers the dead letters with the given IDs again, or all of them.

flags:
`)
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if !*redrive && fset.NArg() > 0 {
		return fmt.Errorf("%w: dead-letter ids go with --redrive", errUsage)
	}
	if *redrive {
		body, err := json.Marshal(stack.RedriveRequest{IDs: fset.Args()})
		if err != nil {
			return err
		}
		var out stack.RedriveResult
		if err := call(ctx, http.MethodPost, *endpoint+"/_sluice/dead-letters/redrive", body, &out); err != nil {
			return err
		}
		fmt.Fprintf(std.Out, "redriven: %s\n", plural(out.Redriven, "event"))
		return nil
	}
	var list stack.DeadLetterList
	if err := call(ctx, http.MethodGet, *endpoint+"/_sluice/dead-letters", nil, &list); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(std.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	if len(list.DeadLetters) == 0 {
		fmt.Fprintln(std.Out, "no dead letters")
		return nil
	}
	printDeadLetters(std.Out, list.DeadLetters, time.Now())
	return nil
}

// printDeadLetters writes one line per dead letter, narrow enough for a terminal: the ID (for
// --redrive), the object key of its S3 event, the reason (error code and message, cut short), the age
// and the retries. sluice dlq --json has every field.
func printDeadLetters(w io.Writer, letters []events.DeadLetter, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKEY\tREASON\tAGE\tRETRIES")
	for _, d := range letters {
		var ev struct {
			Detail struct {
				Object struct {
					Key string `json:"key"`
				} `json:"object"`
			} `json:"detail"`
		}
		_ = json.Unmarshal(d.Event, &ev)
		key := ev.Detail.Object.Key
		if key == "" {
			key = "-"
		}
		reason := d.Attributes["ERROR_CODE"]
		if msg := d.Attributes["ERROR_MESSAGE"]; msg != "" {
			reason += ": " + msg
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, shorten(key, 60), shorten(reason, 70), age(now.Sub(d.Time)), d.Attributes["RETRY_ATTEMPTS"])
	}
	tw.Flush()
}

// shorten cuts s to at most n runes, marking the cut.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// age writes a duration the way people say it: 45s, 12m, 3h, 2d.
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(max(d, 0)/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

func call(ctx context.Context, method, url string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json") // the local API refuses form content types
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("is a stack running (sluice up)? %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct{ Message string }
		_ = json.NewDecoder(resp.Body).Decode(&e) // best effort: without a message the status still says what failed
		return fmt.Errorf("%s %s: %s %s", method, url, resp.Status, e.Message)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
