package stack

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Template is a parsed CloudFormation template with its parameters resolved, ready to be read for the
// resources the local stack creates. It understands the intrinsic functions a template for this
// architecture uses: Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap (with the
// Mappings) and the pseudo parameters; the partition is "aws". https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
type Template struct {
	resources map[string]resource
	mappings  map[string]map[string]map[string]any
	outputs   map[string]output
	params    map[string]string
	names     map[string]string // logical id -> local physical name
	region    string
	account   string
	stack     string
}

type output struct {
	Value any `json:"Value"`
}

type resource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
}

// ParseTemplate reads a template. parameters override the template's defaults; a parameter without a
// default or an override resolves to "".
func ParseTemplate(data []byte, stackName, region, account string, parameters map[string]string) (*Template, error) {
	var doc struct {
		Parameters map[string]struct {
			Default any `json:"Default"`
		} `json:"Parameters"`
		Resources map[string]resource                  `json:"Resources"`
		Mappings  map[string]map[string]map[string]any `json:"Mappings"`
		Outputs   map[string]output                    `json:"Outputs"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	if len(doc.Resources) == 0 {
		return nil, fmt.Errorf("parse template: no Resources")
	}
	t := &Template{resources: doc.Resources, mappings: doc.Mappings, params: map[string]string{}, names: map[string]string{},
		region: region, account: account, stack: stackName}
	for name, p := range doc.Parameters {
		if p.Default != nil {
			t.params[name] = fmt.Sprint(p.Default)
		}
	}
	for k, v := range parameters {
		t.params[k] = v
	}
	t.outputs = doc.Outputs
	for id, r := range doc.Resources {
		t.names[id] = physicalName(stackName, id, r.Type)
	}
	// A log group named in the template keeps its name (Ref and GetAtt Arn then give it), as in AWS.
	for _, id := range t.ResourcesOfType("AWS::Logs::LogGroup") {
		name, err := t.Property(id, "LogGroupName")
		if err != nil {
			return nil, err
		}
		if n, ok := name.(string); ok && n != "" {
			t.names[id] = n
		}
	}
	return t, nil
}

// physicalName is the local name of a resource. CloudFormation makes names from the stack name, the
// logical id and a random suffix; locally they are stable, so a restart finds the same resources.
func physicalName(stack, id, typ string) string {
	name := stack + "-" + id
	if typ == "AWS::S3::Bucket" {
		name = strings.ToLower(name)
	}
	return name
}

// ResourcesOfType returns the logical ids of the resources of one type, sorted.
func (t *Template) ResourcesOfType(typ string) []string {
	var ids []string
	for id, r := range t.resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// Name returns the local physical name of a resource.
func (t *Template) Name(id string) string { return t.names[id] }

// Property returns a resource's property with every intrinsic function resolved.
func (t *Template) Property(id, name string) (any, error) {
	r, ok := t.resources[id]
	if !ok {
		return nil, fmt.Errorf("no resource %q", id)
	}
	v, ok := r.Properties[name]
	if !ok {
		return nil, nil
	}
	out, err := t.resolve(v)
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %w", id, name, err)
	}
	return out, nil
}

// Output returns an output's value with every intrinsic function resolved ("" and false when the
// template has no such output).
func (t *Template) Output(name string) (string, bool, error) {
	o, ok := t.outputs[name]
	if !ok {
		return "", false, nil
	}
	v, err := t.resolve(o.Value)
	if err != nil {
		return "", true, fmt.Errorf("output %s: %w", name, err)
	}
	return fmt.Sprint(v), true, nil
}

// Arn returns the ARN the local services give a resource.
func (t *Template) Arn(id string) (string, error) {
	r, ok := t.resources[id]
	if !ok {
		return "", fmt.Errorf("no resource %q", id)
	}
	name := t.names[id]
	p := "arn:aws:"
	switch r.Type {
	case "AWS::S3::Bucket":
		return p + "s3:::" + name, nil
	case "AWS::Lambda::Function":
		return p + "lambda:" + t.region + ":" + t.account + ":function:" + name, nil
	case "AWS::StepFunctions::StateMachine":
		return p + "states:" + t.region + ":" + t.account + ":stateMachine:" + name, nil
	case "AWS::Events::Rule":
		return p + "events:" + t.region + ":" + t.account + ":rule/" + name, nil
	case "AWS::SQS::Queue":
		return p + "sqs:" + t.region + ":" + t.account + ":" + name, nil
	case "AWS::SNS::Topic":
		return p + "sns:" + t.region + ":" + t.account + ":" + name, nil
	case "AWS::IAM::Role":
		return p + "iam::" + t.account + ":role/" + name, nil
	case "AWS::Logs::LogGroup":
		return p + "logs:" + t.region + ":" + t.account + ":log-group:" + name + ":*", nil
	case "AWS::KMS::Key":
		return p + "kms:" + t.region + ":" + t.account + ":key/" + name, nil
	}
	return "", fmt.Errorf("resource %q of type %s has no local ARN", id, r.Type)
}

// ref is what Ref returns for a resource: the ARN for state machines and SNS topics, the queue URL for
// SQS, the name otherwise (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-ref.html
// and each resource type's "Return values").
func (t *Template) ref(name string) (string, error) {
	switch name {
	case "AWS::Region":
		return t.region, nil
	case "AWS::AccountId":
		return t.account, nil
	case "AWS::StackName":
		return t.stack, nil
	case "AWS::Partition":
		return "aws", nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::StackId":
		return "arn:aws:cloudformation:" + t.region + ":" + t.account + ":stack/" + t.stack + "/local", nil
	case "AWS::NoValue":
		return "", nil
	}
	if v, ok := t.params[name]; ok {
		return v, nil
	}
	r, ok := t.resources[name]
	if !ok {
		return "", fmt.Errorf("Ref to unknown %q", name)
	}
	switch r.Type {
	case "AWS::StepFunctions::StateMachine", "AWS::SNS::Topic":
		return t.Arn(name)
	case "AWS::SQS::Queue":
		return "http://sqs." + t.region + ".localhost/" + t.account + "/" + t.names[name], nil
	}
	return t.names[name], nil
}

func (t *Template) getAtt(id, attr string) (string, error) {
	switch attr {
	case "Arn":
		return t.Arn(id)
	case "Name", "QueueName", "TopicName":
		return t.names[id], nil
	}
	return "", fmt.Errorf("Fn::GetAtt %s.%s is not supported locally", id, attr)
}

var subVar = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

func (t *Template) resolve(v any) (any, error) {
	switch v := v.(type) {
	case []any:
		out := make([]any, 0, len(v))
		for _, e := range v {
			r, err := t.resolve(e)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, nil
	case map[string]any:
		if len(v) == 1 {
			for k, arg := range v {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return t.intrinsic(k, arg)
				}
			}
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			r, err := t.resolve(e)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	}
	return v, nil
}

func (t *Template) intrinsic(fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("Ref takes a string")
		}
		return t.ref(name)
	case "Fn::GetAtt":
		var id, attr string
		switch a := arg.(type) {
		case []any:
			if len(a) == 2 {
				id, _ = a[0].(string)
				attr, _ = a[1].(string)
			}
		case string:
			id, attr, _ = strings.Cut(a, ".")
		}
		if id == "" || attr == "" {
			return nil, fmt.Errorf("Fn::GetAtt takes [resource, attribute]")
		}
		return t.getAtt(id, attr)
	case "Fn::Sub":
		var text string
		vars := map[string]any{}
		switch a := arg.(type) {
		case string:
			text = a
		case []any:
			if len(a) != 2 {
				return nil, fmt.Errorf("Fn::Sub takes a string or [string, map]")
			}
			text, _ = a[0].(string)
			m, _ := a[1].(map[string]any)
			for k, e := range m {
				r, err := t.resolve(e)
				if err != nil {
					return nil, err
				}
				vars[k] = r
			}
		default:
			return nil, fmt.Errorf("Fn::Sub takes a string or [string, map]")
		}
		var subErr error
		out := subVar.ReplaceAllStringFunc(text, func(m string) string {
			name := m[2 : len(m)-1]
			if v, ok := vars[name]; ok {
				return fmt.Sprint(v)
			}
			var s string
			var err error
			if id, attr, ok := strings.Cut(name, "."); ok {
				s, err = t.getAtt(id, attr)
			} else {
				s, err = t.ref(name)
			}
			if err != nil && subErr == nil {
				subErr = err
			}
			return s
		})
		return strings.ReplaceAll(out, "${!", "${"), subErr
	case "Fn::FindInMap":
		// [MapName, TopLevelKey, SecondLevelKey], each possibly an intrinsic itself.
		// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-findinmap.html
		a, ok := arg.([]any)
		if !ok || len(a) != 3 {
			return nil, fmt.Errorf("Fn::FindInMap takes [map, top-level key, second-level key]")
		}
		keys := make([]string, 3)
		for i, e := range a {
			r, err := t.resolve(e)
			if err != nil {
				return nil, err
			}
			s, ok := r.(string)
			if !ok {
				return nil, fmt.Errorf("Fn::FindInMap key %v is not a string", r)
			}
			keys[i] = s
		}
		v, ok := t.mappings[keys[0]][keys[1]][keys[2]]
		if !ok {
			return nil, fmt.Errorf("Fn::FindInMap: mapping %s has no %s.%s", keys[0], keys[1], keys[2])
		}
		return v, nil
	case "Fn::Join":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("Fn::Join takes [delimiter, list]")
		}
		sep, _ := a[0].(string)
		list, err := t.resolve(a[1])
		if err != nil {
			return nil, err
		}
		items, ok := list.([]any)
		if !ok {
			return nil, fmt.Errorf("Fn::Join takes a list")
		}
		parts := make([]string, len(items))
		for i, it := range items {
			parts[i] = fmt.Sprint(it)
		}
		return strings.Join(parts, sep), nil
	case "Fn::Select":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("Fn::Select takes [index, list]")
		}
		idx, err := t.resolve(a[0])
		if err != nil {
			return nil, err
		}
		list, err := t.resolve(a[1])
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(fmt.Sprint(idx))
		items, ok := list.([]any)
		if err != nil || !ok || i < 0 || i >= len(items) {
			return nil, fmt.Errorf("Fn::Select index %v out of range", idx)
		}
		return items[i], nil
	case "Fn::Split":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, fmt.Errorf("Fn::Split takes [delimiter, string]")
		}
		sep, _ := a[0].(string)
		s, err := t.resolve(a[1])
		if err != nil {
			return nil, err
		}
		var out []any
		for _, p := range strings.Split(fmt.Sprint(s), sep) {
			out = append(out, p)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s is not supported locally", fn)
}

// seconds reads a numeric property (CloudFormation allows numbers as strings) as a duration.
func seconds(v any, def time.Duration) time.Duration {
	switch n := v.(type) {
	case float64:
		return time.Duration(n * float64(time.Second))
	case string:
		if f, err := strconv.ParseFloat(n, 64); err == nil {
			return time.Duration(f * float64(time.Second))
		}
	}
	return def
}

// Resources names what a stack built from the template holds: the pipeline bucket is the bucket with
// EventBridge notifications on.
func (t *Template) Resources() Resources {
	r := Resources{Functions: map[string]string{}}
	for _, id := range t.ResourcesOfType("AWS::S3::Bucket") {
		if n, _ := t.Property(id, "NotificationConfiguration"); n != nil {
			r.Bucket = t.Name(id)
		}
	}
	for _, id := range t.ResourcesOfType("AWS::StepFunctions::StateMachine") {
		r.StateMachineArn, _ = t.Arn(id)
		if cfg, _ := t.Property(id, "LoggingConfiguration"); cfg != nil {
			m, _ := cfg.(map[string]any)
			dests, _ := m["Destinations"].([]any)
			if len(dests) > 0 {
				d, _ := dests[0].(map[string]any)
				g, _ := d["CloudWatchLogsLogGroup"].(map[string]any)
				arn, _ := g["LogGroupArn"].(string)
				if i := strings.Index(arn, ":log-group:"); i >= 0 {
					r.StateMachineLogGroup = strings.TrimSuffix(arn[i+len(":log-group:"):], ":*")
				}
			}
		}
	}
	r.FunctionLogGroups = map[string]string{}
	for _, id := range t.ResourcesOfType("AWS::Lambda::Function") {
		r.Functions[id] = t.Name(id)
		r.FunctionLogGroups[id] = "/aws/lambda/" + t.Name(id)
		if cfg, _ := t.Property(id, "LoggingConfig"); cfg != nil {
			if g, _ := cfg.(map[string]any)["LogGroup"].(string); g != "" {
				r.FunctionLogGroups[id] = g
			}
		}
	}
	for _, id := range t.ResourcesOfType("AWS::Events::Rule") {
		r.Rules = append(r.Rules, t.Name(id))
	}
	return r
}
