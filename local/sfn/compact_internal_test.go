package sfn

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestCompactionWhileExecutionsEnd compacts the journal over and over while executions start and end:
// a compaction that listed an execution just before it moved to the history store must not trip over it,
// and after a restart every execution is there.
func TestCompactionWhileExecutionsEnd(t *testing.T) {
	dir := t.TempDir()
	s, err := New(WithDataDir(dir), WithSync(false))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	def := `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"C"},"C":{"Type":"Pass","End":true}}}`
	if _, err := s.createStateMachine(ctx, []byte(fmt.Sprintf(`{"name":"m","definition":%q,"roleArn":"arn:aws:iam::000000000000:role/r"}`, def))); err != nil {
		t.Fatal(err)
	}
	machine := s.machineArn("m")
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			if err := s.journal.compact(context.Background(), s.liveRecords); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	const n = 300
	arns := make([]string, n)
	for i := range n {
		if arns[i], err = s.Start(ctx, machine, fmt.Sprintf("e%03d", i), `{}`); err != nil {
			t.Fatal(err)
		}
	}
	for _, arn := range arns {
		if _, err := s.Wait(ctx, arn); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := New(WithDataDir(dir), WithSync(false))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	for _, arn := range arns {
		if status, err := s2.Wait(ctx, arn); err != nil || status != "SUCCEEDED" {
			t.Errorf("%s after restart: %s %v", arn, status, err)
		}
	}
}
