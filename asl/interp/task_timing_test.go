package interp

import (
	"context"
	"errors"
	"testing"
	"time"
)

// slowTasks takes d of virtual time per invocation.
func slowTasks(clock Clock, d time.Duration) TaskInvoker {
	return TaskInvokerFunc(func(ctx context.Context, req TaskRequest) (any, error) {
		if err := Sleep(ctx, clock, d); err != nil {
			return nil, err
		}
		return "done", nil
	})
}

// TimeoutSeconds and TimeoutSecondsPath end a task with States.Timeout at
// exactly the configured time on the virtual clock.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
func TestTaskTimeout(t *testing.T) {
	tests := []struct {
		name, timeout string
		work          time.Duration
		wantStatus    Status
		wantAt        time.Duration
	}{
		{"finishes in time", `"TimeoutSeconds":10`, 4 * time.Second, StatusSucceeded, 4 * time.Second},
		{"times out", `"TimeoutSeconds":10`, time.Minute, StatusFailed, 10 * time.Second},
		{"path", `"TimeoutSecondsPath":"$.t"`, time.Minute, StatusFailed, 3 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := NewVirtualClock(epoch)
			m := compile(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::test:work",`+tc.timeout+`,"End":true}}}`,
				WithClock(clock), WithTaskInvoker(slowTasks(clock, tc.work)))
			var h HistoryLog
			r := wait(t, m.Start(context.Background(), mustJSON(t, `{"t":3}`), WithHistory(&h)))
			if r.Status != tc.wantStatus {
				t.Fatalf("status: got %s (%s), want %s", r.Status, r.Error, tc.wantStatus)
			}
			if tc.wantStatus == StatusFailed {
				if r.Error != "States.Timeout" {
					t.Errorf("error: got %s, want States.Timeout", r.Error)
				}
				if got := at(t, h.Events(), TaskTimedOut, ""); got != tc.wantAt {
					t.Errorf("timed out at %v, want %v", got, tc.wantAt)
				}
			} else if got := at(t, h.Events(), TaskSucceeded, ""); got != tc.wantAt {
				t.Errorf("succeeded at %v, want %v", got, tc.wantAt)
			}
		})
	}
}

// callbackWorker answers a ".waitForTaskToken" task from a goroutine that
// takes virtual time: it heartbeats every beat, beats times, then succeeds.
func callbackWorker(clock *VirtualClock, tokens *TaskTokens, beat time.Duration, beats int, issued chan<- string) TaskInvoker {
	return TaskInvokerFunc(func(ctx context.Context, req TaskRequest) (any, error) {
		if issued != nil {
			issued <- req.TaskToken
			return "submitted", nil
		}
		clock.Hold()
		go func() {
			defer clock.Release()
			for range beats {
				if Sleep(context.Background(), clock, beat) != nil || tokens.Heartbeat(req.TaskToken) != nil {
					return
				}
			}
			_ = tokens.Succeed(req.TaskToken, map[string]any{"token": "ok"})
		}()
		return "submitted", nil
	})
}

// HeartbeatSeconds: a callback task must hear from its worker within each
// interval, or it fails with States.HeartbeatTimeout.
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
func TestCallbackHeartbeat(t *testing.T) {
	tests := []struct {
		name       string
		beat       time.Duration
		wantStatus Status
		wantError  string
		wantAt     time.Duration
	}{
		{"heartbeats keep it alive", 4 * time.Second, StatusSucceeded, "", 12 * time.Second},
		{"silence times it out", 6 * time.Second, StatusFailed, "States.HeartbeatTimeout", 5 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := NewVirtualClock(epoch)
			tokens := NewTaskTokens()
			m := compile(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
				"Parameters":{"token.$":"$$.Task.Token"},"HeartbeatSeconds":5,"End":true}}}`,
				WithClock(clock), WithTaskTokens(tokens), WithTaskInvoker(callbackWorker(clock, tokens, tc.beat, 3, nil)))
			var h HistoryLog
			r := wait(t, m.Start(context.Background(), mustJSON(t, `{}`), WithHistory(&h)))
			if r.Status != tc.wantStatus || r.Error != tc.wantError {
				t.Fatalf("got %s %q (%s), want %s %q", r.Status, r.Error, r.Cause, tc.wantStatus, tc.wantError)
			}
			endType := TaskSucceeded
			if tc.wantStatus == StatusFailed {
				endType = TaskTimedOut
			}
			end := at(t, h.Events(), endType, "")
			if end != tc.wantAt {
				t.Errorf("task ended at %v, want %v", end, tc.wantAt)
			}
			if tc.wantStatus == StatusSucceeded {
				if got := canon(t, r.Output); got != `{"token":"ok"}` {
					t.Errorf("output: got %s", got)
				}
				want := "ExecutionStarted TaskStateEntered(T) TaskScheduled TaskStarted TaskSubmitted TaskSucceeded TaskStateExited(T) ExecutionSucceeded"
				if got := types(h.Events()); got != want {
					t.Errorf("history:\n got %s\nwant %s", got, want)
				}
			}
		})
	}
}

// The host completes or fails a callback task through TaskTokens; a used
// token is rejected.
func TestTaskTokens(t *testing.T) {
	for _, succeed := range []bool{true, false} {
		clock := NewVirtualClock(epoch)
		tokens := NewTaskTokens()
		issued := make(chan string, 1)
		m := compile(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sns:publish.waitForTaskToken","End":true}}}`,
			WithClock(clock), WithTaskTokens(tokens), WithTaskInvoker(callbackWorker(clock, tokens, 0, 0, issued)))
		e := m.Start(context.Background(), mustJSON(t, `{}`))
		tok := <-issued
		var err error
		if succeed {
			err = tokens.Succeed(tok, "fine")
		} else {
			err = tokens.Fail(tok, "Worker.Failed", "it broke")
		}
		if err != nil {
			t.Fatalf("complete: %v", err)
		}
		r := wait(t, e)
		if succeed && (r.Status != StatusSucceeded || r.Output != "fine") {
			t.Errorf("succeed: got %s %v", r.Status, r.Output)
		}
		if !succeed && (r.Error != "Worker.Failed" || r.Cause != "it broke") {
			t.Errorf("fail: got %s %q %q", r.Status, r.Error, r.Cause)
		}
		if err := tokens.Succeed(tok, "again"); !errors.Is(err, ErrTaskTimedOut) {
			t.Errorf("reused token: got %v, want ErrTaskTimedOut", err)
		}
	}
	if err := NewTaskTokens().Heartbeat("nope"); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("unknown token: got %v, want ErrInvalidToken", err)
	}
}

// notifySink records events and signals when one of a type arrives.
type notifySink struct {
	HistoryLog
	on   EventType
	seen chan struct{}
}

func (s *notifySink) Record(ev HistoryEvent) {
	s.HistoryLog.Record(ev)
	if ev.Type == s.on {
		close(s.seen)
	}
}

// Stop aborts a running execution with the given error and cause; the
// interrupted state records its Aborted event.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
func TestStop(t *testing.T) {
	clock := NewVirtualClock(epoch)
	m := compile(t, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`, WithClock(clock))
	h := &notifySink{on: WaitStateEntered, seen: make(chan struct{})}
	clock.Hold() // keep the hour from passing while the test stops the execution
	e := m.Start(context.Background(), mustJSON(t, `{}`), WithHistory(h))
	<-h.seen
	e.Stop("Operator.Stop", "no longer needed")
	clock.Release()
	r := wait(t, e)
	if r.Status != StatusAborted || r.Error != "Operator.Stop" || r.Cause != "no longer needed" {
		t.Errorf("got %s %q %q", r.Status, r.Error, r.Cause)
	}
	events := h.Events()
	last := events[len(events)-1]
	if last.Type != ExecutionAborted || last.ExecutionAbortedEventDetails.Error != "Operator.Stop" {
		t.Errorf("last event: got %+v", last)
	}
	want := "ExecutionStarted WaitStateEntered(W) WaitStateAborted ExecutionAborted"
	if got := types(events); got != want {
		t.Errorf("history:\n got %s\nwant %s", got, want)
	}
	if got := r.StopDate.Sub(epoch); got != 0 {
		t.Errorf("stopped at %v, want 0", got)
	}
}

// A machine-level TimeoutSeconds ends the execution TIMED_OUT.
// https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html
func TestMachineTimeout(t *testing.T) {
	r, ev := run(t, `{"TimeoutSeconds":10,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":20,"End":true}}}`, `{}`)
	if r.Status != StatusTimedOut || r.Error != "States.Timeout" {
		t.Fatalf("got %s %q", r.Status, r.Error)
	}
	if got := at(t, ev, ExecutionTimedOut, ""); got != 10*time.Second {
		t.Errorf("timed out at %v, want 10s", got)
	}
}

// The history limit (25,000 events by default) fails a runaway execution;
// the payload limit (262,144 bytes) fails a state whose output is too big.
// https://docs.aws.amazon.com/step-functions/latest/dg/limits-overview.html
func TestLimits(t *testing.T) {
	loop := `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},
		"B":{"Type":"Choice","Choices":[{"Variable":"$.stop","IsPresent":true,"Next":"Done"}],"Default":"A"},"Done":{"Type":"Succeed"}}}`
	r, ev := run(t, loop, `{}`, WithHistoryLimit(50))
	if r.Status != StatusFailed || r.Error != "States.Runtime" {
		t.Errorf("history limit: got %s %q", r.Status, r.Error)
	}
	if len(ev) != 50 {
		t.Errorf("history limit: %d events recorded, want 50", len(ev))
	}
	r, _ = run(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"0123456789012345678901234567890123456789","End":true}}}`, `{}`,
		WithPayloadLimit(32))
	if r.Status != StatusFailed || r.Error != "States.DataLimitExceeded" {
		t.Errorf("payload limit: got %s %q", r.Status, r.Error)
	}
}
