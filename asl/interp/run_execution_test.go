package interp

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRunExecution: RunExecution returns the execution done, with the result Start and Wait give and,
// for one that failed, the point a redrive continues from.
func TestRunExecution(t *testing.T) {
	const def = `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.a","Next":"B"},
		"B":{"Type":"Choice","Choices":[{"Variable":"$.a.x","NumericEquals":1,"Next":"Boom"}],"Default":"Done"},
		"Boom":{"Type":"Fail","Error":"E","Cause":"c"},
		"Done":{"Type":"Succeed"}}}`
	m := compile(t, def)
	e := m.RunExecution(context.Background(), mustJSON(t, `{}`))
	select {
	case <-e.Done():
	default:
		t.Fatal("RunExecution returned an execution that is not done")
	}
	got := e.Result()
	want := wait(t, m.Start(context.Background(), mustJSON(t, `{}`)))
	if diff := cmp.Diff([]string{string(got.Status), got.Error, got.Cause}, []string{string(want.Status), want.Error, want.Cause}); diff != "" {
		t.Errorf("RunExecution's result against Start's (-got +want):\n%s", diff)
	}
	p := e.RedrivePoint()
	if p == nil || p.State != "Boom" {
		t.Errorf("RedrivePoint: got %+v, want one at Boom", p)
	}
}
