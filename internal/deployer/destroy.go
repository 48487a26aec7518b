package deployer

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// Kept is a resource a stack's deletion leaves in place, as its DeletionPolicy says.
type Kept struct {
	LogicalID, Type, PhysicalID string
	Policy                      string // Retain or RetainExceptOnCreate
}

// Kept lists the stack's resources whose DeletionPolicy keeps them when the stack is deleted
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html),
// read from the stack's template (GetTemplate) and resources. The second result is the number of the
// stack's resources.
func (d *Deployer) Kept(ctx context.Context, stack string) ([]Kept, int, error) {
	tpl, err := d.CFN.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String(stack),
		TemplateStage: cfntypes.TemplateStageOriginal})
	if err != nil {
		return nil, 0, fmt.Errorf("get the template of stack %s: %w", stack, err)
	}
	var doc struct {
		Resources map[string]struct {
			Type           string `json:"Type"`
			DeletionPolicy string `json:"DeletionPolicy"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(tpl.TemplateBody)), &doc); err != nil {
		return nil, 0, fmt.Errorf("read the template of stack %s (a JSON template): %w", stack, err)
	}
	physical := map[string]string{}
	n := 0
	in := &cloudformation.ListStackResourcesInput{StackName: aws.String(stack)}
	for {
		out, err := d.CFN.ListStackResources(ctx, in)
		if err != nil {
			return nil, 0, fmt.Errorf("list the resources of stack %s: %w", stack, err)
		}
		for _, r := range out.StackResourceSummaries {
			physical[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
			n++
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	var kept []Kept
	for id, r := range doc.Resources {
		if r.DeletionPolicy == "Retain" || r.DeletionPolicy == "RetainExceptOnCreate" {
			if p, ok := physical[id]; ok && p != "" {
				kept = append(kept, Kept{LogicalID: id, Type: r.Type, PhysicalID: p, Policy: r.DeletionPolicy})
			}
		}
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].LogicalID < kept[j].LogicalID })
	return kept, n, nil
}

// DestroyResult is what a destroy did.
type DestroyResult struct {
	StackID string
	Kept    []Kept
	Deleted bool // false: declined at the prompt
}

// Destroy deletes the stack and waits for it to be gone. It wraps ErrNoStack when there is no such stack,
// and ErrStackFailed when the deletion ends in DELETE_FAILED (the failed resources' events are written to
// d.Out). confirm, when set, is asked with the resources that will be kept before anything is deleted.
func (d *Deployer) Destroy(ctx context.Context, stack string, confirm func([]Kept) (bool, error)) (DestroyResult, error) {
	var res DestroyResult
	out, err := d.CFN.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if stackMissing(err) || (err == nil && len(out.Stacks) == 0) {
		return res, fmt.Errorf("%w: %s", ErrNoStack, stack)
	}
	if err != nil {
		return res, fmt.Errorf("describe stack %s: %w", stack, err)
	}
	res.StackID = aws.ToString(out.Stacks[0].StackId)
	kept, n, err := d.Kept(ctx, res.StackID)
	if err != nil {
		// Not knowing what stays is no reason to keep the stack: say so and go on.
		fmt.Fprintf(d.Log, "cannot tell which resources the deletion keeps: %v\n", err)
	}
	res.Kept = kept
	if confirm != nil {
		ok, err := confirm(kept)
		if err != nil || !ok {
			return res, err
		}
	}
	// By the stack's id from here: once deleted, the name no longer finds it.
	w, err := d.newWatcher(ctx, res.StackID, n)
	if err != nil {
		return res, err
	}
	if _, err := d.CFN.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(res.StackID)}); err != nil {
		return res, fmt.Errorf("delete stack %s: %w", stack, err)
	}
	st, gone, err := w.wait(ctx)
	if err != nil {
		return res, err
	}
	if gone || st.StackStatus == cfntypes.StackStatusDeleteComplete {
		res.Deleted = true
		return res, nil
	}
	WriteFailures(d.Out, w.failed)
	return res, fmt.Errorf("%w: stack %s ended in %s %s", ErrStackFailed, stack, st.StackStatus, aws.ToString(st.StackStatusReason))
}
