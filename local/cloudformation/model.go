package cloudformation

import (
	"time"
)

// Stack statuses (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html).
const (
	StatusCreateInProgress                        = "CREATE_IN_PROGRESS"
	StatusCreateFailed                            = "CREATE_FAILED"
	StatusCreateComplete                          = "CREATE_COMPLETE"
	StatusRollbackInProgress                      = "ROLLBACK_IN_PROGRESS"
	StatusRollbackFailed                          = "ROLLBACK_FAILED"
	StatusRollbackComplete                        = "ROLLBACK_COMPLETE"
	StatusDeleteInProgress                        = "DELETE_IN_PROGRESS"
	StatusDeleteFailed                            = "DELETE_FAILED"
	StatusDeleteComplete                          = "DELETE_COMPLETE"
	StatusUpdateInProgress                        = "UPDATE_IN_PROGRESS"
	StatusUpdateCompleteCleanupInProgress         = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
	StatusUpdateComplete                          = "UPDATE_COMPLETE"
	StatusUpdateFailed                            = "UPDATE_FAILED"
	StatusUpdateRollbackInProgress                = "UPDATE_ROLLBACK_IN_PROGRESS"
	StatusUpdateRollbackFailed                    = "UPDATE_ROLLBACK_FAILED"
	StatusUpdateRollbackCompleteCleanupInProgress = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
	StatusUpdateRollbackComplete                  = "UPDATE_ROLLBACK_COMPLETE"
	StatusReviewInProgress                        = "REVIEW_IN_PROGRESS"
)

// Resource statuses (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResource.html).
const (
	resCreateInProgress = "CREATE_IN_PROGRESS"
	resCreateFailed     = "CREATE_FAILED"
	resCreateComplete   = "CREATE_COMPLETE"
	resUpdateInProgress = "UPDATE_IN_PROGRESS"
	resUpdateFailed     = "UPDATE_FAILED"
	resUpdateComplete   = "UPDATE_COMPLETE"
	resDeleteInProgress = "DELETE_IN_PROGRESS"
	resDeleteFailed     = "DELETE_FAILED"
	resDeleteComplete   = "DELETE_COMPLETE"
	resDeleteSkipped    = "DELETE_SKIPPED"
)

// Change set statuses and execution statuses
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html).
const (
	csCreateComplete = "CREATE_COMPLETE"
	csFailed         = "FAILED"
	csDeleteComplete = "DELETE_COMPLETE"

	execAvailable   = "AVAILABLE"
	execUnavailable = "UNAVAILABLE"
	execInProgress  = "EXECUTE_IN_PROGRESS"
	execComplete    = "EXECUTE_COMPLETE"
	execFailed      = "EXECUTE_FAILED"
	execObsolete    = "OBSOLETE"
)

// noChangesReason is the StatusReason of a change set that changes nothing, the text
// `aws cloudformation deploy` looks for to say "No changes to deploy".
const noChangesReason = "The submitted information didn't contain changes. Submit different information to create a change set."

// noUpdatesMessage is UpdateStack's ValidationError for a template and parameters that change nothing.
const noUpdatesMessage = "No updates are to be performed."

// parameter is a stack parameter with its value; NoEcho values are answered as "****".
type parameter struct {
	Key              string `json:"key"`
	Value            string `json:"value"`
	NoEcho           bool   `json:"noEcho,omitempty"`
	UsePreviousValue bool   `json:"-"`
}

// output is a stack output with its resolved value.
type output struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Description string `json:"description,omitempty"`
	ExportName  string `json:"exportName,omitempty"`
}

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// stackMeta is a stack's own state, without its template, resources and events (each kept in records
// of their own so that a resource's progress does not rewrite the template).
type stackMeta struct {
	ID              string      `json:"id"`
	Name            string      `json:"name"`
	Status          string      `json:"status"`
	Reason          string      `json:"reason,omitempty"`
	Description     string      `json:"description,omitempty"`
	Created         time.Time   `json:"created"`
	Updated         time.Time   `json:"updated,omitzero"`
	Deleted         time.Time   `json:"deleted,omitzero"`
	Parameters      []parameter `json:"parameters,omitempty"`
	Capabilities    []string    `json:"capabilities,omitempty"`
	Outputs         []output    `json:"outputs,omitempty"`
	Tags            []tag       `json:"tags,omitempty"`
	DisableRollback bool        `json:"disableRollback,omitempty"`
	ChangeSetID     string      `json:"changeSetId,omitempty"`
	ClientToken     string      `json:"clientToken,omitempty"`
	// Op is the operation in progress (opCreate, opUpdate, opDelete), so that a restart can finish or
	// roll it back.
	Op               string      `json:"op,omitempty"`
	Seq              int64       `json:"seq"`                        // the last resource Seq given
	PrevTemplate     string      `json:"prevTemplate,omitempty"`     // during an update: the template to roll back to
	PrevParameters   []parameter `json:"prevParameters,omitempty"`   // and its parameters
	PrevOutputs      []output    `json:"prevOutputs,omitempty"`      // and its outputs
	PrevDescription  string      `json:"prevDescription,omitempty"`  // and its description
	PrevCapabilities []string    `json:"prevCapabilities,omitempty"` // and its capabilities
}

// resource is one provisioned resource of a stack.
type resource struct {
	LogicalID  string    `json:"logicalId"`
	Type       string    `json:"type"`
	PhysicalID string    `json:"physicalId,omitempty"`
	Status     string    `json:"status"`
	Reason     string    `json:"reason,omitempty"`
	Updated    time.Time `json:"updated"`
	// Name is the physical name (the physical id is the ARN or URL for some types).
	Name       string         `json:"name,omitempty"`
	Properties map[string]any `json:"properties,omitempty"` // resolved, as provisioned
	// Ref is what Ref gives; Attributes the Fn::GetAtt values.
	Ref        string         `json:"ref,omitempty"`
	Attributes map[string]any `json:"attributes,omitempty"`
	// Seq orders resources by creation: deletion runs in reverse, which respects their dependencies.
	Seq int64 `json:"seq"`
	// Op is what the operation in progress does to the resource: opAdd, opModify, opReplace,
	// opRemove, or "" (untouched). A rollback reads it, after a restart too.
	Op                  string `json:"op,omitempty"`
	DeletionPolicy      string `json:"deletionPolicy,omitempty"`
	UpdateReplacePolicy string `json:"updateReplacePolicy,omitempty"`
	// Prev is the resource as it was before the update in progress (nil when it was added by it).
	Prev *resource `json:"prev,omitempty"`
}

// What an operation does to a resource (resource.Op).
const (
	opAdd     = "add"
	opModify  = "modify"
	opReplace = "replace"
	opRemove  = "remove"
)

// event is one stack event (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackEvent.html).
type event struct {
	StackID     string    `json:"stackId"`
	EventID     string    `json:"eventId"`
	StackName   string    `json:"stackName"`
	LogicalID   string    `json:"logicalId"`
	PhysicalID  string    `json:"physicalId,omitempty"`
	Type        string    `json:"type"`
	Timestamp   time.Time `json:"timestamp"`
	Status      string    `json:"status"`
	Reason      string    `json:"reason,omitempty"`
	Properties  string    `json:"properties,omitempty"`
	ClientToken string    `json:"clientToken,omitempty"`
}

// change is one resource change of a change set
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChange.html).
type change struct {
	Action      string         `json:"action"` // Add, Modify, Remove
	LogicalID   string         `json:"logicalId"`
	PhysicalID  string         `json:"physicalId,omitempty"`
	Type        string         `json:"type"`
	Replacement string         `json:"replacement,omitempty"` // True, False, Conditional (Modify only)
	Scope       []string       `json:"scope,omitempty"`
	Details     []changeDetail `json:"details,omitempty"`
	// PolicyAction is Delete or Retain (Remove), ReplaceAndDelete or ReplaceAndRetain (replacement).
	PolicyAction string `json:"policyAction,omitempty"`
}

type changeDetail struct {
	Attribute           string `json:"attribute"` // Properties, Metadata, ...
	Name                string `json:"name,omitempty"`
	RequiresRecreation  string `json:"requiresRecreation,omitempty"` // Never, Conditionally, Always
	Evaluation          string `json:"evaluation,omitempty"`         // Static, Dynamic
	ChangeSource        string `json:"changeSource,omitempty"`       // DirectModification, ResourceReference, ParameterReference, ...
	CausingEntity       string `json:"causingEntity,omitempty"`
	Path                string `json:"path,omitempty"`
	BeforeValue         string `json:"beforeValue,omitempty"`
	AfterValue          string `json:"afterValue,omitempty"`
	AttributeChangeType string `json:"attributeChangeType,omitempty"`
}

// changeSet is a change set with the template and parameters it would apply.
type changeSet struct {
	ID              string      `json:"id"`
	Name            string      `json:"name"`
	StackID         string      `json:"stackId"`
	StackName       string      `json:"stackName"`
	Type            string      `json:"type"` // CREATE, UPDATE
	Status          string      `json:"status"`
	Reason          string      `json:"reason,omitempty"`
	ExecutionStatus string      `json:"executionStatus"`
	Created         time.Time   `json:"created"`
	Description     string      `json:"description,omitempty"`
	Template        string      `json:"template"`
	Parameters      []parameter `json:"parameters,omitempty"`
	Capabilities    []string    `json:"capabilities,omitempty"`
	Tags            []tag       `json:"tags,omitempty"`
	Changes         []change    `json:"changes,omitempty"`
}

// stack is a stack in memory: its record, template, resources (by logical id) and events (oldest
// first, the most recent maxEvents).
type stack struct {
	stackMeta
	// id and name are the stack's, never changed: operations read them without the lock (stackMeta is
	// replaced as a whole on every change).
	id, name  string
	template  string
	resources map[string]*resource
	events    []event
	// busy is set while an operation runs on the stack.
	busy bool
}

// maxEvents bounds the events kept per stack; AWS keeps them all, but memory here is bounded.
const maxEvents = 2000

// maxChangeSetsPerStack bounds the change sets a stack keeps (each holds its template, up to 1 MB): the
// local memory bound, not an AWS quota.
const maxChangeSetsPerStack = 100

// maxDeletedStacks bounds the deleted stacks kept for ListStacks and DescribeStacks by stack id (AWS
// keeps them for 90 days).
const maxDeletedStacks = 100

func (s *stack) inProgress() bool {
	switch s.Status {
	case StatusCreateInProgress, StatusRollbackInProgress, StatusDeleteInProgress, StatusUpdateInProgress,
		StatusUpdateCompleteCleanupInProgress, StatusUpdateRollbackInProgress, StatusUpdateRollbackCompleteCleanupInProgress:
		return true
	}
	return s.busy
}
