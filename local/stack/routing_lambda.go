package stack

import "strings"

// lambdaResources are the first two segments of every Lambda API path: the API version date and the
// resource (Lambda's REST paths, from its service model: ListFunctions is GET /2015-03-31/functions,
// GetAccountSettings GET /2016-08-19/account-settings/, ListTags GET /2017-03-31/tags/{ARN}, and so on).
// A request whose path starts with one of them goes to Lambda, with or without a trailing slash, so that
// operations the local Lambda does not serve get Lambda's own error rather than S3's NoSuchBucket.
// https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html
var lambdaResources = []string{
	"2014-11-13/functions",
	"2015-03-31/event-source-mappings",
	"2015-03-31/functions",
	"2016-08-19/account-settings",
	"2017-03-31/tags",
	"2017-10-31/functions",
	"2018-10-31/layers",
	"2019-09-25/functions",
	"2019-09-30/functions",
	"2020-04-22/code-signing-configs",
	"2020-06-30/functions",
	"2021-07-20/functions",
	"2021-10-31/functions",
	"2021-11-15/functions",
	"2024-08-31/functions",
	"2025-11-30/capacity-providers",
	"2025-11-30/functions",
	"2025-12-01/durable-execution-callbacks",
	"2025-12-01/durable-executions",
	"2025-12-01/functions",
}

// isLambdaPath reports whether path is a Lambda API path.
func isLambdaPath(path string) bool {
	rest, ok := strings.CutPrefix(path, "/")
	if !ok {
		return false
	}
	for _, res := range lambdaResources {
		if after, ok := strings.CutPrefix(rest, res); ok && (after == "" || after[0] == '/') {
			return true
		}
	}
	return false
}
