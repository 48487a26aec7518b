package template_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicehq/sluice/local/cloudformation/template"
)

// TestYAMLShortForms reads a YAML template with the short forms of
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
// and resolves it as the equivalent JSON.
func TestYAMLShortForms(t *testing.T) {
	const body = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    Default: prod
  Port:
    Type: Number
    Default: 8080
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
Mappings:
  M:
    prod: {Size: 10}
Resources:
  Role:
    Type: AWS::IAM::Role
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt Role.Arn
      RoleList: !GetAtt [Role, Arn]
      Name: !Sub '${AWS::StackName}-${Env}-${!Literal}'
      SubMap: !Sub
        - '${A}/${Port}'
        - A: !Ref AWS::Region
      Joined: !Join [":", [a, !Ref Env]]
      Picked: !Select [1, !Split [",", "x,y"]]
      Size: !FindInMap [M, !Ref Env, Size]
      Zones: !GetAZs ""
      Encoded: !Base64 hi
      Maybe: !If [NotProd, x, !Ref AWS::NoValue]
      Chosen: !If [IsProd, yes-prod, no]
      Flag: true
      Ratio: 1.5
`
	tpl, err := template.Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.Validate(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tpl.ParameterNames(), []string{"Env", "Port"}); diff != "" {
		t.Errorf("ParameterNames (-got +want):\n%s", diff)
	}
	s, err := tpl.Bind(nil, template.Env{Region: "us-west-2", AccountID: "123456789012", StackName: "y"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.ResolveResource("Fn", template.Provisioned{"Role": {Ref: "r", Attributes: map[string]any{"Arn": "arn:role"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"Role": "arn:role", "RoleList": "arn:role", "Name": "y-prod-${Literal}", "SubMap": "us-west-2/8080",
		"Joined": "a:prod", "Picked": "y", "Size": float64(10),
		"Zones":   []any{"us-west-2a", "us-west-2b", "us-west-2c"},
		"Encoded": "aGk=", "Chosen": "yes-prod", "Flag": true, "Ratio": 1.5,
	}
	if diff := cmp.Diff(r.Properties, want); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
}

// TestYAMLErrors: a syntax error and an unknown tag are "YAML not well-formed".
func TestYAMLErrors(t *testing.T) {
	for _, body := range []string{"Resources:\n  A: [\n", "Resources:\n  A:\n    Type: !Nope x\n", "Resources: &a [*a]\n"} {
		_, err := template.Parse([]byte(body))
		if err == nil || len(err.Error()) < 40 || err.Error()[:40] != "Template format error: YAML not well-for" {
			t.Errorf("%q: got %v, want YAML not well-formed", body, err)
		}
	}
}
