package tasks

import (
	"net/url"
	"strings"
)

// LocalAccount is the account of the embedded local AWS: its executions have no AWS console page.
const LocalAccount = "000000000000"

// consoleHosts is the AWS Management Console's host in each partition
// (https://docs.aws.amazon.com/general/latest/gr/mgmt-console.html; China: console.amazonaws.cn; GovCloud
// (US): console.amazonaws-us-gov.com), as gen's template maps them.
var consoleHosts = map[string]string{
	"aws":        "console.aws.amazon.com",
	"aws-cn":     "console.amazonaws.cn",
	"aws-us-gov": "console.amazonaws-us-gov.com",
}

// ConsoleHost is the AWS Management Console's host in a partition ("aws", "aws-cn", "aws-us-gov"), or ""
// for another.
func ConsoleHost(partition string) string { return consoleHosts[partition] }

// ExecutionConsoleURL is the Step Functions console's page of an execution in AWS, from its ARN
// (arn:<partition>:states:<region>:<account>:execution:<machine>:<name>), or "" for an ARN that is not an
// AWS execution's: malformed, of an unknown partition, or of the local stack's account.
func ExecutionConsoleURL(executionArn string) string {
	parts := strings.SplitN(executionArn, ":", 8)
	if len(parts) != 8 || parts[0] != "arn" || parts[2] != "states" || parts[5] != "execution" || parts[4] == LocalAccount {
		return ""
	}
	host, ok := consoleHosts[parts[1]]
	region := parts[3]
	if !ok || region == "" {
		return ""
	}
	return "https://" + region + "." + host + "/states/home?region=" + url.QueryEscape(region) +
		"#/v2/executions/details/" + url.PathEscape(executionArn)
}
