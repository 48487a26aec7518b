// Package stack is the only package that wires the local services together. It builds the embedded
// local AWS from the generated CloudFormation template (deploy/template.json), so that local
// configuration is the cloud configuration: the bucket with its EventBridge setting, the rule with its
// pattern, target, retry policy and dead-letter handling, the state machine with its
// DefinitionSubstitutions resolved to local ARNs, and the functions mapped to in-process task handlers by
// logical id with their timeout, memory and environment.
//
// Every request passes the stack's guard (package guard) before it is routed: requests a web page could
// have made are refused in the shape of their protocol.
package stack
