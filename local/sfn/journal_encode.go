package sfn

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// An execution's journal records (its start, a snapshot with the events before it, a redrive) were
// written by encoding/json, which walked each event's three dozen detail fields and the snapshot's
// payloads by reflection: a tenth of the CPU time of a pipeline of Task states. appendRecord writes the
// same JSON document (encoding/json decodes it to the same record) by hand: the execution and the events
// as the history store's blobWriter writes them (a task's events by soleTaskDetail, here), the snapshot
// here, and any other record through encoding/json. TestAppendRecord and FuzzAppendRecordSnapshot hold it to encoding/json.

// snapshotByHand says whether interp.Snapshot has the fields appendSnapshot writes (and no other): if the
// engine adds one, snapshots are encoded by encoding/json.
var snapshotByHand = fieldsAre[interp.Snapshot](`ExecutionArn string json:"executionArn"`, `ExecutionName string json:"executionName"`,
	`StateMachineArn string json:"stateMachineArn"`, `RoleArn string json:"roleArn,omitempty"`, `Input interface {} json:"input"`,
	`StartDate time.Time json:"startDate"`, `State string json:"state"`, `StateInput interface {} json:"stateInput"`,
	`Variables map[string]interface {} json:"variables,omitempty"`, `LastEventID int64 json:"lastEventId"`, `Events int json:"events"`,
	`RedriveCount int json:"redriveCount,omitempty"`, `RedriveDate time.Time json:"redriveDate,omitzero"`,
	`RedrivePending bool json:"redrivePending,omitempty"`, `Completed map[string]interface {} json:"completed,omitempty"`)

// taskDetailsByHand says whether the task details soleTaskDetail writes have the fields it writes.
var taskDetailsByHand = fieldsAre[interp.TaskScheduledEventDetails](`ResourceType string json:"resourceType"`, `Resource string json:"resource"`,
	`Region string json:"region"`, `Parameters string json:"parameters"`, `TimeoutInSeconds int64 json:"timeoutInSeconds,omitempty"`,
	`HeartbeatSeconds int64 json:"heartbeatInSeconds,omitempty"`) &&
	fieldsAre[interp.TaskResourceEventDetails](`ResourceType string json:"resourceType"`, `Resource string json:"resource"`) &&
	fieldsAre[interp.TaskOutputEventDetails](`ResourceType string json:"resourceType"`, `Resource string json:"resource"`,
		`Output string json:"output"`, `OutputDetails interp.DataDetails json:"outputDetails"`) &&
	fieldsAre[interp.LambdaFunctionScheduledEventDetails](`Resource string json:"resource"`, `Input string json:"input"`,
		`InputDetails interp.DataDetails json:"inputDetails"`, `TimeoutInSeconds int64 json:"timeoutInSeconds,omitempty"`) &&
	fieldsAre[interp.DataDetails](`Truncated bool json:"truncated"`)

// recordByHand says whether record is as appendRecord knows it.
var recordByHand = fieldsAre[record](`Kind string json:"k"`, `Machine *sfn.machineRecord json:"sm,omitempty"`,
	`Execution *sfn.executionRecord json:"ex,omitempty"`, `Arn string json:"arn,omitempty"`, `Events []interp.HistoryEvent json:"evs,omitempty"`,
	`Snapshot *interp.Snapshot json:"snap,omitempty"`, `Version *sfn.versionRecord json:"smv,omitempty"`, `Alias *sfn.aliasRecord json:"sma,omitempty"`,
	`Activity *sfn.activityRecord json:"act,omitempty"`, `Event *interp.HistoryEvent json:"ev,omitempty"`, `End *sfn.endRecord json:"end,omitempty"`)

// appendRecord appends r as encoding/json writes it (but for the escaping of "<", ">" and "&", which
// decoding does not tell apart, and a float64 -0 in a payload, written 0 as the engine renders it).
func appendRecord(dst []byte, r *record) ([]byte, error) {
	out, _, _, err := appendRecordSpan(dst, r)
	return out, err
}

// appendRecordSpan is appendRecord, and reports where in what it appended r's events are: from and to
// such that the appended text [from:to] is the events as blobWriter.event writes them, separated by
// commas, as appendBlobText writes them in a history blob. It reports -1, -1 for a record that has no
// events or was written by encoding/json (whose escaping differs).
func appendRecordSpan(dst []byte, r *record) (_ []byte, from, to int, _ error) {
	base := len(dst)
	from, to = -1, -1
	if !recordByHand || !eventsByHand || !executionByHand || !snapshotByHand ||
		r.Machine != nil || r.Version != nil || r.Alias != nil || r.Activity != nil || r.Event != nil || r.End != nil {
		b, err := json.Marshal(r)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("encode journal record: %w", err)
		}
		return append(dst, b...), from, to, nil
	}
	w := blobWriter{dst: dst}
	w.dst = append(w.dst, `{"k":`...)
	w.dst = jsonvalue.AppendStringJS(w.dst, r.Kind)
	if r.Execution != nil {
		w.dst = append(w.dst, `,"ex":`...)
		if _, err := w.execution(r.Execution, true); err != nil {
			return nil, 0, 0, err
		}
	}
	w.optional(`,"arn":`, r.Arn)
	if len(r.Events) > 0 {
		w.dst = append(w.dst, `,"evs":[`...)
		from = len(w.dst) - base
		for i := range r.Events {
			if i > 0 {
				w.dst = append(w.dst, ',')
			}
			if err := w.event(&r.Events[i]); err != nil {
				return nil, 0, 0, fmt.Errorf("encode journal record: %w", err)
			}
		}
		to = len(w.dst) - base
		w.dst = append(w.dst, ']')
	}
	if r.Snapshot != nil {
		w.dst = append(w.dst, `,"snap":`...)
		if err := w.snapshot(r.Snapshot); err != nil {
			return nil, 0, 0, fmt.Errorf("encode journal record: %w", err)
		}
	}
	return append(w.dst, '}'), from, to, nil
}

// soleTaskDetail appends, for an event whose only details are a task's scheduling, start or success or a
// Lambda function's scheduling (every event of a task that succeeds but its state's entry and exit), the
// comma and those details, as soleStateDetail does for a state's. It reports false, having written
// nothing, for any other event.
func (w *blobWriter) soleTaskDetail(ev *interp.HistoryEvent) bool {
	only := interp.HistoryEvent{ID: ev.ID, PreviousEventID: ev.PreviousEventID, Timestamp: ev.Timestamp, Type: ev.Type}
	switch {
	case ev.TaskScheduledEventDetails != nil:
		only.TaskScheduledEventDetails = ev.TaskScheduledEventDetails
	case ev.TaskStartedEventDetails != nil:
		only.TaskStartedEventDetails = ev.TaskStartedEventDetails
	case ev.TaskSucceededEventDetails != nil:
		only.TaskSucceededEventDetails = ev.TaskSucceededEventDetails
	case ev.LambdaFunctionScheduledEventDetails != nil:
		only.LambdaFunctionScheduledEventDetails = ev.LambdaFunctionScheduledEventDetails
	default:
		return false
	}
	if *ev != only {
		return false
	}
	switch {
	case ev.TaskScheduledEventDetails != nil:
		d := ev.TaskScheduledEventDetails
		w.dst = append(w.dst, `,"taskScheduledEventDetails":{"resourceType":`...)
		w.dst = jsonvalue.AppendStringJS(w.dst, d.ResourceType)
		w.dst = append(w.dst, `,"resource":`...)
		w.dst = jsonvalue.AppendStringJS(w.dst, d.Resource)
		w.dst = append(w.dst, `,"region":`...)
		w.dst = jsonvalue.AppendStringJS(w.dst, d.Region)
		w.dst = append(w.dst, `,"parameters":`...)
		w.payload(d.Parameters)
		if d.TimeoutInSeconds != 0 {
			w.dst = strconv.AppendInt(append(w.dst, `,"timeoutInSeconds":`...), d.TimeoutInSeconds, 10)
		}
		if d.HeartbeatSeconds != 0 {
			w.dst = strconv.AppendInt(append(w.dst, `,"heartbeatInSeconds":`...), d.HeartbeatSeconds, 10)
		}
		w.dst = append(w.dst, '}')
	case ev.TaskStartedEventDetails != nil:
		d := ev.TaskStartedEventDetails
		w.dst = append(w.dst, `,"taskStartedEventDetails":{"resourceType":`...)
		w.dst = jsonvalue.AppendStringJS(w.dst, d.ResourceType)
		w.dst = append(w.dst, `,"resource":`...)
		w.dst = jsonvalue.AppendStringJS(w.dst, d.Resource)
		w.dst = append(w.dst, '}')
	case ev.TaskSucceededEventDetails != nil:
		d := ev.TaskSucceededEventDetails
		w.dst = append(w.dst, `,"taskSucceededEventDetails":{"resourceType":`...)
		w.dst = jsonvalue.AppendStringJS(w.dst, d.ResourceType)
		w.dst = append(w.dst, `,"resource":`...)
		w.dst = jsonvalue.AppendStringJS(w.dst, d.Resource)
		w.dst = append(w.dst, `,"output":`...)
		w.payload(d.Output)
		w.dst = append(w.dst, `,"outputDetails":{"truncated":`...)
		w.dst = strconv.AppendBool(w.dst, d.OutputDetails.Truncated)
		w.dst = append(w.dst, "}}"...)
	case ev.LambdaFunctionScheduledEventDetails != nil:
		d := ev.LambdaFunctionScheduledEventDetails
		w.dst = append(w.dst, `,"lambdaFunctionScheduledEventDetails":{"resource":`...)
		w.dst = jsonvalue.AppendStringJS(w.dst, d.Resource)
		w.dst = append(w.dst, `,"input":`...)
		w.payload(d.Input)
		w.dst = append(w.dst, `,"inputDetails":{"truncated":`...)
		w.dst = strconv.AppendBool(w.dst, d.InputDetails.Truncated)
		w.dst = append(w.dst, '}')
		if d.TimeoutInSeconds != 0 {
			w.dst = strconv.AppendInt(append(w.dst, `,"timeoutInSeconds":`...), d.TimeoutInSeconds, 10)
		}
		w.dst = append(w.dst, '}')
	}
	return true
}

// snapshot appends an engine snapshot as encoding/json writes it, its payloads (JSON values) as the
// engine renders them: object keys sorted as encoding/json sorts a map's.
func (w *blobWriter) snapshot(s *interp.Snapshot) error {
	w.dst = append(w.dst, `{"executionArn":`...)
	w.dst = jsonvalue.AppendStringJS(w.dst, s.ExecutionArn)
	w.dst = append(w.dst, `,"executionName":`...)
	w.dst = jsonvalue.AppendStringJS(w.dst, s.ExecutionName)
	w.dst = append(w.dst, `,"stateMachineArn":`...)
	w.dst = jsonvalue.AppendStringJS(w.dst, s.StateMachineArn)
	w.optional(`,"roleArn":`, s.RoleArn)
	w.dst = append(w.dst, `,"input":`...)
	if err := w.value(s.Input); err != nil {
		return err
	}
	w.dst = append(w.dst, `,"startDate":`...)
	if err := w.time(s.StartDate); err != nil {
		return fmt.Errorf("encode snapshot: %w", err)
	}
	w.dst = append(w.dst, `,"state":`...)
	w.dst = jsonvalue.AppendStringJS(w.dst, s.State)
	w.dst = append(w.dst, `,"stateInput":`...)
	if err := w.value(s.StateInput); err != nil {
		return err
	}
	if len(s.Variables) > 0 {
		w.dst = append(w.dst, `,"variables":`...)
		if err := w.value(s.Variables); err != nil {
			return err
		}
	}
	w.dst = append(w.dst, `,"lastEventId":`...)
	w.dst = strconv.AppendInt(w.dst, s.LastEventID, 10)
	w.dst = append(w.dst, `,"events":`...)
	w.dst = strconv.AppendInt(w.dst, int64(s.Events), 10)
	if s.RedriveCount != 0 {
		w.dst = strconv.AppendInt(append(w.dst, `,"redriveCount":`...), int64(s.RedriveCount), 10)
	}
	if !s.RedriveDate.IsZero() {
		w.dst = append(w.dst, `,"redriveDate":`...)
		if err := w.time(s.RedriveDate); err != nil {
			return fmt.Errorf("encode snapshot: %w", err)
		}
	}
	if s.RedrivePending {
		w.dst = append(w.dst, `,"redrivePending":true`...)
	}
	if len(s.Completed) > 0 {
		w.dst = append(w.dst, `,"completed":`...)
		if err := w.value(s.Completed); err != nil {
			return err
		}
	}
	w.dst = append(w.dst, '}')
	return nil
}

// value appends a JSON value of the engine (map[string]any, []any, string, json.Number, float64, bool,
// nil; any other type through encoding/json).
func (w *blobWriter) value(v any) error {
	var err error
	if w.dst, err = jsonvalue.Append(w.dst, v); err != nil {
		return fmt.Errorf("encode snapshot: %w", err)
	}
	return nil
}

// recordBuffers holds the buffers the journal's records are encoded in: the durable log copies a record
// into its frame, so a buffer is free again once Append returns.
var recordBuffers sync.Pool

// maxPooledRecord is the largest buffer kept for the next record.
const maxPooledRecord = 256 << 10
