package gen

import "github.com/awslabs/goformation/v7/cloudformation"

// policyDocument is an IAM policy document
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html). Strings inside
// may be goformation intrinsics (cloudformation.Ref, GetAtt, Sub): the template encoder expands them.
type policyDocument struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string     `json:"Sid,omitempty"`
	Effect    string     `json:"Effect"`
	Principal any        `json:"Principal,omitempty"`
	Action    []string   `json:"Action"`
	Resource  []string   `json:"Resource,omitempty"`
	Condition conditions `json:"Condition,omitempty"`
}

// conditions maps a condition operator to its keys and values.
type conditions map[string]map[string]any

func policy(statements ...statement) policyDocument {
	return policyDocument{Version: "2012-10-17", Statement: statements}
}

func allow(actions []string, resources ...string) statement {
	return statement{Effect: "Allow", Action: actions, Resource: resources}
}

// servicePrincipal is {"Service": name}.
func servicePrincipal(name string) map[string]string {
	return map[string]string{"Service": name}
}

// assumeRolePolicy lets an AWS service in this account assume a role. The aws:SourceAccount condition
// guards against the confused deputy problem
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
func assumeRolePolicy(service string) policyDocument {
	return policy(statement{
		Effect:    "Allow",
		Principal: servicePrincipal(service),
		Action:    []string{"sts:AssumeRole"},
		Condition: conditions{"StringEquals": {"aws:SourceAccount": cloudformation.Ref("AWS::AccountId")}},
	})
}

// denyInsecureTransport denies every action on the resources to requests not sent over TLS
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html).
func denyInsecureTransport(action string, resources ...string) statement {
	return statement{
		Sid:       "DenyInsecureTransport",
		Effect:    "Deny",
		Principal: map[string]string{"AWS": "*"},
		Action:    []string{action},
		Resource:  resources,
		Condition: conditions{"Bool": {"aws:SecureTransport": "false"}},
	}
}

// xrayWrite is what a function or state machine needs to send X-Ray traces; X-Ray does not support
// resource-level permissions for these actions
// (https://docs.aws.amazon.com/xray/latest/devguide/security_iam_service-with-iam.html).
func xrayWrite() statement {
	s := allow([]string{
		"xray:GetSamplingRules",
		"xray:GetSamplingTargets",
		"xray:PutTelemetryRecords",
		"xray:PutTraceSegments",
	}, "*")
	s.Sid = "XRayWrite"
	return s
}

// arn builds an ARN of this stack's partition, region and account with Fn::Sub, e.g.
// arn("s3:::${Bucket}/incoming/*").
func arn(rest string) string {
	return cloudformation.Sub("arn:${AWS::Partition}:" + rest)
}
