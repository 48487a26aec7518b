package stack

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sampleTemplate = `{
 "Mappings": {"Partitions": {"aws": {"Host": "console.aws.amazon.com"}}},
 "Parameters": {"Level": {"Type": "String", "Default": "INFO"}, "Key": {"Type": "String"}},
 "Resources": {
  "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
  "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
    "Environment": {"Variables": {"LOG_LEVEL": {"Ref": "Level"}, "KEY": {"Ref": "Key"}}},
    "Role": {"Fn::GetAtt": ["Role", "Arn"]}}},
  "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
  "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
    "Sub": {"Fn::Sub": "${Bucket}/${AWS::Region}/${Fn.Arn}/${!Literal}"},
    "SubMap": {"Fn::Sub": ["${X}-${Bucket}", {"X": {"Ref": "AWS::AccountId"}}]},
    "Join": {"Fn::Join": [":", ["a", {"Ref": "Machine"}]]},
    "Select": {"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]},
    "Queue": {"Ref": "Q"},
    "Map": {"Fn::FindInMap": ["Partitions", {"Ref": "AWS::Partition"}, "Host"]}}},
  "Q": {"Type": "AWS::SQS::Queue", "Properties": {}}
 }}`

func TestTemplateIntrinsics(t *testing.T) {
	tpl, err := ParseTemplate([]byte(sampleTemplate), "demo", "eu-west-1", "123456789012", map[string]string{"Key": "k1"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id, prop string
		want     any
	}{
		{"Fn", "Environment", map[string]any{"Variables": map[string]any{"LOG_LEVEL": "INFO", "KEY": "k1"}}},
		{"Fn", "Role", "arn:aws:iam::123456789012:role/demo-Role"},
		{"Machine", "Sub", "demo-bucket/eu-west-1/arn:aws:lambda:eu-west-1:123456789012:function:demo-Fn/${Literal}"},
		{"Machine", "SubMap", "123456789012-demo-bucket"},
		{"Machine", "Join", "a:arn:aws:states:eu-west-1:123456789012:stateMachine:demo-Machine"},
		{"Machine", "Select", "y"},
		{"Machine", "Queue", "http://sqs.eu-west-1.localhost/123456789012/demo-Q"},
		{"Machine", "Map", "console.aws.amazon.com"},
		{"Machine", "Absent", nil},
	}
	for _, tt := range tests {
		t.Run(tt.id+"."+tt.prop, func(t *testing.T) {
			got, err := tpl.Property(tt.id, tt.prop)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
	if got, want := tpl.ResourcesOfType("AWS::Lambda::Function"), []string{"Fn"}; !cmp.Equal(got, want) {
		t.Errorf("ResourcesOfType: got %v, want %v", got, want)
	}
}

func TestTemplateErrors(t *testing.T) {
	bad := []string{
		`{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Ref": "Nope"}}}}}`,
		`{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Fn::GetAtt": ["A", "Weird"]}}}}}`,
		`{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Fn::Select": [5, ["a"]]}}}}}`,
		`{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Fn::ImportValue": "x"}}}}}`,
		`{"Mappings": {"M": {"a": {"b": "c"}}}, "Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Fn::FindInMap": ["M", "a", "z"]}}}}}`,
		`{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Fn::FindInMap": ["M", "a"]}}}}}`,
	}
	for _, src := range bad {
		tpl, err := ParseTemplate([]byte(src), "s", "us-east-1", "000000000000", nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := tpl.Property("A", "X"); err == nil {
			t.Errorf("%s: got %v, want an error", src, got)
		}
	}
	if _, err := ParseTemplate([]byte(`{"Resources": {}}`), "s", "r", "a", nil); err == nil {
		t.Error("empty template: want an error")
	}
}

// FuzzParseTemplate reads arbitrary templates: resolving every property of every resource either works or
// reports an error, never panics, and a resolved value holds no intrinsic function any more.
func FuzzParseTemplate(f *testing.F) {
	f.Add([]byte(sampleTemplate))
	f.Add([]byte(`{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Fn::Sub": ["${A}-${B}", {"B": {"Ref": "A"}}]}}}}}`))
	f.Add([]byte(`{"Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::Join": [",", {"Fn::Split": [",", "a,b"]}]}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tpl, err := ParseTemplate(data, "s", "us-east-1", "000000000000", nil)
		if err != nil {
			return
		}
		for id, r := range tpl.resources {
			for name := range r.Properties {
				v, err := tpl.Property(id, name)
				if err == nil && hasIntrinsic(v) {
					t.Fatalf("%s.%s resolved to %v, which still holds an intrinsic", id, name, v)
				}
			}
		}
	})
}

func hasIntrinsic(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if len(v) == 1 && (k == "Ref" || len(k) > 4 && k[:4] == "Fn::") {
				return true
			}
			if hasIntrinsic(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if hasIntrinsic(e) {
				return true
			}
		}
	}
	return false
}

// The pipeline template's log groups keep their LogGroupName, and Resources says where each function and
// the state machine log.
func TestTemplateLogGroups(t *testing.T) {
	data, err := os.ReadFile("../../deploy/template.json")
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := ParseTemplate(data, "sluice", "us-east-1", "000000000000", nil)
	if err != nil {
		t.Fatal(err)
	}
	res := tpl.Resources()
	want := map[string]string{"ValidateFunction": "/aws/lambda/sluice-validate", "ProcessFunction": "/aws/lambda/sluice-process",
		"StoreFunction": "/aws/lambda/sluice-store"}
	if diff := cmp.Diff(res.FunctionLogGroups, want); diff != "" {
		t.Errorf("function log groups (-got +want):\n%s", diff)
	}
	if got := res.StateMachineLogGroup; got != "/aws/vendedlogs/states/sluice-pipeline" {
		t.Errorf("state machine log group %q", got)
	}
}

// TestPipelineTemplatePartition resolves the generated template's partition-dependent values locally:
// the state machine's integration ARN through DefinitionSubstitutions and the console URLs through the
// partition mapping (Fn::FindInMap on AWS::Partition), "aws" here.
func TestPipelineTemplatePartition(t *testing.T) {
	data, err := os.ReadFile("../../deploy/template.json")
	if err != nil {
		t.Skip("no generated template")
	}
	tpl, err := ParseTemplate(data, "sluice", "eu-west-1", "123456789012", nil)
	if err != nil {
		t.Fatal(err)
	}
	subs, err := tpl.Property("StateMachine", "DefinitionSubstitutions")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := subs.(map[string]any)["LambdaInvokeResource"], "arn:aws:states:::lambda:invoke"; got != want {
		t.Errorf("DefinitionSubstitutions.LambdaInvokeResource = %v, want %s", got, want)
	}
	tests := []struct{ output, want string }{
		{"ExecutionsConsoleUrl", "https://console.aws.amazon.com/states/home?region=eu-west-1#/statemachines/view/arn:aws:states:eu-west-1:123456789012:stateMachine:sluice-StateMachine"},
		{"DashboardUrl", "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=sluice-Dashboard"},
	}
	for _, tt := range tests {
		got, ok, err := tpl.Output(tt.output)
		if err != nil || !ok {
			t.Fatalf("Output(%s) = %q, %v, %v", tt.output, got, ok, err)
		}
		if got != tt.want {
			t.Errorf("Output(%s) = %q, want %q", tt.output, got, tt.want)
		}
	}
}
