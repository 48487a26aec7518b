package sfn

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// sameRecordText checks that got, appendRecord's text, decodes to what want, encoding/json's, does: as
// any JSON value (the same members, with the same values) and as a record (with the snapshot's numbers).
func sameRecordText(t *testing.T, got, want []byte) {
	t.Helper()
	gotAny, err := jsonvalue.Decode(got) // numbers as written, as encoding/json with UseNumber
	if err != nil {
		t.Fatalf("appendRecord wrote invalid JSON: %v\n%s", err, got)
	}
	wantAny, err := jsonvalue.Decode(want)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(gotAny, wantAny); diff != "" {
		t.Errorf("appendRecord as JSON (-got +want):\n%s", diff)
	}
	var gotRec, wantRec record
	if err := json.Unmarshal(got, &gotRec); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &wantRec); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(gotRec, wantRec); diff != "" {
		t.Errorf("appendRecord as a record (-got +want):\n%s", diff)
	}
}

// taskEvents are the events of a task state that succeeds, a Lambda function's, and the task events
// carrying details besides their own (which appendRecord leaves to blobWriter.event).
func taskEvents() []interp.HistoryEvent {
	ts := time.Date(2024, 3, 1, 12, 0, 0, 120000000, time.UTC)
	params := `{"FunctionName":"arn:aws:lambda:us-east-1:000000000000:function:v","Payload":{"a":"<&>` + tricky + `"}}`
	out := `{"ExecutedVersion":"$LATEST","Payload":{"ok":true},"StatusCode":200}`
	evs := []interp.HistoryEvent{
		{ID: 1, Timestamp: ts, Type: interp.TaskStateEntered, StateEnteredEventDetails: &interp.StateEnteredEventDetails{Name: "Validate", Input: `{}`}},
		{ID: 2, PreviousEventID: 1, Timestamp: ts, Type: interp.TaskScheduled, TaskScheduledEventDetails: &interp.TaskScheduledEventDetails{
			ResourceType: "lambda", Resource: "invoke", Region: "us-east-1", Parameters: params, TimeoutInSeconds: 330}},
		{ID: 3, PreviousEventID: 2, Timestamp: ts.Add(time.Millisecond), Type: interp.TaskStarted, TaskStartedEventDetails: &interp.TaskResourceEventDetails{ResourceType: "lambda", Resource: "invoke"}},
		{ID: 4, PreviousEventID: 3, Timestamp: ts.Add(time.Second), Type: interp.TaskSucceeded, TaskSucceededEventDetails: &interp.TaskOutputEventDetails{
			ResourceType: "lambda", Resource: "invoke", Output: out}},
		{ID: 5, PreviousEventID: 4, Timestamp: ts.Add(time.Second), Type: interp.TaskStateExited, StateExitedEventDetails: &interp.StateExitedEventDetails{Name: "Validate", Output: out}},
		{ID: 6, PreviousEventID: 5, Timestamp: ts, Type: interp.TaskScheduled, TaskScheduledEventDetails: &interp.TaskScheduledEventDetails{
			ResourceType: "states", Resource: "x", Parameters: params, HeartbeatSeconds: 7}},
		{ID: 7, Timestamp: ts, Type: interp.LambdaFunctionScheduled, LambdaFunctionScheduledEventDetails: &interp.LambdaFunctionScheduledEventDetails{
			Resource: "arn:aws:lambda:us-east-1:000000000000:function:v", Input: params, TimeoutInSeconds: 3}},
		{ID: 8, Timestamp: ts, Type: interp.LambdaFunctionScheduled, LambdaFunctionScheduledEventDetails: &interp.LambdaFunctionScheduledEventDetails{
			Input: "", InputDetails: interp.DataDetails{Truncated: true}}},
		{ID: 9, Timestamp: ts, Type: interp.TaskSucceeded, TaskSucceededEventDetails: &interp.TaskOutputEventDetails{Output: out, OutputDetails: interp.DataDetails{Truncated: true}},
			StateExitedEventDetails: &interp.StateExitedEventDetails{Name: "two details"}},
		{ID: 10, Timestamp: ts.In(time.FixedZone("x", 3600)), Type: interp.TaskStarted, TaskStartedEventDetails: &interp.TaskResourceEventDetails{}},
	}
	return evs
}

// fullSnapshot is a snapshot with every field set.
func fullSnapshot() *interp.Snapshot {
	var s interp.Snapshot
	fill(reflect.ValueOf(&s).Elem(), 0)
	s.Input = map[string]any{"detail": map[string]any{"bucket": map[string]any{"name": "b<&>"}, "size": json.Number("1.50")}, "tags": []any{"x", true, nil, 1.25}}
	s.StateInput = map[string]any{"k": tricky, "n": json.Number("-0"), "e": json.Number("1e+21"), "big": float64(1e21), "small": 1e-7}
	s.Variables = map[string]any{"v": json.Number("1"), "w": []any{}}
	s.Completed = map[string]any{"b0": map[string]any{}, "b1": "done"}
	return &s
}

// TestAppendRecord: appendRecord's text decodes to what encoding/json's does.
func TestAppendRecord(t *testing.T) {
	if !recordByHand || !snapshotByHand || !taskDetailsByHand || !eventsByHand || !executionByHand {
		t.Fatalf("record, interp.Snapshot, a task's event details, interp.HistoryEvent or executionRecord changed shape (recordByHand %v, snapshotByHand %v, taskDetailsByHand %v, eventsByHand %v, executionByHand %v): update appendRecord",
			recordByHand, snapshotByHand, taskDetailsByHand, eventsByHand, executionByHand)
	}
	every := everyDetail()
	start := time.Date(2024, 3, 1, 12, 0, 0, 5, time.UTC)
	tests := []struct {
		name string
		rec  *record
	}{
		{"snapshot of a task pipeline", &record{Kind: kindSnapshot, Arn: "arn:aws:states:us-east-1:000000000000:execution:m:e", Events: taskEvents(),
			Snapshot: &interp.Snapshot{ExecutionArn: "arn:e", ExecutionName: "e", StateMachineArn: "arn:m", Input: map[string]any{"a": "b"}, StartDate: start,
				State: "Process", StateInput: map[string]any{"validation": map[string]any{"report": map[string]any{"valid": true}}}, LastEventID: 5, Events: 5}}},
		{"snapshot, every field", &record{Kind: kindSnapshot, Arn: tricky, Events: every.Events, Snapshot: fullSnapshot()}},
		{"snapshot, no events, null payloads", &record{Kind: kindSnapshot, Arn: "a", Snapshot: &interp.Snapshot{}}},
		{"snapshot, empty events and maps", &record{Kind: kindSnapshot, Events: []interp.HistoryEvent{}, Snapshot: &interp.Snapshot{Variables: map[string]any{}, Completed: map[string]any{}}}},
		{"execution start", &record{Kind: kindExecution, Execution: &every.Execution}},
		{"execution start, plain", &record{Kind: kindExecution, Execution: &executionRecord{Arn: "a", Name: "n", Definition: `{"StartAt":"A"}`, Input: `{"x":"<&>"}`, Start: start}}},
		{"redrive", &record{Kind: kindRedrive, Execution: &every.Execution, Events: taskEvents(), Snapshot: fullSnapshot()}},
		{"machine (encoding/json)", &record{Kind: kindMachine, Machine: &machineRecord{Arn: "a", Name: "<m>", Tags: map[string]string{"k": "v"}}}},
		{"legacy end (encoding/json)", &record{Kind: kindLegacyEnd, Arn: "a", End: &endRecord{Status: "SUCCEEDED"}}},
		{"kind only", &record{Kind: kindMachineDeleted, Arn: "arn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := appendRecord([]byte("prefix"), tt.rec)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(tt.rec)
			if err != nil {
				t.Fatal(err)
			}
			sameRecordText(t, got[len("prefix"):], want)
		})
	}
}

// TestAppendRecordNegativeZero: a float64 -0 in a payload is written 0, as the engine renders it in the
// execution's history and output, where encoding/json wrote -0 (which, resumed as the number "-0", the
// engine then rendered -0).
func TestAppendRecordNegativeZero(t *testing.T) {
	negZero := -1 / float64(len("x")) * 0
	got, err := appendRecord(nil, &record{Kind: kindSnapshot, Snapshot: &interp.Snapshot{StateInput: negZero}})
	if err != nil {
		t.Fatal(err)
	}
	var r record
	if err := json.Unmarshal(got, &r); err != nil {
		t.Fatal(err)
	}
	rendered, err := jsonvalue.Marshal(negZero)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Snapshot.StateInput, json.Number(rendered); got != want {
		t.Errorf("state input read back %#v, want %#v", got, want)
	}
}

// TestAppendRecordErrors: what encoding/json cannot encode, appendRecord refuses too.
func TestAppendRecordErrors(t *testing.T) {
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	nan := []float64{0}
	nan[0] /= nan[0]
	for i, r := range []*record{
		{Kind: kindSnapshot, Snapshot: &interp.Snapshot{StartDate: far}},
		{Kind: kindSnapshot, Snapshot: &interp.Snapshot{RedriveDate: far}},
		{Kind: kindSnapshot, Snapshot: &interp.Snapshot{StateInput: map[string]any{"x": nan[0]}}},
		{Kind: kindSnapshot, Snapshot: &interp.Snapshot{Input: json.Number("1.")}},
		{Kind: kindSnapshot, Events: []interp.HistoryEvent{{ID: 1, Timestamp: far, TaskStartedEventDetails: &interp.TaskResourceEventDetails{}}}},
		{Kind: kindExecution, Execution: &executionRecord{Start: far}},
	} {
		_, gotErr := appendRecord(nil, r)
		_, wantErr := json.Marshal(r)
		if gotErr == nil || wantErr == nil {
			t.Errorf("record %d: appendRecord error %v, encoding/json's %v: want both", i, gotErr, wantErr)
		}
	}
}

// FuzzAppendRecordSnapshot: a snapshot record, its payloads any JSON text and its strings any text,
// written by appendRecord decodes to what encoding/json's text does.
func FuzzAppendRecordSnapshot(f *testing.F) {
	f.Add("arn", "Validate", `{"detail":{"bucket":{"name":"b"}}}`, `{"a":[1,"<&>",null,{"z":1,"a":2}]}`, `{"v":1.50}`, `lambda`, `{"Payload":{}}`, int64(1733466472783218559), 330)
	f.Add("\xff\u2028", "", `"x"`, `[]`, `null`, "", "", int64(-1), 0)
	f.Add(tricky, tricky, `1e400`, `-0`, `{"":{}}`, tricky, tricky, int64(0), -5)
	f.Fuzz(func(t *testing.T, arn, state, input, stateInput, vars, resource, params string, start int64, timeout int) {
		decode := func(s string) any {
			v, err := jsonvalue.Decode([]byte(s))
			if err != nil {
				return s
			}
			return v
		}
		snap := &interp.Snapshot{ExecutionArn: arn, ExecutionName: state, StateMachineArn: resource, RoleArn: params, Input: decode(input),
			StartDate: time.Unix(0, start).UTC(), State: state, StateInput: decode(stateInput), LastEventID: int64(timeout), Events: timeout, RedriveCount: timeout}
		if m, ok := decode(vars).(map[string]any); ok {
			snap.Variables = m
			snap.Completed = m
		}
		ts := time.Unix(0, start).UTC()
		r := &record{Kind: kindSnapshot, Arn: arn, Snapshot: snap, Events: []interp.HistoryEvent{
			{ID: 1, Timestamp: ts, Type: interp.TaskScheduled, TaskScheduledEventDetails: &interp.TaskScheduledEventDetails{
				ResourceType: resource, Resource: state, Region: arn, Parameters: params, TimeoutInSeconds: int64(timeout), HeartbeatSeconds: -int64(timeout)}},
			{ID: 2, PreviousEventID: 1, Timestamp: ts.Add(time.Duration(timeout)), Type: interp.TaskStarted, TaskStartedEventDetails: &interp.TaskResourceEventDetails{ResourceType: resource, Resource: state}},
			{ID: 3, Timestamp: ts, Type: interp.TaskSucceeded, TaskSucceededEventDetails: &interp.TaskOutputEventDetails{ResourceType: resource, Output: stateInput, OutputDetails: interp.DataDetails{Truncated: timeout > 0}}},
			{ID: 4, Timestamp: ts, Type: interp.LambdaFunctionScheduled, LambdaFunctionScheduledEventDetails: &interp.LambdaFunctionScheduledEventDetails{Resource: resource, Input: params, TimeoutInSeconds: int64(timeout)}},
			{ID: 5, Timestamp: ts, Type: interp.TaskStateExited, StateExitedEventDetails: &interp.StateExitedEventDetails{Name: state, Output: stateInput}},
		}}
		got, err := appendRecord(nil, r)
		want, wantErr := json.Marshal(r)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("appendRecord error %v, encoding/json's %v", err, wantErr)
		}
		if err != nil {
			return
		}
		sameRecordText(t, got, want)
	})
}

// TestJournaledEventsInBlob: a history blob that takes its first events' text from the snapshot records
// that journaled them (appendRecordSpan's span, joined as checkpoint joins them) is byte for byte the
// blob that encodes every event, whatever the checkpoints' boundaries and however many events the text
// covers. A span that is not the events' text, or joined wrongly, changes the blob.
func TestJournaledEventsInBlob(t *testing.T) {
	blobs := map[string]*historyBlob{
		"every detail": everyDetail(),
		"payloads":     payloads(),
		"task":         (&historyBlob{End: endRecord{Status: "SUCCEEDED"}}).withEvents(taskEvents()...),
	}
	for name, b := range blobs {
		want, err := appendBlob(nil, b)
		if err != nil {
			t.Fatal(err)
		}
		for step := 1; step <= 4; step++ {
			var text []byte
			covered := 0
			for covered < len(b.Events) {
				to := min(covered+step, len(b.Events))
				rec, from, end, err := appendRecordSpan([]byte("prefix"), &record{Kind: kindSnapshot, Arn: "a", Events: b.Events[covered:to], Snapshot: fullSnapshot()})
				if err != nil {
					t.Fatal(err)
				}
				if from < 0 {
					t.Fatalf("%s: appendRecordSpan reported no events for %d of them", name, to-covered)
				}
				if len(text) > 0 {
					text = append(text, ',')
				}
				text = append(text, rec[len("prefix"):][from:end]...)
				covered = to
				j := *b
				j.Journaled, j.JournaledN = text, covered
				got, err := appendBlob(nil, &j)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s, checkpoints of %d, %d events journaled: blob\n%s\nwant\n%s", name, step, covered, got, want)
				}
			}
		}
	}
	// A record without events, and one encoding/json writes, have no span.
	for _, r := range []*record{{Kind: kindSnapshot, Arn: "a", Snapshot: fullSnapshot()}, {Kind: kindMachine, Machine: &machineRecord{Arn: "m"}}} {
		if _, from, to, err := appendRecordSpan(nil, r); err != nil || from != -1 || to != -1 {
			t.Errorf("appendRecordSpan(%s record) = span %d, %d, %v; want -1, -1, nil", r.Kind, from, to, err)
		}
	}
}
