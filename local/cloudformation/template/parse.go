package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Template is a parsed CloudFormation template. It is immutable once parsed: Bind makes a Stack for one
// set of parameter values, and many Stacks may share one Template.
type Template struct {
	FormatVersion string
	Description   string
	Transform     any
	Metadata      any
	Parameters    map[string]*Parameter
	Mappings      map[string]map[string]map[string]any
	Conditions    map[string]any
	Resources     map[string]*Resource
	Outputs       map[string]*Output
	// Body is the template as given (what GetTemplate answers).
	Body []byte
	// parameterOrder is the order the Parameters are declared in (JSON and YAML alike).
	parameterOrder []string
}

// Resource is one entry of the Resources section, as written (intrinsics unresolved).
type Resource struct {
	Type                string
	Properties          map[string]any
	DependsOn           []string
	Condition           string
	DeletionPolicy      string
	UpdateReplacePolicy string
	Metadata            any
	CreationPolicy      any
	UpdatePolicy        any
}

// Output is one entry of the Outputs section, as written.
type Output struct {
	Description string
	Value       any
	Condition   string
	// ExportName is the Export's Name (an intrinsic may make it), nil when the output is not exported.
	ExportName any
}

// Sections a template may have (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html).
var sections = map[string]bool{
	"AWSTemplateFormatVersion": true, "Description": true, "Metadata": true, "Parameters": true, "Rules": true,
	"Mappings": true, "Conditions": true, "Transform": true, "Resources": true, "Outputs": true,
}

// Parse reads a template body, JSON or YAML (with the short forms !Ref, !GetAtt, !Sub, ...). It checks
// the template's structure (sections, resource and output shapes); Validate checks references and
// intrinsic functions. Errors are *Error with AWS's message.
func Parse(body []byte) (*Template, error) {
	doc, err := decode(body)
	if err != nil {
		return nil, err
	}
	return fromDocument(doc, body)
}

// decode reads JSON when the body starts with '{', YAML otherwise (as CloudFormation does: a JSON
// document is also YAML, but a JSON error is reported as such).
func decode(body []byte) (map[string]any, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var doc map[string]any
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		if err := dec.Decode(&doc); err != nil {
			return nil, formatErrorf("JSON not well-formed. %s", jsonPosition(trimmed, err))
		}
		if dec.More() {
			return nil, formatErrorf("JSON not well-formed. (data after the template)")
		}
		return doc, nil
	}
	v, err := decodeYAML(body)
	if err != nil {
		return nil, err
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, formatErrorf("YAML not well-formed. (the template is not a mapping)")
	}
	return doc, nil
}

// jsonPosition renders a JSON syntax error's offset as "(line L, column C)".
func jsonPosition(body []byte, err error) string {
	se, ok := err.(*json.SyntaxError)
	if !ok {
		return "(" + err.Error() + ")"
	}
	off := int(se.Offset)
	if off > len(body) {
		off = len(body)
	}
	// Offset counts the offending byte; report its own position, 1-based.
	if off > 0 {
		off--
	}
	line := 1 + bytes.Count(body[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(body[:off], '\n')
	return fmt.Sprintf("(line %d, column %d)", line, col)
}

func fromDocument(doc map[string]any, body []byte) (*Template, error) {
	var unknown []string
	for k := range doc {
		if !sections[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, formatErrorf("Invalid template property or properties [%s]", strings.Join(unknown, ", "))
	}
	t := &Template{Body: body, Transform: doc["Transform"], Metadata: doc["Metadata"]}
	if v, ok := doc["AWSTemplateFormatVersion"]; ok {
		s, ok := v.(string)
		if !ok || s != "2010-09-09" {
			return nil, formatErrorf("'%v' is not a valid template version.", v)
		}
		t.FormatVersion = s
	}
	if v, ok := doc["Description"]; ok {
		s, ok := v.(string)
		if !ok {
			return nil, formatErrorf("Description must be a String")
		}
		t.Description = s
	}
	res, ok := doc["Resources"].(map[string]any)
	if !ok || len(res) == 0 {
		// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html
		return nil, formatErrorf("At least one Resources member must be defined.")
	}
	t.Resources = make(map[string]*Resource, len(res))
	for id, v := range res {
		r, err := parseResource(id, v)
		if err != nil {
			return nil, err
		}
		t.Resources[id] = r
	}
	if err := t.parseParameters(doc["Parameters"], body); err != nil {
		return nil, err
	}
	if err := t.parseMappings(doc["Mappings"]); err != nil {
		return nil, err
	}
	if v, ok := doc["Conditions"]; ok && v != nil {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, formatErrorf("Every Conditions member must be an object")
		}
		t.Conditions = m
	}
	if err := t.parseOutputs(doc["Outputs"]); err != nil {
		return nil, err
	}
	return t, nil
}

func validLogicalID(id string) bool {
	if id == "" || len(id) > 255 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// resourceKeys are the attributes a resource may have
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html and
// the resource attribute reference); Description is let through, as some generators write it.
var resourceKeys = map[string]bool{
	"Type": true, "Properties": true, "DependsOn": true, "Condition": true, "DeletionPolicy": true,
	"UpdateReplacePolicy": true, "Metadata": true, "CreationPolicy": true, "UpdatePolicy": true, "Version": true,
	"Description": true,
}

func parseResource(id string, v any) (*Resource, error) {
	if !validLogicalID(id) {
		return nil, formatErrorf("Resource name %s is non alphanumeric.", id)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, formatErrorf("[/Resources/%s] Every Resources object must contain a Type member.", id)
	}
	for _, k := range sortedKeys(m) {
		if !resourceKeys[k] {
			return nil, formatErrorf("Invalid template resource property '%s'", k)
		}
	}
	r := &Resource{Metadata: m["Metadata"], CreationPolicy: m["CreationPolicy"], UpdatePolicy: m["UpdatePolicy"]}
	r.Type, ok = m["Type"].(string)
	if !ok || r.Type == "" {
		return nil, formatErrorf("[/Resources/%s] Every Resources object must contain a Type member.", id)
	}
	if p, ok := m["Properties"]; ok && p != nil {
		props, ok := p.(map[string]any)
		if !ok {
			return nil, formatErrorf("[/Resources/%s/Properties] Every Properties member must be an object", id)
		}
		r.Properties = props
	}
	switch d := m["DependsOn"].(type) {
	case nil:
	case string:
		r.DependsOn = []string{d}
	case []any:
		for _, e := range d {
			s, ok := e.(string)
			if !ok {
				return nil, formatErrorf("[/Resources/%s/DependsOn] DependsOn must be a string or a list of strings", id)
			}
			r.DependsOn = append(r.DependsOn, s)
		}
	default:
		return nil, formatErrorf("[/Resources/%s/DependsOn] DependsOn must be a string or a list of strings", id)
	}
	for key, dst := range map[string]*string{"Condition": &r.Condition, "DeletionPolicy": &r.DeletionPolicy, "UpdateReplacePolicy": &r.UpdateReplacePolicy} {
		if v, ok := m[key]; ok {
			s, ok := v.(string)
			if !ok && key == "Condition" {
				// https://repost.aws/knowledge-center/cloudformation-template-validation
				return nil, formatErrorf("Every Condition member must be a string.")
			}
			if !ok {
				return nil, formatErrorf("[/Resources/%s/%s] %s must be a string", id, key, key)
			}
			*dst = s
		}
	}
	for _, p := range []struct{ key, value string }{{"DeletionPolicy", r.DeletionPolicy}, {"UpdateReplacePolicy", r.UpdateReplacePolicy}} {
		switch p.value {
		case "", "Delete", "Retain", "RetainExceptOnCreate", "Snapshot":
		default:
			return nil, formatErrorf("Unrecognized %s %s for resource %s", p.key, p.value, id)
		}
	}
	return r, nil
}

func (t *Template) parseMappings(v any) error {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return formatErrorf("Mappings must be an object")
	}
	t.Mappings = make(map[string]map[string]map[string]any, len(m))
	for name, top := range m {
		tm, ok := top.(map[string]any)
		if !ok {
			return formatErrorf("Every Mappings member %s must be a map", name)
		}
		t.Mappings[name] = make(map[string]map[string]any, len(tm))
		for key, second := range tm {
			sm, ok := second.(map[string]any)
			if !ok {
				return formatErrorf("Every Mappings attribute must be a String or a List.")
			}
			t.Mappings[name][key] = sm
		}
	}
	return nil
}

func (t *Template) parseOutputs(v any) error {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return formatErrorf("Outputs must be an object")
	}
	t.Outputs = make(map[string]*Output, len(m))
	for name, e := range m {
		om, ok := e.(map[string]any)
		if !ok || om["Value"] == nil {
			// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/outputs-section-structure.html
			return formatErrorf("Every Outputs member must contain a Value object")
		}
		o := &Output{Value: om["Value"]}
		o.Description, _ = om["Description"].(string)
		if c, ok := om["Condition"]; ok {
			if o.Condition, ok = c.(string); !ok {
				return formatErrorf("Every Condition member must be a string.")
			}
		}
		if ex, ok := om["Export"]; ok {
			exm, ok := ex.(map[string]any)
			if !ok || exm["Name"] == nil {
				return formatErrorf("[/Outputs/%s/Export] Export must contain a Name", name)
			}
			o.ExportName = exm["Name"]
		}
		t.Outputs[name] = o
	}
	return nil
}

// ResourceIDs returns the logical ids of every resource, sorted.
func (t *Template) ResourceIDs() []string { return sortedKeys(t.Resources) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
