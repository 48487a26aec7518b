package deployer

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// Package is a file uploaded to the artifact bucket before the change set, such as a function's zip.
type Package struct {
	Key         string // content-addressed key in the artifact bucket
	ContentType string
	Body        []byte
}

// Input says what to deploy.
type Input struct {
	Stack    string
	Template []byte
	// ArtifactBucket is the bucket for the packages and the template; "" resolves the default one
	// (ResolveBucket).
	ArtifactBucket string
	// KeyPrefix is the prefix of the template's key in the artifact bucket ("sluice/").
	KeyPrefix string
	Packages  []Package
	// Parameters are parameter values. BucketParameter, when set, names the parameter that gets the
	// artifact bucket. On an update, a template parameter given no value keeps the stack's.
	Parameters      map[string]string
	BucketParameter string
	Capabilities    []cfntypes.Capability
	// Execute runs the change set; without it the deploy stops once the change set is shown.
	Execute bool
	// Confirm, when set, is asked before the change set runs; false leaves it unexecuted.
	Confirm func() (bool, error)
}

// Result is what a deploy did.
type Result struct {
	Bucket      string
	StackID     string
	ChangeSetID string
	Changes     []cfntypes.Change
	// NoChanges: the template and parameters are what the stack already runs; nothing was deployed.
	NoChanges bool
	// Executed: the change set ran; Stack is the stack after it.
	Executed bool
	Stack    *cfntypes.Stack
}

// Deploy uploads, makes and shows a change set, and runs it if asked (see the package doc). A change set
// that fails for no changes ends the deploy with Result.NoChanges and no error; a stack operation that
// ends in anything but CREATE_COMPLETE or UPDATE_COMPLETE returns ErrStackFailed, after the failed
// resources' events are written to d.Out.
func (d *Deployer) Deploy(ctx context.Context, in Input) (Result, error) {
	var res Result
	bucket, err := d.ResolveBucket(ctx, in.ArtifactBucket)
	if err != nil {
		return res, err
	}
	res.Bucket = bucket
	for _, p := range in.Packages {
		if _, err := d.Upload(ctx, bucket, p.Key, p.ContentType, p.Body); err != nil {
			return res, err
		}
	}
	// The template goes by URL: a TemplateBody is at most 51,200 bytes
	// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
	key := TemplateKey(in.KeyPrefix, in.Template)
	if _, err := d.Upload(ctx, bucket, key, "application/json", in.Template); err != nil {
		return res, err
	}
	templateURL, err := d.ObjectURL(ctx, bucket, key)
	if err != nil {
		return res, err
	}

	kind, previous, err := d.changeSetType(ctx, in.Stack)
	if err != nil {
		return res, err
	}
	params := map[string]string{}
	for k, v := range in.Parameters {
		params[k] = v
	}
	if in.BucketParameter != "" {
		params[in.BucketParameter] = bucket
	}
	parameters, err := changeSetParameters(in.Template, params, previous)
	if err != nil {
		return res, err
	}
	name := changeSetName("sluice", d.now())
	created, err := d.CFN.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
		StackName:     aws.String(in.Stack),
		ChangeSetName: aws.String(name),
		ChangeSetType: kind,
		TemplateURL:   aws.String(templateURL),
		Parameters:    parameters,
		Capabilities:  in.Capabilities,
		Description:   aws.String("sluice deploy"),
	})
	if err != nil {
		return res, fmt.Errorf("create change set: %w", err)
	}
	res.ChangeSetID, res.StackID = aws.ToString(created.Id), aws.ToString(created.StackId)
	fmt.Fprintf(d.Log, "waiting for change set %s (%s) of stack %s\n", name, kind, in.Stack)
	cs, err := d.waitChangeSet(ctx, res.ChangeSetID)
	if err != nil {
		return res, err
	}
	if cs.Status != cfntypes.ChangeSetStatusCreateComplete {
		reason := aws.ToString(cs.StatusReason)
		if emptyChangeSet(reason) {
			// An empty change set is kept as FAILED by CloudFormation: delete it, it will never run.
			if _, err := d.CFN.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String(res.ChangeSetID)}); err != nil {
				fmt.Fprintf(d.Log, "could not delete the empty change set %s: %v\n", name, err)
			}
			res.NoChanges = true
			fmt.Fprintf(d.Out, "No changes to deploy: stack %s is up to date.\n", in.Stack)
			return res, nil
		}
		return res, fmt.Errorf("%w: %s: %s", ErrChangeSetFailed, cs.Status, reason)
	}
	res.Changes = cs.Changes
	fmt.Fprintf(d.Out, "Change set %s for stack %s (%s):\n\n", name, in.Stack, kind)
	if err := WriteChanges(d.Out, cs.Changes); err != nil {
		return res, err
	}
	fmt.Fprintln(d.Out)
	if !in.Execute {
		return res, nil
	}
	if in.Confirm != nil {
		ok, err := in.Confirm()
		if err != nil || !ok {
			return res, err
		}
	}
	w, err := d.newWatcher(ctx, res.StackID, len(cs.Changes))
	if err != nil {
		return res, err
	}
	if _, err := d.CFN.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: aws.String(res.ChangeSetID)}); err != nil {
		return res, fmt.Errorf("execute change set: %w", err)
	}
	res.Executed = true
	st, gone, err := w.wait(ctx)
	if err != nil {
		return res, err
	}
	if gone {
		return res, fmt.Errorf("%w: stack %s is gone", ErrStackFailed, in.Stack)
	}
	res.Stack = st
	switch st.StackStatus {
	case cfntypes.StackStatusCreateComplete, cfntypes.StackStatusUpdateComplete:
		return res, nil
	}
	WriteFailures(d.Out, w.failed)
	reason := ""
	if r := aws.ToString(st.StackStatusReason); r != "" {
		reason = " (" + r + ")"
	}
	return res, fmt.Errorf("%w: stack %s ended in %s%s", ErrStackFailed, in.Stack, st.StackStatus, reason)
}

// changeSetType is CREATE for a stack that does not exist or was never created (REVIEW_IN_PROGRESS: only
// a CREATE change set was made), UPDATE for one that can be updated, with its parameters; ErrStackBusy for
// one in an operation or left by a failed create, which can only be deleted
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html#cfn-console-view-stack-data-resources-status-codes).
func (d *Deployer) changeSetType(ctx context.Context, stack string) (cfntypes.ChangeSetType, []cfntypes.Parameter, error) {
	out, err := d.CFN.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	switch {
	case stackMissing(err):
		return cfntypes.ChangeSetTypeCreate, nil, nil
	case err != nil:
		return "", nil, fmt.Errorf("describe stack %s: %w", stack, err)
	case len(out.Stacks) == 0:
		return cfntypes.ChangeSetTypeCreate, nil, nil
	}
	s := out.Stacks[0]
	switch status := s.StackStatus; {
	case status == cfntypes.StackStatusReviewInProgress:
		return cfntypes.ChangeSetTypeCreate, nil, nil
	case status == cfntypes.StackStatusRollbackComplete, status == cfntypes.StackStatusRollbackFailed, status == cfntypes.StackStatusDeleteFailed:
		return "", nil, fmt.Errorf("%w: stack %s is %s after a failed create or delete and can only be deleted: run sluice destroy, then deploy again", ErrStackBusy, stack, status)
	case strings.HasSuffix(string(status), "_IN_PROGRESS"):
		return "", nil, fmt.Errorf("%w: stack %s is %s: wait for it to end", ErrStackBusy, stack, status)
	}
	return cfntypes.ChangeSetTypeUpdate, s.Parameters, nil
}

// changeSetParameters gives each of the template's parameters its value in values, else, on an update,
// the stack's previous value (UsePreviousValue), else nothing (its default). A value for a parameter the
// template does not declare is an error, as CloudFormation would make it.
func changeSetParameters(template []byte, values map[string]string, previous []cfntypes.Parameter) ([]cfntypes.Parameter, error) {
	var doc struct {
		Parameters map[string]json.RawMessage `json:"Parameters"`
	}
	if err := json.Unmarshal(template, &doc); err != nil {
		return nil, fmt.Errorf("read the template's parameters (a JSON template): %w", err)
	}
	had := map[string]bool{}
	for _, p := range previous {
		had[aws.ToString(p.ParameterKey)] = true
	}
	for k := range values {
		if _, ok := doc.Parameters[k]; !ok {
			return nil, fmt.Errorf("parameter %s: the template declares no such parameter", k)
		}
	}
	var out []cfntypes.Parameter
	for k := range doc.Parameters {
		switch v, ok := values[k]; {
		case ok:
			out = append(out, cfntypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)})
		case had[k]:
			out = append(out, cfntypes.Parameter{ParameterKey: aws.String(k), UsePreviousValue: aws.Bool(true)})
		}
	}
	slices.SortFunc(out, func(a, b cfntypes.Parameter) int { return strings.Compare(*a.ParameterKey, *b.ParameterKey) })
	return out, nil
}
