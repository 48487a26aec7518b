package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// runShow tells one object's (or execution's) story as a table:
//
//	sluice show [--endpoint URL] [--stack NAME] [--data .sluice] KEY|EXECUTION-ARN
//
// With --endpoint or --stack it reads a deployed stack, its bucket and state machine from the stack's
// outputs as sluice run takes them; otherwise it opens the data directory.
// Each execution for the object: every state entered, its attempts, when and for how long, how it ended
// (the error and cause of a failure) and the S3 keys its output names; then the outputs that exist now.
func runShow(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("show", std)
	sf := addStackFlags(fs)
	data := fs.String("data", ".sluice", "data directory to open when neither --endpoint nor --stack is given")
	template := fs.String("template", "", "a generated CloudFormation template file (default: the one built into this binary)")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: sluice show KEY|EXECUTION-ARN", errUsage)
	}
	c, done, err := connect(ctx, sf, *data, *template, std)
	if err != nil {
		return err
	}
	defer done()
	execs, err := c.executionsOf(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	var outputs []string
	for _, d := range execs {
		arn := aws.ToString(d.ExecutionArn)
		start, stop := aws.ToTime(d.StartDate), aws.ToTime(d.StopDate)
		took := "running"
		if !stop.IsZero() {
			took = stop.Sub(start).Round(time.Millisecond).String()
		}
		status := string(d.Status)
		if d.Status == "SUCCEEDED" {
			status = outcomeOf(aws.ToString(d.Output))
		}
		fmt.Fprintf(std.Out, "%s  %s  %s  %s\n  %s\n", objectKeyOf(aws.ToString(d.Input)), status,
			start.Local().Format("2006-01-02 15:04:05"), took, arn)
		events, err := c.history(ctx, arn)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(std.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "\n  STATE\tATTEMPTS\tSTARTED\tDURATION\tOUTCOME\tERROR / OUTPUT")
		for _, s := range stepsOf(events) {
			dur := ""
			if !s.exited.IsZero() {
				dur = s.exited.Sub(s.entered).Round(time.Millisecond).String()
			}
			attempts := ""
			if s.attempts > 0 {
				attempts = fmt.Sprint(s.attempts)
			}
			detail := s.detail
			if len(s.outputs) > 0 {
				detail = strings.TrimSpace(detail + " " + strings.Join(s.outputs, ", "))
			}
			outputs = append(outputs, s.outputs...)
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\t%s\n", s.name, attempts, s.entered.Local().Format("15:04:05.000"), dur, s.outcome, detail)
		}
		w.Flush()
		if d.Error != nil {
			fmt.Fprintf(std.Out, "  %s: %s\n", aws.ToString(d.Error), firstLine(aws.ToString(d.Cause)))
		}
		fmt.Fprintln(std.Out)
	}
	fmt.Fprintln(std.Out, "outputs in s3://"+c.res.Bucket+":")
	seen := map[string]bool{}
	n := 0
	for _, k := range outputs {
		if seen[k] || strings.HasPrefix(k, "staging/") {
			continue
		}
		seen[k] = true
		state := "present"
		if !c.exists(ctx, k) {
			state = "absent"
		}
		fmt.Fprintf(std.Out, "  %-8s %s\n", state, k)
		n++
	}
	if n == 0 {
		fmt.Fprintln(std.Out, "  (none)")
	}
	fmt.Fprintf(std.Out, "\nlogs: %s logs %s%s\n", selfCommand(), sf.args(), fs.Arg(0))
	return nil
}

func endpointFlag(endpoint string) string {
	if endpoint == "" {
		return ""
	}
	return "--endpoint " + endpoint + " "
}
