package template_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicehq/sluice/local/cloudformation/template"
)

const fixture = `{
 "AWSTemplateFormatVersion": "2010-09-09",
 "Parameters": {
  "Env": {"Type": "String", "Default": "prod", "AllowedValues": ["prod", "dev"]},
  "Count": {"Type": "Number", "Default": 3},
  "Zones": {"Type": "CommaDelimitedList", "Default": "a, b ,c"},
  "Ports": {"Type": "List<Number>", "Default": "80,443"},
  "Secret": {"Type": "String", "NoEcho": true, "Default": "hunter2"},
  "AttrName": {"Type": "String", "Default": "Arn"}
 },
 "Mappings": {"Sizes": {"prod": {"Memory": 1024, "Name": "big"}, "dev": {"Memory": 128, "Name": "small"}}},
 "Conditions": {
  "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
  "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
  "ProdInEU": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]}]},
  "DevOrEU": {"Fn::Or": [{"Condition": "IsDev"}, {"Fn::Equals": ["eu-west-1", {"Ref": "AWS::Region"}]}]}
 },
 "Resources": {
  "Bucket": {"Type": "AWS::S3::Bucket"},
  "DevQueue": {"Type": "AWS::SQS::Queue", "Condition": "IsDev"},
  "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}}},
  "Role": {"Type": "AWS::IAM::Role"}
 },
 "Outputs": {
  "BucketName": {"Value": {"Ref": "Bucket"}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-bucket"}}},
  "DevQueueUrl": {"Value": {"Ref": "DevQueue"}, "Condition": "IsDev"},
  "Zones": {"Value": {"Fn::Join": [",", {"Ref": "Zones"}]}, "Description": "the zones"}
 }
}`

func bindFixture(t *testing.T, params map[string]string) *template.Stack {
	t.Helper()
	tpl, err := template.Parse([]byte(fixture))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.Validate(); err != nil {
		t.Fatal(err)
	}
	s, err := tpl.Bind(params, template.Env{Region: "eu-west-1", AccountID: "123456789012", StackName: "demo",
		NotificationARNs: []string{"arn:aws:sns:eu-west-1:123456789012:n1"},
		Import: func(name string) (string, bool) {
			if name == "shared-vpc" {
				return "vpc-123", true
			}
			return "", false
		}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var provisioned = template.Provisioned{
	"Bucket": {Ref: "demo-bucket-1a2b", Attributes: map[string]any{"Arn": "arn:aws:s3:::demo-bucket-1a2b", "DomainName": "demo-bucket-1a2b.s3.amazonaws.com"}},
	"Role":   {Ref: "demo-Role-XYZ", Attributes: map[string]any{"Arn": "arn:aws:iam::123456789012:role/demo-Role-XYZ", "RoleId": "AROA1"}},
	"Fn":     {Ref: "demo-Fn", Attributes: map[string]any{"Arn": "arn:aws:lambda:eu-west-1:123456789012:function:demo-Fn"}},
}

// TestIntrinsics evaluates each intrinsic function and pseudo parameter as the AWS documentation
// describes it; each case cites its page under
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/.
func TestIntrinsics(t *testing.T) {
	s := bindFixture(t, nil)
	tests := []struct {
		name string
		in   any
		want any
	}{
		// intrinsic-function-reference-ref.html: a parameter gives its value, a resource its physical id.
		{"Ref parameter", map[string]any{"Ref": "Env"}, "prod"},
		{"Ref resource", map[string]any{"Ref": "Bucket"}, "demo-bucket-1a2b"},
		// parameters-section-structure.html: a Number is a string once referenced; a
		// CommaDelimitedList is a list with each member space-trimmed; List<Number> a list of strings.
		{"Ref Number", map[string]any{"Ref": "Count"}, "3"},
		{"Ref CommaDelimitedList", map[string]any{"Ref": "Zones"}, []any{"a", "b", "c"}},
		{"Ref List<Number>", map[string]any{"Ref": "Ports"}, []any{"80", "443"}},
		// pseudo-parameter-reference.html
		{"AWS::AccountId", map[string]any{"Ref": "AWS::AccountId"}, "123456789012"},
		{"AWS::Region", map[string]any{"Ref": "AWS::Region"}, "eu-west-1"},
		{"AWS::StackName", map[string]any{"Ref": "AWS::StackName"}, "demo"},
		{"AWS::StackId", map[string]any{"Ref": "AWS::StackId"}, "arn:aws:cloudformation:eu-west-1:123456789012:stack/demo/local"},
		{"AWS::Partition", map[string]any{"Ref": "AWS::Partition"}, "aws"},
		{"AWS::URLSuffix", map[string]any{"Ref": "AWS::URLSuffix"}, "amazonaws.com"},
		{"AWS::NotificationARNs", map[string]any{"Ref": "AWS::NotificationARNs"}, []any{"arn:aws:sns:eu-west-1:123456789012:n1"}},
		// intrinsic-function-reference-getatt.html: both forms; the attribute may be a Ref.
		{"GetAtt list", map[string]any{"Fn::GetAtt": []any{"Role", "Arn"}}, "arn:aws:iam::123456789012:role/demo-Role-XYZ"},
		{"GetAtt string", map[string]any{"Fn::GetAtt": "Bucket.DomainName"}, "demo-bucket-1a2b.s3.amazonaws.com"},
		{"GetAtt Ref attribute", map[string]any{"Fn::GetAtt": []any{"Role", map[string]any{"Ref": "AttrName"}}}, "arn:aws:iam::123456789012:role/demo-Role-XYZ"},
		// intrinsic-function-reference-sub.html: both forms, ${Res.Attr}, ${!Literal}.
		{"Sub string", map[string]any{"Fn::Sub": "${Bucket}/${AWS::Region}/${Role.Arn}/${!Literal}/${Env}"},
			"demo-bucket-1a2b/eu-west-1/arn:aws:iam::123456789012:role/demo-Role-XYZ/${Literal}/prod"},
		{"Sub with map", map[string]any{"Fn::Sub": []any{"${X}-${Bucket}-${Count}", map[string]any{"X": map[string]any{"Ref": "AWS::AccountId"}}}},
			"123456789012-demo-bucket-1a2b-3"},
		{"Sub map shadows a resource", map[string]any{"Fn::Sub": []any{"${Bucket}", map[string]any{"Bucket": "mine"}}}, "mine"},
		{"Sub unterminated is literal", map[string]any{"Fn::Sub": "a${b"}, "a${b"},
		// intrinsic-function-reference-join.html
		{"Join", map[string]any{"Fn::Join": []any{":", []any{"a", map[string]any{"Ref": "Env"}, "c"}}}, "a:prod:c"},
		{"Join a Ref list", map[string]any{"Fn::Join": []any{"", map[string]any{"Ref": "Zones"}}}, "abc"},
		{"Join empty", map[string]any{"Fn::Join": []any{",", []any{}}}, ""},
		// intrinsic-function-reference-select.html: the index may be a string.
		{"Select", map[string]any{"Fn::Select": []any{"1", []any{"apples", "grapes", "oranges"}}}, "grapes"},
		{"Select from Split", map[string]any{"Fn::Select": []any{2, map[string]any{"Fn::Split": []any{",", "x,y,z"}}}}, "z"},
		// intrinsic-function-reference-split.html
		{"Split", map[string]any{"Fn::Split": []any{"|", "a||c"}}, []any{"a", "", "c"}},
		// intrinsic-function-reference-findinmap.html: keys may be intrinsics.
		{"FindInMap", map[string]any{"Fn::FindInMap": []any{"Sizes", map[string]any{"Ref": "Env"}, "Memory"}}, float64(1024)},
		// intrinsic-function-reference-getavailabilityzones.html (locally <region>a, b, c).
		{"GetAZs empty", map[string]any{"Fn::GetAZs": ""}, []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"}},
		{"GetAZs Ref region", map[string]any{"Fn::GetAZs": map[string]any{"Ref": "AWS::Region"}}, []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"}},
		// intrinsic-function-reference-importvalue.html
		{"ImportValue", map[string]any{"Fn::ImportValue": "shared-vpc"}, "vpc-123"},
		{"ImportValue Sub", map[string]any{"Fn::ImportValue": map[string]any{"Fn::Sub": "shared-${!x}"}}, nil},
		// intrinsic-function-reference-base64.html
		{"Base64", map[string]any{"Fn::Base64": "AWS CloudFormation"}, "QVdTIENsb3VkRm9ybWF0aW9u"},
		// intrinsic-function-reference-cidr.html: the documented example.
		{"Cidr", map[string]any{"Fn::Cidr": []any{"192.168.0.0/24", 6, 5}},
			[]any{"192.168.0.0/27", "192.168.0.32/27", "192.168.0.64/27", "192.168.0.96/27", "192.168.0.128/27", "192.168.0.160/27"}},
		{"Cidr IPv6", map[string]any{"Fn::Cidr": []any{"2001:db8::/56", "2", "64"}}, []any{"2001:db8::/64", "2001:db8:0:1::/64"}},
		// intrinsic-function-reference-conditions.html: Fn::If picks a branch; AWS::NoValue removes.
		{"If true", map[string]any{"Fn::If": []any{"IsProd", "big", "small"}}, "big"},
		{"If false", map[string]any{"Fn::If": []any{"IsDev", "big", "small"}}, "small"},
		{"If NoValue in object", map[string]any{"A": 1.0, "B": map[string]any{"Fn::If": []any{"IsDev", "x", map[string]any{"Ref": "AWS::NoValue"}}}}, map[string]any{"A": 1.0}},
		{"If NoValue in list", []any{"a", map[string]any{"Fn::If": []any{"IsProd", map[string]any{"Ref": "AWS::NoValue"}, "b"}}}, []any{"a"}},
		{"NoValue at top", map[string]any{"Ref": "AWS::NoValue"}, nil},
		{"not an intrinsic: two keys", map[string]any{"Ref": "Env", "Other": 1.0}, map[string]any{"Ref": "Env", "Other": 1.0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Resolve(tt.in, provisioned)
			if tt.name == "ImportValue Sub" {
				// shared-${!x} is "shared-${x}", which no stack exports.
				if err == nil || err.Error() != "No export named shared-${x} found" {
					t.Fatalf("got %v, %v; want No export named shared-${x} found", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
}

// TestConditions decides each condition of the fixture for both parameter values
// (conditions-section-structure.html, intrinsic-function-reference-conditions.html).
func TestConditions(t *testing.T) {
	tests := []struct {
		env  string
		want map[string]bool
	}{
		{"prod", map[string]bool{"IsProd": true, "IsDev": false, "ProdInEU": true, "DevOrEU": true}},
		{"dev", map[string]bool{"IsProd": false, "IsDev": true, "ProdInEU": false, "DevOrEU": true}},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			s := bindFixture(t, map[string]string{"Env": tt.env})
			got := map[string]bool{}
			for name := range tt.want {
				v, ok := s.Condition(name)
				if !ok {
					t.Fatalf("condition %s not decided", name)
				}
				got[name] = v
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
			// A resource and an output with a false Condition are not part of the stack.
			wantResources := []string{"Bucket", "Fn", "Role"}
			if tt.env == "dev" {
				wantResources = []string{"Bucket", "DevQueue", "Fn", "Role"}
			}
			if diff := cmp.Diff(s.Resources(), wantResources); diff != "" {
				t.Errorf("Resources (-got +want):\n%s", diff)
			}
			// Outside an Fn::If, a resource whose Condition is false is not there to refer to.
			if tt.env == "prod" {
				_, err := s.Resolve(map[string]any{"Ref": "DevQueue"}, provisioned)
				want := "Template format error: Unresolved resource dependencies [DevQueue] in the Resources block of the template"
				if err == nil || err.Error() != want {
					t.Errorf("Ref to a resource whose Condition is false: got %v, want %q", err, want)
				}
			}
			p := template.Provisioned{"DevQueue": {Ref: "https://sqs/q"}}
			for k, v := range provisioned {
				p[k] = v
			}
			outs, err := s.Outputs(p)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, o := range outs {
				keys = append(keys, o.Key)
			}
			wantKeys := []string{"BucketName", "Zones"}
			if tt.env == "dev" {
				wantKeys = []string{"BucketName", "DevQueueUrl", "Zones"}
			}
			if diff := cmp.Diff(keys, wantKeys); diff != "" {
				t.Errorf("Outputs (-got +want):\n%s", diff)
			}
		})
	}
}

// TestOutputs resolves values, descriptions and export names (outputs-section-structure.html).
func TestOutputs(t *testing.T) {
	s := bindFixture(t, nil)
	got, err := s.Outputs(provisioned)
	if err != nil {
		t.Fatal(err)
	}
	want := []template.OutputValue{
		{Key: "BucketName", Value: "demo-bucket-1a2b", ExportName: "demo-bucket"},
		{Key: "Zones", Value: "a,b,c", Description: "the zones"},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
}

// TestNotProvisioned: a reference to a resource the Lookup does not know is ErrNotProvisioned.
func TestNotProvisioned(t *testing.T) {
	s := bindFixture(t, nil)
	_, err := s.ResolveResource("Fn", template.Provisioned{})
	if !errors.Is(err, template.ErrNotProvisioned) {
		t.Errorf("ResolveResource(Fn) with Role not provisioned: got %v, want ErrNotProvisioned", err)
	}
	r, err := s.ResolveResource("Fn", provisioned)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.DependsOn, []string{"Role"}); diff != "" {
		t.Errorf("DependsOn (-got +want):\n%s", diff)
	}
}

// TestParametersMasked: DescribeStacks shows a NoEcho parameter as asterisks
// (parameters-section-structure.html, NoEcho).
func TestParametersMasked(t *testing.T) {
	s := bindFixture(t, map[string]string{"Secret": "s3cr3t"})
	got := map[string]string{}
	for _, p := range s.Parameters() {
		got[p.Key] = p.Value
	}
	if got["Secret"] != template.MaskedValue || got["Env"] != "prod" {
		t.Errorf("Parameters: got %v, want Secret masked and Env prod", got)
	}
	if v := s.ParameterValues()["Secret"]; v != "s3cr3t" {
		t.Errorf("ParameterValues()[Secret] = %q, want the value", v)
	}
}

// TestPartition follows pseudo-parameter-reference.html: aws-cn in China, aws-us-gov in GovCloud,
// and URLSuffix amazonaws.com.cn in China.
func TestPartition(t *testing.T) {
	tests := []struct{ region, partition, suffix string }{
		{"us-east-1", "aws", "amazonaws.com"},
		{"cn-north-1", "aws-cn", "amazonaws.com.cn"},
		{"cn-northwest-1", "aws-cn", "amazonaws.com.cn"},
		{"us-gov-west-1", "aws-us-gov", "amazonaws.com"},
	}
	for _, tt := range tests {
		if got := [2]string{template.Partition(tt.region), template.URLSuffix(tt.region)}; got != [2]string{tt.partition, tt.suffix} {
			t.Errorf("%s: got %v, want [%s %s]", tt.region, got, tt.partition, tt.suffix)
		}
	}
}
