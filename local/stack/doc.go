// Package stack is the only package that wires the local services together. At start it deploys the
// generated CloudFormation template (deploy/template.json) as a CloudFormation stack through the local
// CloudFormation service's API (local/cloudformation), the path `aws cloudformation deploy` takes, so
// that local configuration is the cloud configuration: the bucket with its EventBridge setting, the rule
// with its pattern, target, retry policy and dead-letter handling, the state machine with its
// DefinitionSubstitutions resolved to local ARNs, and the functions mapped to in-process task handlers by
// logical id (the stack is the CloudFormation service's FunctionHost) with their timeout, memory and
// environment. Deploy updates the stack from a changed template (sluice up --watch); Config.Empty starts
// the services without a stack, for clients that deploy their own. What the stack reports (Resources:
// the pipeline bucket, the state machine, the functions and their log groups) is read from the deployed
// stack.
//
// Every request passes the stack's guard (package guard) before it is routed: requests a web page could
// have made are refused in the shape of their protocol.
package stack
