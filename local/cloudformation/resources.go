package cloudformation

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/internal/uuid"
)

// Resource types this service provisions through a service's API; every other AWS:: type is recorded
// only (see recordedTypes).
const (
	typeBucket         = "AWS::S3::Bucket"
	typeLogGroup       = "AWS::Logs::LogGroup"
	typeStateMachine   = "AWS::StepFunctions::StateMachine"
	typeRule           = "AWS::Events::Rule"
	typeLambdaFunction = "AWS::Lambda::Function"
)

// provisionRequest is one resource operation.
type provisionRequest struct {
	StackName, StackID, LogicalID, Type string
	// Name is the resource's physical name, PhysicalID what DescribeStackResources shows (the ARN for a
	// state machine, the name otherwise).
	Name, PhysicalID string
	// Properties are the resolved properties to apply; OldProperties what an update replaces.
	Properties, OldProperties map[string]any
}

// handler provisions one resource type; a nil func means the operation only records the resource.
type handler struct {
	create, update, remove func(ctx context.Context, s *Service, req *provisionRequest) error
}

// handlers are the resource types provisioned through a service's API.
func handlers() map[string]handler {
	return map[string]handler{
		typeBucket:         {create: putBucket, update: putBucket, remove: deleteBucket},
		typeLogGroup:       {create: createLogGroup, update: updateLogGroup, remove: deleteLogGroup},
		typeStateMachine:   {create: createStateMachine, update: updateStateMachine, remove: deleteStateMachine},
		typeRule:           {create: putRule, update: putRule, remove: deleteRule},
		typeLambdaFunction: {create: putFunction, update: putFunction, remove: deleteFunction},
	}
}

// nameProperty is, per type, the property that names a resource, with the name's length limit and
// whether names are lower case; a resource without it gets a generated name.
var nameProperty = map[string]struct {
	prop  string
	max   int
	lower bool
}{
	typeBucket:                      {"BucketName", 63, true},
	typeLogGroup:                    {"LogGroupName", 512, false},
	typeStateMachine:                {"StateMachineName", 80, false},
	typeRule:                        {"Name", 64, false},
	typeLambdaFunction:              {"FunctionName", 64, false},
	"AWS::IAM::Role":                {"RoleName", 64, false},
	"AWS::IAM::ManagedPolicy":       {"ManagedPolicyName", 128, false},
	"AWS::IAM::Policy":              {"PolicyName", 128, false},
	"AWS::IAM::User":                {"UserName", 64, false},
	"AWS::IAM::Group":               {"GroupName", 128, false},
	"AWS::IAM::InstanceProfile":     {"InstanceProfileName", 128, false},
	"AWS::SQS::Queue":               {"QueueName", 80, false},
	"AWS::SNS::Topic":               {"TopicName", 256, false},
	"AWS::CloudWatch::Alarm":        {"AlarmName", 255, false},
	"AWS::CloudWatch::Dashboard":    {"DashboardName", 255, false},
	"AWS::KMS::Alias":               {"AliasName", 256, false},
	"AWS::Events::EventBus":         {"Name", 256, false},
	"AWS::Logs::MetricFilter":       {"FilterName", 512, false},
	"AWS::Events::Connection":       {"Name", 64, false},
	"AWS::Events::ApiDestination":   {"Name", 64, false},
	"AWS::Lambda::LayerVersion":     {"LayerName", 140, false},
	"AWS::DynamoDB::Table":          {"TableName", 255, false},
	"AWS::Events::Archive":          {"ArchiveName", 48, false},
	"AWS::SecretsManager::Secret":   {"Name", 512, false},
	"AWS::SSM::Parameter":           {"Name", 2048, false},
	"AWS::ECR::Repository":          {"RepositoryName", 256, false},
	"AWS::Scheduler::Schedule":      {"Name", 64, false},
	"AWS::Scheduler::ScheduleGroup": {"Name", 64, false},
}

// unsupportedTypes fail to deploy: they need what the local runtime does not have.
var unsupportedTypes = map[string]string{
	"AWS::CloudFormation::Stack":          "nested stacks are not supported locally",
	"AWS::CloudFormation::CustomResource": "custom resources are not supported locally",
	"AWS::CloudFormation::Macro":          "macros are not supported locally",
}

// physicalName returns the name a new resource gets: its name property when the template sets one;
// otherwise a generated one. CloudFormation generates <stack>-<logical id>-<random suffix>; the first
// local name is <stack>-<logical id> without a suffix, so a stack deployed again on a data directory
// finds the resources a previous run made, and a replacement adds the suffix, so the new resource's
// name differs from the one it replaces.
func physicalName(stackName, logicalID, typ string, props map[string]any, replacing bool) (string, bool) {
	np, ok := nameProperty[typ]
	if ok {
		if v, ok := props[np.prop].(string); ok && v != "" {
			return v, true
		}
	}
	max, lower := 255, false
	if ok {
		max, lower = np.max, np.lower
	}
	suffix := ""
	if replacing {
		suffix = "-" + strings.ToUpper(strings.ReplaceAll(uuid.New(), "-", "")[:12])
	}
	name := stackName + "-" + logicalID
	if typ == "AWS::SQS::Queue" && props["FifoQueue"] == true {
		suffix += ".fifo"
	}
	if len(name)+len(suffix) > max {
		name = name[:max-len(suffix)]
	}
	name += suffix
	if lower {
		name = strings.ToLower(name)
	}
	return name, false
}

// identity returns a resource's physical id, what Ref gives and its Fn::GetAtt attributes, from its
// type, name and properties (each type's "Return values" in
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html).
func (s *Service) identity(typ, name string, props map[string]any) (physicalID, ref string, attrs map[string]any) {
	region, account := s.opts.Region, s.opts.Account
	p := "arn:" + partition(region) + ":"
	attrs = map[string]any{}
	physicalID, ref = name, name
	switch typ {
	case typeBucket:
		attrs["Arn"] = p + "s3:::" + name
		attrs["DomainName"] = name + ".s3.amazonaws.com"
		attrs["RegionalDomainName"] = name + ".s3." + region + ".amazonaws.com"
		attrs["DualStackDomainName"] = name + ".s3.dualstack." + region + ".amazonaws.com"
		attrs["WebsiteURL"] = "http://" + name + ".s3-website-" + region + ".amazonaws.com"
	case typeLogGroup:
		attrs["Arn"] = p + "logs:" + region + ":" + account + ":log-group:" + name + ":*"
	case typeStateMachine:
		arn := p + "states:" + region + ":" + account + ":stateMachine:" + name
		physicalID, ref = arn, arn
		attrs["Arn"], attrs["Name"], attrs["StateMachineRevisionId"] = arn, name, arn
	case typeRule:
		attrs["Arn"] = p + "events:" + region + ":" + account + ":rule/" + name
	case typeLambdaFunction:
		attrs["Arn"] = p + "lambda:" + region + ":" + account + ":function:" + name
	case "AWS::IAM::Role":
		path, _ := props["Path"].(string)
		if path == "" {
			path = "/"
		}
		attrs["Arn"] = p + "iam::" + account + ":role" + path + name
		attrs["RoleId"] = "AROA" + strings.ToUpper(strings.ReplaceAll(uuid.New(), "-", "")[:17])
	case "AWS::IAM::ManagedPolicy":
		arn := p + "iam::" + account + ":policy/" + name
		physicalID, ref = arn, arn
		attrs["PolicyArn"] = arn
	case "AWS::IAM::User":
		attrs["Arn"] = p + "iam::" + account + ":user/" + name
	case "AWS::IAM::InstanceProfile":
		attrs["Arn"] = p + "iam::" + account + ":instance-profile/" + name
	case "AWS::SQS::Queue":
		url := "https://sqs." + region + ".amazonaws.com/" + account + "/" + name
		physicalID, ref = url, url
		attrs["Arn"], attrs["QueueName"], attrs["QueueUrl"] = p+"sqs:"+region+":"+account+":"+name, name, url
	case "AWS::SNS::Topic":
		arn := p + "sns:" + region + ":" + account + ":" + name
		physicalID, ref = arn, arn
		attrs["TopicArn"], attrs["TopicName"] = arn, name
	case "AWS::KMS::Key":
		id := uuid.New()
		physicalID, ref = id, id
		attrs["Arn"], attrs["KeyId"] = p+"kms:"+region+":"+account+":key/"+id, id
	case "AWS::CloudWatch::Alarm":
		attrs["Arn"] = p + "cloudwatch:" + region + ":" + account + ":alarm:" + name
	case "AWS::Events::EventBus":
		attrs["Arn"], attrs["Name"] = p+"events:"+region+":"+account+":event-bus/"+name, name
	}
	return physicalID, ref, attrs
}

// partition is the ARN partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// str reads a string property ("" when absent); numbers and booleans are given as text, as
// CloudFormation accepts them for string properties.
func str(props map[string]any, key string) string {
	switch v := props[key].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// integer reads a numeric property, given as a number or as text; ok is false when absent or not a
// number.
func integer(props map[string]any, key string) (int64, bool) {
	switch v := props[key].(type) {
	case float64:
		return int64(v), true
	case string:
		n, err := strconv.ParseFloat(v, 64)
		return int64(n), err == nil
	case int:
		return int64(v), true
	case int64:
		return v, true
	}
	return 0, false
}
