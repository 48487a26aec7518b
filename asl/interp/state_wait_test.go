package interp

import (
	"testing"
	"time"
)

// Wait states on the virtual clock: the exited event comes exactly the
// waited time after the entered event, and no test sleeps.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
func TestWait(t *testing.T) {
	tests := []struct {
		name  string
		state string
		input string
		want  time.Duration
	}{
		{"Seconds", `"Seconds":90`, `{}`, 90 * time.Second},
		{"SecondsPath", `"SecondsPath":"$.s"`, `{"s":3600}`, time.Hour},
		{"Timestamp in the future", `"Timestamp":"2025-01-02T00:00:00Z"`, `{}`, 24 * time.Hour},
		{"Timestamp in the past", `"Timestamp":"2020-01-01T00:00:00Z"`, `{}`, 0},
		{"TimestampPath", `"TimestampPath":"$.t"`, `{"t":"2025-01-01T00:10:00+00:00"}`, 10 * time.Minute},
		{"a year", `"Seconds":31536000`, `{}`, 365 * 24 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := `{"StartAt":"W","States":{"W":{"Type":"Wait",` + tc.state + `,"End":true}}}`
			r, ev := run(t, def, tc.input)
			if r.Status != StatusSucceeded {
				t.Fatalf("status %s: %s: %s", r.Status, r.Error, r.Cause)
			}
			if got := at(t, ev, WaitStateExited, "W") - at(t, ev, WaitStateEntered, "W"); got != tc.want {
				t.Errorf("waited %v, want %v", got, tc.want)
			}
			if got := r.StopDate.Sub(r.StartDate); got != tc.want {
				t.Errorf("execution took %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWaitErrors(t *testing.T) {
	tests := []struct {
		name, state, input, cause string
	}{
		{"negative SecondsPath", `"SecondsPath":"$.s"`, `{"s":-1}`,
			"An error occurred while executing the state 'W' (entered at the event id #2). The SecondsPath parameter references a negative value: $.s == -1"},
		{"fractional SecondsPath", `"SecondsPath":"$.s"`, `{"s":1.5}`,
			"An error occurred while executing the state 'W' (entered at the event id #2). The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5"},
		{"missing SecondsPath", `"SecondsPath":"$.s"`, `{}`,
			"An error occurred while executing the state 'W' (entered at the event id #2). The SecondsPath parameter does not reference an input value: $.s"},
		{"bad TimestampPath", `"TimestampPath":"$.t"`, `{"t":"2016-12-05 21:29:29Z"}`,
			"An error occurred while executing the state 'W' (entered at the event id #2). The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.t == 2016-12-05 21:29:29Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := `{"StartAt":"W","States":{"W":{"Type":"Wait",` + tc.state + `,"End":true}}}`
			r, _ := run(t, def, tc.input)
			if r.Status != StatusFailed || r.Error != "States.Runtime" {
				t.Fatalf("got %s %s, want FAILED States.Runtime", r.Status, r.Error)
			}
			if r.Cause != tc.cause {
				t.Errorf("cause:\n got %s\nwant %s", r.Cause, tc.cause)
			}
		})
	}
}

// Succeed applies InputPath and OutputPath; Fail takes Error/Cause or
// ErrorPath/CausePath and records no exited event.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
func TestSucceedAndFail(t *testing.T) {
	r, ev := run(t, `{"StartAt":"S","States":{"S":{"Type":"Succeed","InputPath":"$.a","OutputPath":"$.b"}}}`, `{"a":{"b":7}}`)
	if r.Status != StatusSucceeded || canon(t, r.Output) != "7" {
		t.Errorf("succeed: got %s %v", r.Status, r.Output)
	}
	if got, want := types(ev), "ExecutionStarted SucceedStateEntered(S) SucceedStateExited(S) ExecutionSucceeded"; got != want {
		t.Errorf("succeed history: got %s, want %s", got, want)
	}

	tests := []struct {
		name, state, error, cause string
	}{
		{"literal", `"Error":"E","Cause":"C"`, "E", "C"},
		{"no cause", `"Error":"E"`, "E", ""},
		{"paths", `"ErrorPath":"$.e","CausePath":"States.Format('n={}', $.n)"`, "Err", "n=3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, ev := run(t, `{"StartAt":"F","States":{"F":{"Type":"Fail",`+tc.state+`}}}`, `{"e":"Err","n":3}`)
			if r.Status != StatusFailed || r.Error != tc.error || r.Cause != tc.cause {
				t.Errorf("got %s %q %q, want FAILED %q %q", r.Status, r.Error, r.Cause, tc.error, tc.cause)
			}
			if got, want := types(ev), "ExecutionStarted FailStateEntered(F) ExecutionFailed"; got != want {
				t.Errorf("history: got %s, want %s", got, want)
			}
		})
	}
}
