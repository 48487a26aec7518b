package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Parameter is one declared parameter
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html).
type Parameter struct {
	Name                  string
	Type                  string
	Description           string
	Default               *string // nil when the template gives none; numbers and lists are given as text
	AllowedValues         []string
	AllowedPattern        string
	MinLength, MaxLength  *int
	MinValue, MaxValue    *float64
	NoEcho                bool
	ConstraintDescription string
	pattern               *regexp.Regexp
}

// Parameter types (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html#parameters-section-structure-properties-type).
const (
	TypeString             = "String"
	TypeNumber             = "Number"
	TypeNumberList         = "List<Number>"
	TypeCommaDelimitedList = "CommaDelimitedList"
)

// IsList reports whether Ref of a parameter of this type gives a list.
func IsList(typ string) bool {
	return typ == TypeNumberList || typ == TypeCommaDelimitedList || strings.HasPrefix(typ, "List<") ||
		strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<List<") || strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<CommaDelimitedList")
}

// IsSSM reports whether the parameter's value is the name of a Systems Manager parameter, which the
// local engine does not read (Bind fails with ErrUnsupported).
func IsSSM(typ string) bool { return strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<") }

func validParameterType(typ string) bool {
	switch typ {
	case TypeString, TypeNumber, TypeNumberList, TypeCommaDelimitedList, "AWS::SSM::Parameter::Name":
		return true
	}
	if IsSSM(typ) {
		return strings.HasSuffix(typ, ">")
	}
	// AWS-specific types: AWS::EC2::KeyPair::KeyName, List<AWS::EC2::Subnet::Id>, ...; taken as strings.
	if inner, ok := strings.CutPrefix(typ, "List<"); ok {
		return strings.HasSuffix(inner, ">") && strings.HasPrefix(inner, "AWS::")
	}
	return strings.HasPrefix(typ, "AWS::") && strings.Count(typ, "::") >= 2
}

var parameterKeys = map[string]bool{
	"Type": true, "Default": true, "Description": true, "AllowedValues": true, "AllowedPattern": true,
	"MinLength": true, "MaxLength": true, "MinValue": true, "MaxValue": true, "NoEcho": true, "ConstraintDescription": true,
}

func (t *Template) parseParameters(v any, body []byte) error {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return formatErrorf("Parameters must be an object")
	}
	if len(m) > 200 {
		// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
		return formatErrorf("Parameter count %d is greater than max allowed 200", len(m))
	}
	t.Parameters = make(map[string]*Parameter, len(m))
	for name, e := range m {
		if !validLogicalID(name) {
			return formatErrorf("Parameter name %s is non alphanumeric.", name)
		}
		pm, ok := e.(map[string]any)
		if !ok {
			return formatErrorf("Every Parameters object must contain a Type member.")
		}
		p := &Parameter{Name: name}
		for k := range pm {
			if !parameterKeys[k] {
				return formatErrorf("Invalid template parameter property '%s'", k)
			}
		}
		p.Type, ok = pm["Type"].(string)
		if !ok {
			return formatErrorf("Every Parameters object must contain a Type member.")
		}
		if !validParameterType(p.Type) {
			return formatErrorf("Unrecognized parameter type: %s", p.Type)
		}
		p.Description, _ = pm["Description"].(string)
		p.ConstraintDescription, _ = pm["ConstraintDescription"].(string)
		if d, ok := pm["Default"]; ok && d != nil {
			s := scalarText(d)
			p.Default = &s
		}
		switch av := pm["AllowedValues"].(type) {
		case nil:
		case []any:
			for _, a := range av {
				p.AllowedValues = append(p.AllowedValues, scalarText(a))
			}
		default:
			return formatErrorf("Parameter '%s' AllowedValues must be a list", name)
		}
		if ap, ok := pm["AllowedPattern"]; ok {
			p.AllowedPattern = scalarText(ap)
			// AWS matches the whole value (java.util.regex matches()); RE2 is the closest Go has.
			re, err := regexp.Compile(`^(?:` + p.AllowedPattern + `)$`)
			if err != nil {
				return formatErrorf("Parameter '%s' AllowedPattern is not a valid regular expression", name)
			}
			p.pattern = re
		}
		for key, dst := range map[string]**int{"MinLength": &p.MinLength, "MaxLength": &p.MaxLength} {
			if x, ok := pm[key]; ok {
				n, err := strconv.Atoi(scalarText(x))
				if err != nil {
					return formatErrorf("Parameter '%s' %s must be an integer", name, key)
				}
				*dst = &n
			}
		}
		for key, dst := range map[string]**float64{"MinValue": &p.MinValue, "MaxValue": &p.MaxValue} {
			if x, ok := pm[key]; ok {
				f, err := strconv.ParseFloat(scalarText(x), 64)
				if err != nil {
					return formatErrorf("Parameter '%s' %s must be a number", name, key)
				}
				*dst = &f
			}
		}
		if ne, ok := pm["NoEcho"]; ok {
			p.NoEcho = strings.EqualFold(scalarText(ne), "true")
		}
		t.Parameters[name] = p
	}
	t.parameterOrder = declaredOrder(body, "Parameters")
	if len(t.parameterOrder) != len(t.Parameters) {
		t.parameterOrder = sortedKeys(t.Parameters)
	}
	return nil
}

// ParameterNames returns the declared parameters' names in the order the template declares them.
func (t *Template) ParameterNames() []string { return append([]string(nil), t.parameterOrder...) }

// scalarText is the text of a template scalar as CloudFormation reads it: numbers without exponent or
// trailing zeros, booleans as "true"/"false", lists comma-joined.
func scalarText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e21 {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = scalarText(e)
		}
		return strings.Join(parts, ",")
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// check validates one value against the parameter's type and constraints, with AWS's messages; a
// ConstraintDescription replaces the constraint's own text.
func (p *Parameter) check(value string) error {
	fail := func(format string, args ...any) error {
		if p.ConstraintDescription != "" {
			return errorf("Parameter '%s' failed to satisfy constraint: %s", p.Name, p.ConstraintDescription)
		}
		return errorf("Parameter '%s' %s", p.Name, fmt.Sprintf(format, args...))
	}
	var items []string
	if IsList(p.Type) {
		items = splitList(value)
	} else {
		items = []string{value}
	}
	for _, v := range items {
		if p.Type == TypeNumber || p.Type == TypeNumberList {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return errorf("Parameter '%s' must be a number", p.Name)
			}
			if p.MinValue != nil && f < *p.MinValue {
				return fail("must be a number not less than %s", scalarText(*p.MinValue))
			}
			if p.MaxValue != nil && f > *p.MaxValue {
				return fail("must be a number not greater than %s", scalarText(*p.MaxValue))
			}
		}
		n := utf8.RuneCountInString(v)
		if p.MinLength != nil && n < *p.MinLength {
			return fail("must contain at least %d characters", *p.MinLength)
		}
		if p.MaxLength != nil && n > *p.MaxLength {
			return fail("must contain at most %d characters", *p.MaxLength)
		}
		if p.pattern != nil && !p.pattern.MatchString(v) {
			return fail("must match pattern %s", p.AllowedPattern)
		}
		if len(p.AllowedValues) > 0 && !contains(p.AllowedValues, v) {
			return fail("must be one of AllowedValues")
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// splitList splits a CommaDelimitedList or List<...> value at the commas, each member space-trimmed
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html).
func splitList(value string) []string {
	parts := strings.Split(value, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

// declaredOrder returns the keys of a top-level section in the order the body declares them, or nil.
func declaredOrder(body []byte, section string) []string {
	trimmed := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return jsonKeyOrder(trimmed, section)
	}
	return yamlKeyOrder(body, section)
}

func jsonKeyOrder(body []byte, section string) []string {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return nil
	}
	raw, ok := top[section]
	if !ok {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		k, _ := tok.(string)
		keys = append(keys, k)
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return nil
		}
	}
	return keys
}
