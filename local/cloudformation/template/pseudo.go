package template

import "strings"

// Env is what a stack knows about where it is deployed: the values of the pseudo parameters, and how
// Fn::ImportValue reads other stacks' exports.
type Env struct {
	Region    string // e.g. "us-east-1"
	AccountID string // 12 digits
	StackName string
	// StackID is the stack's ARN; when empty, one is made from the region, account and name with
	// "local" as its unique part.
	StackID          string
	NotificationARNs []string
	// Import returns the value of another stack's export (Fn::ImportValue); nil means none exist.
	Import func(exportName string) (string, bool)
}

// Pseudo parameters (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html).
const (
	PseudoAccountID        = "AWS::AccountId"
	PseudoNotificationARNs = "AWS::NotificationARNs"
	PseudoNoValue          = "AWS::NoValue"
	PseudoPartition        = "AWS::Partition"
	PseudoRegion           = "AWS::Region"
	PseudoStackID          = "AWS::StackId"
	PseudoStackName        = "AWS::StackName"
	PseudoURLSuffix        = "AWS::URLSuffix"
)

func isPseudo(name string) bool {
	switch name {
	case PseudoAccountID, PseudoNotificationARNs, PseudoNoValue, PseudoPartition, PseudoRegion, PseudoStackID,
		PseudoStackName, PseudoURLSuffix:
		return true
	}
	return false
}

// Partition returns the partition of a region: aws-cn for the China regions, aws-us-gov for GovCloud,
// aws otherwise (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html#cfn-pseudo-param-partition).
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// URLSuffix returns the domain suffix of a region: amazonaws.com.cn in China, amazonaws.com otherwise
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html#cfn-pseudo-param-urlsuffix).
func URLSuffix(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// stackID is the env's StackID, or one made from it.
func (e Env) stackID() string {
	if e.StackID != "" {
		return e.StackID
	}
	return "arn:" + Partition(e.Region) + ":cloudformation:" + e.Region + ":" + e.AccountID + ":stack/" + e.StackName + "/local"
}

// pseudo returns a pseudo parameter's value (noValue for AWS::NoValue).
func (e Env) pseudo(name string) any {
	switch name {
	case PseudoAccountID:
		return e.AccountID
	case PseudoNotificationARNs:
		l := make([]any, len(e.NotificationARNs))
		for i, a := range e.NotificationARNs {
			l[i] = a
		}
		return l
	case PseudoNoValue:
		return noValue{}
	case PseudoPartition:
		return Partition(e.Region)
	case PseudoRegion:
		return e.Region
	case PseudoStackID:
		return e.stackID()
	case PseudoStackName:
		return e.StackName
	case PseudoURLSuffix:
		return URLSuffix(e.Region)
	}
	return nil
}

// noValue is what Ref AWS::NoValue evaluates to: the property (or list element) holding it is removed.
type noValue struct{}
