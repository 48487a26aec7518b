package deployer

import (
	"net/url"
	"strings"

	"github.com/sluicehq/sluice/tasks"
)

// StackConsoleURL is the stack's page in the CloudFormation console, from its id
// (arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>), in the console of its
// partition; "" for an id that is not an AWS stack's (malformed, an unknown partition, or the local
// stack's account).
func StackConsoleURL(stackID string) string {
	partition, region, ok := awsARN(stackID, "cloudformation")
	if !ok {
		return ""
	}
	return "https://" + region + "." + tasks.ConsoleHost(partition) + "/cloudformation/home?region=" + url.QueryEscape(region) +
		"#/stacks/stackinfo?stackId=" + url.QueryEscape(stackID)
}

// BucketConsoleURL is a bucket's page in the S3 console of the partition and region of stackID (an AWS
// ARN), "" when stackID is not an AWS stack's.
func BucketConsoleURL(stackID, bucket string) string {
	partition, region, ok := awsARN(stackID, "cloudformation")
	if !ok || bucket == "" {
		return ""
	}
	return "https://" + tasks.ConsoleHost(partition) + "/s3/buckets/" + url.PathEscape(bucket) + "?region=" + url.QueryEscape(region)
}

// awsARN splits an ARN of service in AWS into its partition and region; ok is false for a malformed ARN,
// a partition without a console, or the local account.
func awsARN(arn, service string) (partition, region string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != service || parts[3] == "" || parts[4] == tasks.LocalAccount {
		return "", "", false
	}
	if tasks.ConsoleHost(parts[1]) == "" {
		return "", "", false
	}
	return parts[1], parts[3], true
}
