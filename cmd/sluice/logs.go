package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// runLogs prints the pipeline's log lines from CloudWatch Logs:
//
//	sluice logs [--endpoint URL] [--stack NAME] [--data .sluice] [-f] [KEY|EXECUTION-ARN|FUNCTION]
//
// With --endpoint or --stack it reads a deployed stack, its state machine and its functions' log groups
// from the stack's outputs and resources as sluice run takes them; otherwise it opens the data directory.
// For an object key or an execution, the lines its tasks logged across the three functions, in time
// order, each with the state it came from; for a function (validate, ValidateFunction or its name), every
// line of its log group; with nothing, every function's lines. -f keeps following new lines.
func runLogs(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("logs", std)
	sf := addStackFlags(fs)
	data := fs.String("data", ".sluice", "data directory to open when neither --endpoint nor --stack is given")
	template := fs.String("template", "", "a generated CloudFormation template file (default: the one built into this binary)")
	follow := fs.Bool("f", false, "follow: print new lines as they arrive, until interrupted")
	since := fs.Duration("since", 0, "only lines newer than this (e.g. 10m); 0 means all")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 1 {
		return fmt.Errorf("%w: sluice logs [-f] [KEY|EXECUTION-ARN|FUNCTION]", errUsage)
	}
	c, done, err := connect(ctx, sf, *data, *template, std)
	if err != nil {
		return err
	}
	defer done()
	logs := c.logs
	start := int64(0)
	if *since > 0 {
		start = time.Now().Add(-*since).UnixMilli()
	}

	target := fs.Arg(0)
	groups, label := c.functionGroups(target)
	pattern := ""
	if groups == nil {
		// An object or an execution: the functions' lines that name its execution, labelled with the state.
		execs, err := c.executionsOf(ctx, target)
		if err != nil {
			return err
		}
		// Lines naming the execution (the tasks log it), and the lines of the invocations the history names
		// by request id (Lambda's own start and report records among them), while the pattern stays within
		// FilterLogEvents' 1,024 characters.
		var alts, requests []string
		steps := map[string][]*step{}
		stateOf := map[string]string{} // request id -> state
		for _, d := range execs {
			arn := aws.ToString(d.ExecutionArn)
			alts = append(alts, "?"+strconv.Quote(arn))
			events, err := c.history(ctx, arn)
			if err != nil {
				return err
			}
			steps[arn] = stepsOf(events)
			for _, st := range steps[arn] {
				for _, id := range st.requests {
					stateOf[id] = st.name
					requests = append(requests, "?"+strconv.Quote(id))
				}
			}
		}
		pattern = strings.Join(alts, " ")
		if all := strings.Join(append(alts, requests...), " "); len(all) <= 1024 {
			pattern = all
		}
		groups, _ = c.functionGroups("")
		label = func(e logEvent) string {
			for id, state := range stateOf {
				if strings.Contains(e.message, id) {
					return state
				}
			}
			fn := c.functionOfGroup(e.group)
			for arn, ss := range steps {
				if strings.Contains(e.message, arn) {
					if s := stateAt(ss, fn, e.time()); s != "" {
						return s
					}
				}
			}
			return fn
		}
	}
	print := func(e logEvent) {
		text, ok := renderLine(e.message)
		if !ok {
			return
		}
		fmt.Fprintf(std.Out, "%s  %-12s %s\n", e.time().Local().Format("15:04:05.000"), label(e), text)
	}
	if *follow {
		return followLogs(ctx, logs, groups, pattern, start, 250*time.Millisecond, print)
	}
	evs, err := readLogs(ctx, logs, groups, pattern, start)
	if err != nil {
		return err
	}
	for _, e := range evs {
		print(e)
	}
	if len(evs) == 0 {
		fmt.Fprintln(std.Err, "sluice: no log lines")
	}
	return nil
}

// functionGroups resolves a function target (validate, ValidateFunction, or its name) to its log group, or
// every function's group for "", with a labeller naming the function; nil when target is not a function.
func (c *clients) functionGroups(target string) ([]string, func(logEvent) string) {
	var ids []string
	for id := range c.res.FunctionLogGroups {
		name := c.res.Functions[id]
		short := strings.ToLower(strings.TrimSuffix(id, "Function"))
		if target == "" || target == id || target == name || strings.EqualFold(target, short) || target == c.res.FunctionLogGroups[id] {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	sort.Strings(ids)
	groups := make([]string, len(ids))
	for i, id := range ids {
		groups[i] = c.res.FunctionLogGroups[id]
	}
	return groups, func(e logEvent) string { return c.functionOfGroup(e.group) }
}

// functionOfGroup names the function that logs to group.
func (c *clients) functionOfGroup(group string) string {
	for id, g := range c.res.FunctionLogGroups {
		if g == group {
			return c.res.Functions[id]
		}
	}
	return group
}

// flagError turns a flag parsing error into a usage error (help stays help).
func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return fmt.Errorf("%w: %w", errUsage, err)
}
