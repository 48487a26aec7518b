package interp

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// $states.context.State in JSONata states holds the same members as $$.State
// in JSONPath states (TestContextObjectMembers): EnteredTime and Name, with
// RetryCount in the states that retry. Recorded on AWS: a JSONata Pass state's
// {% $states.context %} has State {Name, EnteredTime} and no RetryCount
// (github.com/localstack/localstack, commit 8b9a79f0,
// tests/aws/services/stepfunctions/v2/test_state/test_test_state_scenarios.snapshot.json,
// test_state_with_variables[base_expressions], template
// tests/aws/services/stepfunctions/templates/outputdecl/statemachines/base_expr.json5).
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
func TestJSONataContextStateMembers(t *testing.T) {
	const fn = "arn:aws:lambda:us-east-1:123456789012:function:echo"
	const out = `"Output":{"s":"{% $states.context.State %}"}`
	tests := []struct {
		name, def, want string
	}{
		{"Pass", `{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Pass",` + out + `,"End":true}}}`,
			"EnteredTime Name"},
		{"Task", `{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Task","Resource":"` + fn + `",` + out + `,"End":true}}}`,
			"EnteredTime Name RetryCount"},
		{"Parallel", `{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Parallel",` + out + `,"End":true,
			"Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}]}}}`,
			"EnteredTime Name RetryCount"},
		{"Map ItemSelector", `{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Map","Items":"{% $states.input.items %}",
			"ItemSelector":{"s":"{% $states.context.State %}"},"Output":"{% $states.result[0] %}","End":true,
			"ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}}}}`,
			"EnteredTime Name RetryCount"},
		{"state in a Map iteration", `{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Map","Items":"{% $states.input.items %}",
			"Output":"{% $states.result[0] %}","End":true,
			"ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Pass",` + out + `,"End":true}}}}}}`,
			"EnteredTime Name"},
		{"Wait", `{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Wait","Seconds":0,` + out + `,"End":true}}}`,
			"EnteredTime Name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := run(t, tc.def, `{"items":[1]}`, WithLambdaInvoker(echoLambda))
			if r.Status != StatusSucceeded {
				t.Fatalf("%s %s %s", r.Status, r.Error, r.Cause)
			}
			out, _ := r.Output.(map[string]any)
			s, _ := out["s"].(map[string]any)
			if diff := cmp.Diff(keys(s), tc.want); diff != "" {
				t.Errorf("$states.context.State members (-got +want):\n%s", diff)
			}
			if name := s["Name"]; name != "S" && name != "B" {
				t.Errorf("Name = %v, want the state's name", name)
			}
		})
	}
}
