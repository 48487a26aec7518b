package template_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/sluicehq/sluice/gen"
	"github.com/sluicehq/sluice/local/cloudformation/template"
)

// provisionAll resolves s in Order with fakeProvision, as a deployment would.
func provisionAll(t *testing.T, s *template.Stack) template.Provisioned {
	t.Helper()
	order, err := s.Order()
	if err != nil {
		t.Fatal(err)
	}
	done := template.Provisioned{}
	for _, id := range order {
		if _, err := s.ResolveResource(id, done); err != nil {
			t.Fatal(err)
		}
		done[id] = fakeProvision(id)
	}
	return done
}

// TestDiffGeneratedRetryCount: changing a retry count in the config changes only the state machine's
// Definition, which Step Functions updates in place (UpdateStateMachine; "Update requires: No
// interruption" in aws-resource-stepfunctions-statemachine.html): Modify with Replacement False.
func TestDiffGeneratedRetryCount(t *testing.T) {
	cfg := gen.DefaultConfig()
	old := generatedStack(t, cfg)
	deployed := provisionAll(t, old)
	cfg.TaskRetry.MaxAttempts++
	updated := generatedStack(t, cfg)
	changes, err := updated.Diff(old, deployed)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 {
		t.Fatalf("got %d changes, want 1 (the state machine): %+v", len(changes), changes)
	}
	got := changes[0]
	want := template.ResourceChange{
		Action: template.ActionModify, LogicalResourceID: "StateMachine", PhysicalResourceID: "phys-StateMachine",
		ResourceType: "AWS::StepFunctions::StateMachine", Replacement: template.ReplacementFalse, Scope: []string{"Properties"},
		Details: []template.ResourceChangeDetail{{
			Target: template.ResourceTargetDefinition{Attribute: "Properties", Name: "Definition", RequiresRecreation: "Never",
				Path: "/Properties/Definition", AttributeChangeType: "Modify"},
			Evaluation: "Static", ChangeSource: "DirectModification",
		}},
	}
	if diff := cmp.Diff(got, want, cmpopts.IgnoreFields(template.ResourceTargetDefinition{}, "BeforeValue", "AfterValue")); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
	if d := got.Details[0].Target; d.BeforeValue == d.AfterValue || d.AfterValue == "" {
		t.Errorf("BeforeValue and AfterValue should show the two definitions, got %q and %q", d.BeforeValue, d.AfterValue)
	}
	// The same template again changes nothing.
	same, err := old.Diff(old, deployed)
	if err != nil || len(same) != 0 {
		t.Errorf("Diff of a stack with itself: got %+v, %v; want no changes", same, err)
	}
}

// TestDiffGeneratedCreate: a change set for a new stack adds every resource.
func TestDiffGeneratedCreate(t *testing.T) {
	s := generatedStack(t, gen.DefaultConfig())
	changes, err := s.Diff(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(changes), len(s.Resources()); got != want {
		t.Fatalf("got %d changes, want %d", got, want)
	}
	for _, c := range changes {
		if c.Action != template.ActionAdd {
			t.Errorf("%s: Action %s, want Add", c.LogicalResourceID, c.Action)
		}
	}
}

const diffOld = `{
 "Parameters": {"Level": {"Type": "String", "Default": "INFO"}},
 "Resources": {
  "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q1", "VisibilityTimeout": 30}},
  "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
    "Environment": {"Variables": {"LEVEL": {"Ref": "Level"}, "QUEUE": {"Ref": "Queue"}}},
    "Tags": [{"Key": "a", "Value": "1"}]}},
  "Gone": {"Type": "AWS::SNS::Topic", "DeletionPolicy": "Retain"},
  "Custom": {"Type": "Custom::Thing", "Properties": {"X": 1}}
 }}`

// TestDiff covers the change kinds of
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-changesets-samples.html:
// a direct modification, a parameter change, a replacement and the dynamic changes it causes in the
// resources referring to it, an addition, a removal, tags, and a type with no known update behaviour.
func TestDiff(t *testing.T) {
	parse := func(body string, params map[string]string) *template.Stack {
		tpl, err := template.Parse([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		s, err := tpl.Bind(params, template.Env{Region: "us-east-1", AccountID: "123456789012", StackName: "d"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	old := parse(diffOld, nil)
	deployed := provisionAll(t, old)
	tests := []struct {
		name   string
		body   string
		params map[string]string
		want   []template.ResourceChange
	}{
		{"parameter", diffOld, map[string]string{"Level": "DEBUG"}, []template.ResourceChange{{
			Action: "Modify", LogicalResourceID: "Fn", PhysicalResourceID: "phys-Fn", ResourceType: "AWS::Lambda::Function",
			Replacement: "False", Scope: []string{"Properties"},
			Details: []template.ResourceChangeDetail{{Target: template.ResourceTargetDefinition{Attribute: "Properties", Name: "Environment",
				RequiresRecreation: "Never", Path: "/Properties/Environment", AttributeChangeType: "Modify"},
				Evaluation: "Static", ChangeSource: "ParameterReference", CausingEntity: "Level"}},
		}}},
		{"in place", `{"Parameters": {"Level": {"Type": "String", "Default": "INFO"}}, "Resources": {
		  "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q1", "VisibilityTimeout": 60}},
		  "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Environment": {"Variables": {"LEVEL": {"Ref": "Level"}, "QUEUE": {"Ref": "Queue"}}}, "Tags": [{"Key": "a", "Value": "1"}]}},
		  "Gone": {"Type": "AWS::SNS::Topic", "DeletionPolicy": "Retain"}, "Custom": {"Type": "Custom::Thing", "Properties": {"X": "1"}}}}`, nil,
			// Custom's X went from 1 to "1": the same value to the resource, no change.
			[]template.ResourceChange{
				{Action: "Modify", LogicalResourceID: "Queue", PhysicalResourceID: "phys-Queue", ResourceType: "AWS::SQS::Queue",
					Replacement: "False", Scope: []string{"Properties"},
					Details: []template.ResourceChangeDetail{{Target: template.ResourceTargetDefinition{Attribute: "Properties", Name: "VisibilityTimeout",
						RequiresRecreation: "Never", Path: "/Properties/VisibilityTimeout", AttributeChangeType: "Modify"},
						Evaluation: "Static", ChangeSource: "DirectModification"}},
				},
			}},
		{"replacement and its dependents", `{"Parameters": {"Level": {"Type": "String", "Default": "INFO"}}, "Resources": {
		  "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "q2", "VisibilityTimeout": 30}},
		  "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Environment": {"Variables": {"LEVEL": {"Ref": "Level"}, "QUEUE": {"Ref": "Queue"}}}, "Tags": [{"Key": "a", "Value": "2"}]}},
		  "New": {"Type": "AWS::SNS::Topic"},
		  "Custom": {"Type": "Custom::Thing", "Properties": {"X": 2}}}}`, nil,
			[]template.ResourceChange{
				{Action: "Modify", LogicalResourceID: "Custom", PhysicalResourceID: "phys-Custom", ResourceType: "Custom::Thing",
					Replacement: "Conditional", Scope: []string{"Properties"}, PolicyAction: "ReplaceAndDelete",
					Details: []template.ResourceChangeDetail{{Target: template.ResourceTargetDefinition{Attribute: "Properties", Name: "X",
						RequiresRecreation: "Conditionally", Path: "/Properties/X", AttributeChangeType: "Modify"},
						Evaluation: "Static", ChangeSource: "DirectModification"}},
				},
				{Action: "Modify", LogicalResourceID: "Fn", PhysicalResourceID: "phys-Fn", ResourceType: "AWS::Lambda::Function",
					Replacement: "False", Scope: []string{"Properties", "Tags"},
					Details: []template.ResourceChangeDetail{
						{Target: template.ResourceTargetDefinition{Attribute: "Properties", Name: "Environment", RequiresRecreation: "Never",
							Path: "/Properties/Environment", AttributeChangeType: "Modify"},
							Evaluation: "Dynamic", ChangeSource: "ResourceReference", CausingEntity: "Queue"},
						{Target: template.ResourceTargetDefinition{Attribute: "Tags", RequiresRecreation: "Never", Path: "/Tags", AttributeChangeType: "Modify"},
							Evaluation: "Static", ChangeSource: "DirectModification"},
					},
				},
				{Action: "Remove", LogicalResourceID: "Gone", PhysicalResourceID: "phys-Gone", ResourceType: "AWS::SNS::Topic", PolicyAction: "Retain"},
				{Action: "Add", LogicalResourceID: "New", ResourceType: "AWS::SNS::Topic"},
				{Action: "Modify", LogicalResourceID: "Queue", PhysicalResourceID: "phys-Queue", ResourceType: "AWS::SQS::Queue",
					Replacement: "True", Scope: []string{"Properties"}, PolicyAction: "ReplaceAndDelete",
					Details: []template.ResourceChangeDetail{{Target: template.ResourceTargetDefinition{Attribute: "Properties", Name: "QueueName",
						RequiresRecreation: "Always", Path: "/Properties/QueueName", AttributeChangeType: "Modify"},
						Evaluation: "Static", ChangeSource: "DirectModification"}},
				},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse(tt.body, tt.params).Diff(old, deployed)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, tt.want, cmpopts.IgnoreFields(template.ResourceTargetDefinition{}, "BeforeValue", "AfterValue")); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
	// A changed resource type is refused, as CloudFormation refuses it.
	_, err := parse(`{"Resources": {"Queue": {"Type": "AWS::SNS::Topic"}}}`, nil).Diff(old, deployed)
	want := "Update of resource type is not permitted. The new template modifies resource type of the following resources: [Queue]"
	if err == nil || err.Error() != want {
		t.Errorf("type change: got %v, want %q", err, want)
	}
}

// TestRequiresRecreation pins the update behaviours the generated template relies on (each type's
// "Update requires" in the CloudFormation Template Reference).
func TestRequiresRecreation(t *testing.T) {
	tests := []struct{ typ, prop, want string }{
		{"AWS::StepFunctions::StateMachine", "Definition", "Never"},
		{"AWS::StepFunctions::StateMachine", "DefinitionSubstitutions", "Never"},
		{"AWS::StepFunctions::StateMachine", "StateMachineName", "Always"},
		{"AWS::StepFunctions::StateMachine", "StateMachineType", "Always"},
		{"AWS::Lambda::Function", "Environment", "Never"},
		{"AWS::Lambda::Function", "Code", "Never"},
		{"AWS::Lambda::Function", "FunctionName", "Always"},
		{"AWS::Events::Rule", "EventPattern", "Never"},
		{"AWS::Events::Rule", "Name", "Always"},
		{"AWS::S3::Bucket", "NotificationConfiguration", "Never"},
		{"AWS::S3::Bucket", "BucketName", "Always"},
		{"AWS::Logs::LogGroup", "RetentionInDays", "Never"},
		{"AWS::Logs::LogGroup", "LogGroupName", "Always"},
		{"AWS::IAM::Role", "Policies", "Never"},
		{"AWS::IAM::Role", "RoleName", "Always"},
		{"AWS::SQS::Queue", "QueueName", "Always"},
		{"AWS::SNS::Topic", "TopicName", "Always"},
		{"AWS::CloudWatch::Alarm", "Threshold", "Never"},
		{"AWS::CloudWatch::Dashboard", "DashboardBody", "Never"},
		{"AWS::S3::BucketPolicy", "Bucket", "Always"},
		{"Custom::Anything", "X", "Conditionally"},
	}
	for _, tt := range tests {
		if got := template.RequiresRecreation(tt.typ, tt.prop); got != tt.want {
			t.Errorf("RequiresRecreation(%s, %s) = %s, want %s", tt.typ, tt.prop, got, tt.want)
		}
	}
	// Every type the generated template uses is known.
	s := generatedStack(t, gen.DefaultConfig())
	for _, id := range s.Resources() {
		if typ := s.Template().Resources[id].Type; !template.KnownType(typ) {
			t.Errorf("%s: type %s has no known update behaviour", id, typ)
		}
	}
}
