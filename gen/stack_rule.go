package gen

import (
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/events"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/cloudformation/sqs"

	"github.com/sluicehq/sluice/tasks"
)

// EventPattern returns the rule's event pattern: S3 "Object Created" events of the pipeline bucket whose
// key starts with incoming/, so the pipeline's own writes (staging/, processed/, ...) never re-trigger
// it. bucketName is the bucket's name (an intrinsic in the template, a literal locally).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
func EventPattern(bucketName string) map[string]any {
	return map[string]any{
		"source":      []string{"aws.s3"},
		"detail-type": []string{"Object Created"},
		"detail": map[string]any{
			"bucket": map[string]any{"name": []string{bucketName}},
			"object": map[string]any{"key": []any{map[string]string{"prefix": tasks.PrefixIncoming}}},
		},
	}
}

// addRule adds the EventBridge rule starting an execution per object, the role it starts executions
// with, and the dead-letter queue for events it could not deliver.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
func addRule(t *cloudformation.Template, c Config) {
	t.Resources[LogicalRule] = &events.Rule{
		Description:  new("Start the pipeline for every object created under " + tasks.PrefixIncoming + " in the pipeline bucket."),
		EventPattern: EventPattern(cloudformation.Ref(LogicalBucket)),
		State:        new("ENABLED"),
		Targets: []events.Rule_Target{{
			Id:      RuleTargetID,
			Arn:     cloudformation.Ref(LogicalStateMachine),
			RoleArn: cloudformation.GetAttPtr(LogicalRuleRole, "Arn"),
			// No Input: the execution input is the whole event.
			RetryPolicy: &events.Rule_RetryPolicy{
				MaximumRetryAttempts:     new(c.EventRetry.MaximumRetryAttempts),
				MaximumEventAgeInSeconds: new(c.EventRetry.MaximumEventAgeInSeconds),
			},
			DeadLetterConfig: &events.Rule_DeadLetterConfig{Arn: cloudformation.GetAttPtr(LogicalDeadLetterQueue, "Arn")},
		}},
	}
	t.Resources[LogicalRuleRole] = &iam.Role{
		Description:              new("Lets the object-created rule start executions of the pipeline state machine, and nothing else."),
		AssumeRolePolicyDocument: assumeRolePolicy("events.amazonaws.com"),
		Policies: []iam.Role_Policy{{
			PolicyName: "StartPipelineExecution",
			PolicyDocument: policy(allow([]string{"states:StartExecution"},
				cloudformation.Ref(LogicalStateMachine))),
		}},
	}
	t.Resources[LogicalDeadLetterQueue] = &sqs.Queue{
		SqsManagedSseEnabled:                 new(true),
		MessageRetentionPeriod:               new(c.DeadLetterRetentionSeconds),
		AWSCloudFormationDeletionPolicy:      remove,
		AWSCloudFormationUpdateReplacePolicy: removeOnReplace,
	}
	t.Resources[LogicalDeadLetterQueuePolicy] = &sqs.QueuePolicy{
		Queues: []string{cloudformation.Ref(LogicalDeadLetterQueue)},
		PolicyDocument: policy(
			statement{
				Sid:       "EventBridgeDeadLetters",
				Effect:    "Allow",
				Principal: servicePrincipal("events.amazonaws.com"),
				Action:    []string{"sqs:SendMessage"},
				Resource:  []string{cloudformation.GetAtt(LogicalDeadLetterQueue, "Arn")},
				Condition: conditions{"ArnEquals": {"aws:SourceArn": cloudformation.GetAtt(LogicalRule, "Arn")}},
			},
			denyInsecureTransport("sqs:*", cloudformation.GetAtt(LogicalDeadLetterQueue, "Arn")),
		),
	}
}
