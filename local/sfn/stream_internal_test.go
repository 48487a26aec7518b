package sfn

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/interp"
)

// streamedMachines run within StartExecution (inlineable): Pass states with Parameters, a Choice to a Fail,
// an inline Parallel and Map, JSONata and variables.
var streamedMachines = []string{
	`{"StartAt":"A","States":{
		"A":{"Type":"Pass","Parameters":{"id.$":"$.id","name.$":"$$.Execution.Name","q":"\"<&>\"\u2028"},"ResultPath":"$.acc","Next":"B"},
		"B":{"Type":"Pass","Next":"C"},
		"C":{"Type":"Choice","Choices":[{"Variable":"$.id","StringEquals":"fail","Next":"F"}],"Default":"D"},
		"D":{"Type":"Succeed"},
		"F":{"Type":"Fail","Error":"Bad.Id","Cause":"the id said \"fail\""}}}`,
	`{"StartAt":"P","States":{
		"P":{"Type":"Parallel","Branches":[
			{"StartAt":"X","States":{"X":{"Type":"Pass","Result":{"x":1},"End":true}}},
			{"StartAt":"Y","States":{"Y":{"Type":"Pass","End":true}}}],"Next":"M"},
		"M":{"Type":"Map","ItemsPath":"$[1].items","ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}}`,
	`{"QueryLanguage":"JSONata","StartAt":"J","States":{
		"J":{"Type":"Pass","Assign":{"n":"{% $states.input.id %}"},"Output":"{% {'id': $n, 'len': $length($string($states.input))} %}","End":true}}}`,
}

// FuzzEventStream: the events an inline execution's sink encodes as they are recorded (eventStream) make
// the blob text, byte for byte, that encoding the same events afterwards makes, and decode to them.
func FuzzEventStream(f *testing.F) {
	for _, in := range []string{`{"id":"a1","items":[1,2,3]}`, `{"id":"fail"}`, `{"id":"\u2028\"\\","items":[]}`, `{"id":"é中😀\u0000"}`, `[1,{"items":["x"]}]`, `"text"`, `{}`} {
		f.Add(in, uint8(0))
		f.Add(in, uint8(1))
		f.Add(in, uint8(2))
	}
	machines := make([]*interp.Machine, len(streamedMachines))
	for i, def := range streamedMachines {
		sm, err := asl.Parse([]byte(def))
		if err != nil {
			f.Fatal(err)
		}
		if machines[i], err = interp.New(sm, interp.WithClock(interp.SystemClock())); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, input string, which uint8) {
		var value any
		if err := json.Unmarshal([]byte(input), &value); err != nil {
			t.Skip()
		}
		i := int(which) % len(machines)
		var log interp.HistoryLog
		run := machines[i].RunExecution(t.Context(), value, interp.WithHistory(&log), interp.WithExecutionName("e1"),
			interp.WithExecutionArn("arn:aws:states:us-east-1:000000000000:execution:m:e1"))
		res := run.Result()
		evs := log.Events()
		st := newEventStream()
		defer st.recycle()
		for i := range evs {
			st.record(&evs[i])
		}
		rec := executionRecord{Arn: "arn:aws:states:us-east-1:000000000000:execution:m:e1", Name: "e1",
			MachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:m", Definition: streamedMachines[i],
			RoleArn: "arn:aws:iam::000000000000:role/r", Input: input, Start: time.Unix(1700000000, 5).UTC()}
		end := endRecord{Status: string(res.Status), Error: res.Error, Cause: res.Cause, Stop: res.StopDate.UTC()}
		want, _, err := appendBlobText(nil, &historyBlob{Execution: rec, End: end, Events: evs}, true)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := appendBlobText(nil, &historyBlob{Execution: rec, End: end, Stream: st}, true)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("streamed blob text:\n%s\nwant:\n%s", got, want)
		}
		if st.n != len(evs) {
			t.Errorf("events counted: got %d, want %d", st.n, len(evs))
		}
		decoded, err := st.events()
		if err != nil {
			t.Fatal(err)
		}
		var reread []interp.HistoryEvent // the events as the blob gives them back
		var whole historyBlob
		if err := json.Unmarshal(want, &whole); err != nil {
			t.Fatal(err)
		}
		reread = whole.Events
		if diff := cmp.Diff(decoded, reread); diff != "" {
			t.Errorf("decoded events (-got +want):\n%s", diff)
		}
		if res.Status == interp.StatusSucceeded {
			d := evs[len(evs)-1].ExecutionSucceededEventDetails
			if !st.hasOutput || st.output != d.Output {
				t.Errorf("output kept: %q %v, want %q", st.output, st.hasOutput, d.Output)
			}
		}
	})
}
