package sfn

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// An execution log record is written in one pass: the record's fields by hand, in the order of
// https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-log-format (id, type,
// details, previous_event_id, event_timestamp, execution_arn, redrive_count), and the event's details as
// encoding/json writes them: the details of the events a state and a task make by hand, the others through
// encoding/json. Strings are escaped as encoding/json escapes them (HTML characters included), so a record
// is byte for byte what encoding the event, decoding its details and encoding them again wrote before.

// appendRecord appends the log record of ev. When the execution's data is not included, the details'
// input, output and parameters are left out when empty and the details' fields are in the order of their
// names, as a JSON object decoded into a map and encoded again has them.
func (l *executionLogging) appendRecord(dst []byte, executionArn string, redriveCount int, ev interp.HistoryEvent) ([]byte, error) {
	if !l.includeData {
		ev = withoutData(ev)
	}
	dst = append(dst, `{"id":"`...)
	dst = strconv.AppendInt(dst, ev.ID, 10)
	dst = append(dst, `","type":`...)
	dst = jsonvalue.AppendStringHTML(dst, string(ev.Type))
	dst = append(dst, `,"details":`...)
	start := len(dst)
	var err error
	if dst, err = appendDetails(dst, detailsOf(&ev)); err != nil {
		return nil, err
	}
	if !l.includeData {
		if dst, err = withoutEmptyData(dst, start); err != nil {
			return nil, err
		}
	}
	dst = append(dst, `,"previous_event_id":"`...)
	dst = strconv.AppendInt(dst, ev.PreviousEventID, 10)
	dst = append(dst, `","event_timestamp":"`...)
	dst = strconv.AppendInt(dst, ev.Timestamp.UnixMilli(), 10)
	dst = append(dst, `","execution_arn":`...)
	dst = jsonvalue.AppendStringHTML(dst, executionArn)
	dst = append(dst, `,"redrive_count":"`...)
	dst = strconv.AppendInt(dst, int64(redriveCount), 10)
	return append(dst, `"}`...), nil
}

// detailsOf returns the first of ev's details that is set (a pointer), nil when none is. The engine sets
// one per event; TestDetailsOfEveryField holds this list to HistoryEvent's fields.
func detailsOf(ev *interp.HistoryEvent) any {
	switch {
	case ev.ExecutionStartedEventDetails != nil:
		return ev.ExecutionStartedEventDetails
	case ev.ExecutionSucceededEventDetails != nil:
		return ev.ExecutionSucceededEventDetails
	case ev.ExecutionFailedEventDetails != nil:
		return ev.ExecutionFailedEventDetails
	case ev.ExecutionAbortedEventDetails != nil:
		return ev.ExecutionAbortedEventDetails
	case ev.ExecutionTimedOutEventDetails != nil:
		return ev.ExecutionTimedOutEventDetails
	case ev.ExecutionRedrivenEventDetails != nil:
		return ev.ExecutionRedrivenEventDetails
	case ev.StateEnteredEventDetails != nil:
		return ev.StateEnteredEventDetails
	case ev.StateExitedEventDetails != nil:
		return ev.StateExitedEventDetails
	case ev.TaskScheduledEventDetails != nil:
		return ev.TaskScheduledEventDetails
	case ev.TaskStartedEventDetails != nil:
		return ev.TaskStartedEventDetails
	case ev.TaskSubmittedEventDetails != nil:
		return ev.TaskSubmittedEventDetails
	case ev.TaskSucceededEventDetails != nil:
		return ev.TaskSucceededEventDetails
	case ev.TaskFailedEventDetails != nil:
		return ev.TaskFailedEventDetails
	case ev.TaskTimedOutEventDetails != nil:
		return ev.TaskTimedOutEventDetails
	case ev.LambdaFunctionScheduledEventDetails != nil:
		return ev.LambdaFunctionScheduledEventDetails
	case ev.LambdaFunctionSucceededEventDetails != nil:
		return ev.LambdaFunctionSucceededEventDetails
	case ev.LambdaFunctionFailedEventDetails != nil:
		return ev.LambdaFunctionFailedEventDetails
	case ev.LambdaFunctionTimedOutEventDetails != nil:
		return ev.LambdaFunctionTimedOutEventDetails
	case ev.ActivityScheduledEventDetails != nil:
		return ev.ActivityScheduledEventDetails
	case ev.ActivityScheduleFailedEventDetails != nil:
		return ev.ActivityScheduleFailedEventDetails
	case ev.ActivityStartedEventDetails != nil:
		return ev.ActivityStartedEventDetails
	case ev.ActivitySucceededEventDetails != nil:
		return ev.ActivitySucceededEventDetails
	case ev.ActivityFailedEventDetails != nil:
		return ev.ActivityFailedEventDetails
	case ev.ActivityTimedOutEventDetails != nil:
		return ev.ActivityTimedOutEventDetails
	case ev.MapStateStartedEventDetails != nil:
		return ev.MapStateStartedEventDetails
	case ev.MapIterationStartedEventDetails != nil:
		return ev.MapIterationStartedEventDetails
	case ev.MapIterationSucceededEventDetails != nil:
		return ev.MapIterationSucceededEventDetails
	case ev.MapIterationFailedEventDetails != nil:
		return ev.MapIterationFailedEventDetails
	case ev.MapIterationAbortedEventDetails != nil:
		return ev.MapIterationAbortedEventDetails
	case ev.MapRunStartedEventDetails != nil:
		return ev.MapRunStartedEventDetails
	case ev.MapRunFailedEventDetails != nil:
		return ev.MapRunFailedEventDetails
	case ev.MapRunRedrivenEventDetails != nil:
		return ev.MapRunRedrivenEventDetails
	case ev.EvaluationFailedEventDetails != nil:
		return ev.EvaluationFailedEventDetails
	}
	return nil
}

// logDetailsByHand says whether the details appendDetails writes by hand have the fields it writes (and no
// other): if the engine adds one, they are encoded by encoding/json.
var logDetailsByHand = fieldsAre[interp.StateEnteredEventDetails](`Name string json:"name"`, `Input string json:"input"`, `InputDetails interp.DataDetails json:"inputDetails"`) &&
	fieldsAre[interp.StateExitedEventDetails](`Name string json:"name"`, `Output string json:"output"`, `OutputDetails interp.DataDetails json:"outputDetails"`, `AssignedVariables map[string]string json:"assignedVariables,omitempty"`) &&
	fieldsAre[interp.OutputEventDetails](`Output string json:"output"`, `OutputDetails interp.DataDetails json:"outputDetails"`) &&
	fieldsAre[interp.TaskResourceEventDetails](`ResourceType string json:"resourceType"`, `Resource string json:"resource"`) &&
	fieldsAre[interp.TaskOutputEventDetails](`ResourceType string json:"resourceType"`, `Resource string json:"resource"`, `Output string json:"output"`, `OutputDetails interp.DataDetails json:"outputDetails"`) &&
	fieldsAre[interp.TaskScheduledEventDetails](`ResourceType string json:"resourceType"`, `Resource string json:"resource"`, `Region string json:"region"`, `Parameters string json:"parameters"`, `TimeoutInSeconds int64 json:"timeoutInSeconds,omitempty"`, `HeartbeatSeconds int64 json:"heartbeatInSeconds,omitempty"`) &&
	fieldsAre[interp.DataDetails](`Truncated bool json:"truncated"`)

// appendDetails appends an event's details as encoding/json writes them; {} when there are none.
func appendDetails(dst []byte, d any) ([]byte, error) {
	if d == nil {
		return append(dst, "{}"...), nil
	}
	if logDetailsByHand {
		switch d := d.(type) {
		case *interp.StateEnteredEventDetails:
			dst = append(dst, `{"name":`...)
			dst = jsonvalue.AppendStringHTML(dst, d.Name)
			dst = append(dst, `,"input":`...)
			dst = jsonvalue.AppendStringHTML(dst, d.Input)
			return appendTruncated(append(dst, `,"inputDetails":`...), d.InputDetails), nil
		case *interp.StateExitedEventDetails:
			if len(d.AssignedVariables) != 0 {
				break
			}
			dst = append(dst, `{"name":`...)
			dst = jsonvalue.AppendStringHTML(dst, d.Name)
			dst = append(dst, `,"output":`...)
			dst = jsonvalue.AppendStringHTML(dst, d.Output)
			return appendTruncated(append(dst, `,"outputDetails":`...), d.OutputDetails), nil
		case *interp.OutputEventDetails:
			dst = append(dst, `{"output":`...)
			dst = jsonvalue.AppendStringHTML(dst, d.Output)
			return appendTruncated(append(dst, `,"outputDetails":`...), d.OutputDetails), nil
		case *interp.TaskResourceEventDetails:
			dst = append(dst, `{"resourceType":`...)
			dst = jsonvalue.AppendStringHTML(dst, d.ResourceType)
			dst = append(dst, `,"resource":`...)
			dst = jsonvalue.AppendStringHTML(dst, d.Resource)
			return append(dst, '}'), nil
		case *interp.TaskOutputEventDetails:
			dst = append(dst, `{"resourceType":`...)
			dst = jsonvalue.AppendStringHTML(dst, d.ResourceType)
			dst = append(dst, `,"resource":`...)
			dst = jsonvalue.AppendStringHTML(dst, d.Resource)
			dst = append(dst, `,"output":`...)
			dst = jsonvalue.AppendStringHTML(dst, d.Output)
			return appendTruncated(append(dst, `,"outputDetails":`...), d.OutputDetails), nil
		case *interp.TaskScheduledEventDetails:
			dst = append(dst, `{"resourceType":`...)
			dst = jsonvalue.AppendStringHTML(dst, d.ResourceType)
			dst = append(dst, `,"resource":`...)
			dst = jsonvalue.AppendStringHTML(dst, d.Resource)
			dst = append(dst, `,"region":`...)
			dst = jsonvalue.AppendStringHTML(dst, d.Region)
			dst = append(dst, `,"parameters":`...)
			dst = jsonvalue.AppendStringHTML(dst, d.Parameters)
			if d.TimeoutInSeconds != 0 {
				dst = strconv.AppendInt(append(dst, `,"timeoutInSeconds":`...), d.TimeoutInSeconds, 10)
			}
			if d.HeartbeatSeconds != 0 {
				dst = strconv.AppendInt(append(dst, `,"heartbeatInSeconds":`...), d.HeartbeatSeconds, 10)
			}
			return append(dst, '}'), nil
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}

// appendTruncated appends a DataDetails and closes the details object.
func appendTruncated(dst []byte, d interp.DataDetails) []byte {
	if d.Truncated {
		return append(dst, `{"truncated":true}}`...)
	}
	return append(dst, `{"truncated":false}}`...)
}

// withoutEmptyData rewrites the details object written from start: its input, output and parameters left
// out when they are "", and its members in the order of their names.
func withoutEmptyData(dst []byte, start int) ([]byte, error) {
	type member struct{ key, text []byte }
	var (
		s       jsonvalue.Scanner
		members []member
	)
	details := bytes.Clone(dst[start:])
	s.Reset(details)
	if s.Peek() != jsonvalue.Object {
		return nil, s.ErrValue()
	}
	if err := s.BeginObject(); err != nil {
		return nil, err
	}
	for first := true; ; first = false {
		more, err := s.NextMember(first)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		keyStart := s.Offset()
		if _, _, err := s.Key(nil); err != nil {
			return nil, err
		}
		key := bytes.TrimRight(bytes.TrimSpace(details[keyStart:s.Offset()]), ":")
		valueStart := s.Offset()
		if err := s.Skip(); err != nil {
			return nil, err
		}
		text := bytes.TrimSpace(details[valueStart:s.Offset()])
		switch string(key) {
		case `"input"`, `"output"`, `"parameters"`:
			if string(text) == `""` {
				continue
			}
		}
		members = append(members, member{key, text})
	}
	// The keys are the details' field names, which need no escaping: their quoted text sorts as the names.
	slices.SortFunc(members, func(a, b member) int { return bytes.Compare(a.key, b.key) })
	dst = append(dst[:start], '{')
	for i, m := range members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(append(append(dst, m.key...), ':'), m.text...)
	}
	return append(dst, '}'), nil
}
