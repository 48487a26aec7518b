package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"text/tabwriter"

	"github.com/sluicehq/sluice/local/stack"
)

// runDLQ lists the events a running local stack could not deliver to their targets, or redrives them:
//
//	sluice dlq [--endpoint http://127.0.0.1:4566] [--redrive [ID...]]
//
// On AWS those events land in the rule's SQS dead-letter queue; the local stack keeps them in
// EventBridge's dead-letter list instead.
func runDLQ(ctx context.Context, args []string, std stdio) error {
	fset := newFlagSet("dlq", std)
	endpoint := fset.String("endpoint", "http://127.0.0.1:4566", "the running stack (sluice up)")
	redrive := fset.Bool("redrive", false, "deliver the named dead letters again (all of them when none is named)")
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
		fmt.Fprintf(std.Out, "redriven: %d\n", out.Redriven)
		return nil
	}
	var list stack.DeadLetterList
	if err := call(ctx, http.MethodGet, *endpoint+"/_sluice/dead-letters", nil, &list); err != nil {
		return err
	}
	if len(list.DeadLetters) == 0 {
		fmt.Fprintln(std.Out, "no dead letters")
		return nil
	}
	w := tabwriter.NewWriter(std.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tRULE\tTARGET\tERROR\tRETRIES\tTIME")
	for _, d := range list.DeadLetters {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s: %s\t%s\t%s\n", d.ID, d.RuleName, d.TargetARN, d.Attributes["ERROR_CODE"],
			d.Attributes["ERROR_MESSAGE"], d.Attributes["RETRY_ATTEMPTS"], d.Time.Format("2006-01-02T15:04:05Z07:00"))
	}
	return w.Flush()
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
