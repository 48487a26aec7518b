package template_test

import (
	"errors"
	"testing"

	"github.com/sluicehq/sluice/local/cloudformation/template"
)

// TestValidateErrors checks ValidateTemplate's messages for the common mistakes. The texts are AWS's:
// https://repost.aws/knowledge-center/cloudformation-template-validation lists "Unresolved resource
// dependencies [X] in the Resources block of the template", "At least one Resources member must be
// defined", "Invalid template property or properties [X]", "Unrecognized parameter type: X", "Invalid
// template parameter property 'X'", "JSON not well-formed"/"YAML not well-formed"; circular
// dependencies follow https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html,
// naming every resource left unordered, those waiting on a cycle too, as the ValidationError quoted in
// https://github.com/aws/serverless-application-model/issues/1044 does.
func TestValidateErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"no Resources", `{"Parameters": {}}`, "Template format error: At least one Resources member must be defined."},
		{"empty Resources", `{"Resources": {}}`, "Template format error: At least one Resources member must be defined."},
		{"unknown section", `{"Resource": {}, "Resources": {"A": {"Type": "AWS::S3::Bucket"}}}`, "Template format error: Invalid template property or properties [Resource]"},
		{"bad JSON", "{\n\"Resources\": {,}}", "Template format error: JSON not well-formed. (line 2, column 15)"},
		{"bad YAML", "Resources:\n  A: [\n", ""},
		{"no Type", `{"Resources": {"A": {"Properties": {}}}}`, "Template format error: [/Resources/A] Every Resources object must contain a Type member."},
		{"non-alphanumeric id", `{"Resources": {"my-bucket": {"Type": "AWS::S3::Bucket"}}}`, "Template format error: Resource name my-bucket is non alphanumeric."},
		{"unresolved Ref", `{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Ref": "Nope"}}}}}`,
			"Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"},
		{"unresolved, several sorted", `{"Resources": {"A": {"Type": "AWS::S3::Bucket", "DependsOn": ["Zed"], "Properties": {"X": {"Fn::Sub": "${Nope}-${Other.Arn}"}}}}}`,
			"Template format error: Unresolved resource dependencies [Nope, Other.Arn, Zed] in the Resources block of the template"},
		{"unresolved in Outputs", `{"Resources": {"A": {"Type": "AWS::S3::Bucket"}}, "Outputs": {"O": {"Value": {"Ref": "B"}}}}`,
			"Template format error: Unresolved resource dependencies [B] in the Resources block of the template"},
		{"circular", `{"Resources": {"A": {"Type": "T::T::T", "Properties": {"X": {"Ref": "B"}}}, "B": {"Type": "T::T::T", "Properties": {"X": {"Fn::GetAtt": ["A", "Arn"]}}}, "C": {"Type": "T::T::T", "DependsOn": "A"}}}`,
			"Circular dependency between resources: [A, B, C]"},
		{"self dependency", `{"Resources": {"A": {"Type": "T::T::T", "Properties": {"X": {"Fn::Sub": "${A.Arn}"}}}}}`,
			"Circular dependency between resources: [A]"},
		{"unknown intrinsic", `{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Fn::Nope": "x"}}}}}`,
			"Template format error: Encountered unsupported function: Fn::Nope Supported functions are: [Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join, Fn::Split, Fn::FindInMap, Fn::Select, Ref, Fn::Equals, Fn::If, Fn::Not, Condition, Fn::And, Fn::Or, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::ValueOf, Fn::ValueOfAll, Fn::RefAll, Fn::Sub, Fn::Cidr]"},
		{"GetAtt one element", `{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Fn::GetAtt": ["A"]}}}}}`,
			"Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute"},
		{"GetAtt no dot", `{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Fn::GetAtt": "AArn"}}}}}`,
			"Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute"},
		{"GetAtt undefined resource", `{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Fn::GetAtt": ["B", "Arn"]}}}}}`,
			"Template error: instance of Fn::GetAtt references undefined resource B"},
		{"Sub shape", `{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Fn::Sub": ["a", "b", "c"]}}}}}`,
			"Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string"},
		{"Join shape", `{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Fn::Join": ["a"]}}}}}`,
			"Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined."},
		{"FindInMap shape", `{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Fn::FindInMap": ["M", "a"]}}}}}`,
			"Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value"},
		{"FindInMap no such map", `{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Fn::FindInMap": ["M", "a", "b"]}}}}}`,
			"Template error: Mapping named 'M' is not present in the 'Mappings' section of template."},
		{"If unknown condition", `{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Fn::If": ["C", "a", "b"]}}}}}`,
			"Template error: unresolved condition dependency C in Fn::If"},
		{"resource Condition unknown", `{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Condition": "C"}}}`,
			"Template format error: Unresolved condition dependencies [C] in the Resources block of the template"},
		{"Ref to resource in Conditions", `{"Conditions": {"C": {"Fn::Equals": [{"Ref": "A"}, "x"]}}, "Resources": {"A": {"Type": "AWS::S3::Bucket"}}}`,
			"Template format error: Unresolved dependencies [A]. Cannot reference resources in the Conditions block of the template"},
		{"And with one operand", `{"Conditions": {"C": {"Fn::And": [{"Fn::Equals": ["a", "a"]}]}}, "Resources": {"A": {"Type": "AWS::S3::Bucket"}}}`,
			"Template error: Fn::And requires a list argument with between 2 and 10 function tokens"},
		{"unknown parameter type", `{"Parameters": {"P": {"Type": "Strin"}}, "Resources": {"A": {"Type": "AWS::S3::Bucket"}}}`,
			"Template format error: Unrecognized parameter type: Strin"},
		{"unknown parameter property", `{"Parameters": {"P": {"Type": "String", "Defualt": "x"}}, "Resources": {"A": {"Type": "AWS::S3::Bucket"}}}`,
			"Template format error: Invalid template parameter property 'Defualt'"},
		{"Condition not a string", `{"Conditions": {"C": {"Fn::Equals": ["a", "a"]}}, "Resources": {"A": {"Type": "AWS::S3::Bucket", "Condition": {"Fn::Equals": ["a", "a"]}}}}`,
			"Template format error: Every Condition member must be a string."},
		{"misspelled resource attribute", `{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Propertes": {}}}}`,
			"Template format error: Invalid template resource property 'Propertes'"},
		{"Output without Value", `{"Resources": {"A": {"Type": "AWS::S3::Bucket"}}, "Outputs": {"O": {"Description": "x"}}}`,
			"Template format error: Every Outputs member must contain a Value object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := template.Parse([]byte(tt.body))
			if err == nil {
				_, err = tpl.Validate()
			}
			var te *template.Error
			if !errors.As(err, &te) {
				t.Fatalf("got %v, want a *template.Error", err)
			}
			if tt.want != "" && te.Message != tt.want {
				t.Errorf("got  %q\nwant %q", te.Message, tt.want)
			}
		})
	}
}

// TestParameterErrors checks Bind's messages for bad and missing values
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html:
// a ConstraintDescription replaces the message a violated constraint gives).
func TestParameterErrors(t *testing.T) {
	const body = `{"Parameters": {
	  "Env": {"Type": "String", "AllowedValues": ["prod", "dev"], "Default": "dev"},
	  "Name": {"Type": "String", "AllowedPattern": "[a-z]+", "MinLength": 2, "MaxLength": 5, "Default": "abc"},
	  "Described": {"Type": "String", "AllowedPattern": "[0-9]+", "ConstraintDescription": "must be digits", "Default": "1"},
	  "Size": {"Type": "Number", "MinValue": 1, "MaxValue": 10, "Default": "5"},
	  "Ports": {"Type": "List<Number>", "Default": "80"},
	  "Needed": {"Type": "String"},
	  "Also": {"Type": "CommaDelimitedList"},
	  "Ssm": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/x"}
	}, "Resources": {"A": {"Type": "AWS::S3::Bucket"}}}`
	tpl, err := template.Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	ok := map[string]string{"Needed": "x", "Also": "a,b"}
	with := func(k, v string) map[string]string {
		m := map[string]string{"Needed": "x", "Also": "a,b", k: v}
		return m
	}
	tests := []struct {
		name   string
		params map[string]string
		want   string
	}{
		{"missing", map[string]string{}, "Parameters: [Needed, Also] must have values"},
		{"unknown", with("Nope", "1"), "Parameters: [Nope] do not exist in the template"},
		{"AllowedValues", with("Env", "test"), "Parameter 'Env' must be one of AllowedValues"},
		{"AllowedPattern", with("Name", "ABC"), "Parameter 'Name' must match pattern [a-z]+"},
		{"pattern matches the whole value", with("Name", "ab1"), "Parameter 'Name' must match pattern [a-z]+"},
		{"MinLength", with("Name", "a"), "Parameter 'Name' must contain at least 2 characters"},
		{"MaxLength", with("Name", "abcdef"), "Parameter 'Name' must contain at most 5 characters"},
		{"ConstraintDescription", with("Described", "x"), "Parameter 'Described' failed to satisfy constraint: must be digits"},
		{"not a number", with("Size", "five"), "Parameter 'Size' must be a number"},
		{"MinValue", with("Size", "0"), "Parameter 'Size' must be a number not less than 1"},
		{"MaxValue", with("Size", "10.5"), "Parameter 'Size' must be a number not greater than 10"},
		{"List<Number> member", with("Ports", "80,http"), "Parameter 'Ports' must be a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tpl.Bind(tt.params, template.Env{Region: "us-east-1"})
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
	// An SSM parameter type is recorded as unsupported locally.
	_, err = tpl.Bind(ok, template.Env{Region: "us-east-1"})
	if !errors.Is(err, template.ErrUnsupported) {
		t.Errorf("SSM parameter: got %v, want ErrUnsupported", err)
	}
}

// TestTransformsUnsupported: a template with a Transform validates (ValidateTemplate lists it in
// DeclaredTransforms) but does not bind: the local CloudFormation runs no macros.
func TestTransformsUnsupported(t *testing.T) {
	tpl, err := template.Parse([]byte("Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := tpl.Validate()
	if err != nil {
		t.Fatal(err)
	}
	if len(v.DeclaredTransforms) != 1 || v.DeclaredTransforms[0] != "AWS::Serverless-2016-10-31" {
		t.Errorf("DeclaredTransforms = %v, want [AWS::Serverless-2016-10-31]", v.DeclaredTransforms)
	}
	if _, err := tpl.Bind(nil, template.Env{Region: "us-east-1"}); !errors.Is(err, template.ErrUnsupported) {
		t.Errorf("Bind: got %v, want ErrUnsupported", err)
	}
}

// TestCapabilities: IAM resources need CAPABILITY_IAM, named ones CAPABILITY_NAMED_IAM
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/control-access-with-iam.html#using-iam-capabilities).
func TestCapabilities(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}`, ""},
		{`{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {}}}}`, template.CapabilityIAM},
		{`{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x"}}}}`, template.CapabilityNamedIAM},
	}
	for _, tt := range tests {
		tpl, err := template.Parse([]byte(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		v, err := tpl.Validate()
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if len(v.Capabilities) > 0 {
			got = v.Capabilities[0]
		}
		if got != tt.want {
			t.Errorf("%s: Capabilities %v, want %q", tt.body, v.Capabilities, tt.want)
		}
	}
}
