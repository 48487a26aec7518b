package gen

import (
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/cloudformation/logs"
	"github.com/awslabs/goformation/v7/cloudformation/stepfunctions"

	"github.com/sluicehq/sluice/statemachine"
)

// addStateMachine adds the STANDARD state machine with its definition as a JSON object (Definition, not
// DefinitionString) and the functions' and the Lambda integration's ARNs as DefinitionSubstitutions, its log group and its role.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-stepfunctions-statemachine.html
func addStateMachine(t *cloudformation.Template, c Config) {
	// The integration's ARN too, in the stack's partition, so the stack deploys in every partition.
	substitutions := map[string]any{statemachine.SubstLambdaInvoke: arn("states:::lambda:invoke")}
	var functionArns []string
	for _, f := range c.Functions() {
		substitutions[f.Substitution] = cloudformation.GetAtt(f.LogicalID, "Arn")
		functionArns = append(functionArns, cloudformation.GetAtt(f.LogicalID, "Arn"))
	}
	t.Resources[LogicalStateMachine] = &stepfunctions.StateMachine{
		StateMachineType:        new("STANDARD"),
		Definition:              templateDefinition(c),
		DefinitionSubstitutions: substitutions,
		RoleArn:                 cloudformation.GetAtt(LogicalStateMachineRole, "Arn"),
		LoggingConfiguration: &stepfunctions.StateMachine_LoggingConfiguration{
			Level:                new("ALL"),
			IncludeExecutionData: new(true),
			Destinations: []stepfunctions.StateMachine_LogDestination{{
				CloudWatchLogsLogGroup: &stepfunctions.StateMachine_CloudWatchLogsLogGroup{
					LogGroupArn: cloudformation.GetAttPtr(LogicalStateMachineLogGroup, "Arn"),
				},
			}},
		},
		TracingConfiguration: &stepfunctions.StateMachine_TracingConfiguration{Enabled: new(true)},
	}
	// The /aws/vendedlogs/ prefix keeps CloudWatch Logs resource policies small when many state machines
	// log: https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
	t.Resources[LogicalStateMachineLogGroup] = &logs.LogGroup{
		LogGroupName:                         cloudformation.SubPtr("/aws/vendedlogs/states/${AWS::StackName}-pipeline"),
		RetentionInDays:                      new(c.LogRetentionDays),
		AWSCloudFormationDeletionPolicy:      remove,
		AWSCloudFormationUpdateReplacePolicy: removeOnReplace,
	}
	t.Resources[LogicalStateMachineRole] = &iam.Role{
		Description:              new("Lets the pipeline state machine invoke its three functions, log and trace."),
		AssumeRolePolicyDocument: assumeRolePolicy("states.amazonaws.com"),
		Policies: []iam.Role_Policy{
			{
				PolicyName:     "InvokePipelineFunctions",
				PolicyDocument: policy(allow([]string{"lambda:InvokeFunction"}, functionArns...)),
			},
			{
				// CloudWatch Logs log delivery does not support resource-level permissions for these
				// actions: https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
				PolicyName: "DeliverExecutionLogs",
				PolicyDocument: policy(allow([]string{
					"logs:CreateLogDelivery",
					"logs:DeleteLogDelivery",
					"logs:DescribeLogGroups",
					"logs:DescribeResourcePolicies",
					"logs:GetLogDelivery",
					"logs:ListLogDeliveries",
					"logs:PutResourcePolicy",
					"logs:UpdateLogDelivery",
				}, "*")),
			},
			{
				PolicyName:     "WriteTraces",
				PolicyDocument: policy(xrayWrite()),
			},
		},
	}
}
