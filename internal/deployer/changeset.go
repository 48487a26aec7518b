package deployer

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/sluicehq/sluice/internal/uuid"
)

// emptyChangeSet reports whether a FAILED change set's reason says it has no changes. CloudFormation marks
// such a change set FAILED, with one of these reasons; nothing else tells it apart.
func emptyChangeSet(reason string) bool {
	return strings.Contains(reason, "didn't contain changes") || strings.Contains(reason, "No updates are to be performed")
}

// changeSetName names a change set by its time and a random suffix, so that two deploys in one second
// do not collide: [a-zA-Z][-a-zA-Z0-9]*, at most 128 characters
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html).
func changeSetName(prefix string, t time.Time) string {
	return prefix + "-" + t.UTC().Format("20060102-150405") + "-" + uuid.New()[:8]
}

// waitChangeSet polls the change set until CloudFormation has made it (CREATE_COMPLETE) or given up
// (FAILED), and returns it with every page of its changes.
func (d *Deployer) waitChangeSet(ctx context.Context, id string) (*cloudformation.DescribeChangeSetOutput, error) {
	for {
		cs, err := d.CFN.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(id)})
		if err != nil {
			return nil, fmt.Errorf("describe change set: %w", err)
		}
		switch cs.Status {
		case cfntypes.ChangeSetStatusCreateComplete:
			return d.allChanges(ctx, id, cs)
		case cfntypes.ChangeSetStatusFailed, cfntypes.ChangeSetStatusDeleteComplete, cfntypes.ChangeSetStatusDeleteFailed:
			return cs, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for change set %s: %w", id, ctx.Err())
		case <-time.After(d.poll()):
		}
	}
}

// allChanges appends the changes of the change set's further pages to first's.
func (d *Deployer) allChanges(ctx context.Context, id string, first *cloudformation.DescribeChangeSetOutput) (*cloudformation.DescribeChangeSetOutput, error) {
	for token := first.NextToken; token != nil; {
		page, err := d.CFN.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(id), NextToken: token})
		if err != nil {
			return nil, fmt.Errorf("describe change set: %w", err)
		}
		first.Changes = append(first.Changes, page.Changes...)
		token = page.NextToken
	}
	first.NextToken = nil
	return first, nil
}

// WriteChanges renders a change set's resource changes as a table: the action, the logical id, the
// resource type and whether a modification replaces the resource (True, False or Conditional, as
// CloudFormation says; "-" for additions and removals, where it does not apply).
func WriteChanges(w io.Writer, changes []cfntypes.Change) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tLOGICAL ID\tTYPE\tREPLACEMENT")
	for _, c := range changes {
		rc := c.ResourceChange
		if rc == nil {
			continue
		}
		replacement := string(rc.Replacement)
		if rc.Action != cfntypes.ChangeActionModify || replacement == "" {
			replacement = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", rc.Action, aws.ToString(rc.LogicalResourceId), aws.ToString(rc.ResourceType), replacement)
	}
	return tw.Flush()
}
