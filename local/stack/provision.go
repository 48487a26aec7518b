package stack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// Resources are provisioned through the AWS API of the stack's own endpoint, with the real SDK, as
// CloudFormation's resource handlers call the services' public APIs, and never through a service's Go
// methods:
//   - a template is checked as AWS would check it: a property the service rejects fails provisioning with
//     the error a user's CLI call would get, so local configuration stays cloud configuration;
//   - services never import each other, and a CloudFormation service (local/cloudformation) cannot reach
//     another service's Go methods at all: over the endpoint it needs only SDK clients, and this table can
//     move there unchanged;
//   - what the stack creates is exactly what a client sees and can change through the same API.
//
// The one exception is AWS::Lambda::Function: its code is an in-process Go handler, which no AWS API can
// carry (CreateFunction takes a zip), and the functions must exist before Step Functions resumes the
// executions that call them, so open registers them with lambda.Server.Register (registerFunctions).

// provisioner creates, or on a restarted stack updates, the resource with logical id id.
type provisioner func(ctx context.Context, st *Stack, c *apiClients, id string) error

// provisioners lists, per resource type, how it is provisioned, in the order provision runs them: a
// type comes after the types its resources refer to (a state machine logs to a log group, a rule's target
// is a state machine).
func provisioners() []struct {
	typ       string
	provision provisioner
} {
	return []struct {
		typ       string
		provision provisioner
	}{
		{"AWS::Logs::LogGroup", provisionLogGroup},
		{"AWS::S3::Bucket", provisionBucket},
		{"AWS::StepFunctions::StateMachine", provisionStateMachine},
		{"AWS::Events::Rule", provisionRule},
	}
}

// apiClients are the SDK clients of the endpoint that provisioners call.
type apiClients struct {
	logs   *cloudwatchlogs.Client
	s3     *s3.Client
	sfn    *sfn.Client
	events *eventbridge.Client
}

func (st *Stack) apiClients() *apiClients {
	creds := credentials.NewStaticCredentialsProvider("local", "local", "")
	return &apiClients{
		logs: cloudwatchlogs.New(cloudwatchlogs.Options{Region: st.cfg.Region, BaseEndpoint: aws.String(st.url), Credentials: creds}),
		s3: s3.New(s3.Options{Region: st.cfg.Region, BaseEndpoint: aws.String(st.url), Credentials: creds, UsePathStyle: true,
			RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
			ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired}),
		sfn:    sfn.New(sfn.Options{Region: st.cfg.Region, BaseEndpoint: aws.String(st.url), Credentials: creds}),
		events: eventbridge.New(eventbridge.Options{Region: st.cfg.Region, BaseEndpoint: aws.String(st.url), Credentials: creds}),
	}
}

// provision creates the template's resources, each type by its provisioner. Running it again on a
// restarted stack is a no-op or an update.
func (st *Stack) provision(ctx context.Context) error {
	c := st.apiClients()
	for _, p := range provisioners() {
		for _, id := range st.template.ResourcesOfType(p.typ) {
			if err := p.provision(ctx, st, c, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// provisionLogGroup creates a log group with its retention, or sets the retention of the one a previous
// start created. https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-loggroup.html
func provisionLogGroup(ctx context.Context, st *Stack, c *apiClients, id string) error {
	name := aws.String(st.template.Name(id))
	retention, err := st.template.Property(id, "RetentionInDays")
	if err != nil {
		return err
	}
	days := int32(seconds(retention, 0) / time.Second)
	_, err = c.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: name})
	var exists *logstypes.ResourceAlreadyExistsException
	existed := errors.As(err, &exists)
	if err != nil && !existed {
		return fmt.Errorf("create log group %s: %w", id, err)
	}
	switch {
	case days != 0:
		_, err = c.logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: name, RetentionInDays: aws.Int32(days)})
	case existed:
		_, err = c.logs.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: name})
	}
	if err != nil {
		return fmt.Errorf("log group %s retention: %w", id, err)
	}
	return nil
}

// provisionBucket creates a bucket and applies its VersioningConfiguration and its
// NotificationConfiguration's EventBridge setting.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-s3-bucket.html
func provisionBucket(ctx context.Context, st *Stack, c *apiClients, id string) error {
	name := st.template.Name(id)
	_, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
	var exists *s3types.BucketAlreadyExists
	var owned *s3types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &exists) && !errors.As(err, &owned) {
		return fmt.Errorf("create bucket %s: %w", id, err)
	}
	versioning, err := st.template.Property(id, "VersioningConfiguration")
	if err != nil {
		return err
	}
	if m, ok := versioning.(map[string]any); ok {
		status := s3types.BucketVersioningStatusSuspended
		if m["Status"] == "Enabled" {
			status = s3types.BucketVersioningStatusEnabled
		}
		if _, err := c.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: status}}); err != nil {
			return fmt.Errorf("bucket %s versioning: %w", id, err)
		}
	}
	notif, err := st.template.Property(id, "NotificationConfiguration")
	if err != nil {
		return err
	}
	if m, ok := notif.(map[string]any); ok {
		if eb, ok := m["EventBridgeConfiguration"].(map[string]any); ok {
			var cfg s3types.NotificationConfiguration
			if eb["EventBridgeEnabled"] == true || eb["EventBridgeEnabled"] == "true" {
				cfg.EventBridgeConfiguration = &s3types.EventBridgeConfiguration{}
			}
			if _, err := c.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
				Bucket: aws.String(name), NotificationConfiguration: &cfg}); err != nil {
				return fmt.Errorf("bucket %s eventbridge: %w", id, err)
			}
		}
	}
	return nil
}

// provisionStateMachine creates (or updates) a state machine with its DefinitionSubstitutions applied, as
// CloudFormation does: "${Key}" in the definition's strings becomes the substitution's value.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-stepfunctions-statemachine.html
func provisionStateMachine(ctx context.Context, st *Stack, c *apiClients, id string) error {
	def, err := st.template.Property(id, "Definition")
	if err != nil {
		return err
	}
	var text string
	if def != nil {
		b, err := json.Marshal(def)
		if err != nil {
			return fmt.Errorf("state machine %s definition: %w", id, err)
		}
		text = string(b)
	} else {
		s, err := st.template.Property(id, "DefinitionString")
		if err != nil {
			return err
		}
		text, _ = s.(string)
	}
	subs, err := st.template.Property(id, "DefinitionSubstitutions")
	if err != nil {
		return err
	}
	if m, ok := subs.(map[string]any); ok {
		for k, v := range m {
			val, err := json.Marshal(fmt.Sprint(v))
			if err != nil {
				return err
			}
			// Replace inside JSON string literals: the value is escaped as JSON text without its quotes.
			text = strings.ReplaceAll(text, "${"+k+"}", string(val[1:len(val)-1]))
		}
	}
	role, err := st.template.Property(id, "RoleArn")
	if err != nil {
		return err
	}
	typ, _ := st.template.Property(id, "StateMachineType")
	smType := sfntypes.StateMachineTypeStandard
	if typ == "EXPRESS" {
		smType = sfntypes.StateMachineTypeExpress
	}
	logging, err := st.template.Property(id, "LoggingConfiguration")
	if err != nil {
		return err
	}
	var logCfg *sfntypes.LoggingConfiguration
	if logging != nil {
		// The template's keys are the API's with a capital letter; encoding/json matches them either way.
		raw, err := json.Marshal(logging)
		if err != nil {
			return err
		}
		logCfg = &sfntypes.LoggingConfiguration{}
		if err := json.Unmarshal(raw, logCfg); err != nil {
			return fmt.Errorf("state machine %s LoggingConfiguration: %w", id, err)
		}
	}
	name := st.template.Name(id)
	_, err = c.sfn.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(text), RoleArn: aws.String(fmt.Sprint(role)), Type: smType,
		LoggingConfiguration: logCfg,
	})
	var exists *sfntypes.StateMachineAlreadyExists
	if errors.As(err, &exists) {
		arn, _ := st.template.Arn(id)
		_, err = c.sfn.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn), Definition: aws.String(text),
			LoggingConfiguration: logCfg})
	}
	if err != nil {
		return fmt.Errorf("create state machine %s: %w", id, err)
	}
	return nil
}

// provisionRule puts a rule on the default bus with its pattern, state and targets.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-rule.html
func provisionRule(ctx context.Context, st *Stack, c *apiClients, id string) error {
	name := st.template.Name(id)
	pattern, err := st.template.Property(id, "EventPattern")
	if err != nil {
		return err
	}
	patternText, err := json.Marshal(pattern)
	if err != nil {
		return err
	}
	state, _ := st.template.Property(id, "State")
	ruleState := ebtypes.RuleStateEnabled
	if state == "DISABLED" {
		ruleState = ebtypes.RuleStateDisabled
	}
	desc, _ := st.template.Property(id, "Description")
	if _, err := c.events.PutRule(ctx, &eventbridge.PutRuleInput{
		Name: aws.String(name), EventPattern: aws.String(string(patternText)), State: ruleState,
		Description: aws.String(fmt.Sprint(desc)),
	}); err != nil {
		return fmt.Errorf("put rule %s: %w", id, err)
	}
	targets, err := st.template.Property(id, "Targets")
	if err != nil {
		return err
	}
	raw, err := json.Marshal(targets)
	if err != nil {
		return err
	}
	var ts []ebtypes.Target
	if err := json.Unmarshal(raw, &ts); err != nil {
		return fmt.Errorf("rule %s targets: %w", id, err)
	}
	if len(ts) == 0 {
		return nil
	}
	out, err := c.events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: ts})
	if err != nil {
		return fmt.Errorf("put targets %s: %w", id, err)
	}
	if out.FailedEntryCount > 0 {
		return fmt.Errorf("put targets %s: %s", id, aws.ToString(out.FailedEntries[0].ErrorMessage))
	}
	return nil
}
