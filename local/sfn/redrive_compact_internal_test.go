package sfn

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sluicehq/sluice/asl/interp"
)

// parked leaves ".waitForTaskToken" tasks waiting.
type parked struct{}

func (parked) InvokeTask(ctx context.Context, req interp.TaskRequest) (any, error) { return nil, nil }

// A redriven execution that is running when the journal is compacted is rewritten as one redrive record
// (its execution record, history and snapshot): after a restart it is still the redriven execution, with
// its whole history and one ExecutionRedriven event, running again from its last snapshot.
func TestRedriveSurvivesCompaction(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	open := func() *Service {
		s, err := New(WithDataDir(dir), WithSync(false), WithTaskInvoker(parked{}))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	// P fails until the execution is redriven; Park then waits for a callback.
	def := `{"StartAt":"P","States":{
	 "P":{"Type":"Pass","Parameters":{"v.$":"States.StringToJson(States.ArrayGetItem(States.Array('{', '{}'), $$.Execution.RedriveCount))"},"Next":"Park"},
	 "Park":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"t.$":"$$.Task.Token"},"End":true}}}`
	if _, err := s.createStateMachine(ctx, []byte(fmt.Sprintf(`{"name":"m","definition":%q,"roleArn":"arn:aws:iam::000000000000:role/r"}`, def))); err != nil {
		t.Fatal(err)
	}
	arn, err := s.Start(ctx, s.machineArn("m"), "x", `{}`)
	if err != nil {
		t.Fatal(err)
	}
	if status, err := s.Wait(ctx, arn); err != nil || status != "FAILED" {
		t.Fatalf("first attempt: %s %v", status, err)
	}
	if _, err := s.Redrive(ctx, arn, ""); err != nil {
		t.Fatal(err)
	}
	parkedNow := func(s *Service) bool {
		v, err := s.view(arn, true)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range v.events {
			if ev.Type == interp.TaskScheduled {
				n++
			}
		}
		return n > 0
	}
	for deadline := time.Now().Add(10 * time.Second); !parkedNow(s); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the redriven execution did not reach Park")
		}
	}
	if err := s.journal.compact(ctx, s.liveRecords); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := open()
	defer s2.Close()
	v, err := s2.view(arn, true)
	if err != nil {
		t.Fatal(err)
	}
	if v.status != interp.StatusRunning || v.rec.RedriveCount != 1 {
		t.Fatalf("after compaction and restart: %s, redrive count %d; want RUNNING, 1", v.status, v.rec.RedriveCount)
	}
	for deadline := time.Now().Add(10 * time.Second); !parkedNow(s2); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the resumed execution did not reach Park again")
		}
	}
	v, _ = s2.view(arn, true)
	redriven, failed := 0, 0
	for i, ev := range v.events {
		if ev.ID != int64(i+1) {
			t.Fatalf("event %d has id %d", i, ev.ID)
		}
		switch ev.Type {
		case interp.ExecutionRedriven:
			redriven++
		case interp.ExecutionFailed:
			failed++
		}
	}
	if redriven != 1 || failed != 1 {
		t.Errorf("history has %d ExecutionRedriven and %d ExecutionFailed, want 1 and 1", redriven, failed)
	}
}
