package template

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Lookup answers for resources already provisioned: what Ref gives (the physical id, or whatever the
// type's Ref returns) and the Fn::GetAtt attributes. A resource the Lookup does not know is not
// provisioned yet; resolving a value that needs it fails with ErrNotProvisioned.
type Lookup interface {
	Ref(logicalID string) (string, bool)
	GetAtt(logicalID, attribute string) (any, bool)
}

// Physical is one provisioned resource, as Provisioned holds it.
type Physical struct {
	Ref        string
	Attributes map[string]any
}

// Provisioned is a Lookup over a map from logical id to what was provisioned.
type Provisioned map[string]Physical

var _ Lookup = Provisioned(nil)

// Ref implements Lookup.
func (p Provisioned) Ref(id string) (string, bool) {
	r, ok := p[id]
	return r.Ref, ok
}

// GetAtt implements Lookup.
func (p Provisioned) GetAtt(id, attr string) (any, bool) {
	r, ok := p[id]
	if !ok {
		return nil, false
	}
	v, ok := r.Attributes[attr]
	return v, ok
}

// Functions CloudFormation knows, as its "unsupported function" error lists them.
var supportedFunctions = "[Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join, Fn::Split, Fn::FindInMap, Fn::Select, Ref, Fn::Equals, Fn::If, Fn::Not, Condition, Fn::And, Fn::Or, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::ValueOf, Fn::ValueOfAll, Fn::RefAll, Fn::Sub, Fn::Cidr]"

// intrinsicName returns the function a one-key object calls, if it is one ("Ref" or "Fn::...";
// "Condition" only inside conditions).
func intrinsicName(m map[string]any, inCondition bool) (string, any, bool) {
	if len(m) != 1 {
		return "", nil, false
	}
	for k, v := range m {
		if k == "Ref" || strings.HasPrefix(k, "Fn::") || (inCondition && k == "Condition") {
			return k, v, true
		}
	}
	return "", nil, false
}

func unsupportedFunction(fn string) error {
	return formatErrorf("Encountered unsupported function: %s Supported functions are: %s", fn, supportedFunctions)
}

// evaluator resolves values for one bound stack. lookup may be nil (nothing provisioned).
type evaluator struct {
	s           *Stack
	lookup      Lookup
	inCondition bool
}

// eval resolves every intrinsic function in v. It may return noValue{} (Ref AWS::NoValue), which the
// enclosing object or list drops.
func (e *evaluator) eval(v any) (any, error) {
	switch v := v.(type) {
	case []any:
		out := make([]any, 0, len(v))
		for _, x := range v {
			r, err := e.eval(x)
			if err != nil {
				return nil, err
			}
			if _, drop := r.(noValue); !drop {
				out = append(out, r)
			}
		}
		return out, nil
	case map[string]any:
		if fn, arg, ok := intrinsicName(v, e.inCondition); ok {
			return e.call(fn, arg)
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			r, err := e.eval(x)
			if err != nil {
				return nil, err
			}
			if _, drop := r.(noValue); !drop {
				out[k] = r
			}
		}
		return out, nil
	}
	return v, nil
}

func (e *evaluator) call(fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		return e.ref(arg)
	case "Fn::GetAtt":
		return e.getAtt(arg)
	case "Fn::Sub":
		return e.sub(arg)
	case "Fn::Join":
		return e.join(arg)
	case "Fn::Select":
		return e.selectFn(arg)
	case "Fn::Split":
		return e.split(arg)
	case "Fn::FindInMap":
		return e.findInMap(arg)
	case "Fn::GetAZs":
		return e.getAZs(arg)
	case "Fn::ImportValue":
		return e.importValue(arg)
	case "Fn::Base64":
		s, err := e.evalString(arg, "Fn::Base64")
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::Cidr":
		return e.cidr(arg)
	case "Fn::If":
		return e.ifFn(arg)
	case "Fn::Transform":
		return nil, &Error{Message: "Fn::Transform (macros, AWS::Include) is not supported by the local CloudFormation", cause: ErrUnsupported}
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition":
		return e.condition(fn, arg)
	}
	return nil, unsupportedFunction(fn)
}

// ref implements Ref (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-ref.html):
// a pseudo parameter, a parameter's value, or a resource's Ref value from the Lookup.
func (e *evaluator) ref(arg any) (any, error) {
	name, ok := arg.(string)
	if !ok {
		return nil, templateErrorf("Ref requires a string literal: the name of a parameter, pseudo parameter or resource")
	}
	if isPseudo(name) {
		return e.s.env.pseudo(name), nil
	}
	if v, ok := e.s.params[name]; ok {
		return v, nil
	}
	if e.inCondition {
		return nil, formatErrorf("Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template", name)
	}
	if _, ok := e.s.t.Resources[name]; !ok {
		return nil, unresolved([]string{name})
	}
	return e.resourceRef(name)
}

func (e *evaluator) resourceRef(id string) (string, error) {
	if !e.s.Active(id) {
		// A resource whose Condition is false is not in the stack: referring to it outside the Fn::If
		// that guards it is an unresolved dependency, as in AWS.
		return "", unresolved([]string{id})
	}
	if e.lookup != nil {
		if v, ok := e.lookup.Ref(id); ok {
			return v, nil
		}
	}
	return "", &Error{Message: "resource " + id + " is not provisioned yet", cause: ErrNotProvisioned}
}

// getAttArgs reads Fn::GetAtt's two forms: [Resource, Attribute] (the attribute may be a Ref) and
// "Resource.Attribute" (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-getatt.html).
func (e *evaluator) getAttArgs(arg any) (string, string, error) {
	shape := templateErrorf("every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute")
	var id, attr string
	switch a := arg.(type) {
	case string:
		var ok bool
		id, attr, ok = strings.Cut(a, ".")
		if !ok {
			return "", "", shape
		}
	case []any:
		if len(a) != 2 {
			return "", "", shape
		}
		id, _ = a[0].(string)
		switch x := a[1].(type) {
		case string:
			attr = x
		case map[string]any:
			if e == nil {
				return id, "*", nil // validation: an attribute named by a Ref
			}
			v, err := e.eval(x)
			if err != nil {
				return "", "", err
			}
			attr, _ = v.(string)
		}
	default:
		return "", "", shape
	}
	if id == "" || attr == "" {
		return "", "", shape
	}
	return id, attr, nil
}

func (e *evaluator) getAtt(arg any) (any, error) {
	id, attr, err := e.getAttArgs(arg)
	if err != nil {
		return nil, err
	}
	return e.attribute(id, attr)
}

func (e *evaluator) attribute(id, attr string) (any, error) {
	if _, ok := e.s.t.Resources[id]; !ok {
		return nil, templateErrorf("instance of Fn::GetAtt references undefined resource %s", id)
	}
	if !e.s.Active(id) {
		return nil, templateErrorf("instance of Fn::GetAtt references undefined resource %s", id)
	}
	if e.lookup != nil {
		if v, ok := e.lookup.GetAtt(id, attr); ok {
			return v, nil
		}
		if _, ok := e.lookup.Ref(id); ok {
			return nil, templateErrorf("resource %s does not support attribute type %s in Fn::GetAtt", id, attr)
		}
	}
	return nil, &Error{Message: "resource " + id + " is not provisioned yet", cause: ErrNotProvisioned}
}

func subShape() error {
	return templateErrorf("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
}

// sub implements Fn::Sub, both forms (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html).
func (e *evaluator) sub(arg any) (any, error) {
	text, varsArg, err := subArgs(arg)
	if err != nil {
		return nil, err
	}
	vars := map[string]any{}
	for k, x := range varsArg {
		r, err := e.eval(x)
		if err != nil {
			return nil, err
		}
		vars[k] = r
	}
	var b strings.Builder
	for _, p := range parseSub(text) {
		if !p.variable {
			b.WriteString(p.text)
			continue
		}
		var v any
		if x, ok := vars[p.text]; ok {
			v = x
		} else if id, attr, ok := strings.Cut(p.text, "."); ok && !isPseudo(p.text) {
			if _, isRes := e.s.t.Resources[id]; !isRes {
				return nil, unresolved([]string{p.text})
			}
			if v, err = e.attribute(id, attr); err != nil {
				return nil, err
			}
		} else if v, err = e.ref(p.text); err != nil {
			return nil, err
		}
		s, ok := stringValue(v)
		if !ok {
			return nil, templateErrorf("variable %s in Fn::Sub expression does not resolve to a string", p.text)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func subArgs(arg any) (string, map[string]any, error) {
	switch a := arg.(type) {
	case string:
		return a, nil, nil
	case []any:
		if len(a) != 2 {
			return "", nil, subShape()
		}
		text, ok := a[0].(string)
		vars, ok2 := a[1].(map[string]any)
		if !ok || !ok2 {
			return "", nil, subShape()
		}
		return text, vars, nil
	}
	return "", nil, subShape()
}

// stringValue is the text of a scalar (numbers and booleans as CloudFormation prints them).
func stringValue(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case float64, bool, int:
		return scalarText(v), true
	}
	return "", false
}

func (e *evaluator) evalString(arg any, fn string) (string, error) {
	v, err := e.eval(arg)
	if err != nil {
		return "", err
	}
	s, ok := stringValue(v)
	if !ok {
		return "", templateErrorf("%s requires a string argument", fn)
	}
	return s, nil
}

func (e *evaluator) evalList(arg any) ([]any, bool, error) {
	v, err := e.eval(arg)
	if err != nil {
		return nil, false, err
	}
	l, ok := v.([]any)
	return l, ok, nil
}

// join implements Fn::Join (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-join.html).
func (e *evaluator) join(arg any) (any, error) {
	shape := templateErrorf("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		return nil, shape
	}
	sep, ok := a[0].(string)
	if !ok {
		return nil, shape
	}
	items, ok, err := e.evalList(a[1])
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, shape
	}
	parts := make([]string, len(items))
	for i, it := range items {
		s, ok := stringValue(it)
		if !ok {
			return nil, shape
		}
		parts[i] = s
	}
	return strings.Join(parts, sep), nil
}

// selectFn implements Fn::Select (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-select.html).
func (e *evaluator) selectFn(arg any) (any, error) {
	shape := templateErrorf("Fn::Select requires a list argument with two elements: an integer index and a list")
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		return nil, shape
	}
	idx, err := e.eval(a[0])
	if err != nil {
		return nil, err
	}
	s, ok := stringValue(idx)
	if !ok {
		return nil, shape
	}
	i, err := strconv.Atoi(s)
	if err != nil {
		return nil, shape
	}
	items, ok, err := e.evalList(a[1])
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, shape
	}
	if i < 0 || i >= len(items) {
		return nil, templateErrorf("Fn::Select cannot select nonexistent value at index %d", i)
	}
	return items[i], nil
}

// split implements Fn::Split (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-split.html).
func (e *evaluator) split(arg any) (any, error) {
	shape := templateErrorf("every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.")
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		return nil, shape
	}
	sep, ok := a[0].(string)
	if !ok || sep == "" {
		return nil, shape
	}
	v, err := e.eval(a[1])
	if err != nil {
		return nil, err
	}
	s, ok := stringValue(v)
	if !ok {
		return nil, shape
	}
	parts := strings.Split(s, sep)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

// findInMap implements Fn::FindInMap (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-findinmap.html).
func (e *evaluator) findInMap(arg any) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 3 {
		return nil, templateErrorf("every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
	}
	keys := make([]string, 3)
	for i, x := range a {
		s, err := e.evalString(x, "Fn::FindInMap")
		if err != nil {
			return nil, err
		}
		keys[i] = s
	}
	if _, ok := e.s.t.Mappings[keys[0]]; !ok {
		return nil, templateErrorf("Mapping named '%s' is not present in the 'Mappings' section of template.", keys[0])
	}
	v, ok := e.s.t.Mappings[keys[0]][keys[1]][keys[2]]
	if !ok {
		return nil, templateErrorf("Unable to get mapping for %s::%s::%s", keys[0], keys[1], keys[2])
	}
	return v, nil
}

// getAZs implements Fn::GetAZs: locally every region has three zones, <region>a, b and c
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-getavailabilityzones.html).
func (e *evaluator) getAZs(arg any) (any, error) {
	region, err := e.evalString(arg, "Fn::GetAZs")
	if err != nil {
		return nil, err
	}
	if region == "" {
		region = e.s.env.Region
	}
	return []any{region + "a", region + "b", region + "c"}, nil
}

// importValue implements Fn::ImportValue through Env.Import
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-importvalue.html).
func (e *evaluator) importValue(arg any) (any, error) {
	name, err := e.evalString(arg, "Fn::ImportValue")
	if err != nil {
		return nil, err
	}
	if e.s.env.Import != nil {
		if v, ok := e.s.env.Import(name); ok {
			return v, nil
		}
	}
	return nil, errorf("No export named %s found", name)
}

// ifFn implements Fn::If (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-conditions.html#intrinsic-function-reference-conditions-if).
func (e *evaluator) ifFn(arg any) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 3 {
		return nil, templateErrorf("Fn::If requires a list argument with three elements")
	}
	name, ok := a[0].(string)
	if !ok {
		return nil, templateErrorf("Fn::If requires a list argument with the first element being a condition")
	}
	c, err := e.s.conditionValue(name)
	if err != nil {
		return nil, err
	}
	if c {
		return e.eval(a[1])
	}
	return e.eval(a[2])
}
