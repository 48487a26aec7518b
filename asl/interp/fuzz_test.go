package interp

import (
	"context"
	"testing"

	"github.com/sluicehq/sluice/asl"
)

// FuzzExecute runs arbitrary definitions that asl.Parse accepts on
// arbitrary inputs: every execution must end with a terminal status, never
// panic or hang (the virtual clock and a small history limit bound it).
func FuzzExecute(f *testing.F) {
	seeds := [][2]string{
		{pipelineDef, `{"key":"a"}`},
		{`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","NumericGreaterThan":1,"Next":"W"}],"Default":"F"},
			"W":{"Type":"Wait","SecondsPath":"$.a","Next":"M"},"F":{"Type":"Fail","ErrorPath":"$.e"},
			"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,"ItemSelector":{"v.$":"$$.Map.Item.Value"},
				"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Assign":{"x.$":"$.v"},"End":true}}},"End":true}}}`, `{"a":2,"items":[1,2,3]}`},
		{`{"StartAt":"P","States":{"P":{"Type":"Parallel","ResultSelector":{"r.$":"$[0]"},"End":true,"Branches":[
			{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::test:x","TimeoutSeconds":1,
				"Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":2,"JitterStrategy":"FULL"}],"End":true}}}]}}}`, `[1]`},
		{`{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"s.$":"States.Format('{}', $.x)","h.$":"States.ArrayPartition($.a, 2)"},"ResultPath":"$.o","End":true}}}`, `{"x":"y","a":[1,2,3]}`},
		{`{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::test:x","Arguments":{"a":"{% $states.input.a %}"},
			"Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":1}],"Assign":{"r":"{% $states.result %}"},"Output":"{% $states.result.a %}","Next":"C"},
			"C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input > 1 %}","Next":"M"}],"Default":"F"},
			"F":{"Type":"Fail","Error":"{% 'E' & $string($r) %}"},
			"M":{"Type":"Map","Items":"{% $range(1, $states.input, 1) %}","ItemSelector":{"i":"{% $states.context.Map.Item.Index %}"},
				"ItemProcessor":{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":"{% $states.input.i + 1 %}","End":true}}},"End":true}}}`, `{"a":3}`},
		{`{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ToleratedFailurePercentage":50,"Label":"L",
			"ItemBatcher":{"MaxItemsPerBatch":2,"MaxInputBytesPerBatch":40,"BatchInput":{"k.$":"$.k"}},"ItemSelector":{"v.$":"$$.Map.Item.Value"},
			"ResultWriter":{"WriterConfig":{"OutputType":"JSON","Transformation":"FLATTEN"}},
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"P","States":{"P":{"Type":"Pass","OutputPath":"$.Items","End":true}}},"End":true}}}`,
			`{"k":1,"items":[1,"two",{"three":3},[4]]}`},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, def, input string) {
		sm, err := asl.Parse([]byte(def))
		if err != nil {
			return
		}
		in, err := decodeJSON([]byte(input))
		if err != nil {
			return
		}
		clock := NewVirtualClock(epoch)
		tasks := TaskInvokerFunc(func(ctx context.Context, req TaskRequest) (any, error) {
			if req.Attempt == 0 {
				return nil, Fail("Flaky", "first attempt")
			}
			return req.Input, nil
		})
		m, err := New(sm, WithClock(clock), WithTaskInvoker(tasks), WithLambdaInvoker(echoLambda),
			WithHistoryLimit(300), WithRandom(func() float64 { return 0.5 }))
		if err != nil {
			return
		}
		var h HistoryLog
		r := m.Run(context.Background(), in, WithHistory(&h))
		switch r.Status {
		case StatusSucceeded, StatusFailed, StatusTimedOut, StatusAborted:
		default:
			t.Fatalf("status %q", r.Status)
		}
		ev := h.Events()
		if len(ev) == 0 || ev[0].Type != ExecutionStarted {
			t.Fatalf("history does not start with ExecutionStarted: %v", types(ev))
		}
		for i, e := range ev {
			if e.ID != int64(i+1) || e.PreviousEventID >= e.ID {
				t.Fatalf("event %d: id %d previous %d", i, e.ID, e.PreviousEventID)
			}
		}
	})
}
