package interp

import (
	"context"
	"testing"
)

// BenchmarkShortExecution measures an execution's fixed cost: a machine of
// two Pass states, history on, run as a host runs one within its request
// (RunExecution under a long-lived cancellable context, the options a host
// gives). "timeout" adds the machine's TimeoutSeconds, "context" a state
// that reads $$.Execution.
func BenchmarkShortExecution(b *testing.B) {
	for _, c := range []struct{ name, def string }{
		{"plain", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}}`},
		{"timeout", `{"StartAt":"A","TimeoutSeconds":300,"States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}}`},
		{"context", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"id.$":"$$.Execution.Id"},"Next":"B"},"B":{"Type":"Pass","End":true}}}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			m := compile(b, c.def, WithClock(SystemClock()))
			input := mustJSON(b, benchInput)
			sink := &countingSink{}
			host, cancel := context.WithCancel(context.Background())
			defer cancel()
			const smArn = "arn:aws:states:us-east-1:123456789012:stateMachine:short"
			b.ReportAllocs()
			for b.Loop() {
				e := m.RunExecution(host, input,
					WithExecutionArn("arn:aws:states:us-east-1:123456789012:execution:short:x"),
					WithExecutionName("x"), WithStateMachineArn(smArn),
					WithRoleArn("arn:aws:iam::123456789012:role/r"), WithHistory(sink))
				if r := e.Result(); r.Status != StatusSucceeded {
					b.Fatal(r.Status, r.Error, r.Cause)
				}
			}
		})
	}
}
