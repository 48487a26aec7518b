// Package cloudformation is a local AWS CloudFormation: the stack and change set API over
// CloudFormation's query protocol (form-encoded requests, XML answers, AWS's error XML), as the AWS CLI
// (`aws cloudformation deploy` and its waiters) and the AWS SDKs call it, provisioning each resource
// through its own service's public API on the local endpoint, never through another service's Go
// methods: services never import each other.
//
// # Contract
//
// Operations: ValidateTemplate, GetTemplateSummary, CreateStack, UpdateStack, DeleteStack,
// DescribeStacks, ListStacks, DescribeStackEvents, DescribeStackResource, DescribeStackResources,
// ListStackResources, GetTemplate, ListExports, CreateChangeSet (CREATE and UPDATE), DescribeChangeSet,
// ExecuteChangeSet, DeleteChangeSet and ListChangeSets, with AWS's error codes and messages
// (ValidationError, AlreadyExistsException, ChangeSetNotFound, InsufficientCapabilitiesException,
// InvalidChangeSetStatus). Templates are read, validated, bound to parameters, ordered, resolved and
// diffed by the pure package local/cloudformation/template; a TemplateURL is read from the local S3.
//
// A change set's changes are computed before CreateChangeSet answers: it is CREATE_COMPLETE (or FAILED,
// "The submitted information didn't contain changes. ..." when it changes nothing) at once. Stack
// operations run in the background, one per stack; the API call that starts one waits for it at most
// the settle time (WithSettle) before it answers.
//
// Provisioned through the services' APIs (WithEndpoint, AWS SDK clients): S3 buckets (versioning,
// EventBridge notifications), log groups (retention), state machines (definition with
// DefinitionSubstitutions, logging, tracing), EventBridge rules (pattern or schedule, state, targets).
// Lambda functions go to the FunctionHost, which maps each to an in-process handler. Every other AWS::
// type is recorded with the physical id and the Ref and Fn::GetAtt values AWS gives it, so that
// references and outputs resolve. An update changes a resource in place unless a changed property
// requires its replacement (template.RequiresRecreation), in which case the new resource is created and
// the old one deleted in the cleanup phase. A failure rolls the stack back (ROLLBACK_COMPLETE after a
// creation, UPDATE_ROLLBACK_COMPLETE after an update) and the stack events name the resource and the
// error. DeleteStack keeps resources whose DeletionPolicy is Retain.
//
// Durability: stacks, templates, resources, events and change sets are records of one durable log
// (internal/durablelog, in WithDataDir); a call that changes them answers success only once its records
// are written. Every step of an operation is written before the next one runs, so after a stop Resume
// finishes what was in progress: a creation or an update is rolled back, a rollback, a cleanup or a
// deletion carries on. New registers the functions of the deployed stacks with the FunctionHost again,
// since a host keeps them in memory.
//
// Not served: stack sets, drift detection, resource import, stack policies, termination protection,
// rollback triggers and notifications, ContinueUpdateRollback, CancelUpdateStack, nested stacks and
// custom resources (they fail to create), paging (one page per answer; the latest 2,000 events per stack).
package cloudformation
