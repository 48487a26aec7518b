package sfn

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

// TestListRunningSkipsEnded lists the RUNNING executions of a machine that has ended ones too (which the
// listing then does not read), of a deleted machine that only has ended ones (an empty list, as before),
// and of a machine that never existed (StateMachineDoesNotExist).
func TestListRunningSkipsEnded(t *testing.T) {
	s, err := New(WithDataDir(t.TempDir()), WithSync(false))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	create := func(name, def string) string {
		if _, err := s.createStateMachine(ctx, []byte(fmt.Sprintf(`{"name":%q,"definition":%q,"roleArn":"arn:aws:iam::000000000000:role/r"}`, name, def))); err != nil {
			t.Fatal(err)
		}
		return s.machineArn(name)
	}
	list := func(machine, status string) ([]string, error) {
		out, err := s.listExecutions(ctx, []byte(fmt.Sprintf(`{"stateMachineArn":%q,"statusFilter":%q}`, machine, status)))
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(out)
		var got struct {
			Executions []struct{ Name, Status string }
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range got.Executions {
			names = append(names, e.Name+":"+e.Status)
		}
		return names, nil
	}
	waits := create("waits", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)
	ends := create("ends", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)
	for i := range 3 {
		arn, err := s.Start(ctx, ends, fmt.Sprintf("done-%d", i), `{}`)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Wait(ctx, arn); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Start(ctx, waits, "waiting", `{}`); err != nil {
		t.Fatal(err)
	}
	if got, err := list(waits, "RUNNING"); err != nil || len(got) != 1 || got[0] != "waiting:RUNNING" {
		t.Errorf("running of a machine with a running execution: got %v, %v; want [waiting:RUNNING]", got, err)
	}
	if got, err := list(ends, "RUNNING"); err != nil || len(got) != 0 {
		t.Errorf("running of a machine whose executions ended: got %v, %v; want none", got, err)
	}
	if got, err := list(ends, "SUCCEEDED"); err != nil || len(got) != 3 {
		t.Errorf("succeeded: got %v, %v; want 3", got, err)
	}
	if _, err := s.deleteStateMachine(ctx, []byte(fmt.Sprintf(`{"stateMachineArn":%q}`, ends))); err != nil {
		t.Fatal(err)
	}
	if got, err := list(ends, "RUNNING"); err != nil || len(got) != 0 {
		t.Errorf("running of a deleted machine with ended executions: got %v, %v; want none and no error", got, err)
	}
	_, err = list(s.machineArn("never"), "RUNNING")
	if !errors.Is(err, CodeStateMachineDoesNotExist) {
		t.Errorf("running of a machine that never existed: got %v, want %s", err, CodeStateMachineDoesNotExist)
	}
}
