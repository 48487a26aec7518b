package asl_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl"
)

// Defaults from
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-retrying-after-an-error
func TestRetrierDefaults(t *testing.T) {
	tests := []struct {
		name     string
		r        asl.Retrier
		interval int
		attempts int
		backoff  float64
	}{
		{"absent", asl.Retrier{}, 1, 3, 2.0},
		{"given", asl.Retrier{IntervalSeconds: new(5), MaxAttempts: new(0), BackoffRate: new(1.5)}, 5, 0, 1.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Interval(); got != tt.interval {
				t.Errorf("Interval() = %d, want %d", got, tt.interval)
			}
			if got := tt.r.Attempts(); got != tt.attempts {
				t.Errorf("Attempts() = %d, want %d", got, tt.attempts)
			}
			if got := tt.r.Backoff(); got != tt.backoff {
				t.Errorf("Backoff() = %v, want %v", got, tt.backoff)
			}
		})
	}
}

func TestMapProcessor(t *testing.T) {
	inline := &asl.ItemProcessor{StartAt: "A"}
	distributed := &asl.ItemProcessor{StartAt: "B", ProcessorConfig: &asl.ProcessorConfig{Mode: asl.ModeDistributed}}
	tests := []struct {
		name string
		m    *asl.Map
		want *asl.ItemProcessor
		mode asl.ProcessorMode
	}{
		{"ItemProcessor", &asl.Map{ItemProcessor: inline}, inline, asl.ModeInline},
		{"Iterator", &asl.Map{Iterator: distributed}, distributed, asl.ModeDistributed},
		{"explicit INLINE", &asl.Map{ItemProcessor: &asl.ItemProcessor{ProcessorConfig: &asl.ProcessorConfig{Mode: asl.ModeInline}}}, nil, asl.ModeInline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.m.Processor()
			if tt.want != nil {
				if diff := cmp.Diff(got, tt.want); diff != "" {
					t.Errorf("Processor() (-got +want):\n%s", diff)
				}
			}
			if m := got.Mode(); m != tt.mode {
				t.Errorf("Mode() = %s, want %s", m, tt.mode)
			}
		})
	}
}

func TestPath(t *testing.T) {
	tests := []struct {
		name   string
		p      asl.Path
		absent bool
		null   bool
		expr   string
		set    bool
		str    string
	}{
		{"absent", asl.Path{}, true, false, "", false, ""},
		{"null", asl.NullPath(), false, true, "", false, "null"},
		{"path", asl.PathOf("$.a"), false, false, "$.a", true, "$.a"},
		{"empty path is set", asl.PathOf(""), false, false, "", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expr, set := tt.p.Expr()
			if tt.p.IsAbsent() != tt.absent || tt.p.IsNull() != tt.null || expr != tt.expr || set != tt.set || tt.p.String() != tt.str {
				t.Errorf("got absent=%v null=%v expr=%q set=%v str=%q", tt.p.IsAbsent(), tt.p.IsNull(), expr, set, tt.p.String())
			}
		})
	}
	if asl.PathOf("$").Equal(asl.Path{}) || !asl.NullPath().Equal(asl.NullPath()) {
		t.Error("Equal does not tell absent, null and paths apart")
	}
}

func TestFlowOrder(t *testing.T) {
	states := map[string]asl.State{
		"Start":  &asl.Task{Resource: "r", Next: "Choose", Catch: []asl.Catcher{{ErrorEquals: []string{asl.ErrAll}, Next: "Failed"}}},
		"Choose": &asl.Choice{Choices: []asl.ChoiceRule{{Next: "Left"}, {Next: "Right"}}, Default: "Start"},
		"Left":   &asl.Pass{Next: "Done"},
		"Right":  &asl.Pass{Next: "Done"},
		"Done":   &asl.Succeed{},
		"Failed": &asl.Fail{},
		"Orphan": &asl.Succeed{},
		"Alone":  &asl.Succeed{},
	}
	got := asl.FlowOrder("Start", states)
	want := []string{"Start", "Choose", "Left", "Done", "Right", "Failed", "Alone", "Orphan"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("FlowOrder() (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(asl.Transitions(states["Choose"]), []string{"Left", "Right", "Start"}); diff != "" {
		t.Errorf("Transitions(Choice) (-got +want):\n%s", diff)
	}
}
