package gen_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/gen"
)

// templateDoc returns the default template decoded as generic JSON.
func templateDoc(t *testing.T) map[string]any {
	t.Helper()
	b, err := gen.TemplateJSON(gen.DefaultConfig())
	if err != nil {
		t.Fatalf("TemplateJSON: %v", err)
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("decode template: %v", err)
	}
	return doc
}

func resources(doc map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range doc["Resources"].(map[string]any) {
		out[id] = r.(map[string]any)
	}
	return out
}

func props(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	return p
}

// walk calls fn for every value in v with its JSON-pointer-like path.
func walk(path string, v any, fn func(path string, v any)) {
	fn(path, v)
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			walk(path+"/"+k, e, fn)
		}
	case []any:
		for i, e := range v {
			walk(fmt.Sprintf("%s/%d", path, i), e, fn)
		}
	}
}

func TestTemplateHasNoNull(t *testing.T) {
	var nulls []string
	walk("", templateDoc(t), func(path string, v any) {
		if v == nil {
			nulls = append(nulls, path)
		}
	})
	sort.Strings(nulls)
	if len(nulls) > 0 {
		t.Errorf("template has null values (a hand-written intrinsic or an unset field?) at:\n%s", strings.Join(nulls, "\n"))
	}
}

// pseudoParameters are CloudFormation's pseudo parameters
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html).
var pseudoParameters = []string{"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"}

// getAttributes are the Fn::GetAtt attributes the template may use, by resource type.
var getAttributes = map[string][]string{
	"AWS::S3::Bucket":        {"Arn"},
	"AWS::SQS::Queue":        {"Arn", "QueueName", "QueueUrl"},
	"AWS::Events::Rule":      {"Arn"},
	"AWS::IAM::Role":         {"Arn"},
	"AWS::Lambda::Function":  {"Arn"},
	"AWS::Logs::LogGroup":    {"Arn"},
	"AWS::KMS::Key":          {"Arn"},
	"AWS::SNS::Topic":        {"TopicArn"},
	"AWS::StepFunctions::*":  {"Arn", "Name"},
	"AWS::CloudWatch::Alarm": {"Arn"},
}

var subVariable = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

func TestTemplateReferencesResolve(t *testing.T) {
	doc := templateDoc(t)
	res := resources(doc)
	params := doc["Parameters"].(map[string]any)
	exists := func(name string) bool {
		_, r := res[name]
		_, p := params[name]
		return r || p || slices.Contains(pseudoParameters, name)
	}
	var problems []string
	check := func(path, kind, target string) {
		if !exists(strings.SplitN(target, ".", 2)[0]) {
			problems = append(problems, fmt.Sprintf("%s: %s %q names nothing", path, kind, target))
		}
	}
	refs := 0
	walk("", doc, func(path string, v any) {
		m, ok := v.(map[string]any)
		if !ok || len(m) != 1 {
			return
		}
		switch {
		case m["Ref"] != nil:
			refs++
			check(path, "Ref", m["Ref"].(string))
		case m["Fn::GetAtt"] != nil:
			refs++
			args := m["Fn::GetAtt"].([]any)
			id, attr := args[0].(string), args[1].(string)
			check(path, "Fn::GetAtt", id)
			if r, ok := res[id]; ok {
				typ := r["Type"].(string)
				allowed := getAttributes[typ]
				if allowed == nil {
					allowed = getAttributes[typ[:strings.LastIndex(typ, "::")]+"::*"]
				}
				if !slices.Contains(allowed, attr) {
					problems = append(problems, fmt.Sprintf("%s: %s has no attribute %q", path, typ, attr))
				}
			}
		case m["Fn::Sub"] != nil:
			s, ok := m["Fn::Sub"].(string)
			var vars map[string]any
			if !ok {
				// [text, {name: value}]: a name of the map needs nothing else to resolve it (its value is
				// walked on its own).
				a, _ := m["Fn::Sub"].([]any)
				if len(a) != 2 {
					problems = append(problems, fmt.Sprintf("%s: Fn::Sub takes a string or [string, map]", path))
					return
				}
				s, _ = a[0].(string)
				vars, _ = a[1].(map[string]any)
			}
			for _, v := range subVariable.FindAllStringSubmatch(s, -1) {
				refs++
				if _, ok := vars[v[1]]; !ok {
					check(path, "Fn::Sub variable", v[1])
				}
			}
		case m["Fn::FindInMap"] != nil:
			refs++
			args, _ := m["Fn::FindInMap"].([]any)
			mappings, _ := doc["Mappings"].(map[string]any)
			if len(args) != 3 || mappings[fmt.Sprint(args[0])] == nil {
				problems = append(problems, fmt.Sprintf("%s: Fn::FindInMap %v names no mapping", path, args))
			}
		}
	})
	for id, r := range res {
		for _, dep := range dependsOn(r) {
			if _, ok := res[dep]; !ok {
				problems = append(problems, fmt.Sprintf("%s: DependsOn %q names no resource", id, dep))
			}
		}
	}
	sort.Strings(problems)
	if len(problems) > 0 {
		t.Errorf("unresolved references:\n%s", strings.Join(problems, "\n"))
	}
	if refs < 50 {
		t.Errorf("found only %d references: is the walk broken?", refs)
	}
}

func dependsOn(r map[string]any) []string {
	switch d := r["DependsOn"].(type) {
	case string:
		return []string{d}
	case []any:
		var out []string
		for _, e := range d {
			out = append(out, e.(string))
		}
		return out
	}
	return nil
}

func TestTemplateIsDeterministic(t *testing.T) {
	first, err := gen.Files(gen.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		again, err := gen.Files(gen.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		for j := range first {
			if !bytes.Equal(first[j].Data, again[j].Data) {
				t.Fatalf("run %d: %s differs between two generations", i, first[j].Path)
			}
		}
	}
}

// TestDefinitionSubstitutions checks the state machine's ${...} placeholders and its
// DefinitionSubstitutions name the same keys, each mapped to its function's ARN.
func TestDefinitionSubstitutions(t *testing.T) {
	sm := props(resources(templateDoc(t))[gen.LogicalStateMachine])
	definition, err := json.Marshal(sm["Definition"])
	if err != nil {
		t.Fatal(err)
	}
	var used []string
	for _, m := range regexp.MustCompile(`\$\{([A-Za-z0-9]+)\}`).FindAllSubmatch(definition, -1) {
		if !slices.Contains(used, string(m[1])) {
			used = append(used, string(m[1]))
		}
	}
	sort.Strings(used)
	got := map[string]any{}
	for k, v := range sm["DefinitionSubstitutions"].(map[string]any) {
		got[k] = v
	}
	want := map[string]any{
		"ValidateFunctionArn":  map[string]any{"Fn::GetAtt": []any{"ValidateFunction", "Arn"}},
		"ProcessFunctionArn":   map[string]any{"Fn::GetAtt": []any{"ProcessFunction", "Arn"}},
		"StoreFunctionArn":     map[string]any{"Fn::GetAtt": []any{"StoreFunction", "Arn"}},
		"LambdaInvokeResource": map[string]any{"Fn::Sub": "arn:${AWS::Partition}:states:::lambda:invoke"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DefinitionSubstitutions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"LambdaInvokeResource", "ProcessFunctionArn", "StoreFunctionArn", "ValidateFunctionArn"}, used); diff != "" {
		t.Errorf("placeholders used in Definition (-want +got):\n%s", diff)
	}
	if _, ok := sm["Definition"].(map[string]any); !ok {
		t.Errorf("Definition is %T, want the definition as a JSON object", sm["Definition"])
	}
	if sm["StateMachineType"] != "STANDARD" {
		t.Errorf("StateMachineType = %v, want STANDARD", sm["StateMachineType"])
	}
}

// render turns an intrinsic into a short string: Ref:X, X.Attr, or the Fn::Sub text.
func render(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		if r, ok := v["Ref"]; ok {
			return "Ref:" + r.(string)
		}
		if g, ok := v["Fn::GetAtt"]; ok {
			a := g.([]any)
			return a[0].(string) + "." + a[1].(string)
		}
		if s, ok := v["Fn::Sub"]; ok {
			if text, ok := s.(string); ok {
				return text
			}
			// [text, {name: value}]: the text with each ${name} replaced by the rendered value.
			a := s.([]any)
			text := a[0].(string)
			for name, value := range a[1].(map[string]any) {
				text = strings.ReplaceAll(text, "${"+name+"}", "{"+render(value)+"}")
			}
			return text
		}
		if f, ok := v["Fn::FindInMap"]; ok {
			a := f.([]any)
			return "FindInMap:" + render(a[0]) + "/" + render(a[1]) + "/" + render(a[2])
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func renderAll(v any) []string {
	var out []string
	for _, e := range v.([]any) {
		out = append(out, render(e))
	}
	return out
}

// rolePermissions returns a role's Allow statements as "action1,action2 -> resource" lines, sorted.
func rolePermissions(t *testing.T, role map[string]any) []string {
	t.Helper()
	p := props(role)
	if p["ManagedPolicyArns"] != nil {
		t.Errorf("role has managed policies: %v", p["ManagedPolicyArns"])
	}
	var lines []string
	for _, pol := range p["Policies"].([]any) {
		doc := pol.(map[string]any)["PolicyDocument"].(map[string]any)
		for _, s := range doc["Statement"].([]any) {
			st := s.(map[string]any)
			if st["Effect"] != "Allow" {
				t.Errorf("unexpected %v statement in a role policy", st["Effect"])
			}
			actions := renderAll(st["Action"])
			sort.Strings(actions)
			for _, r := range renderAll(st["Resource"]) {
				lines = append(lines, strings.Join(actions, ",")+" -> "+r)
			}
		}
	}
	sort.Strings(lines)
	return lines
}

func TestLeastPrivilege(t *testing.T) {
	res := resources(templateDoc(t))
	const (
		read   = "s3:GetObject,s3:GetObjectVersion -> arn:${AWS::Partition}:s3:::${Bucket}/"
		write  = "s3:AbortMultipartUpload,s3:PutObject -> arn:${AWS::Partition}:s3:::${Bucket}/"
		del    = "s3:DeleteObject,s3:DeleteObjectVersion -> arn:${AWS::Partition}:s3:::${Bucket}/"
		list   = "s3:ListBucket -> Bucket.Arn"
		xray   = "xray:GetSamplingRules,xray:GetSamplingTargets,xray:PutTelemetryRecords,xray:PutTraceSegments -> *"
		logsTo = "logs:CreateLogStream,logs:PutLogEvents -> "
	)
	tests := []struct {
		role string
		want []string
	}{
		{"ValidateFunctionRole", []string{
			logsTo + "ValidateFunctionLogGroup.Arn",
			read + "incoming/*", read + "schemas/*",
			list, xray,
		}},
		{"ProcessFunctionRole", []string{
			logsTo + "ProcessFunctionLogGroup.Arn",
			read + "incoming/*", read + "schemas/*",
			list,
			write + "staging/*",
			xray,
		}},
		{"StoreFunctionRole", []string{
			logsTo + "StoreFunctionLogGroup.Arn",
			read + "incoming/*", read + "manifests/*", read + "processed/*", read + "staging/*",
			write + "failed/*", write + "manifests/*", write + "processed/*", write + "quarantine/*",
			del + "staging/*",
			"s3:GetObjectTagging,s3:GetObjectVersionTagging -> arn:${AWS::Partition}:s3:::${Bucket}/incoming/*",
			"s3:PutObjectTagging -> arn:${AWS::Partition}:s3:::${Bucket}/quarantine/*",
			list, xray,
		}},
		{"StateMachineRole", []string{
			"lambda:InvokeFunction -> ProcessFunction.Arn",
			"lambda:InvokeFunction -> StoreFunction.Arn",
			"lambda:InvokeFunction -> ValidateFunction.Arn",
			"logs:CreateLogDelivery,logs:DeleteLogDelivery,logs:DescribeLogGroups,logs:DescribeResourcePolicies,logs:GetLogDelivery,logs:ListLogDeliveries,logs:PutResourcePolicy,logs:UpdateLogDelivery -> *",
			xray,
		}},
		{"ObjectCreatedRuleRole", []string{"states:StartExecution -> Ref:StateMachine"}},
	}
	roles := 0
	for _, r := range res {
		if r["Type"] == "AWS::IAM::Role" {
			roles++
		}
	}
	if roles != len(tests) {
		t.Errorf("template has %d roles, the test pins %d", roles, len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			want := slices.Clone(tt.want)
			sort.Strings(want)
			if diff := cmp.Diff(want, rolePermissions(t, res[tt.role])); diff != "" {
				t.Errorf("permissions (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFunctions pins the functions' runtime settings.
func TestFunctions(t *testing.T) {
	res := resources(templateDoc(t))
	c := gen.DefaultConfig()
	for _, f := range c.Functions() {
		t.Run(f.Name, func(t *testing.T) {
			p := props(res[f.LogicalID])
			got := map[string]any{
				"Runtime": p["Runtime"], "Handler": p["Handler"], "Architectures": p["Architectures"],
				"MemorySize": p["MemorySize"], "Timeout": p["Timeout"], "TracingConfig": p["TracingConfig"],
				"LoggingConfig": p["LoggingConfig"], "Code": p["Code"], "Role": p["Role"],
				"ReservedConcurrentExecutions": p["ReservedConcurrentExecutions"],
			}
			want := map[string]any{
				"Runtime": "provided.al2023", "Handler": "bootstrap", "Architectures": []any{"arm64"},
				"MemorySize":    json.Number(fmt.Sprint(f.Config.MemoryMB)),
				"Timeout":       json.Number(fmt.Sprint(f.Config.TimeoutSeconds)),
				"TracingConfig": map[string]any{"Mode": "Active"},
				"LoggingConfig": map[string]any{"LogFormat": "JSON", "LogGroup": map[string]any{"Ref": f.LogGroupID},
					"ApplicationLogLevel": c.ApplicationLogLevel, "SystemLogLevel": c.SystemLogLevel},
				"Code": map[string]any{
					"S3Bucket": map[string]any{"Ref": "ArtifactBucket"},
					"S3Key":    map[string]any{"Ref": f.CodeKeyParam},
				},
				"Role":                         map[string]any{"Fn::GetAtt": []any{f.RoleID, "Arn"}},
				"ReservedConcurrentExecutions": json.Number(fmt.Sprint(f.Config.ReservedConcurrency)),
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("function (-want +got):\n%s", diff)
			}
			lg := props(res[f.LogGroupID])
			if got, want := lg["RetentionInDays"], json.Number(fmt.Sprint(c.LogRetentionDays)); got != want {
				t.Errorf("log group retention = %v, want %v", got, want)
			}
		})
	}
}

func TestBucketAndRule(t *testing.T) {
	res := resources(templateDoc(t))
	bucket := res[gen.LogicalBucket]
	if bucket["DeletionPolicy"] != "Retain" || bucket["UpdateReplacePolicy"] != "Retain" {
		t.Errorf("bucket policies = %v/%v, want Retain/Retain", bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"])
	}
	bp := props(bucket)
	checks := []struct {
		name      string
		got, want any
	}{
		{"EventBridge", bp["NotificationConfiguration"], map[string]any{"EventBridgeConfiguration": map[string]any{"EventBridgeEnabled": true}}},
		{"ownership", bp["OwnershipControls"], map[string]any{"Rules": []any{map[string]any{"ObjectOwnership": "BucketOwnerEnforced"}}}},
		{"versioning", bp["VersioningConfiguration"], map[string]any{"Status": "Enabled"}},
		{"public access", bp["PublicAccessBlockConfiguration"], map[string]any{
			"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true}},
		{"pattern", props(res[gen.LogicalRule])["EventPattern"], map[string]any{
			"source":      []any{"aws.s3"},
			"detail-type": []any{"Object Created"},
			"detail": map[string]any{
				"bucket": map[string]any{"name": []any{map[string]any{"Ref": "Bucket"}}},
				"object": map[string]any{"key": []any{map[string]any{"prefix": "incoming/"}}},
			},
		}},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
	target := props(res[gen.LogicalRule])["Targets"].([]any)[0].(map[string]any)
	for _, key := range []string{"RetryPolicy", "DeadLetterConfig", "RoleArn"} {
		if target[key] == nil {
			t.Errorf("rule target has no %s", key)
		}
	}
	if target["Input"] != nil || target["InputPath"] != nil || target["InputTransformer"] != nil {
		t.Error("rule target transforms the event; the execution input must be the whole event")
	}
}

// TestTLSOnlyPolicies checks every resource policy denies requests without TLS.
func TestTLSOnlyPolicies(t *testing.T) {
	res := resources(templateDoc(t))
	for _, id := range []string{gen.LogicalBucketPolicy, gen.LogicalAccessLogBucketPolicy, gen.LogicalDeadLetterQueuePolicy, gen.LogicalAlarmTopicPolicy} {
		t.Run(id, func(t *testing.T) {
			found := false
			for _, s := range props(res[id])["PolicyDocument"].(map[string]any)["Statement"].([]any) {
				st := s.(map[string]any)
				cond, _ := json.Marshal(st["Condition"])
				if st["Effect"] == "Deny" && string(cond) == `{"Bool":{"aws:SecureTransport":"false"}}` {
					found = true
				}
			}
			if !found {
				t.Error("no Deny statement on aws:SecureTransport false")
			}
		})
	}
}

func TestAlarms(t *testing.T) {
	res := resources(templateDoc(t))
	var got []string
	for id, r := range res {
		if r["Type"] != "AWS::CloudWatch::Alarm" {
			continue
		}
		p := props(r)
		dim := p["Dimensions"].([]any)[0].(map[string]any)
		got = append(got, fmt.Sprintf("%s %s/%s %s=%s", id, p["Namespace"], p["MetricName"], dim["Name"], render(dim["Value"])))
		if diff := cmp.Diff([]any{map[string]any{"Ref": gen.LogicalAlarmTopic}}, p["AlarmActions"]); diff != "" {
			t.Errorf("%s AlarmActions (-want +got):\n%s", id, diff)
		}
	}
	sort.Strings(got)
	want := []string{
		"DeadLetterQueueAlarm AWS/SQS/ApproximateNumberOfMessagesVisible QueueName=DeadLetterQueue.QueueName",
		"ExecutionThrottledAlarm AWS/States/ExecutionThrottled StateMachineArn=Ref:StateMachine",
		"ExecutionsAbortedAlarm AWS/States/ExecutionsAborted StateMachineArn=Ref:StateMachine",
		"ExecutionsFailedAlarm AWS/States/ExecutionsFailed StateMachineArn=Ref:StateMachine",
		"ExecutionsTimedOutAlarm AWS/States/ExecutionsTimedOut StateMachineArn=Ref:StateMachine",
		"ProcessFunctionErrorsAlarm AWS/Lambda/Errors FunctionName=Ref:ProcessFunction",
		"ProcessFunctionThrottlesAlarm AWS/Lambda/Throttles FunctionName=Ref:ProcessFunction",
		"RuleFailedInvocationsAlarm AWS/Events/FailedInvocations RuleName=Ref:ObjectCreatedRule",
		"StoreFunctionErrorsAlarm AWS/Lambda/Errors FunctionName=Ref:StoreFunction",
		"StoreFunctionThrottlesAlarm AWS/Lambda/Throttles FunctionName=Ref:StoreFunction",
		"ValidateFunctionErrorsAlarm AWS/Lambda/Errors FunctionName=Ref:ValidateFunction",
		"ValidateFunctionThrottlesAlarm AWS/Lambda/Throttles FunctionName=Ref:ValidateFunction",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alarms (-want +got):\n%s", diff)
	}
	if props(res[gen.LogicalAlarmTopic])["KmsMasterKeyId"] == nil {
		t.Error("alarm topic is not encrypted")
	}
}

// TestDashboardBody checks the dashboard body is valid JSON once its ${...} variables are substituted.
func TestDashboardBody(t *testing.T) {
	body := render(props(resources(templateDoc(t))[gen.LogicalDashboard])["DashboardBody"])
	substituted := subVariable.ReplaceAllString(body, "value")
	var v struct {
		Widgets []map[string]any `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(substituted), &v); err != nil {
		t.Fatalf("dashboard body is not JSON: %v\n%s", err, substituted)
	}
	if len(v.Widgets) < 6 {
		t.Errorf("dashboard has %d widgets, want at least 6", len(v.Widgets))
	}
}

func TestOutputs(t *testing.T) {
	outputs := templateDoc(t)["Outputs"].(map[string]any)
	got := map[string]string{}
	for name, o := range outputs {
		got[name] = render(o.(map[string]any)["Value"])
	}
	want := map[string]string{
		"BucketName":           "Ref:Bucket",
		"StateMachineArn":      "Ref:StateMachine",
		"ExecutionsConsoleUrl": "https://{FindInMap:Partitions/Ref:AWS::Partition/Console}/states/home?region=${AWS::Region}#/statemachines/view/${StateMachine}",
		"DeadLetterQueueUrl":   "Ref:DeadLetterQueue",
		"DeadLetterQueueArn":   "DeadLetterQueue.Arn",
		"DashboardUrl":         "https://{FindInMap:Partitions/Ref:AWS::Partition/Console}/cloudwatch/home?region=${AWS::Region}#dashboards:name=${Dashboard}",
		"AlarmTopicArn":        "Ref:AlarmTopic",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	// Every partition the mapping names has a console host; the commercial one is the one AWS documents
	// (https://docs.aws.amazon.com/general/latest/gr/mgmt-console.html).
	partitions := templateDoc(t)["Mappings"].(map[string]any)["Partitions"].(map[string]any)
	for _, p := range []string{"aws", "aws-cn", "aws-us-gov"} {
		m, _ := partitions[p].(map[string]any)
		if host, _ := m["Console"].(string); host == "" || strings.Contains(host, "/") {
			t.Errorf("Mappings.Partitions.%s.Console = %v, want a host name", p, m["Console"])
		}
	}
	if got := partitions["aws"].(map[string]any)["Console"]; got != "console.aws.amazon.com" {
		t.Errorf("aws console host = %v, want console.aws.amazon.com", got)
	}
}
