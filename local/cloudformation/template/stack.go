package template

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Stack is a template bound to parameter values and an Env: conditions are decided, and resources and
// outputs can be resolved. Bind decides every condition, so a Stack is read-only afterwards and safe
// for concurrent use.
type Stack struct {
	t          *Template
	env        Env
	params     map[string]any    // what Ref gives: a string, or a list for list types
	values     map[string]string // the values as given (or defaulted)
	conditions map[string]bool
	evaluating map[string]bool
}

// ParameterValue is one parameter as DescribeStacks shows it: NoEcho values masked.
type ParameterValue struct {
	Key   string
	Value string
}

// MaskedValue is what Describe answers show for a NoEcho parameter
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html#parameters-section-structure-properties-noecho).
const MaskedValue = "****"

// Bind checks the parameter values against the template's declarations and decides the conditions. A
// parameter absent from params takes its Default. Errors are *Error with AWS's message:
// "Parameters: [X] must have values", "Parameters: [X] do not exist in the template",
// "Parameter 'X' must be one of AllowedValues", and so on.
func (t *Template) Bind(params map[string]string, env Env) (*Stack, error) {
	var unknown []string
	for k := range params {
		if _, ok := t.Parameters[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, errorf("Parameters: [%s] do not exist in the template", strings.Join(unknown, ", "))
	}
	if tr := t.declaredTransforms(); len(tr) > 0 {
		return nil, &Error{Message: fmt.Sprintf("Transform %s is not supported by the local CloudFormation", strings.Join(tr, ", ")), cause: ErrUnsupported}
	}
	s := &Stack{t: t, env: env, params: map[string]any{}, values: map[string]string{},
		conditions: map[string]bool{}, evaluating: map[string]bool{}}
	var missing []string
	for _, name := range t.parameterOrder {
		p := t.Parameters[name]
		v, ok := params[name]
		if !ok && p.Default != nil {
			v, ok = *p.Default, true
		}
		if !ok {
			missing = append(missing, name)
			continue
		}
		s.values[name] = v
	}
	if len(missing) > 0 {
		return nil, errorf("Parameters: [%s] must have values", strings.Join(missing, ", "))
	}
	for _, name := range t.parameterOrder {
		p := t.Parameters[name]
		v := s.values[name]
		if IsSSM(p.Type) {
			return nil, &Error{Message: fmt.Sprintf("Parameter '%s' of type %s needs Systems Manager Parameter Store", name, p.Type), cause: ErrUnsupported}
		}
		if err := p.check(v); err != nil {
			return nil, err
		}
		if IsList(p.Type) {
			items := splitList(v)
			l := make([]any, len(items))
			for i, it := range items {
				l[i] = it
			}
			s.params[name] = l
		} else {
			s.params[name] = v
		}
	}
	for _, name := range sortedKeys(t.Conditions) {
		if _, err := s.conditionValue(name); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Template returns the template the stack was bound from.
func (s *Stack) Template() *Template { return s.t }

// Env returns the environment the stack was bound with.
func (s *Stack) Env() Env { return s.env }

// Parameters returns the parameters in declaration order, NoEcho values masked as "****".
func (s *Stack) Parameters() []ParameterValue {
	out := make([]ParameterValue, 0, len(s.values))
	for _, name := range s.t.parameterOrder {
		v := s.values[name]
		if s.t.Parameters[name].NoEcho {
			v = MaskedValue
		}
		out = append(out, ParameterValue{Key: name, Value: v})
	}
	return out
}

// ParameterValues returns the parameters' values unmasked (for the caller to store, not to show).
func (s *Stack) ParameterValues() map[string]string {
	out := make(map[string]string, len(s.values))
	for k, v := range s.values {
		out[k] = v
	}
	return out
}

// Condition returns a condition's value and whether the template declares it.
func (s *Stack) Condition(name string) (value, ok bool) {
	value, ok = s.conditions[name]
	return value, ok
}

// Active reports whether the template declares the resource and its Condition (if any) is true.
func (s *Stack) Active(id string) bool {
	r, ok := s.t.Resources[id]
	if !ok {
		return false
	}
	return r.Condition == "" || s.conditions[r.Condition]
}

// Resources returns the logical ids of the resources the stack holds (Condition true), sorted.
func (s *Stack) Resources() []string {
	var ids []string
	for _, id := range s.t.ResourceIDs() {
		if s.Active(id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// ResolvedResource is one resource with every intrinsic function resolved.
type ResolvedResource struct {
	LogicalID           string
	Type                string
	Properties          map[string]any // AWS::NoValue properties removed; numbers are float64
	Metadata            any
	DependsOn           []string // explicit and implied (Ref, Fn::GetAtt, Fn::Sub), sorted
	DeletionPolicy      string
	UpdateReplacePolicy string
}

// ResolveResource resolves one resource's properties. lookup answers for the resources already
// provisioned; a reference to one it does not know fails with an error wrapping ErrNotProvisioned
// (provision in Order and it never does).
func (s *Stack) ResolveResource(id string, lookup Lookup) (*ResolvedResource, error) {
	r, ok := s.t.Resources[id]
	if !ok {
		return nil, unresolved([]string{id})
	}
	if !s.Active(id) {
		return nil, errorf("Resource %s is not part of the stack: its Condition %s is false", id, r.Condition)
	}
	e := &evaluator{s: s, lookup: lookup}
	props, err := e.eval(nonNilMap(r.Properties))
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", id, err)
	}
	out := &ResolvedResource{LogicalID: id, Type: r.Type, Properties: props.(map[string]any),
		DependsOn: s.dependencies(id), DeletionPolicy: r.DeletionPolicy, UpdateReplacePolicy: r.UpdateReplacePolicy}
	if r.Metadata != nil {
		if out.Metadata, err = e.eval(r.Metadata); err != nil {
			return nil, fmt.Errorf("resolve %s Metadata: %w", id, err)
		}
	}
	return out, nil
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// OutputValue is one resolved output, as DescribeStacks shows it.
type OutputValue struct {
	Key         string
	Value       string
	Description string
	ExportName  string // "" when not exported
}

// Outputs resolves the outputs whose Condition holds, sorted by key. A value that is a list is
// rendered comma-separated.
func (s *Stack) Outputs(lookup Lookup) ([]OutputValue, error) {
	e := &evaluator{s: s, lookup: lookup}
	var out []OutputValue
	for _, key := range sortedKeys(s.t.Outputs) {
		o := s.t.Outputs[key]
		if o.Condition != "" {
			c, err := s.conditionValue(o.Condition)
			if err != nil {
				return nil, err
			}
			if !c {
				continue
			}
		}
		v, err := e.eval(o.Value)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", key, err)
		}
		text, ok := outputText(v)
		if !ok {
			return nil, templateErrorf("Output %s: the Value must resolve to a string or a list of strings", key)
		}
		ov := OutputValue{Key: key, Value: text, Description: o.Description}
		if o.ExportName != nil {
			n, err := e.eval(o.ExportName)
			if err != nil {
				return nil, fmt.Errorf("output %s export name: %w", key, err)
			}
			if ov.ExportName, ok = stringValue(n); !ok || ov.ExportName == "" {
				return nil, templateErrorf("Output %s: the Export Name must resolve to a string", key)
			}
		}
		out = append(out, ov)
	}
	return out, nil
}

func outputText(v any) (string, bool) {
	if s, ok := stringValue(v); ok {
		return s, true
	}
	l, ok := v.([]any)
	if !ok {
		return "", false
	}
	parts := make([]string, len(l))
	for i, x := range l {
		if parts[i], ok = stringValue(x); !ok {
			return "", false
		}
	}
	return strings.Join(parts, ","), true
}

// Resolve resolves an arbitrary template fragment in the stack's context (tests and callers that keep
// their own fragments, e.g. a DefinitionString).
func (s *Stack) Resolve(v any, lookup Lookup) (any, error) {
	e := &evaluator{s: s, lookup: lookup}
	r, err := e.eval(v)
	if _, ok := r.(noValue); ok {
		return nil, nil
	}
	return r, err
}

// IsNotProvisioned reports whether err is (or wraps) ErrNotProvisioned.
func IsNotProvisioned(err error) bool { return errors.Is(err, ErrNotProvisioned) }
