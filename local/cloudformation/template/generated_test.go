package template_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicehq/sluice/gen"
	"github.com/sluicehq/sluice/local/cloudformation/template"
)

// generatedStack binds the template gen makes for cfg, with the parameters sluice deploy passes.
func generatedStack(t *testing.T, cfg gen.Config) *template.Stack {
	t.Helper()
	body, err := gen.TemplateJSON(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := template.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.Validate(); err != nil {
		t.Fatal(err)
	}
	s, err := tpl.Bind(map[string]string{
		"ArtifactBucket":  "sluice-artifacts-000000000000",
		"ValidateCodeKey": "sluice/validate-0123abcd.zip",
		"ProcessCodeKey":  "sluice/process-0123abcd.zip",
		"StoreCodeKey":    "sluice/store-0123abcd.zip",
	}, template.Env{Region: "eu-west-1", AccountID: "123456789012", StackName: "sluice"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fakeProvision gives every resource a physical id and the attributes as AWS names them.
func fakeProvision(id string) template.Physical {
	return template.Physical{Ref: "phys-" + id, Attributes: map[string]any{
		"Arn": "arn:aws:test:::" + id, "QueueName": "q-" + id, "TopicName": "t-" + id, "Name": "n-" + id,
		"QueueUrl": "https://q/" + id, "TopicArn": "arn:aws:sns:::" + id, "KeyId": "k-" + id,
	}}
}

// unresolvedIntrinsics lists the paths in v where an intrinsic function is left.
func unresolvedIntrinsics(path string, v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if k == "Ref" || strings.HasPrefix(k, "Fn::") {
				out = append(out, path+"/"+k)
			}
			out = append(out, unresolvedIntrinsics(path+"/"+k, x)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, unresolvedIntrinsics(path+"[]", x)...)
		}
	case string:
		if strings.Contains(v, "${") && !strings.Contains(path, "Definition") {
			out = append(out, path+": "+v)
		}
	}
	return out
}

// TestGeneratedTemplateResolves provisions deploy/template.json in Order with a Lookup that knows only
// what came before: every resource resolves with no intrinsic left, and so do the outputs.
func TestGeneratedTemplateResolves(t *testing.T) {
	s := generatedStack(t, gen.DefaultConfig())
	order, err := s.Order()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(order), len(s.Template().Resources); got != want {
		t.Fatalf("Order has %d resources, want %d", got, want)
	}
	done := template.Provisioned{}
	for _, id := range order {
		r, err := s.ResolveResource(id, done)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if left := unresolvedIntrinsics(id, r.Properties); len(left) > 0 {
			t.Errorf("%s: unresolved %v", id, left)
		}
		for _, d := range r.DependsOn {
			if _, ok := done[d]; !ok {
				t.Errorf("%s is ordered before its dependency %s", id, d)
			}
		}
		done[id] = fakeProvision(id)
	}
	outs, err := s.Outputs(done)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range outs {
		got[o.Key] = o.Value
	}
	want := map[string]string{
		"BucketName":           "phys-Bucket",
		"StateMachineArn":      "phys-StateMachine",
		"DeadLetterQueueArn":   "arn:aws:test:::DeadLetterQueue",
		"ExecutionsConsoleUrl": "https://console.aws.amazon.com/states/home?region=eu-west-1#/statemachines/view/phys-StateMachine",
	}
	for k, w := range want {
		if diff := cmp.Diff(got[k], w); diff != "" {
			t.Errorf("output %s (-got +want):\n%s", k, diff)
		}
	}
	sm, err := s.ResolveResource("StateMachine", done)
	if err != nil {
		t.Fatal(err)
	}
	subs, _ := sm.Properties["DefinitionSubstitutions"].(map[string]any)
	if diff := cmp.Diff(subs["LambdaInvokeResource"], any("arn:aws:states:::lambda:invoke")); diff != "" {
		t.Errorf("LambdaInvokeResource (-got +want):\n%s", diff)
	}
}

// TestGeneratedTemplateNeedsItsParameters: the code keys have no default, so binding without them is
// AWS's "Parameters: [...] must have values".
func TestGeneratedTemplateNeedsItsParameters(t *testing.T) {
	body, err := gen.TemplateJSON(gen.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := template.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tpl.Bind(nil, template.Env{Region: "us-east-1", AccountID: "000000000000", StackName: "s"})
	want := "Parameters: [ArtifactBucket, ProcessCodeKey, StoreCodeKey, ValidateCodeKey] must have values" // declaration order
	if err == nil || err.Error() != want {
		t.Errorf("Bind: got %v, want %q", err, want)
	}
}
