package template

// RequiresRecreation values (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceTargetDefinition.html).
const (
	RecreateNever         = "Never"
	RecreateConditionally = "Conditionally"
	RecreateAlways        = "Always"
)

// replacing lists, per resource type, the properties whose change replaces the resource ("Update
// requires: Replacement" in each type's page of the CloudFormation Template Reference,
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html).
// Every other property of a listed type updates in place ("No interruption" or "Some interruption").
// The types are those the generated template uses and their close relatives.
var replacing = map[string]map[string]string{
	// aws-resource-s3-bucket.html
	"AWS::S3::Bucket": {"BucketName": RecreateAlways, "ObjectLockEnabled": RecreateAlways},
	// aws-resource-s3-bucketpolicy.html
	"AWS::S3::BucketPolicy": {"Bucket": RecreateAlways},
	// aws-resource-events-rule.html
	"AWS::Events::Rule": {"Name": RecreateAlways, "EventBusName": RecreateAlways},
	// aws-resource-events-eventbus.html
	"AWS::Events::EventBus": {"Name": RecreateAlways},
	// aws-resource-stepfunctions-statemachine.html: Definition, DefinitionSubstitutions, RoleArn,
	// LoggingConfiguration and TracingConfiguration update in place (UpdateStateMachine).
	"AWS::StepFunctions::StateMachine": {"StateMachineName": RecreateAlways, "StateMachineType": RecreateAlways},
	// aws-resource-lambda-function.html: code, configuration and environment update in place.
	"AWS::Lambda::Function": {"FunctionName": RecreateAlways, "PackageType": RecreateAlways},
	// aws-resource-lambda-permission.html: every property.
	"AWS::Lambda::Permission": {"Action": RecreateAlways, "EventSourceToken": RecreateAlways, "FunctionName": RecreateAlways,
		"FunctionUrlAuthType": RecreateAlways, "Principal": RecreateAlways, "PrincipalOrgID": RecreateAlways,
		"SourceAccount": RecreateAlways, "SourceArn": RecreateAlways},
	// aws-resource-logs-loggroup.html
	"AWS::Logs::LogGroup": {"LogGroupName": RecreateAlways, "LogGroupClass": RecreateAlways},
	// aws-resource-iam-role.html
	"AWS::IAM::Role": {"RoleName": RecreateAlways, "Path": RecreateAlways},
	// aws-resource-iam-policy.html
	"AWS::IAM::Policy": {},
	// aws-resource-iam-managedpolicy.html
	"AWS::IAM::ManagedPolicy": {"ManagedPolicyName": RecreateAlways, "Path": RecreateAlways},
	// aws-resource-sqs-queue.html
	"AWS::SQS::Queue": {"QueueName": RecreateAlways, "FifoQueue": RecreateAlways},
	// aws-resource-sqs-queuepolicy.html
	"AWS::SQS::QueuePolicy": {},
	// aws-resource-sns-topic.html
	"AWS::SNS::Topic": {"TopicName": RecreateAlways, "FifoTopic": RecreateAlways},
	// aws-resource-sns-topicpolicy.html
	"AWS::SNS::TopicPolicy": {},
	// aws-resource-sns-subscription.html
	"AWS::SNS::Subscription": {"Endpoint": RecreateAlways, "Protocol": RecreateAlways, "TopicArn": RecreateAlways},
	// aws-resource-kms-key.html
	"AWS::KMS::Key": {"KeySpec": RecreateAlways, "KeyUsage": RecreateAlways, "MultiRegion": RecreateAlways, "Origin": RecreateAlways},
	// aws-resource-cloudwatch-alarm.html
	"AWS::CloudWatch::Alarm": {"AlarmName": RecreateAlways},
	// aws-resource-cloudwatch-dashboard.html
	"AWS::CloudWatch::Dashboard": {"DashboardName": RecreateAlways},
}

// RequiresRecreation returns what changing one property of a resource type does: Always (the
// resource is replaced), Never (updated in place), or Conditionally for a type this package does not
// know (as a change set can say no more).
func RequiresRecreation(resourceType, property string) string {
	props, ok := replacing[resourceType]
	if !ok {
		return RecreateConditionally
	}
	if r, ok := props[property]; ok {
		return r
	}
	return RecreateNever
}

// KnownType reports whether RequiresRecreation knows the type's update behaviours.
func KnownType(resourceType string) bool {
	_, ok := replacing[resourceType]
	return ok
}
