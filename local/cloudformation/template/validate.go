package template

import "strings"

// Validation is what ValidateTemplate answers for a valid template
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ValidateTemplate.html).
type Validation struct {
	Description        string
	Parameters         []ParameterDeclaration // in declaration order
	Capabilities       []string               // CAPABILITY_IAM or CAPABILITY_NAMED_IAM, if needed
	CapabilitiesReason string
	DeclaredTransforms []string
}

// ParameterDeclaration is one parameter as ValidateTemplate describes it.
type ParameterDeclaration struct {
	Key          string
	DefaultValue *string
	NoEcho       bool
	Description  string
}

// Capabilities (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html, Capabilities).
const (
	CapabilityIAM      = "CAPABILITY_IAM"
	CapabilityNamedIAM = "CAPABILITY_NAMED_IAM"
)

// iamTypes are the resource types that need CAPABILITY_IAM, each with the property that gives it a
// custom name (which needs CAPABILITY_NAMED_IAM instead).
var iamTypes = map[string]string{
	"AWS::IAM::AccessKey": "", "AWS::IAM::Group": "GroupName", "AWS::IAM::InstanceProfile": "InstanceProfileName",
	"AWS::IAM::ManagedPolicy": "ManagedPolicyName", "AWS::IAM::Policy": "", "AWS::IAM::Role": "RoleName",
	"AWS::IAM::User": "UserName", "AWS::IAM::UserToGroupAddition": "",
}

// Limits (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
const (
	MaxResources = 500
	MaxOutputs   = 200
	MaxMappings  = 200
)

// Validate checks what ValidateTemplate checks beyond the structure Parse read: every Ref, Fn::GetAtt
// and Fn::Sub names a parameter, pseudo parameter or resource; every function is known and has its
// shape; conditions exist; DependsOn names resources; resources form no cycle. The first problem is
// returned as an *Error with AWS's message.
func (t *Template) Validate() (*Validation, error) {
	if len(t.Resources) > MaxResources {
		return nil, formatErrorf("Number of resources, %d, is greater than maximum allowed, %d", len(t.Resources), MaxResources)
	}
	if len(t.Outputs) > MaxOutputs {
		return nil, formatErrorf("Number of outputs, %d, is greater than maximum allowed, %d", len(t.Outputs), MaxOutputs)
	}
	if len(t.Mappings) > MaxMappings {
		return nil, formatErrorf("Number of mappings, %d, is greater than maximum allowed, %d", len(t.Mappings), MaxMappings)
	}
	c := &checker{t: t, unresolved: map[string]bool{}}
	for _, name := range sortedKeys(t.Conditions) {
		c.inCondition = true
		if err := c.check(t.Conditions[name]); err != nil {
			return nil, err
		}
	}
	c.inCondition = false
	for _, id := range t.ResourceIDs() {
		r := t.Resources[id]
		for _, d := range r.DependsOn {
			if _, ok := t.Resources[d]; !ok {
				c.unresolved[d] = true
			}
		}
		if r.Condition != "" {
			if _, ok := t.Conditions[r.Condition]; !ok {
				return nil, formatErrorf("Unresolved condition dependencies [%s] in the Resources block of the template", r.Condition)
			}
		}
		if err := c.check(r.Properties); err != nil {
			return nil, err
		}
		if err := c.check(r.Metadata); err != nil {
			return nil, err
		}
	}
	for _, key := range sortedKeys(t.Outputs) {
		o := t.Outputs[key]
		if o.Condition != "" {
			if _, ok := t.Conditions[o.Condition]; !ok {
				return nil, formatErrorf("Unresolved condition dependencies [%s] in the Outputs block of the template", o.Condition)
			}
		}
		if err := c.check(o.Value); err != nil {
			return nil, err
		}
		if err := c.check(o.ExportName); err != nil {
			return nil, err
		}
	}
	if len(c.unresolved) > 0 {
		return nil, unresolved(sortedKeys(c.unresolved))
	}
	ids := t.ResourceIDs()
	deps := make(map[string][]string, len(ids))
	for _, id := range ids {
		deps[id] = t.resourceRefs(id, nil)
	}
	if _, err := topoOrder(ids, deps); err != nil {
		return nil, err
	}
	v := &Validation{Description: t.Description}
	for _, name := range t.parameterOrder {
		p := t.Parameters[name]
		v.Parameters = append(v.Parameters, ParameterDeclaration{Key: name, DefaultValue: p.Default, NoEcho: p.NoEcho, Description: p.Description})
	}
	v.Capabilities, v.CapabilitiesReason = t.capabilities()
	v.DeclaredTransforms = t.declaredTransforms()
	return v, nil
}

// declaredTransforms lists the Transform section's macros (a name, a list of names, or
// {"Name": ..., "Parameters": ...} entries).
func (t *Template) declaredTransforms() []string {
	var out []string
	add := func(x any) {
		switch x := x.(type) {
		case string:
			out = append(out, x)
		case map[string]any:
			if n, ok := x["Name"].(string); ok {
				out = append(out, n)
			}
		}
	}
	if l, ok := t.Transform.([]any); ok {
		for _, x := range l {
			add(x)
		}
	} else if t.Transform != nil {
		add(t.Transform)
	}
	return out
}

// capabilities returns the capability the template's IAM resources need, and AWS's reason text.
func (t *Template) capabilities() ([]string, string) {
	types := map[string]bool{}
	named := false
	for _, r := range t.Resources {
		nameProp, ok := iamTypes[r.Type]
		if !ok {
			continue
		}
		types[r.Type] = true
		if nameProp != "" && r.Properties[nameProp] != nil {
			named = true
		}
	}
	if len(types) == 0 {
		return nil, ""
	}
	reason := "The following resource(s) require capabilities: [" + strings.Join(sortedKeys(types), ", ") + "]"
	if named {
		return []string{CapabilityNamedIAM}, reason
	}
	return []string{CapabilityIAM}, reason
}

// checker walks a template statically (both Fn::If branches).
type checker struct {
	t           *Template
	inCondition bool
	unresolved  map[string]bool
}

func (c *checker) known(name string) bool {
	if isPseudo(name) {
		return true
	}
	if _, ok := c.t.Parameters[name]; ok {
		return true
	}
	_, ok := c.t.Resources[name]
	return ok
}

func (c *checker) check(v any) error {
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			if err := c.check(x); err != nil {
				return err
			}
		}
	case map[string]any:
		fn, arg, ok := intrinsicName(v, c.inCondition)
		if !ok {
			for _, k := range sortedKeys(v) {
				if err := c.check(v[k]); err != nil {
					return err
				}
			}
			return nil
		}
		return c.checkCall(fn, arg)
	}
	return nil
}

func (c *checker) checkCall(fn string, arg any) error {
	list := func(n int) ([]any, bool) {
		a, ok := arg.([]any)
		return a, ok && (n < 0 || len(a) == n)
	}
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return templateErrorf("Ref requires a string literal: the name of a parameter, pseudo parameter or resource")
		}
		if c.inCondition {
			if _, isRes := c.t.Resources[name]; isRes {
				return formatErrorf("Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template", name)
			}
		}
		if !c.known(name) {
			c.unresolved[name] = true
		}
		return nil
	case "Fn::GetAtt":
		id, _, err := (*evaluator)(nil).getAttArgs(arg)
		if err != nil {
			return err
		}
		if _, ok := c.t.Resources[id]; !ok {
			return templateErrorf("instance of Fn::GetAtt references undefined resource %s", id)
		}
		if a, ok := list(2); ok {
			return c.check(a[1])
		}
		return nil
	case "Fn::Sub":
		text, vars, err := subArgs(arg)
		if err != nil {
			return err
		}
		for _, p := range parseSub(text) {
			if !p.variable {
				continue
			}
			if _, local := vars[p.text]; local {
				continue
			}
			if id, _, ok := strings.Cut(p.text, "."); ok && !isPseudo(p.text) {
				if _, isRes := c.t.Resources[id]; !isRes {
					c.unresolved[p.text] = true
				}
			} else if !c.known(p.text) {
				c.unresolved[p.text] = true
			}
		}
		for _, k := range sortedKeys(vars) {
			if err := c.check(vars[k]); err != nil {
				return err
			}
		}
		return nil
	case "Fn::Join":
		a, ok := list(2)
		if _, isStr := a2(a, 0).(string); !ok || !isStr {
			return templateErrorf("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
		}
	case "Fn::Split":
		a, ok := list(2)
		if s, isStr := a2(a, 0).(string); !ok || !isStr || s == "" {
			return templateErrorf("every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.")
		}
	case "Fn::Select":
		if _, ok := list(2); !ok {
			return templateErrorf("Fn::Select requires a list argument with two elements: an integer index and a list")
		}
	case "Fn::FindInMap":
		a, ok := list(3)
		if !ok {
			return templateErrorf("every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
		}
		if name, ok := a[0].(string); ok {
			if _, ok := c.t.Mappings[name]; !ok {
				return templateErrorf("Mapping named '%s' is not present in the 'Mappings' section of template.", name)
			}
		}
	case "Fn::Cidr":
		if _, ok := list(3); !ok {
			return templateErrorf("Fn::Cidr requires a list argument with three elements: an IP block, a count and the CIDR bits")
		}
	case "Fn::GetAZs", "Fn::ImportValue", "Fn::Base64", "Fn::Transform":
		// Fn::Transform (AWS::Include) is a valid template; Bind refuses it as unsupported locally.
	case "Fn::If":
		a, ok := list(3)
		if !ok {
			return templateErrorf("Fn::If requires a list argument with three elements")
		}
		name, ok := a[0].(string)
		if !ok {
			return templateErrorf("Fn::If requires a list argument with the first element being a condition")
		}
		if _, ok := c.t.Conditions[name]; !ok {
			return templateErrorf("unresolved condition dependency %s in Fn::If", name)
		}
		return c.check(a[1:])
	case "Condition":
		name, ok := arg.(string)
		if !ok {
			return formatErrorf("Every Condition member must be a string")
		}
		if _, ok := c.t.Conditions[name]; !ok {
			return formatErrorf("Unresolved condition dependencies [%s] in the Conditions block of the template", name)
		}
		return nil
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		a, ok := list(-1)
		switch {
		case !ok:
			return templateErrorf("%s requires a list argument", fn)
		case fn == "Fn::Equals" && len(a) != 2:
			return templateErrorf("Fn::Equals requires a list argument with two elements")
		case fn == "Fn::Not" && len(a) != 1:
			return templateErrorf("Fn::Not requires a list argument with one function token")
		case (fn == "Fn::And" || fn == "Fn::Or") && (len(a) < 2 || len(a) > 10):
			return templateErrorf("%s requires a list argument with between 2 and 10 function tokens", fn)
		}
		if fn != "Fn::Equals" {
			saved := c.inCondition
			c.inCondition = true
			defer func() { c.inCondition = saved }()
		}
	default:
		return unsupportedFunction(fn)
	}
	return c.check(arg)
}

// a2 returns a[i] or nil.
func a2(a []any, i int) any {
	if i < len(a) {
		return a[i]
	}
	return nil
}
