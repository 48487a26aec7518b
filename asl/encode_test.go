package asl_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// everyField is a machine written in Go that uses every state type and
// most fields, in both query languages. Numbers inside JSON payloads are
// json.Number so the parsed copy compares equal.
func everyField() *asl.StateMachine {
	return &asl.StateMachine{
		Comment:        "every state type",
		StartAt:        "Pass",
		Version:        "1.0",
		TimeoutSeconds: new(3600),
		States: map[string]asl.State{
			"Pass": &asl.Pass{
				Comment:    "inject",
				InputPath:  asl.PathOf("$.detail"),
				Parameters: map[string]any{"bucket.$": "$.bucket.name", "fixed": json.Number("1"), "list": []any{"a", true, nil}},
				ResultPath: asl.PathOf("$.params"),
				OutputPath: asl.PathOf("$"),
				Assign:     map[string]any{"count": json.Number("0"), "key.$": "$.object.key"},
				Next:       "Task",
			},
			"Task": &asl.Task{
				Resource:         "arn:aws:states:::lambda:invoke",
				Parameters:       map[string]any{"FunctionName": "validate", "Payload.$": "$"},
				ResultSelector:   map[string]any{"body.$": "$.Payload"},
				ResultPath:       asl.NullPath(),
				TimeoutSeconds:   asl.Int(30),
				HeartbeatSeconds: asl.Int(10),
				Credentials:      &asl.Credentials{RoleArnPath: "$.role"},
				Retry: []asl.Retrier{
					{ErrorEquals: []string{"Lambda.ServiceException"}, IntervalSeconds: new(2), MaxAttempts: new(0), BackoffRate: new(1.5), MaxDelaySeconds: new(60), JitterStrategy: asl.JitterFull},
					{ErrorEquals: []string{asl.ErrAll}},
				},
				Catch: []asl.Catcher{
					{ErrorEquals: []string{"ValidationError"}, ResultPath: asl.PathOf("$.error"), Next: "Rejected"},
					{ErrorEquals: []string{asl.ErrAll}, Next: "Rejected"},
				},
				Next: "Route",
			},
			"Route": &asl.Choice{
				Choices: []asl.ChoiceRule{
					{Variable: "$.size", Operator: asl.NumericGreaterThan, Value: json.Number("1024"), Next: "Fan"},
					{And: []asl.ChoiceRule{
						{Variable: "$.kind", Operator: asl.IsPresent, Value: true},
						{Not: &asl.ChoiceRule{Variable: "$.kind", Operator: asl.StringMatches, Value: "*.tmp"}},
						{Variable: "$.at", Operator: asl.TimestampLessThanEqualsPath, Value: "$.deadline"},
					}, Next: "Hold", Assign: map[string]any{"routed": true}},
				},
				Default: "Done",
			},
			"Hold":  &asl.Wait{Seconds: asl.Int(5), Next: "Later"},
			"Later": &asl.Wait{Timestamp: "2026-01-01T00:00:00Z", Next: "Fan"},
			"Fan": &asl.Parallel{
				Branches: []asl.Branch{
					{StartAt: "One", States: map[string]asl.State{"One": &asl.Succeed{}}},
					{StartAt: "Two", States: map[string]asl.State{"Two": &asl.Pass{Result: "two", End: true}}},
				},
				ResultPath: asl.PathOf("$.branches"),
				Next:       "Each",
			},
			"Each": &asl.Map{
				ItemsPath:      "$.items",
				ItemSelector:   map[string]any{"item.$": "$$.Map.Item.Value"},
				MaxConcurrency: asl.Int(4),
				ItemProcessor: &asl.ItemProcessor{
					ProcessorConfig: &asl.ProcessorConfig{Mode: asl.ModeInline},
					StartAt:         "Inner",
					States:          map[string]asl.State{"Inner": &asl.Pass{End: true}},
				},
				Next: "JSONata",
			},
			"JSONata": &asl.Task{
				QueryLanguage:  asl.JSONata,
				Resource:       "arn:aws:states:::lambda:invoke",
				Arguments:      map[string]any{"FunctionName": "store", "Payload": "{% $states.input %}"},
				Output:         "{% $states.result.Payload %}",
				TimeoutSeconds: asl.IntJSONata("{% $timeout %}"),
				Assign:         map[string]any{"stored": "{% $states.result.Payload.key %}"},
				Next:           "Decide",
			},
			"Decide": &asl.Choice{
				QueryLanguage: asl.JSONata,
				Choices:       []asl.ChoiceRule{{Condition: "{% $stored != null %}", Next: "Done", Output: "{% $stored %}"}},
				Default:       "Rejected",
			},
			"Done":     &asl.Succeed{OutputPath: asl.PathOf("$.result")},
			"Rejected": &asl.Fail{Error: "Rejected", CausePath: "$.error.Cause"},
		},
	}
}

// TestMarshalGolden pins the JSON a Go-authored machine encodes to, and
// checks the encoding is the same on every call.
func TestMarshalGolden(t *testing.T) {
	got, err := json.MarshalIndent(everyField(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	again, err := json.MarshalIndent(everyField(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, again) {
		t.Fatal("two encodings of the same machine differ")
	}
	golden := filepath.Join("testdata", "every_field.asl.json")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)+"\n"); diff != "" {
		t.Errorf("encoding differs from %s (-want +got), rerun with -update if intended:\n%s", golden, diff)
	}
}

// TestRoundTrip parses the encoding of a Go-authored machine and expects
// the same model back.
func TestRoundTrip(t *testing.T) {
	want := everyField()
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := asl.Parse(data)
	if err != nil {
		t.Fatalf("Parse(): %v", err)
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("round trip (-got +want):\n%s", diff)
	}
	var viaUnmarshal asl.StateMachine
	if err := json.Unmarshal(data, &viaUnmarshal); err != nil {
		t.Fatalf("json.Unmarshal(): %v", err)
	}
	if diff := cmp.Diff(&viaUnmarshal, want); diff != "" {
		t.Errorf("json.Unmarshal round trip (-got +want):\n%s", diff)
	}
}

// TestMarshalKeepsHTMLCharacters checks that an Encoder without HTML
// escaping writes <, > and & as is, in plain fields and payloads alike
// (json.Marshal always escapes them, as it does for every Marshaler).
func TestMarshalKeepsHTMLCharacters(t *testing.T) {
	sm := &asl.StateMachine{
		Comment: "a < b & c > d",
		StartAt: "P",
		States: map[string]asl.State{
			"P": &asl.Pass{Result: map[string]any{"html": "<b>&amp;</b>"}, End: true},
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sm); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	want := `{"Comment":"a < b & c > d","StartAt":"P","States":{"P":{"Type":"Pass","Result":{"html":"<b>&amp;</b>"},"End":true}}}` + "\n"
	if got != want {
		t.Errorf("Marshal() = %s, want %s", got, want)
	}
}

// TestValidateGoAuthored checks machines written in Go against the same
// rules as JSON, including mistakes JSON cannot make (a nil state).
func TestValidateGoAuthored(t *testing.T) {
	tests := []struct {
		name string
		sm   *asl.StateMachine
		want []asl.Diagnostic
	}{
		{
			name: "valid",
			sm:   &asl.StateMachine{StartAt: "A", States: map[string]asl.State{"A": &asl.Succeed{}}},
		},
		{
			name: "nil state",
			sm:   &asl.StateMachine{StartAt: "A", States: map[string]asl.State{"A": nil}},
			want: []asl.Diagnostic{schema("/States/A", "The value for the field 'State' must be an OBJECT")},
		},
		{
			name: "Next and End",
			sm: &asl.StateMachine{StartAt: "A", States: map[string]asl.State{
				"A": &asl.Pass{Next: "B", End: true}, "B": &asl.Succeed{},
			}},
			want: []asl.Diagnostic{schema("/States/A", "Only one of 'Next' or 'End' may be set")},
		},
		{
			name: "Choice rule without Next, catcher without Next",
			sm: &asl.StateMachine{StartAt: "A", States: map[string]asl.State{
				"A": &asl.Choice{Choices: []asl.ChoiceRule{{Variable: "$.x", Operator: asl.NumericEquals, Value: 1}}, Default: "B"},
				"B": &asl.Task{Resource: "arn:aws:states:::lambda:invoke", Catch: []asl.Catcher{{ErrorEquals: []string{asl.ErrAll}}}, End: true},
			}},
			want: []asl.Diagnostic{schema("/States/B/Catch[0]", "These fields are required: [Next]")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.sm.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var verr *asl.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Validate() = %v, want *ValidationError", err)
			}
			if diff := cmp.Diff(verr.Diagnostics, tt.want); diff != "" {
				t.Errorf("Validate() diagnostics (-got +want):\n%s", diff)
			}
		})
	}
}
