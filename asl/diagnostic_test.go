package asl_test

import (
	"testing"

	"github.com/sluicehq/sluice/asl"
)

// The InvalidDefinition message format, as AWS returns it from
// CreateStateMachine (recorded: test_invalid_integration and others; a
// diagnostic without a location reads "at null").
func TestValidationErrorMessage(t *testing.T) {
	tests := []struct {
		name  string
		diags []asl.Diagnostic
		want  string
	}{
		{
			name:  "one",
			diags: []asl.Diagnostic{schema("/States/WaitUntil/Timestamp", "String does not match RFC3339 timestamp")},
			want:  "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp at /States/WaitUntil/Timestamp'",
		},
		{
			name: "two, one without a location",
			diags: []asl.Diagnostic{
				diag(asl.CodeMissingTransitionTarget, "/States/A/Next", "Missing 'Next' target: NOPE"),
				diag(asl.CodeMissingEndState, "", "Workflow has no terminal state"),
			},
			want: "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: NOPE at /States/A/Next, MISSING_END_STATE: Workflow has no terminal state at null'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := &asl.ValidationError{Diagnostics: tt.diags}
			if got := err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if !err.Has(tt.diags[0].Code) || err.Has("NOPE") {
				t.Errorf("Has() does not reflect the diagnostics")
			}
		})
	}
}

func TestParseDanglingAndNoEnd(t *testing.T) {
	_, err := asl.Parse([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"NOPE"}}}`))
	want := "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: NOPE at /States/A/Next, MISSING_END_STATE: Workflow has no terminal state at null'"
	if err == nil || err.Error() != want {
		t.Errorf("Parse() error = %v, want %s", err, want)
	}
}
