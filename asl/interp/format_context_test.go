package interp

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// States.Format over context object members, as recorded on AWS
// (github.com/localstack/localstack, commit 8b9a79f0,
// tests/aws/services/stepfunctions/v2/intrinsic_functions/test_generic.snapshot.json,
// test_context_json_path): with $$.Execution.Name and $$.StateMachine the
// result was "Formatting arguments fst=<execution name> and
// snd={Id=<state machine ARN>, Name=<state machine name>}.".
// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
func TestFormatContextObject(t *testing.T) {
	def := `{"StartAt":"S","States":{"S":{"Type":"Pass","Parameters":{
		"FunctionResult.$":"States.Format('Formatting arguments fst={} and snd={}.', $$.Execution.Name, $$.StateMachine)",
		"ctx.$":"$$"},"End":true}}}`
	r, _ := run(t, def, `{}`)
	if r.Status != StatusSucceeded {
		t.Fatalf("%s %s %s", r.Status, r.Error, r.Cause)
	}
	out, _ := r.Output.(map[string]any)
	ctx, _ := out["ctx"].(map[string]any)
	ex, _ := ctx["Execution"].(map[string]any)
	sm, _ := ctx["StateMachine"].(map[string]any)
	if ex["Name"] == nil || sm["Id"] == nil || sm["Name"] == nil {
		t.Fatalf("context object without the names: %v", ctx)
	}
	want := fmt.Sprintf("Formatting arguments fst=%v and snd={Id=%v, Name=%v}.", ex["Name"], sm["Id"], sm["Name"])
	if diff := cmp.Diff(out["FunctionResult"], want); diff != "" {
		t.Errorf("States.Format (-got +want):\n%s", diff)
	}
}
