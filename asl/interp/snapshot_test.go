package interp

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A snapshot taken between top-level states survives JSON encoding, and
// resuming from it finishes the execution with the same output and a
// history that continues the original's ids.
func TestSnapshotResume(t *testing.T) {
	def := `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Assign":{"n":41},"Parameters":{"v.$":"$.v"},"Next":"W"},
		"W":{"Type":"Wait","Seconds":60,"Next":"B"},
		"B":{"Type":"Pass","Parameters":{"v.$":"$.v","n.$":"States.MathAdd($n, 1)","start.$":"$$.Execution.StartTime"},"End":true}}}`
	input := `{"v":"x"}`

	clock := NewVirtualClock(epoch)
	m := compile(t, def, WithClock(clock))
	var full HistoryLog
	var snaps []Snapshot
	want := wait(t, m.Start(context.Background(), mustJSON(t, input), WithHistory(&full),
		WithCheckpoint(func(s Snapshot) { snaps = append(snaps, s) })))
	if got := len(snaps); got != 3 {
		t.Fatalf("snapshots: got %d, want 3 (one per top-level state)", got)
	}

	// Persist the snapshot taken before W and resume in a "new process".
	b, err := json.Marshal(snaps[1])
	if err != nil {
		t.Fatal(err)
	}
	var snap Snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		t.Fatal(err)
	}
	clock2 := NewVirtualClock(epoch.Add(3600e9))
	m2 := compile(t, def, WithClock(clock2))
	var rest HistoryLog
	e, err := m2.Resume(context.Background(), snap, WithHistory(&rest))
	if err != nil {
		t.Fatal(err)
	}
	got := wait(t, e)
	if got.Status != StatusSucceeded {
		t.Fatalf("resumed: %s %s %s", got.Status, got.Error, got.Cause)
	}
	if diff := cmp.Diff(canon(t, want.Output), canon(t, got.Output)); diff != "" {
		t.Errorf("output (-full +resumed):\n%s", diff)
	}
	all := append(full.Events()[:snap.LastEventID], rest.Events()...)
	if diff := cmp.Diff(types(full.Events()), types(all)); diff != "" {
		t.Errorf("history (-full +resumed):\n%s", diff)
	}
	for i, ev := range all {
		if ev.ID != int64(i+1) {
			t.Errorf("event %d has id %d", i, ev.ID)
		}
	}
	if _, err := m2.Resume(context.Background(), Snapshot{State: "Nope"}); err == nil {
		t.Error("resume at an unknown state: no error")
	}
}
