package gen

import "github.com/awslabs/goformation/v7/cloudformation"

// addOutputs adds what an operator and the end-to-end test need: the bucket, the state machine and its
// executions in the console, the dead-letter queue, the dashboard and the alarm topic.
func addOutputs(t *cloudformation.Template) {
	out := func(name, description, value string) {
		t.Outputs[name] = cloudformation.Output{Description: new(description), Value: value}
	}
	out(OutputBucketName, "Pipeline bucket: upload objects under incoming/<dataset>/ and schemas under schemas/.",
		cloudformation.Ref(LogicalBucket))
	out(OutputStateMachineArn, "Pipeline state machine ARN.", cloudformation.Ref(LogicalStateMachine))
	out(OutputExecutionsConsoleURL, "The state machine's executions in the Step Functions console.",
		cloudformation.Sub("https://${AWS::Region}.console.aws.amazon.com/states/home?region=${AWS::Region}#/statemachines/view/${"+LogicalStateMachine+"}"))
	out(OutputDeadLetterQueueURL, "Dead-letter queue of events the rule could not deliver.", cloudformation.Ref(LogicalDeadLetterQueue))
	out(OutputDeadLetterQueueArn, "Dead-letter queue ARN.", cloudformation.GetAtt(LogicalDeadLetterQueue, "Arn"))
	out(OutputDashboardURL, "CloudWatch dashboard of the pipeline.",
		cloudformation.Sub("https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards:name=${"+LogicalDashboard+"}"))
	out(OutputAlarmTopicArn, "SNS topic the alarms notify: subscribe to it to receive them.", cloudformation.Ref(LogicalAlarmTopic))
}
