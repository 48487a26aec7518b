package cloudformation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
)

// errNoEndpoint fails a provisioned resource when the service has no endpoint to provision through.
var errNoEndpoint = errors.New("no endpoint to provision through (WithEndpoint)")

// reason renders a provisioning error as CloudFormation's ResourceStatusReason: a service's API error
// as "<message> (Service: <service>, Status Code: <status>, Request ID: <id>)" is what AWS shows;
// locally the error code and message.
func reason(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg := ae.ErrorMessage()
		if msg == "" {
			msg = ae.ErrorCode()
		}
		return fmt.Sprintf("Resource handler returned message: \"%s\" (HandlerErrorCode: %s)", msg, ae.ErrorCode())
	}
	return err.Error()
}

// putBucket creates a bucket (or finds the one a previous run made) and applies its
// VersioningConfiguration and the EventBridge setting of its NotificationConfiguration; the other
// properties (encryption, lifecycle, public access block, ownership, logging) are recorded only.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-s3-bucket.html
func putBucket(ctx context.Context, s *Service, req *provisionRequest) error {
	c := s.clients
	if req.OldProperties == nil {
		_, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(req.Name)})
		// us-east-1 answers CreateBucket on a bucket the caller owns with success; the local S3, which
		// has one owner, answers BucketAlreadyExists or BucketAlreadyOwnedByYou: the bucket is ours.
		var owned *s3types.BucketAlreadyOwnedByYou
		var exists *s3types.BucketAlreadyExists
		if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
			return err
		}
	}
	if m, ok := req.Properties["VersioningConfiguration"].(map[string]any); ok {
		status := s3types.BucketVersioningStatusSuspended
		if m["Status"] == "Enabled" {
			status = s3types.BucketVersioningStatusEnabled
		}
		if _, err := c.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(req.Name),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: status}}); err != nil {
			return err
		}
	} else if old, ok := req.OldProperties["VersioningConfiguration"].(map[string]any); ok && old["Status"] == "Enabled" {
		// Versioning, once on, can only be suspended.
		if _, err := c.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(req.Name),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}}); err != nil {
			return err
		}
	}
	var cfg s3types.NotificationConfiguration
	if m, ok := req.Properties["NotificationConfiguration"].(map[string]any); ok {
		if eb, ok := m["EventBridgeConfiguration"].(map[string]any); ok {
			if v := eb["EventBridgeEnabled"]; v == true || v == "true" {
				cfg.EventBridgeConfiguration = &s3types.EventBridgeConfiguration{}
			}
		}
	}
	if cfg.EventBridgeConfiguration != nil || req.OldProperties["NotificationConfiguration"] != nil {
		if _, err := c.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
			Bucket: aws.String(req.Name), NotificationConfiguration: &cfg}); err != nil {
			return err
		}
	}
	return nil
}

// deleteBucket deletes a bucket; as in AWS, a bucket that still holds objects fails to delete.
func deleteBucket(ctx context.Context, s *Service, req *provisionRequest) error {
	_, err := s.clients.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(req.Name)})
	var missing *s3types.NoSuchBucket
	if errors.As(err, &missing) || isCode(err, "NoSuchBucket") {
		return nil
	}
	return err
}

// createLogGroup creates a log group with its retention (a group a previous run made is taken over).
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-loggroup.html
func createLogGroup(ctx context.Context, s *Service, req *provisionRequest) error {
	_, err := s.clients.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(req.Name)})
	var exists *logstypes.ResourceAlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		return err
	}
	return updateLogGroup(ctx, s, req)
}

func updateLogGroup(ctx context.Context, s *Service, req *provisionRequest) error {
	name := aws.String(req.Name)
	var err error
	if days, ok := integer(req.Properties, "RetentionInDays"); ok {
		_, err = s.clients.logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: name, RetentionInDays: aws.Int32(int32(days))})
	} else {
		_, err = s.clients.logs.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: name})
	}
	return err
}

func deleteLogGroup(ctx context.Context, s *Service, req *provisionRequest) error {
	_, err := s.clients.logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(req.Name)})
	var missing *logstypes.ResourceNotFoundException
	if errors.As(err, &missing) {
		return nil
	}
	return err
}

// stateMachineInput reads a state machine's definition (Definition, DefinitionString or
// DefinitionS3Location) with its DefinitionSubstitutions applied, as CloudFormation does: "${Key}" in
// the definition becomes the substitution's value; and its LoggingConfiguration.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-stepfunctions-statemachine.html
func stateMachineInput(ctx context.Context, s *Service, props map[string]any) (string, *sfntypes.LoggingConfiguration, *sfntypes.TracingConfiguration, error) {
	var text string
	switch {
	case props["Definition"] != nil:
		b, err := json.Marshal(props["Definition"])
		if err != nil {
			return "", nil, nil, err
		}
		text = string(b)
	case props["DefinitionString"] != nil:
		text = str(props, "DefinitionString")
	case props["DefinitionS3Location"] != nil:
		loc, _ := props["DefinitionS3Location"].(map[string]any)
		in := &s3.GetObjectInput{Bucket: aws.String(str(loc, "Bucket")), Key: aws.String(str(loc, "Key"))}
		if v := str(loc, "Version"); v != "" {
			in.VersionId = aws.String(v)
		}
		out, err := s.clients.s3.GetObject(ctx, in)
		if err != nil {
			return "", nil, nil, err
		}
		b, err := io.ReadAll(io.LimitReader(out.Body, 1<<20))
		out.Body.Close()
		if err != nil {
			return "", nil, nil, err
		}
		text = string(b)
	}
	if m, ok := props["DefinitionSubstitutions"].(map[string]any); ok {
		for k, v := range m {
			val, err := json.Marshal(str(m, k))
			if err != nil {
				return "", nil, nil, err
			}
			_ = v
			// Inside JSON string literals: the value is escaped as JSON text without its quotes.
			text = strings.ReplaceAll(text, "${"+k+"}", string(val[1:len(val)-1]))
		}
	}
	var logCfg *sfntypes.LoggingConfiguration
	if logging := props["LoggingConfiguration"]; logging != nil {
		// The template's keys are the API's with a capital letter; encoding/json matches them either way.
		raw, err := json.Marshal(logging)
		if err != nil {
			return "", nil, nil, err
		}
		logCfg = &sfntypes.LoggingConfiguration{}
		if err := json.Unmarshal(raw, logCfg); err != nil {
			return "", nil, nil, fmt.Errorf("LoggingConfiguration: %w", err)
		}
	}
	var tracing *sfntypes.TracingConfiguration
	if t, ok := props["TracingConfiguration"].(map[string]any); ok {
		tracing = &sfntypes.TracingConfiguration{Enabled: t["Enabled"] == true || t["Enabled"] == "true"}
	}
	return text, logCfg, tracing, nil
}

func createStateMachine(ctx context.Context, s *Service, req *provisionRequest) error {
	def, logCfg, tracing, err := stateMachineInput(ctx, s, req.Properties)
	if err != nil {
		return err
	}
	smType := sfntypes.StateMachineTypeStandard
	if str(req.Properties, "StateMachineType") == "EXPRESS" {
		smType = sfntypes.StateMachineTypeExpress
	}
	_, err = s.clients.sfn.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String(req.Name), Definition: aws.String(def), RoleArn: aws.String(str(req.Properties, "RoleArn")), Type: smType,
		LoggingConfiguration: logCfg, TracingConfiguration: tracing,
	})
	var exists *sfntypes.StateMachineAlreadyExists
	if errors.As(err, &exists) {
		// One a previous run made (a data directory from before its stack): take it over.
		return updateStateMachine(ctx, s, req)
	}
	return err
}

// updateStateMachine updates a state machine in place: its definition, role, logging and tracing.
// Executions already running go on with the definition they started with, as in AWS.
func updateStateMachine(ctx context.Context, s *Service, req *provisionRequest) error {
	def, logCfg, tracing, err := stateMachineInput(ctx, s, req.Properties)
	if err != nil {
		return err
	}
	_, err = s.clients.sfn.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(req.PhysicalID),
		Definition: aws.String(def), RoleArn: aws.String(str(req.Properties, "RoleArn")), LoggingConfiguration: logCfg,
		TracingConfiguration: tracing})
	return err
}

func deleteStateMachine(ctx context.Context, s *Service, req *provisionRequest) error {
	_, err := s.clients.sfn.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(req.PhysicalID)})
	var missing *sfntypes.StateMachineDoesNotExist
	if errors.As(err, &missing) {
		return nil
	}
	return err
}

// putRule puts a rule with its pattern or schedule, state and targets; on an update, targets the
// template no longer has are removed.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-rule.html
func putRule(ctx context.Context, s *Service, req *provisionRequest) error {
	c := s.clients.events
	in := &eventbridge.PutRuleInput{Name: aws.String(req.Name), State: ebtypes.RuleStateEnabled}
	if p := req.Properties["EventPattern"]; p != nil {
		text, ok := p.(string)
		if !ok {
			b, err := json.Marshal(p)
			if err != nil {
				return err
			}
			text = string(b)
		}
		in.EventPattern = aws.String(text)
	}
	if v := str(req.Properties, "ScheduleExpression"); v != "" {
		in.ScheduleExpression = aws.String(v)
	}
	if v := str(req.Properties, "State"); v != "" {
		in.State = ebtypes.RuleState(v)
	}
	if v := str(req.Properties, "Description"); v != "" {
		in.Description = aws.String(v)
	}
	if v := str(req.Properties, "RoleArn"); v != "" {
		in.RoleArn = aws.String(v)
	}
	if v := str(req.Properties, "EventBusName"); v != "" {
		in.EventBusName = aws.String(v)
	}
	if _, err := c.PutRule(ctx, in); err != nil {
		return err
	}
	raw, err := json.Marshal(req.Properties["Targets"])
	if err != nil {
		return err
	}
	var targets []ebtypes.Target
	if string(raw) != "null" {
		if err := json.Unmarshal(raw, &targets); err != nil {
			return fmt.Errorf("Targets: %w", err)
		}
	}
	if req.OldProperties != nil {
		keep := map[string]bool{}
		for _, t := range targets {
			keep[aws.ToString(t.Id)] = true
		}
		if err := removeTargets(ctx, s, req.Name, in.EventBusName, keep); err != nil {
			return err
		}
	}
	if len(targets) == 0 {
		return nil
	}
	out, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(req.Name), EventBusName: in.EventBusName, Targets: targets})
	if err != nil {
		return err
	}
	if out.FailedEntryCount > 0 {
		return fmt.Errorf("%s: %s", aws.ToString(out.FailedEntries[0].ErrorCode), aws.ToString(out.FailedEntries[0].ErrorMessage))
	}
	return nil
}

// removeTargets removes a rule's targets other than those in keep.
func removeTargets(ctx context.Context, s *Service, rule string, bus *string, keep map[string]bool) error {
	c := s.clients.events
	out, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(rule), EventBusName: bus})
	if err != nil {
		return err
	}
	var ids []string
	for _, t := range out.Targets {
		if !keep[aws.ToString(t.Id)] {
			ids = append(ids, aws.ToString(t.Id))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err = c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(rule), EventBusName: bus, Ids: ids})
	return err
}

func deleteRule(ctx context.Context, s *Service, req *provisionRequest) error {
	var bus *string
	if v := str(req.Properties, "EventBusName"); v != "" {
		bus = aws.String(v)
	}
	err := removeTargets(ctx, s, req.Name, bus, nil)
	var missing *ebtypes.ResourceNotFoundException
	if errors.As(err, &missing) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = s.clients.events.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String(req.Name), EventBusName: bus})
	if errors.As(err, &missing) {
		return nil
	}
	return err
}

// putFunction creates or updates a function through the FunctionHost.
func putFunction(ctx context.Context, s *Service, req *provisionRequest) error {
	if s.functions == nil {
		return errors.New("functions are not hosted here (no FunctionHost)")
	}
	return s.functions.PutFunction(ctx, Function{StackName: req.StackName, LogicalID: req.LogicalID, Name: req.Name, Properties: req.Properties})
}

func deleteFunction(ctx context.Context, s *Service, req *provisionRequest) error {
	if s.functions == nil {
		return nil
	}
	return s.functions.DeleteFunction(ctx, req.Name)
}

// isCode reports whether err is an API error with the code.
func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}
