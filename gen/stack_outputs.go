package gen

import "github.com/awslabs/goformation/v7/cloudformation"

// partitionConsoles is the AWS Management Console's host in each partition, the Mappings entry the
// console URLs are built from (https://docs.aws.amazon.com/general/latest/gr/mgmt-console.html; China:
// console.amazonaws.cn; GovCloud (US): console.amazonaws-us-gov.com). The console goes on to the region
// the URL's region parameter names.
func partitionConsoles() map[string]any {
	return map[string]any{
		"aws":        map[string]any{"Console": "console.aws.amazon.com"},
		"aws-cn":     map[string]any{"Console": "console.amazonaws.cn"},
		"aws-us-gov": map[string]any{"Console": "console.amazonaws-us-gov.com"},
	}
}

// addOutputs adds what an operator and the end-to-end test need: the bucket, the state machine and its
// executions in the console, the dead-letter queue, the dashboard and the alarm topic.
func addOutputs(t *cloudformation.Template) {
	t.Mappings[MappingPartitions] = partitionConsoles()
	out := func(name, description, value string) {
		t.Outputs[name] = cloudformation.Output{Description: new(description), Value: value}
	}
	out(OutputBucketName, "Pipeline bucket: upload objects under incoming/<dataset>/ and schemas under schemas/.",
		cloudformation.Ref(LogicalBucket))
	out(OutputStateMachineArn, "Pipeline state machine ARN.", cloudformation.Ref(LogicalStateMachine))
	console := map[string]any{"Console": cloudformation.FindInMap(MappingPartitions, cloudformation.Ref("AWS::Partition"), "Console")}
	out(OutputExecutionsConsoleURL, "The state machine's executions in the Step Functions console.",
		cloudformation.SubVars("https://${Console}/states/home?region=${AWS::Region}#/statemachines/view/${"+LogicalStateMachine+"}", console))
	out(OutputDeadLetterQueueURL, "Dead-letter queue of events the rule could not deliver.", cloudformation.Ref(LogicalDeadLetterQueue))
	out(OutputDeadLetterQueueArn, "Dead-letter queue ARN.", cloudformation.GetAtt(LogicalDeadLetterQueue, "Arn"))
	out(OutputDashboardURL, "CloudWatch dashboard of the pipeline.",
		cloudformation.SubVars("https://${Console}/cloudwatch/home?region=${AWS::Region}#dashboards:name=${"+LogicalDashboard+"}", console))
	out(OutputAlarmTopicArn, "SNS topic the alarms notify: subscribe to it to receive them.", cloudformation.Ref(LogicalAlarmTopic))
}
