package deployer

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/google/go-cmp/cmp"
)

func TestWriteChanges(t *testing.T) {
	change := func(action cfntypes.ChangeAction, id, typ string, replacement cfntypes.Replacement) cfntypes.Change {
		return cfntypes.Change{Type: cfntypes.ChangeTypeResource, ResourceChange: &cfntypes.ResourceChange{
			Action: action, LogicalResourceId: aws.String(id), ResourceType: aws.String(typ), Replacement: replacement}}
	}
	changes := []cfntypes.Change{
		change(cfntypes.ChangeActionAdd, "Bucket", "AWS::S3::Bucket", ""),
		change(cfntypes.ChangeActionModify, "StateMachine", "AWS::StepFunctions::StateMachine", cfntypes.ReplacementFalse),
		change(cfntypes.ChangeActionModify, "ValidateFunction", "AWS::Lambda::Function", cfntypes.ReplacementConditional),
		change(cfntypes.ChangeActionModify, "ObjectCreatedRule", "AWS::Events::Rule", cfntypes.ReplacementTrue),
		change(cfntypes.ChangeActionRemove, "OldQueue", "AWS::SQS::Queue", ""),
		{Type: cfntypes.ChangeTypeResource}, // no resource change: skipped
	}
	var b bytes.Buffer
	if err := WriteChanges(&b, changes); err != nil {
		t.Fatal(err)
	}
	want := `ACTION  LOGICAL ID         TYPE                              REPLACEMENT
Add     Bucket             AWS::S3::Bucket                   -
Modify  StateMachine       AWS::StepFunctions::StateMachine  False
Modify  ValidateFunction   AWS::Lambda::Function             Conditional
Modify  ObjectCreatedRule  AWS::Events::Rule                 True
Remove  OldQueue           AWS::SQS::Queue                   -
`
	if diff := cmp.Diff(b.String(), want); diff != "" {
		t.Errorf("table (-got +want):\n%s", diff)
	}
}

// TestObjectURL checks the TemplateURL: S3's regional virtual-hosted address in each partition, and a
// path-style one under an endpoint, with the key's characters escaped.
func TestObjectURL(t *testing.T) {
	tests := []struct {
		region, endpoint, key, want string
	}{
		{"eu-west-1", "", "sluice/templates/ab.json", "https://b-1.s3.eu-west-1.amazonaws.com/sluice/templates/ab.json"},
		{"us-east-1", "", "t.json", "https://b-1.s3.us-east-1.amazonaws.com/t.json"},
		{"cn-north-1", "", "t.json", "https://b-1.s3.cn-north-1.amazonaws.com.cn/t.json"},
		{"us-gov-west-1", "", "t.json", "https://b-1.s3.us-gov-west-1.amazonaws.com/t.json"},
		{"us-east-1", "http://127.0.0.1:4566", "sluice/templates/ab.json", "http://127.0.0.1:4566/b-1/sluice/templates/ab.json"},
		{"us-east-1", "http://127.0.0.1:4566/", "a b/c+d.json", "http://127.0.0.1:4566/b-1/a%20b/c+d.json"},
	}
	for _, tt := range tests {
		d := &Deployer{Region: tt.region, Endpoint: tt.endpoint}
		got, err := d.ObjectURL(t.Context(), "b-1", tt.key)
		if err != nil {
			t.Errorf("%s %s: %v", tt.region, tt.endpoint, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ObjectURL(%s, %q, %q) = %s, want %s", tt.region, tt.endpoint, tt.key, got, tt.want)
		}
	}
}

func TestChangeSetParameters(t *testing.T) {
	template := []byte(`{"Parameters": {"ArtifactBucket": {"Type": "String"}, "LogLevel": {"Type": "String", "Default": "INFO"},
		"ValidateCodeKey": {"Type": "String"}}, "Resources": {}}`)
	p := func(k, v string) cfntypes.Parameter {
		return cfntypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)}
	}
	previous := func(k string) cfntypes.Parameter {
		return cfntypes.Parameter{ParameterKey: aws.String(k), UsePreviousValue: aws.Bool(true)}
	}
	tests := []struct {
		name     string
		values   map[string]string
		previous []cfntypes.Parameter
		want     []cfntypes.Parameter
		wantErr  bool
	}{
		{name: "create: defaults stay defaults", values: map[string]string{"ArtifactBucket": "b", "ValidateCodeKey": "k"},
			want: []cfntypes.Parameter{p("ArtifactBucket", "b"), p("ValidateCodeKey", "k")}},
		{name: "update keeps what is not given", values: map[string]string{"ArtifactBucket": "b", "ValidateCodeKey": "k2"},
			previous: []cfntypes.Parameter{p("ArtifactBucket", "b"), p("LogLevel", "DEBUG"), p("ValidateCodeKey", "k1")},
			want:     []cfntypes.Parameter{p("ArtifactBucket", "b"), previous("LogLevel"), p("ValidateCodeKey", "k2")}},
		{name: "given overrides previous", values: map[string]string{"LogLevel": "WARN"},
			previous: []cfntypes.Parameter{p("LogLevel", "DEBUG")}, want: []cfntypes.Parameter{p("LogLevel", "WARN")}},
		{name: "unknown parameter", values: map[string]string{"Nope": "x"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := changeSetParameters(template, tt.values, tt.previous)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(got, tt.want, cmp.AllowUnexported(cfntypes.Parameter{})); diff != "" {
				t.Errorf("parameters (-got +want):\n%s", diff)
			}
		})
	}
}

func TestStackConsoleURL(t *testing.T) {
	tests := []struct{ id, want string }{
		{"arn:aws:cloudformation:eu-west-1:123456789012:stack/sluice/0a1b",
			"https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1#/stacks/stackinfo?stackId=arn%3Aaws%3Acloudformation%3Aeu-west-1%3A123456789012%3Astack%2Fsluice%2F0a1b"},
		{"arn:aws-cn:cloudformation:cn-north-1:123456789012:stack/sluice/0a1b",
			"https://cn-north-1.console.amazonaws.cn/cloudformation/home?region=cn-north-1#/stacks/stackinfo?stackId=arn%3Aaws-cn%3Acloudformation%3Acn-north-1%3A123456789012%3Astack%2Fsluice%2F0a1b"},
		{"arn:aws:cloudformation:us-east-1:000000000000:stack/sluice/0a1b", ""}, // the local stack
		{"arn:aws-iso:cloudformation:us-iso-east-1:123456789012:stack/sluice/0a1b", ""},
		{"sluice", ""},
	}
	for _, tt := range tests {
		if got := StackConsoleURL(tt.id); got != tt.want {
			t.Errorf("StackConsoleURL(%s) = %s, want %s", tt.id, got, tt.want)
		}
	}
	if got, want := BucketConsoleURL(tests[0].id, "data"), "https://console.aws.amazon.com/s3/buckets/data?region=eu-west-1"; got != want {
		t.Errorf("BucketConsoleURL = %s, want %s", got, want)
	}
}

func TestEmptyChangeSet(t *testing.T) {
	for reason, want := range map[string]bool{
		"The submitted information didn't contain changes. Submit different information to create a change set.": true,
		"No updates are to be performed.": true,
		"Template format error: Unresolved resource dependencies [X] in the Resources block of the template": false,
		"": false,
	} {
		if got := emptyChangeSet(reason); got != want {
			t.Errorf("emptyChangeSet(%q) = %v, want %v", reason, got, want)
		}
	}
}

func TestChangeSetName(t *testing.T) {
	at := time.Date(2026, 12, 6, 4, 13, 21, 0, time.UTC)
	a, b := changeSetName("sluice", at), changeSetName("sluice", at)
	if a == b {
		t.Errorf("two change sets of one second are both named %s", a)
	}
	if !regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`).MatchString(a) || !strings.HasPrefix(a, "sluice-20261206-041321-") {
		t.Errorf("change set name %q: want sluice-20261206-041321-<suffix>, a valid name", a)
	}
}

// FuzzChangeSetParameters reads any template: every parameter given to the change set is one the
// template declares, and each has a value or keeps its previous one.
func FuzzChangeSetParameters(f *testing.F) {
	for _, s := range []string{`{"Parameters": {"A": {"Type": "String"}, "B": {}}}`, `{"Parameters": null}`, `{}`, `[]`, `{"Parameters": {"A": 1}}`, `x`} {
		f.Add(s, "A", "v", "B")
	}
	f.Fuzz(func(t *testing.T, template, key, value, previous string) {
		out, err := changeSetParameters([]byte(template), map[string]string{key: value},
			[]cfntypes.Parameter{{ParameterKey: aws.String(previous), ParameterValue: aws.String("p")}})
		if err != nil {
			return
		}
		var doc struct{ Parameters map[string]any }
		if json.Unmarshal([]byte(template), &doc) != nil {
			t.Fatalf("template %q accepted but not JSON", template)
		}
		for _, p := range out {
			k := aws.ToString(p.ParameterKey)
			if _, ok := doc.Parameters[k]; !ok {
				t.Errorf("parameter %q is not the template's", k)
			}
			if p.ParameterValue == nil && !aws.ToBool(p.UsePreviousValue) {
				t.Errorf("parameter %q has no value and keeps none", k)
			}
		}
	})
}
