package interp

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Back-off: IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds, with
// FULL jitter scaling it by a random factor in [0, 1).
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-retrying-after-an-error
func TestBackoff(t *testing.T) {
	tests := []struct {
		name    string
		p       retryPolicy
		attempt int
		random  float64
		want    time.Duration
	}{
		{"first retry is the interval", retryPolicy{intervalSeconds: 3, backoffRate: 2}, 0, 0, 3 * time.Second},
		{"grows by the rate", retryPolicy{intervalSeconds: 3, backoffRate: 2}, 2, 0, 12 * time.Second},
		{"fractional rate", retryPolicy{intervalSeconds: 1, backoffRate: 1.5}, 2, 0, 2250 * time.Millisecond},
		{"rate 1 is constant", retryPolicy{intervalSeconds: 5, backoffRate: 1}, 7, 0, 5 * time.Second},
		{"capped by MaxDelaySeconds", retryPolicy{intervalSeconds: 1, backoffRate: 2, maxDelaySeconds: 10}, 8, 0, 10 * time.Second},
		{"full jitter scales", retryPolicy{intervalSeconds: 4, backoffRate: 2, fullJitter: true}, 1, 0.25, 2 * time.Second},
		{"full jitter after the cap", retryPolicy{intervalSeconds: 1, backoffRate: 2, maxDelaySeconds: 10, fullJitter: true}, 8, 0.5, 5 * time.Second},
		{"huge exponent saturates", retryPolicy{intervalSeconds: 1, backoffRate: 10}, 400, 0, time.Duration(1<<63 - 1).Truncate(time.Second)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.p.backoff(tc.attempt, func() float64 { return tc.random })
			if tc.name == "huge exponent saturates" {
				if got <= 0 {
					t.Errorf("backoff overflowed: %v", got)
				}
				return
			}
			if got != tc.want {
				t.Errorf("backoff: got %v, want %v", got, tc.want)
			}
		})
	}
}

// failingTasks fails the first n invocations with errName, then succeeds.
func failingTasks(n int32, errName string, calls *atomic.Int32) TaskInvoker {
	return TaskInvokerFunc(func(ctx context.Context, req TaskRequest) (any, error) {
		if calls.Add(1) <= n {
			return nil, Fail(errName, "attempt failed")
		}
		return map[string]any{"ok": true}, nil
	})
}

func TestRetryTiming(t *testing.T) {
	var calls atomic.Int32
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::test:work","End":true,
		"Retry":[{"ErrorEquals":["Other"],"MaxAttempts":5},{"ErrorEquals":["Flaky"],"IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":3}]}}}`
	r, ev := run(t, def, `{}`, WithTaskInvoker(failingTasks(3, "Flaky", &calls)))
	if r.Status != StatusSucceeded {
		t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
	}
	if got := calls.Load(); got != 4 {
		t.Errorf("invocations: got %d, want 4", got)
	}
	var scheduled []time.Duration
	for _, e := range ev {
		if e.Type == TaskScheduled {
			scheduled = append(scheduled, e.Timestamp.Sub(epoch))
		}
	}
	// Retries after 2 s, 2×3 s and 2×9 s.
	want := []time.Duration{0, 2 * time.Second, 8 * time.Second, 26 * time.Second}
	if diff := cmp.Diff(want, scheduled); diff != "" {
		t.Errorf("TaskScheduled times (-want +got):\n%s", diff)
	}
	wantTypes := "ExecutionStarted TaskStateEntered(T) " +
		"TaskScheduled TaskStarted TaskFailed TaskScheduled TaskStarted TaskFailed TaskScheduled TaskStarted TaskFailed " +
		"TaskScheduled TaskStarted TaskSucceeded TaskStateExited(T) ExecutionSucceeded"
	if got := types(ev); got != wantTypes {
		t.Errorf("history:\n got %s\nwant %s", got, wantTypes)
	}
}

func TestRetryAndCatch(t *testing.T) {
	tests := []struct {
		name       string
		fails      int32
		errName    string
		retry      string
		catch      string
		wantStatus Status
		wantOutput string
		wantCalls  int32
	}{
		{"exhausted retries then caught", 10, "Boom", `[{"ErrorEquals":["Boom"],"MaxAttempts":2,"IntervalSeconds":1}]`,
			`[{"ErrorEquals":["Boom"],"ResultPath":"$.err","Next":"H"}]`, StatusSucceeded,
			`{"in":1,"err":{"Error":"Boom","Cause":"attempt failed"}}`, 3},
		{"MaxAttempts 0 never retries", 10, "Boom", `[{"ErrorEquals":["Boom"],"MaxAttempts":0}]`,
			`[{"ErrorEquals":["States.ALL"],"Next":"H"}]`, StatusSucceeded, `{"Error":"Boom","Cause":"attempt failed"}`, 1},
		{"first matching retrier wins", 10, "Boom", `[{"ErrorEquals":["Boom"],"MaxAttempts":1},{"ErrorEquals":["States.ALL"],"MaxAttempts":5}]`,
			`[{"ErrorEquals":["Other"],"Next":"H"}]`, StatusFailed, ``, 2},
		{"TaskFailed matches a task error", 1, "Custom", `[{"ErrorEquals":["States.TaskFailed"]}]`, `[{"ErrorEquals":["Other"],"Next":"H"}]`, StatusSucceeded, `{"ok":true}`, 2},
		{"catch ResultPath null keeps input", 1, "Boom", ``, `[{"ErrorEquals":["Boom"],"ResultPath":null,"Next":"H"}]`,
			StatusSucceeded, `{"in":1}`, 1},
		{"no match fails", 1, "Boom", `[{"ErrorEquals":["Other"]}]`, `[{"ErrorEquals":["Other"],"Next":"H"}]`, StatusFailed, ``, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			extra := ""
			if tc.retry != "" {
				extra += `,"Retry":` + tc.retry
			}
			if tc.catch != "" {
				extra += `,"Catch":` + tc.catch
			}
			def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::test:work","End":true` + extra + `},
				"H":{"Type":"Pass","End":true}}}`
			r, _ := run(t, def, `{"in":1}`, WithTaskInvoker(failingTasks(tc.fails, tc.errName, &calls)))
			if r.Status != tc.wantStatus {
				t.Fatalf("status: got %s (%s), want %s", r.Status, r.Error, tc.wantStatus)
			}
			if tc.wantOutput != "" {
				if diff := cmp.Diff(canon(t, mustJSON(t, tc.wantOutput)), canon(t, r.Output)); diff != "" {
					t.Errorf("output (-want +got):\n%s", diff)
				}
			}
			if tc.wantStatus == StatusFailed && r.Error != tc.errName {
				t.Errorf("error: got %s, want %s", r.Error, tc.errName)
			}
			if got := calls.Load(); got != tc.wantCalls {
				t.Errorf("invocations: got %d, want %d", got, tc.wantCalls)
			}
		})
	}
}

// States.Runtime is neither retried nor caught, even by name.
func TestRuntimeErrorIsTerminal(t *testing.T) {
	var calls atomic.Int32
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::test:work","OutputPath":"$.missing","End":true,
		"Retry":[{"ErrorEquals":["States.ALL"]}],"Catch":[{"ErrorEquals":["States.Runtime"],"Next":"H"}]},"H":{"Type":"Pass","End":true}}}`
	r, _ := run(t, def, `{}`, WithTaskInvoker(failingTasks(0, "", &calls)))
	if r.Status != StatusFailed || r.Error != "States.Runtime" {
		t.Fatalf("got %s %s, want FAILED States.Runtime", r.Status, r.Error)
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("invocations: got %d, want 1", got)
	}
}

// A Go error that is not a Failure fails the task with States.TaskFailed.
func TestPlainErrorIsTaskFailed(t *testing.T) {
	inv := TaskInvokerFunc(func(context.Context, TaskRequest) (any, error) { return nil, errors.New("disk full") })
	r, _ := run(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::test:work","End":true}}}`, `{}`, WithTaskInvoker(inv))
	if r.Error != "States.TaskFailed" || r.Cause != "disk full" {
		t.Errorf("got %q %q, want States.TaskFailed %q", r.Error, r.Cause, "disk full")
	}
}

// A Catcher's Assign sees the error output as $; the variables are visible
// from the next state on.
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
func TestCatchAssign(t *testing.T) {
	var calls atomic.Int32
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::test:work","End":true,
		"Catch":[{"ErrorEquals":["Boom"],"Assign":{"why.$":"$.Cause","what.$":"$.Error"},"Next":"H"}]},
		"H":{"Type":"Pass","Parameters":{"why.$":"$why","what.$":"$what"},"End":true}}}`
	r, _ := run(t, def, `{}`, WithTaskInvoker(failingTasks(1, "Boom", &calls)))
	if got, want := canon(t, r.Output), `{"what":"Boom","why":"attempt failed"}`; got != want {
		t.Errorf("output: got %s, want %s", got, want)
	}
}

// TimeoutSecondsPath and HeartbeatSecondsPath must name a positive integer.
func TestTimeoutPathErrors(t *testing.T) {
	tests := []struct{ name, field, input string }{
		{"missing", `"TimeoutSecondsPath":"$.t"`, `{}`},
		{"zero", `"TimeoutSecondsPath":"$.t"`, `{"t":0}`},
		{"string", `"HeartbeatSecondsPath":"$.t"`, `{"t":"5"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::test:work",` + tc.field + `,"End":true}}}`
			r, _ := run(t, def, tc.input, WithTaskInvoker(failingTasks(0, "", &calls)))
			if r.Error != "States.Runtime" {
				t.Errorf("got %s %q, want States.Runtime", r.Status, r.Error)
			}
			if calls.Load() != 0 {
				t.Errorf("the task ran %d times, want 0", calls.Load())
			}
		})
	}
}
