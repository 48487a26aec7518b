package gen

import (
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/cloudwatch"
	"github.com/awslabs/goformation/v7/cloudformation/kms"
	"github.com/awslabs/goformation/v7/cloudformation/sns"
)

// AlarmSpec is one CloudWatch alarm of the template.
type AlarmSpec struct {
	LogicalID   string
	Description string
	Namespace   string
	Metric      string
	Statistic   string // Sum or Maximum
	// Dimension is the metric's single dimension; Value is an intrinsic (Ref/GetAtt).
	Dimension, Value string
	Threshold        float64
}

// AlarmSpecs returns the template's alarms: failed, timed-out, aborted and throttled executions; errors and
// throttles of each function; undelivered events in the dead-letter queue; failed rule invocations.
// Metrics: https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html,
// https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html,
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
func (c Config) AlarmSpecs() []AlarmSpec {
	a := c.Alarms
	machine := cloudformation.Ref(LogicalStateMachine)
	states := func(id, metric, what string, threshold float64) AlarmSpec {
		return AlarmSpec{
			LogicalID: id, Description: "Pipeline executions " + what + ".",
			Namespace: "AWS/States", Metric: metric, Statistic: "Sum",
			Dimension: "StateMachineArn", Value: machine, Threshold: threshold,
		}
	}
	specs := []AlarmSpec{
		states("ExecutionsFailedAlarm", "ExecutionsFailed", "failed", a.ExecutionsFailed),
		states("ExecutionsTimedOutAlarm", "ExecutionsTimedOut", "timed out", a.ExecutionsTimedOut),
		states("ExecutionsAbortedAlarm", "ExecutionsAborted", "were aborted", a.ExecutionsAborted),
		states("ExecutionThrottledAlarm", "ExecutionThrottled", "were throttled", a.ExecutionThrottled),
	}
	for _, f := range c.Functions() {
		for _, m := range []struct {
			metric    string
			threshold float64
		}{{"Errors", a.FunctionErrors}, {"Throttles", a.FunctionThrottles}} {
			specs = append(specs, AlarmSpec{
				LogicalID:   f.LogicalID + m.metric + "Alarm",
				Description: "The " + f.Name + " function reported " + m.metric + ".",
				Namespace:   "AWS/Lambda", Metric: m.metric, Statistic: "Sum",
				Dimension: "FunctionName", Value: cloudformation.Ref(f.LogicalID), Threshold: m.threshold,
			})
		}
	}
	return append(specs,
		AlarmSpec{
			LogicalID:   "DeadLetterQueueAlarm",
			Description: "Object Created events that could not start an execution are waiting in the dead-letter queue.",
			Namespace:   "AWS/SQS", Metric: "ApproximateNumberOfMessagesVisible", Statistic: "Maximum",
			Dimension: "QueueName", Value: cloudformation.GetAtt(LogicalDeadLetterQueue, "QueueName"),
			Threshold: a.DeadLetterMessages,
		},
		AlarmSpec{
			LogicalID:   "RuleFailedInvocationsAlarm",
			Description: "The object-created rule failed to start executions.",
			Namespace:   "AWS/Events", Metric: "FailedInvocations", Statistic: "Sum",
			Dimension: "RuleName", Value: cloudformation.Ref(LogicalRule), Threshold: a.RuleFailedInvocations,
		},
	)
}

// addAlarms adds the alarms and the encrypted topic they notify. CloudWatch can publish to an encrypted
// topic only with a customer managed key whose policy lets the CloudWatch service principal use it (the
// AWS managed key of SNS cannot be given that permission), so the topic has its own key.
// https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
func addAlarms(t *cloudformation.Template, c Config) {
	t.Resources[LogicalAlarmKey] = &kms.Key{
		Description:                          new("Encrypts the sluice alarm topic."),
		EnableKeyRotation:                    new(true),
		AWSCloudFormationDeletionPolicy:      remove,
		AWSCloudFormationUpdateReplacePolicy: removeOnReplace,
		KeyPolicy: policy(
			statement{
				Sid:       "AccountAdministers",
				Effect:    "Allow",
				Principal: map[string]string{"AWS": arn("iam::${AWS::AccountId}:root")},
				Action:    []string{"kms:*"},
				Resource:  []string{"*"},
			},
			statement{
				Sid:       "CloudWatchPublishesAlarms",
				Effect:    "Allow",
				Principal: servicePrincipal("cloudwatch.amazonaws.com"),
				Action:    []string{"kms:Decrypt", "kms:GenerateDataKey*"},
				Resource:  []string{"*"},
				Condition: conditions{"StringEquals": {"aws:SourceAccount": cloudformation.Ref("AWS::AccountId")}},
			},
		),
	}
	t.Resources[LogicalAlarmTopic] = &sns.Topic{
		DisplayName:    new("sluice pipeline alarms"),
		KmsMasterKeyId: cloudformation.RefPtr(LogicalAlarmKey),
	}
	t.Resources[LogicalAlarmTopicPolicy] = &sns.TopicPolicy{
		Topics: []string{cloudformation.Ref(LogicalAlarmTopic)},
		PolicyDocument: policy(
			statement{
				Sid:       "CloudWatchAlarmsPublish",
				Effect:    "Allow",
				Principal: servicePrincipal("cloudwatch.amazonaws.com"),
				Action:    []string{"sns:Publish"},
				Resource:  []string{cloudformation.Ref(LogicalAlarmTopic)},
				Condition: conditions{
					"ArnLike":      {"aws:SourceArn": arn("cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*")},
					"StringEquals": {"aws:SourceAccount": cloudformation.Ref("AWS::AccountId")},
				},
			},
			denyInsecureTransport("sns:Publish", cloudformation.Ref(LogicalAlarmTopic)),
		),
	}
	topic := []string{cloudformation.Ref(LogicalAlarmTopic)}
	for _, s := range c.AlarmSpecs() {
		t.Resources[s.LogicalID] = &cloudwatch.Alarm{
			AlarmDescription:   new(s.Description),
			Namespace:          new(s.Namespace),
			MetricName:         new(s.Metric),
			Dimensions:         []cloudwatch.Alarm_Dimension{{Name: s.Dimension, Value: s.Value}},
			Statistic:          new(s.Statistic),
			Period:             new(c.Alarms.PeriodSeconds),
			EvaluationPeriods:  c.Alarms.EvaluationPeriods,
			Threshold:          new(s.Threshold),
			ComparisonOperator: "GreaterThanOrEqualToThreshold",
			// No data means nothing happened: no failures, no throttles, an empty queue.
			TreatMissingData: new("notBreaching"),
			AlarmActions:     topic,
			OKActions:        topic,
		}
	}
}
