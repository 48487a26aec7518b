package deployer_test

import (
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/sluicehq/sluice/internal/deployer"
)

// A change set's resource changes, as DescribeChangeSet returns them, rendered as sluice deploy shows
// them before asking.
func ExampleWriteChanges() {
	changes := []cfntypes.Change{
		{ResourceChange: &cfntypes.ResourceChange{Action: cfntypes.ChangeActionModify, LogicalResourceId: aws.String("StateMachine"),
			ResourceType: aws.String("AWS::StepFunctions::StateMachine"), Replacement: cfntypes.ReplacementFalse}},
		{ResourceChange: &cfntypes.ResourceChange{Action: cfntypes.ChangeActionAdd, LogicalResourceId: aws.String("Queue"),
			ResourceType: aws.String("AWS::SQS::Queue")}},
	}
	deployer.WriteChanges(os.Stdout, changes)
	// Output:
	// ACTION  LOGICAL ID    TYPE                              REPLACEMENT
	// Modify  StateMachine  AWS::StepFunctions::StateMachine  False
	// Add     Queue         AWS::SQS::Queue                   -
}

// The artifact bucket sluice deploy uses when none is given: one per account and region.
func ExampleDefaultBucket() {
	os.Stdout.WriteString(deployer.DefaultBucket("123456789012", "eu-west-1") + "\n")
	// Output: sluice-artifacts-123456789012-eu-west-1
}
