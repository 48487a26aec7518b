package stack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/local/cloudformation"
	"github.com/sluicehq/sluice/local/cloudformation/template"
	"github.com/sluicehq/sluice/local/lambda"
)

// functionHost registers the in-process handlers of a stack's AWS::Lambda::Function resources with the
// local Lambda, by logical id (Config.Functions), with the timeout, memory, reserved concurrency,
// environment and LoggingConfig CloudFormation resolved.
type functionHost struct{ st *Stack }

var _ cloudformation.FunctionHost = functionHost{}

func (h functionHost) PutFunction(_ context.Context, f cloudformation.Function) error {
	st := h.st
	factory := st.cfg.Functions[f.LogicalID]
	if factory == nil {
		return fmt.Errorf("function %s has no local handler (the local runtime runs in-process Go handlers, mapped by logical id)", f.LogicalID)
	}
	p := f.Properties
	env := map[string]string{}
	if m, ok := p["Environment"].(map[string]any); ok {
		if vars, ok := m["Variables"].(map[string]any); ok {
			for k, v := range vars {
				env[k] = fmt.Sprint(v)
			}
		}
	}
	logging := map[string]string{}
	if m, ok := p["LoggingConfig"].(map[string]any); ok {
		for _, k := range []string{"LogFormat", "LogGroup", "ApplicationLogLevel", "SystemLogLevel"} {
			if s, ok := m[k].(string); ok {
				logging[k] = s
			}
		}
	}
	url, transport := st.url, st.inProcess
	return st.Lambda.Register(lambda.Function{
		Name: f.Name,
		NewHandler: func(rt lambda.Runtime) awslambda.Handler {
			rt.Transport = transport
			return factory(rt, url)
		},
		Timeout:             seconds(p["Timeout"], 3*time.Second),
		MemoryMB:            int(seconds(p["MemorySize"], 128*time.Second) / time.Second),
		Environment:         env,
		Concurrency:         int(seconds(p["ReservedConcurrentExecutions"], 0) / time.Second),
		LogFormat:           logging["LogFormat"],
		LogGroup:            logging["LogGroup"],
		ApplicationLogLevel: logging["ApplicationLogLevel"],
		SystemLogLevel:      logging["SystemLogLevel"],
	})
}

func (h functionHost) DeleteFunction(_ context.Context, name string) error {
	h.st.Lambda.Unregister(name)
	return nil
}

// localParameters are the values the pipeline template's parameters without a default get locally:
// the functions' code is in-process, so the artifact bucket and code keys only name placeholders.
var localParameters = map[string]string{
	"ValidateCodeKey": "local/validate.zip",
	"ProcessCodeKey":  "local/process.zip",
	"StoreCodeKey":    "local/store.zip",
}

// deployParameters are the parameter values a deploy passes: Config.Parameters, and for the template's
// parameters that have no default, the local placeholders.
func (st *Stack) deployParameters(body []byte) ([]cfntypes.Parameter, error) {
	t, err := template.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	values := map[string]string{}
	for _, name := range t.ParameterNames() {
		if t.Parameters[name].Default != nil {
			continue
		}
		switch {
		case name == "ArtifactBucket":
			values[name] = st.artifactBucket()
		case localParameters[name] != "":
			values[name] = localParameters[name]
		}
	}
	for k, v := range st.cfg.Parameters {
		values[k] = v
	}
	var out []cfntypes.Parameter
	for _, name := range t.ParameterNames() {
		if v, ok := values[name]; ok {
			out = append(out, cfntypes.Parameter{ParameterKey: aws.String(name), ParameterValue: aws.String(v)})
		}
	}
	return out, nil
}

// artifactBucket is the local bucket deploys upload templates to (as `aws cloudformation deploy
// --s3-bucket` does: a template over 51,200 bytes must come from S3).
func (st *Stack) artifactBucket() string { return strings.ToLower(st.cfg.StackName) + "-artifacts" }

// DeployError is a deploy that failed: the stack's status and the reason its events give.
type DeployError struct {
	Stack, Status, Reason string
}

func (e *DeployError) Error() string {
	return fmt.Sprintf("deploy stack %s: %s: %s", e.Stack, e.Status, e.Reason)
}

// Deploy creates or updates the stack (Config.StackName) from a template through the local
// CloudFormation API, as `aws cloudformation deploy` does: upload the template to the artifact bucket,
// create a change set, execute it, wait for the stack. A template that changes nothing is no error.
// A failure rolls the stack back and returns a *DeployError naming the resource and the reason.
func (st *Stack) Deploy(ctx context.Context, body []byte) error {
	st.deployMu.Lock()
	defer st.deployMu.Unlock()
	params, err := st.deployParameters(body)
	if err != nil {
		return err
	}
	creds := credentials.NewStaticCredentialsProvider("local", "local", "")
	c := cfn.New(cfn.Options{Region: st.cfg.Region, BaseEndpoint: aws.String(st.url), Credentials: creds})
	name := st.cfg.StackName
	typ := cfntypes.ChangeSetTypeCreate
	// An operation in progress (one a stop interrupted, finishing) ends first.
	current, err := waitStack(ctx, c, name)
	switch {
	case err != nil && !isStackMissing(err):
		return fmt.Errorf("describe stack %s: %w", name, err)
	case err == nil:
		switch status := current.StackStatus; status {
		case cfntypes.StackStatusReviewInProgress:
		case cfntypes.StackStatusRollbackComplete, cfntypes.StackStatusRollbackFailed, cfntypes.StackStatusCreateFailed:
			// A stack whose creation failed can only be deleted (as in AWS); then it is created afresh.
			if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String(name)}); err != nil {
				return fmt.Errorf("delete failed stack %s: %w", name, err)
			}
			if _, err := waitStack(ctx, c, name); err != nil && !isStackMissing(err) {
				return err
			}
		default:
			typ = cfntypes.ChangeSetTypeUpdate
		}
	}
	in := &cfn.CreateChangeSetInput{StackName: aws.String(name), ChangeSetType: typ, Parameters: params,
		ChangeSetName: aws.String("sluice-up-" + strconv.FormatInt(time.Now().UnixNano(), 36)),
		Capabilities:  []cfntypes.Capability{cfntypes.CapabilityCapabilityIam, cfntypes.CapabilityCapabilityNamedIam}}
	if len(body) > 51_200 {
		url, err := st.uploadTemplate(ctx, body)
		if err != nil {
			return err
		}
		in.TemplateURL = aws.String(url)
	} else {
		in.TemplateBody = aws.String(string(body))
	}
	cs, err := c.CreateChangeSet(ctx, in)
	if err != nil {
		return fmt.Errorf("create change set: %w", err)
	}
	desc, err := c.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: cs.Id})
	if err != nil {
		return fmt.Errorf("describe change set: %w", err)
	}
	if desc.Status == cfntypes.ChangeSetStatusFailed {
		_, _ = c.DeleteChangeSet(ctx, &cfn.DeleteChangeSetInput{ChangeSetName: cs.Id})
		if strings.Contains(aws.ToString(desc.StatusReason), "didn't contain changes") {
			return nil
		}
		return fmt.Errorf("change set: %s", aws.ToString(desc.StatusReason))
	}
	if _, err := c.ExecuteChangeSet(ctx, &cfn.ExecuteChangeSetInput{ChangeSetName: cs.Id}); err != nil {
		return fmt.Errorf("execute change set: %w", err)
	}
	final, err := waitStack(ctx, c, name)
	if err != nil {
		return err
	}
	switch final.StackStatus {
	case cfntypes.StackStatusCreateComplete, cfntypes.StackStatusUpdateComplete:
		return nil
	}
	return &DeployError{Stack: name, Status: string(final.StackStatus), Reason: failureReason(ctx, c, name, final)}
}

// failureReason is the first failed resource's reason among the stack's latest events.
func failureReason(ctx context.Context, c *cfn.Client, name string, final cfntypes.Stack) string {
	ev, err := c.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: final.StackId})
	if err == nil {
		for i := len(ev.StackEvents) - 1; i >= 0; i-- { // oldest first
			e := ev.StackEvents[i]
			if strings.HasSuffix(string(e.ResourceStatus), "_FAILED") && aws.ToString(e.LogicalResourceId) != name {
				return aws.ToString(e.LogicalResourceId) + ": " + aws.ToString(e.ResourceStatusReason)
			}
		}
	}
	return aws.ToString(final.StackStatusReason)
}

// waitStack polls the stack until no operation is in progress.
func waitStack(ctx context.Context, c *cfn.Client, name string) (cfntypes.Stack, error) {
	deadline := time.Now().Add(5 * time.Minute)
	for {
		out, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String(name)})
		if err != nil {
			return cfntypes.Stack{}, err
		}
		s := out.Stacks[0]
		if !strings.HasSuffix(string(s.StackStatus), "_IN_PROGRESS") {
			return s, nil
		}
		if time.Now().After(deadline) {
			return s, fmt.Errorf("stack %s still %s after 5 minutes", name, s.StackStatus)
		}
		select {
		case <-ctx.Done():
			return s, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func isStackMissing(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist")
}

// uploadTemplate puts the template in the artifact bucket under its hash and returns its URL.
func (st *Stack) uploadTemplate(ctx context.Context, body []byte) (string, error) {
	c := s3.New(s3.Options{Region: st.cfg.Region, BaseEndpoint: aws.String(st.url), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider("local", "local", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired})
	bucket := st.artifactBucket()
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	var owned *s3types.BucketAlreadyOwnedByYou
	var exists *s3types.BucketAlreadyExists // the local S3 has one owner: the bucket is ours
	if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
		return "", fmt.Errorf("create artifact bucket %s: %w", bucket, err)
	}
	sum := sha256.Sum256(body)
	key := "templates/" + hex.EncodeToString(sum[:16]) + ".json"
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(string(body))}); err != nil {
		return "", fmt.Errorf("upload template: %w", err)
	}
	return st.url + "/" + bucket + "/" + key, nil
}

// Resources names what the stack's CloudFormation stack holds (empty when none is deployed): the
// pipeline bucket is the bucket with EventBridge notifications on.
func (st *Stack) Resources() Resources {
	r := Resources{Functions: map[string]string{}, FunctionLogGroups: map[string]string{}}
	if st.CloudFormation == nil {
		return r
	}
	list, _ := st.CloudFormation.StackResources(st.cfg.StackName)
	for _, res := range list {
		p := res.Properties
		switch res.Type {
		case "AWS::S3::Bucket":
			if p["NotificationConfiguration"] != nil {
				r.Bucket = res.Name
			}
		case "AWS::StepFunctions::StateMachine":
			r.StateMachineArn = res.PhysicalID
			if cfg, ok := p["LoggingConfiguration"].(map[string]any); ok {
				dests, _ := cfg["Destinations"].([]any)
				if len(dests) > 0 {
					d, _ := dests[0].(map[string]any)
					g, _ := d["CloudWatchLogsLogGroup"].(map[string]any)
					arn, _ := g["LogGroupArn"].(string)
					if i := strings.Index(arn, ":log-group:"); i >= 0 {
						r.StateMachineLogGroup = strings.TrimSuffix(arn[i+len(":log-group:"):], ":*")
					}
				}
			}
		case "AWS::Lambda::Function":
			r.Functions[res.LogicalID] = res.Name
			r.FunctionLogGroups[res.LogicalID] = "/aws/lambda/" + res.Name
			if cfg, ok := p["LoggingConfig"].(map[string]any); ok {
				if g, _ := cfg["LogGroup"].(string); g != "" {
					r.FunctionLogGroups[res.LogicalID] = g
				}
			}
		case "AWS::Events::Rule":
			r.Rules = append(r.Rules, res.Name)
		}
	}
	return r
}

// dashboard is the body of the stack's first CloudWatch dashboard ("" when it has none).
func (st *Stack) dashboard() string {
	if st.CloudFormation == nil {
		return ""
	}
	list, _ := st.CloudFormation.StackResources(st.cfg.StackName)
	for _, res := range list {
		if body, ok := res.Properties["DashboardBody"].(string); ok && res.Type == "AWS::CloudWatch::Dashboard" {
			return body
		}
	}
	return ""
}

// StackName is the CloudFormation stack the stack deploys its template as.
func (st *Stack) StackName() string { return st.cfg.StackName }

// StartDeployError is the error of the deploy at start when it was an update that rolled back: the
// stack started with the resources it had, and this says why the template's changes are not in it
// (nil when the deploy succeeded).
func (st *Stack) StartDeployError() error { return st.startDeployErr }
