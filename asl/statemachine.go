package asl

// StateMachine is a whole definition: the top-level object of an ASL
// document.
// https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html
type StateMachine struct {
	Comment string
	// StartAt names the first state to run; required.
	StartAt string
	// States maps each state's name to the state; required and non-empty.
	States map[string]State
	// Version is the ASL version; "" is absent (AWS assumes "1.0").
	Version string
	// TimeoutSeconds is the maximum run time of an execution; nil is absent.
	TimeoutSeconds *int
	// QueryLanguage is the default for every state; "" is absent (JSONPath).
	QueryLanguage QueryLanguage
}

// Branch is a nested state machine: one of a Parallel state's Branches or a
// Map state's Iterator. Its states form their own namespace: a Next inside
// a branch can only name a state of the same branch.
type Branch struct {
	Comment string
	StartAt string
	States  map[string]State
}

// ItemProcessor is the state machine a Map state runs for each item, with
// the processor configuration that selects inline or distributed mode.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
type ItemProcessor struct {
	Comment string
	// ProcessorConfig is nil when absent (inline mode).
	ProcessorConfig *ProcessorConfig
	StartAt         string
	States          map[string]State
}

// ProcessorConfig is an ItemProcessor's "ProcessorConfig".
type ProcessorConfig struct {
	// Mode is "INLINE" or "DISTRIBUTED"; "" is absent (INLINE).
	Mode ProcessorMode
	// ExecutionType is "STANDARD" or "EXPRESS" (distributed mode only).
	ExecutionType ExecutionType
}

// ProcessorMode is a Map state's processing mode.
type ProcessorMode string

// The Map processing modes.
const (
	ModeInline      ProcessorMode = "INLINE"
	ModeDistributed ProcessorMode = "DISTRIBUTED"
)

// ExecutionType is the type of the child executions of a distributed Map.
type ExecutionType string

// The child execution types.
const (
	ExecutionStandard ExecutionType = "STANDARD"
	ExecutionExpress  ExecutionType = "EXPRESS"
)
