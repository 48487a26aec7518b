package interp

import (
	"sync"
	"time"
)

// EventType is a history event's "type", exactly as GetExecutionHistory
// reports it.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
type EventType string

// The history event types the interpreter emits.
const (
	ExecutionStarted   EventType = "ExecutionStarted"
	ExecutionSucceeded EventType = "ExecutionSucceeded"
	ExecutionFailed    EventType = "ExecutionFailed"
	ExecutionAborted   EventType = "ExecutionAborted"
	ExecutionTimedOut  EventType = "ExecutionTimedOut"

	PassStateEntered     EventType = "PassStateEntered"
	PassStateExited      EventType = "PassStateExited"
	TaskStateEntered     EventType = "TaskStateEntered"
	TaskStateExited      EventType = "TaskStateExited"
	TaskStateAborted     EventType = "TaskStateAborted"
	ChoiceStateEntered   EventType = "ChoiceStateEntered"
	ChoiceStateExited    EventType = "ChoiceStateExited"
	WaitStateEntered     EventType = "WaitStateEntered"
	WaitStateExited      EventType = "WaitStateExited"
	WaitStateAborted     EventType = "WaitStateAborted"
	SucceedStateEntered  EventType = "SucceedStateEntered"
	SucceedStateExited   EventType = "SucceedStateExited"
	FailStateEntered     EventType = "FailStateEntered"
	ParallelStateEntered EventType = "ParallelStateEntered"
	ParallelStateExited  EventType = "ParallelStateExited"
	ParallelStateStarted EventType = "ParallelStateStarted"
	// ParallelStateSucceeded is the event AWS documents for a Parallel
	// state whose branches all succeeded.
	ParallelStateSucceeded EventType = "ParallelStateSucceeded"
	ParallelStateFailed    EventType = "ParallelStateFailed"
	ParallelStateAborted   EventType = "ParallelStateAborted"
	MapStateEntered        EventType = "MapStateEntered"
	MapStateExited         EventType = "MapStateExited"
	MapStateStarted        EventType = "MapStateStarted"
	MapStateSucceeded      EventType = "MapStateSucceeded"
	MapStateFailed         EventType = "MapStateFailed"
	MapStateAborted        EventType = "MapStateAborted"
	MapIterationStarted    EventType = "MapIterationStarted"
	MapIterationSucceeded  EventType = "MapIterationSucceeded"
	MapIterationFailed     EventType = "MapIterationFailed"
	MapIterationAborted    EventType = "MapIterationAborted"
	MapRunStarted          EventType = "MapRunStarted"
	MapRunSucceeded        EventType = "MapRunSucceeded"
	MapRunFailed           EventType = "MapRunFailed"
	MapRunAborted          EventType = "MapRunAborted"
	MapRunRedriven         EventType = "MapRunRedriven"

	TaskScheduled EventType = "TaskScheduled"
	TaskStarted   EventType = "TaskStarted"
	TaskSubmitted EventType = "TaskSubmitted"
	TaskSucceeded EventType = "TaskSucceeded"
	TaskFailed    EventType = "TaskFailed"
	TaskTimedOut  EventType = "TaskTimedOut"

	LambdaFunctionScheduled EventType = "LambdaFunctionScheduled"
	LambdaFunctionStarted   EventType = "LambdaFunctionStarted"
	LambdaFunctionSucceeded EventType = "LambdaFunctionSucceeded"
	LambdaFunctionFailed    EventType = "LambdaFunctionFailed"
	LambdaFunctionTimedOut  EventType = "LambdaFunctionTimedOut"

	ActivityScheduled      EventType = "ActivityScheduled"
	ActivityScheduleFailed EventType = "ActivityScheduleFailed"
	ActivityStarted        EventType = "ActivityStarted"
	ActivitySucceeded      EventType = "ActivitySucceeded"
	ActivityFailed         EventType = "ActivityFailed"
	ActivityTimedOut       EventType = "ActivityTimedOut"

	// EvaluationFailed records a JSONata expression that failed
	// (States.QueryEvaluationError).
	EvaluationFailed EventType = "EvaluationFailed"
)

// HistoryEvent is one event of an execution's history, shaped like the
// HistoryEvent of the Step Functions API: exactly one details field is set,
// the one named after the event type. Payloads (input, output, parameters)
// are JSON text.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
type HistoryEvent struct {
	ID              int64     `json:"id"`
	PreviousEventID int64     `json:"previousEventId"`
	Timestamp       time.Time `json:"timestamp"`
	Type            EventType `json:"type"`

	ExecutionStartedEventDetails   *ExecutionStartedEventDetails  `json:"executionStartedEventDetails,omitempty"`
	ExecutionSucceededEventDetails *OutputEventDetails            `json:"executionSucceededEventDetails,omitempty"`
	ExecutionFailedEventDetails    *FailureEventDetails           `json:"executionFailedEventDetails,omitempty"`
	ExecutionAbortedEventDetails   *FailureEventDetails           `json:"executionAbortedEventDetails,omitempty"`
	ExecutionTimedOutEventDetails  *FailureEventDetails           `json:"executionTimedOutEventDetails,omitempty"`
	ExecutionRedrivenEventDetails  *ExecutionRedrivenEventDetails `json:"executionRedrivenEventDetails,omitempty"`

	StateEnteredEventDetails *StateEnteredEventDetails `json:"stateEnteredEventDetails,omitempty"`
	StateExitedEventDetails  *StateExitedEventDetails  `json:"stateExitedEventDetails,omitempty"`

	TaskScheduledEventDetails *TaskScheduledEventDetails `json:"taskScheduledEventDetails,omitempty"`
	TaskStartedEventDetails   *TaskResourceEventDetails  `json:"taskStartedEventDetails,omitempty"`
	TaskSubmittedEventDetails *TaskOutputEventDetails    `json:"taskSubmittedEventDetails,omitempty"`
	TaskSucceededEventDetails *TaskOutputEventDetails    `json:"taskSucceededEventDetails,omitempty"`
	TaskFailedEventDetails    *TaskFailureEventDetails   `json:"taskFailedEventDetails,omitempty"`
	TaskTimedOutEventDetails  *TaskFailureEventDetails   `json:"taskTimedOutEventDetails,omitempty"`

	LambdaFunctionScheduledEventDetails *LambdaFunctionScheduledEventDetails `json:"lambdaFunctionScheduledEventDetails,omitempty"`
	LambdaFunctionSucceededEventDetails *OutputEventDetails                  `json:"lambdaFunctionSucceededEventDetails,omitempty"`
	LambdaFunctionFailedEventDetails    *FailureEventDetails                 `json:"lambdaFunctionFailedEventDetails,omitempty"`
	LambdaFunctionTimedOutEventDetails  *FailureEventDetails                 `json:"lambdaFunctionTimedOutEventDetails,omitempty"`

	ActivityScheduledEventDetails      *ActivityScheduledEventDetails `json:"activityScheduledEventDetails,omitempty"`
	ActivityScheduleFailedEventDetails *FailureEventDetails           `json:"activityScheduleFailedEventDetails,omitempty"`
	ActivityStartedEventDetails        *ActivityStartedEventDetails   `json:"activityStartedEventDetails,omitempty"`
	ActivitySucceededEventDetails      *OutputEventDetails            `json:"activitySucceededEventDetails,omitempty"`
	ActivityFailedEventDetails         *FailureEventDetails           `json:"activityFailedEventDetails,omitempty"`
	ActivityTimedOutEventDetails       *FailureEventDetails           `json:"activityTimedOutEventDetails,omitempty"`

	MapStateStartedEventDetails       *MapStateStartedEventDetails `json:"mapStateStartedEventDetails,omitempty"`
	MapIterationStartedEventDetails   *MapIterationEventDetails    `json:"mapIterationStartedEventDetails,omitempty"`
	MapIterationSucceededEventDetails *MapIterationEventDetails    `json:"mapIterationSucceededEventDetails,omitempty"`
	MapIterationFailedEventDetails    *MapIterationEventDetails    `json:"mapIterationFailedEventDetails,omitempty"`
	MapIterationAbortedEventDetails   *MapIterationEventDetails    `json:"mapIterationAbortedEventDetails,omitempty"`
	MapRunStartedEventDetails         *MapRunStartedEventDetails   `json:"mapRunStartedEventDetails,omitempty"`
	MapRunFailedEventDetails          *FailureEventDetails         `json:"mapRunFailedEventDetails,omitempty"`
	MapRunRedrivenEventDetails        *MapRunRedrivenEventDetails  `json:"mapRunRedrivenEventDetails,omitempty"`

	EvaluationFailedEventDetails *EvaluationFailedEventDetails `json:"evaluationFailedEventDetails,omitempty"`
}

// EvaluationFailedEventDetails describes a failed JSONata evaluation: the
// error, its cause, the field (location) and the state.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_EvaluationFailedEventDetails.html
type EvaluationFailedEventDetails struct {
	Error    string `json:"error"`
	Cause    string `json:"cause,omitempty"`
	Location string `json:"location,omitempty"`
	State    string `json:"state"`
}

// DataDetails tells whether a payload was truncated in the history.
type DataDetails struct {
	Truncated bool `json:"truncated"`
}

// ExecutionStartedEventDetails describes the start of an execution.
type ExecutionStartedEventDetails struct {
	Input        string      `json:"input"`
	InputDetails DataDetails `json:"inputDetails"`
	RoleArn      string      `json:"roleArn,omitempty"`
	// StateMachineVersionArn and StateMachineAliasArn name the version an execution started on a version
	// or alias runs, and the alias.
	StateMachineVersionArn string `json:"stateMachineVersionArn,omitempty"`
	StateMachineAliasArn   string `json:"stateMachineAliasArn,omitempty"`
}

// OutputEventDetails carries an output payload (execution or Lambda
// success).
type OutputEventDetails struct {
	Output        string      `json:"output"`
	OutputDetails DataDetails `json:"outputDetails"`
}

// FailureEventDetails carries an error name and cause. Both are omitted
// when empty, as AWS omits them.
type FailureEventDetails struct {
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
}

// StateEnteredEventDetails describes entering a state.
type StateEnteredEventDetails struct {
	Name         string      `json:"name"`
	Input        string      `json:"input"`
	InputDetails DataDetails `json:"inputDetails"`
}

// StateExitedEventDetails describes leaving a state; AssignedVariables holds
// each variable the state assigned, serialised as JSON.
type StateExitedEventDetails struct {
	Name              string            `json:"name"`
	Output            string            `json:"output"`
	OutputDetails     DataDetails       `json:"outputDetails"`
	AssignedVariables map[string]string `json:"assignedVariables,omitempty"`
}

// TaskScheduledEventDetails describes a task the interpreter is about to
// invoke through a service integration.
type TaskScheduledEventDetails struct {
	ResourceType     string `json:"resourceType"`
	Resource         string `json:"resource"`
	Region           string `json:"region"`
	Parameters       string `json:"parameters"`
	TimeoutInSeconds int64  `json:"timeoutInSeconds,omitempty"`
	HeartbeatSeconds int64  `json:"heartbeatInSeconds,omitempty"`
}

// TaskResourceEventDetails names a task's resource.
type TaskResourceEventDetails struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
}

// TaskOutputEventDetails carries a task's output.
type TaskOutputEventDetails struct {
	ResourceType  string      `json:"resourceType"`
	Resource      string      `json:"resource"`
	Output        string      `json:"output"`
	OutputDetails DataDetails `json:"outputDetails"`
}

// TaskFailureEventDetails carries a task's error and cause.
type TaskFailureEventDetails struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
	Error        string `json:"error,omitempty"`
	Cause        string `json:"cause,omitempty"`
}

// LambdaFunctionScheduledEventDetails describes a Lambda function about to
// be invoked through its bare function ARN.
type LambdaFunctionScheduledEventDetails struct {
	Resource         string      `json:"resource"`
	Input            string      `json:"input"`
	InputDetails     DataDetails `json:"inputDetails"`
	TimeoutInSeconds int64       `json:"timeoutInSeconds,omitempty"`
}

// ActivityScheduledEventDetails describes an activity task handed to the activity's workers.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ActivityScheduledEventDetails.html
type ActivityScheduledEventDetails struct {
	Resource           string      `json:"resource"`
	Input              string      `json:"input"`
	InputDetails       DataDetails `json:"inputDetails"`
	TimeoutInSeconds   int64       `json:"timeoutInSeconds,omitempty"`
	HeartbeatInSeconds int64       `json:"heartbeatInSeconds,omitempty"`
}

// ActivityStartedEventDetails names the worker that took an activity task.
type ActivityStartedEventDetails struct {
	WorkerName string `json:"workerName,omitempty"`
}

// MapStateStartedEventDetails gives the number of items of a Map state.
type MapStateStartedEventDetails struct {
	Length int `json:"length"`
}

// MapRunStartedEventDetails names a distributed Map's Map Run.
type MapRunStartedEventDetails struct {
	MapRunArn string `json:"mapRunArn"`
}

// MapIterationEventDetails names a Map state and one iteration's index.
type MapIterationEventDetails struct {
	Name  string `json:"name"`
	Index int    `json:"index"`
}

// A HistorySink receives an execution's events in order, one at a time.
// The interpreter calls it from the execution's goroutines but never
// concurrently for one execution. The events it gets are its own: nothing
// in them is written again, so it may keep them. A sink that keeps nothing
// of an event past Record may say so (BorrowingSink), and is then lent
// events the interpreter does not allocate for each.
type HistorySink interface {
	Record(ev HistoryEvent)
}

// HistoryLog is an in-memory HistorySink, safe for concurrent use.
type HistoryLog struct {
	mu     sync.Mutex
	events []HistoryEvent
}

var _ HistorySink = (*HistoryLog)(nil)

// Record appends ev.
func (h *HistoryLog) Record(ev HistoryEvent) {
	h.mu.Lock()
	h.events = append(h.events, ev)
	h.mu.Unlock()
}

// Events returns a copy of the events recorded so far.
func (h *HistoryLog) Events() []HistoryEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]HistoryEvent(nil), h.events...)
}
