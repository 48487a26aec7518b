package asl

import "strings"

// resource checks a Task's Resource. It must be an ARN. For the optimized
// service integrations ("arn:<partition>:states:::<service>:<action>") of
// the services listed in optimizedActions, the action must be one AWS
// offers; other services and "aws-sdk:" integrations are accepted as
// written.
// https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html
func (v *validator) resource(loc, res string) {
	if res == "" {
		return
	}
	if !knownResource(res) {
		v.schema(loc+"/Resource", "The resource provided "+res+" is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.")
	}
}

func knownResource(res string) bool {
	parts := strings.SplitN(res, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return false
	}
	if parts[2] != "states" || parts[3] != "" || parts[4] != "" {
		return true
	}
	// arn:partition:states:::service:action[.pattern]
	service, action, ok := strings.Cut(parts[5], ":")
	if !ok || service == "" || action == "" {
		return false
	}
	if service == "aws-sdk" {
		return strings.Contains(action, ":")
	}
	base, _, _ := strings.Cut(action, ".")
	actions, listed := optimizedActions(service)
	if !listed {
		return true
	}
	for _, a := range actions {
		if a == base {
			return true
		}
	}
	return false
}

// optimizedActions lists the actions of the optimized integrations this
// package checks; for other services it reports false.
// https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html
func optimizedActions(service string) ([]string, bool) {
	switch service {
	case "lambda":
		return []string{"invoke"}, true
	case "dynamodb":
		// https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html
		return []string{"getItem", "putItem", "updateItem", "deleteItem"}, true
	case "sns":
		return []string{"publish"}, true
	case "sqs":
		return []string{"sendMessage"}, true
	case "events":
		return []string{"putEvents"}, true
	case "states":
		return []string{"startExecution"}, true
	case "glue":
		return []string{"startJobRun"}, true
	case "batch":
		return []string{"submitJob"}, true
	case "ecs":
		return []string{"runTask"}, true
	case "apigateway":
		return []string{"invoke"}, true
	case "http":
		return []string{"invoke"}, true
	}
	return nil, false
}
