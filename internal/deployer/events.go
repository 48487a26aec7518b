package deployer

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// watcher follows one stack operation through the stack's events.
type watcher struct {
	d     *Deployer
	stack string          // name or id
	seen  map[string]bool // event ids already shown or older than the operation
	done  map[string]bool // logical ids of resources that reached a COMPLETE status
	total int             // resources the operation touches, for the progress count (0: unknown)
	// failed are the events of resources that failed, oldest first.
	failed []cfntypes.StackEvent
}

// newWatcher marks the stack's newest events as seen, so that only the operation's own are shown: the
// first page is enough, as DescribeStackEvents lists the newest first and the newest seen one stops the
// reading of later pages.
func (d *Deployer) newWatcher(ctx context.Context, stack string, total int) (*watcher, error) {
	w := &watcher{d: d, stack: stack, seen: map[string]bool{}, done: map[string]bool{}, total: total}
	out, err := d.CFN.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(stack)})
	if err != nil && !stackMissing(err) {
		return nil, fmt.Errorf("read the events of stack %s: %w", stack, err)
	}
	if out != nil {
		for _, e := range out.StackEvents {
			w.seen[aws.ToString(e.EventId)] = true
		}
	}
	return w, nil
}

// fresh returns the events not seen yet, oldest first, and marks them seen.
func (w *watcher) fresh(ctx context.Context) ([]cfntypes.StackEvent, error) {
	var news []cfntypes.StackEvent
	in := &cloudformation.DescribeStackEventsInput{StackName: aws.String(w.stack)}
	for {
		out, err := w.d.CFN.DescribeStackEvents(ctx, in)
		if err != nil {
			return nil, err
		}
		stop := false
		for _, e := range out.StackEvents {
			if w.seen[aws.ToString(e.EventId)] {
				stop = true
				break
			}
			news = append(news, e)
		}
		if stop || out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	slices.Reverse(news)
	for _, e := range news {
		w.seen[aws.ToString(e.EventId)] = true
	}
	return news, nil
}

// show prints an event as one line with the progress count, and keeps the failures.
func (w *watcher) show(e cfntypes.StackEvent) {
	status := string(e.ResourceStatus)
	id := aws.ToString(e.LogicalResourceId)
	isStack := aws.ToString(e.ResourceType) == "AWS::CloudFormation::Stack" && aws.ToString(e.PhysicalResourceId) == aws.ToString(e.StackId)
	if !isStack && (strings.HasSuffix(status, "_COMPLETE") || status == string(cfntypes.ResourceStatusDeleteSkipped)) {
		w.done[id] = true
	}
	if strings.HasSuffix(status, "_FAILED") {
		w.failed = append(w.failed, e)
	}
	count := fmt.Sprintf("[%d]", len(w.done))
	if w.total > 0 {
		count = fmt.Sprintf("[%d/%d]", min(len(w.done), w.total), w.total)
	}
	reason := aws.ToString(e.ResourceStatusReason)
	fmt.Fprintf(w.d.Log, "%-7s %s  %-30s %-36s %s", count, aws.ToTime(e.Timestamp).Local().Format("15:04:05"), status, aws.ToString(e.ResourceType), id)
	if reason != "" {
		fmt.Fprintf(w.d.Log, "  %s", reason)
	}
	fmt.Fprintln(w.d.Log)
}

// wait prints the operation's events until the stack reaches a status that does not end in _IN_PROGRESS,
// and returns the stack as it then is; gone reports a stack that no longer exists (deleted).
func (w *watcher) wait(ctx context.Context) (stack *cfntypes.Stack, gone bool, err error) {
	for {
		out, derr := w.d.CFN.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(w.stack)})
		// Read the events after the status, so that the last events of a finished operation are shown.
		events, eerr := w.fresh(ctx)
		for _, e := range events {
			w.show(e)
		}
		switch {
		case derr != nil && stackMissing(derr):
			return nil, true, nil
		case derr != nil:
			return nil, false, fmt.Errorf("describe stack %s: %w", w.stack, derr)
		case len(out.Stacks) == 0:
			return nil, true, nil
		}
		if eerr != nil && !stackMissing(eerr) {
			return nil, false, fmt.Errorf("read the events of stack %s: %w", w.stack, eerr)
		}
		s := out.Stacks[0]
		if !strings.HasSuffix(string(s.StackStatus), "_IN_PROGRESS") {
			return &s, false, nil
		}
		select {
		case <-ctx.Done():
			return nil, false, fmt.Errorf("wait for stack %s (still %s; the operation goes on in CloudFormation): %w", w.stack, s.StackStatus, ctx.Err())
		case <-time.After(w.d.poll()):
		}
	}
}

// WriteFailures lists failed resource events: what failed and why, oldest first.
func WriteFailures(out io.Writer, failed []cfntypes.StackEvent) {
	if len(failed) == 0 {
		return
	}
	fmt.Fprintln(out, "\nWhat failed:")
	for _, e := range failed {
		fmt.Fprintf(out, "  %s %s (%s): %s\n", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceType),
			aws.ToString(e.ResourceStatusReason))
	}
}
