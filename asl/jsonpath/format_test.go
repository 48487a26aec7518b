package jsonpath

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFormatArgumentText pins the text States.Format puts in place of a {} for
// each kind of JSON value. The intrinsic functions page says only that the
// arguments are interpolated
// (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html);
// what AWS writes for values that are not strings comes from executions
// recorded against AWS in LocalStack's snapshot tests
// (github.com/localstack/localstack, commit 8b9a79f0,
// tests/aws/services/stepfunctions/v2/intrinsic_functions/test_generic.snapshot.json,
// tests test_format_1, test_format_2 and test_context_json_path), with the
// template 'Formatting argument {}.':
//   - "HelloWorld", "" and " " go in as they are, without quotes;
//   - null as null, 1 as 1, 1.1 as 1.1;
//   - the object {"Arg1": 1, "Arg2": []} as {Arg1=1, Arg2=[]};
//   - $$.StateMachine as {Id=arn:aws:states:...:stateMachine:name, Name=name}:
//     strings inside an object are not quoted either.
//
// The rows marked "inferred" were not recorded: they follow the rule the
// recorded objects show (members as key=value separated by ", ", nested
// values written the same way) for arrays and deeper nesting.
func TestFormatArgumentText(t *testing.T) {
	input := `{
	  "s": "HelloWorld", "empty": "", "space": " ", "null": null, "one": 1, "dec": 1.1,
	  "obj": {"Arg1": 1, "Arg2": []},
	  "objText": "{\"Arg1\": 1, \"Arg2\": []}",
	  "t": true, "f": false,
	  "arr": [1, "two", null, false, {"k": "v"}],
	  "nested": {"b": {"c": [1.5, "x y"]}, "a": "quote \" and {braces}", "n": null, "t": true}
	}`
	scope := &Scope{
		Input: mustJSON(t, input),
		Context: mustJSON(t, `{"Execution": {"Name": "exec-1"},
			"StateMachine": {"Id": "arn:aws:states:us-east-1:111111111111:stateMachine:sm", "Name": "sm"}}`),
	}
	tests := []struct {
		name, arg, want string
	}{
		{"string", "$.s", "HelloWorld"},
		{"empty string", "$.empty", ""},
		{"blank string", "$.space", " "},
		{"string holding JSON text", "$.objText", `{"Arg1": 1, "Arg2": []}`},
		{"null", "$.null", "null"},
		{"integer", "$.one", "1"},
		{"decimal", "$.dec", "1.1"},
		{"object", "$.obj", "{Arg1=1, Arg2=[]}"},
		{"context object", "$$.StateMachine", "{Id=arn:aws:states:us-east-1:111111111111:stateMachine:sm, Name=sm}"},
		{"context string", "$$.Execution.Name", "exec-1"},
		{"true (inferred)", "$.t", "true"},
		{"false (inferred)", "$.f", "false"},
		{"array (inferred)", "$.arr", "[1, two, null, false, {k=v}]"},
		{"nested (inferred)", "$.nested", `{a=quote " and {braces}, b={c=[1.5, x y]}, n=null, t=true}`},
		{"empty array (inferred)", "$.obj.Arg2", "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := CompileIntrinsic("States.Format('Formatting argument {}.', " + tt.arg + ")")
			if err != nil {
				t.Fatalf("CompileIntrinsic: %v", err)
			}
			got, err := f.Eval(scope)
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if diff := cmp.Diff(got, "Formatting argument "+tt.want+"."); diff != "" {
				t.Errorf("States.Format (-got +want):\n%s", diff)
			}
		})
	}

	// Two placeholders, as test_format_2 recorded them.
	f, err := CompileIntrinsic("States.Format('Formatting arguments fst={} and snd={}.', $.obj, $.obj)")
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Eval(scope)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, "Formatting arguments fst={Arg1=1, Arg2=[]} and snd={Arg1=1, Arg2=[]}."); diff != "" {
		t.Errorf("two objects (-got +want):\n%s", diff)
	}
}
