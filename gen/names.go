package gen

import "github.com/sluicehq/sluice/statemachine"

// Logical ids of the template's resources. The local runtime builds its stack from the template and finds
// resources by these ids.
const (
	LogicalBucket                = "Bucket"
	LogicalBucketPolicy          = "BucketPolicy"
	LogicalAccessLogBucket       = "AccessLogBucket"
	LogicalAccessLogBucketPolicy = "AccessLogBucketPolicy"

	LogicalRule                  = "ObjectCreatedRule"
	LogicalRuleRole              = "ObjectCreatedRuleRole"
	LogicalDeadLetterQueue       = "DeadLetterQueue"
	LogicalDeadLetterQueuePolicy = "DeadLetterQueuePolicy"

	LogicalStateMachine         = "StateMachine"
	LogicalStateMachineRole     = "StateMachineRole"
	LogicalStateMachineLogGroup = "StateMachineLogGroup"

	LogicalAlarmKey         = "AlarmTopicKey"
	LogicalAlarmTopic       = "AlarmTopic"
	LogicalAlarmTopicPolicy = "AlarmTopicPolicy"
	LogicalDashboard        = "Dashboard"
)

// MappingPartitions is the template's Mappings entry keyed by partition (the console's host).
const MappingPartitions = "Partitions"

// Parameter names.
const (
	ParamArtifactBucket = "ArtifactBucket"
	ParamLogLevel       = "LogLevel"
)

// Output names.
const (
	OutputBucketName           = "BucketName"
	OutputStateMachineArn      = "StateMachineArn"
	OutputExecutionsConsoleURL = "ExecutionsConsoleUrl"
	OutputDeadLetterQueueURL   = "DeadLetterQueueUrl"
	OutputDeadLetterQueueArn   = "DeadLetterQueueArn"
	OutputDashboardURL         = "DashboardUrl"
	OutputAlarmTopicArn        = "AlarmTopicArn"
)

// RuleTargetID is the Id of the rule's only target, the state machine.
const RuleTargetID = "Pipeline"

// FunctionSpec names one of the three functions and everything derived from its name.
type FunctionSpec struct {
	// Name is the function's short name: "validate", "process" or "store"; it is also the directory of
	// its main package under cmd/.
	Name string
	// LogicalID is the function's logical id: ValidateFunction, ProcessFunction or StoreFunction.
	LogicalID string
	// RoleID and LogGroupID are the logical ids of its role and log group.
	RoleID, LogGroupID string
	// CodeKeyParam is the parameter holding the S3 key of its zip in the artifact bucket.
	CodeKeyParam string
	// Substitution is the DefinitionSubstitutions key the state machine names it by.
	Substitution string
	// Config is its memory and timeout.
	Config Function
}

// Functions returns the three functions in pipeline order (validate, process, store).
func (c Config) Functions() []FunctionSpec {
	spec := func(name, title, subst string, f Function) FunctionSpec {
		return FunctionSpec{
			Name:         name,
			LogicalID:    title + "Function",
			RoleID:       title + "FunctionRole",
			LogGroupID:   title + "FunctionLogGroup",
			CodeKeyParam: title + "CodeKey",
			Substitution: subst,
			Config:       f,
		}
	}
	return []FunctionSpec{
		spec("validate", "Validate", statemachine.SubstValidateFunctionArn, c.ValidateTask),
		spec("process", "Process", statemachine.SubstProcessFunctionArn, c.ProcessTask),
		spec("store", "Store", statemachine.SubstStoreFunctionArn, c.StoreTask),
	}
}

// LocalStateMachineName is the name of the state machine of the stack `sluice up` creates from the
// template: CloudFormation names a resource without an explicit name <stack>-<logical id>, and the local
// stack is named "sluice".
const LocalStateMachineName = "sluice-" + LogicalStateMachine
