package schema

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
)

// JSONSchemaPath is where the repository keeps the JSON Schema of the schema format (written by
// `sluice gen`, checked by `sluice gen --check`); sample schemas name it in their "$schema" member.
const JSONSchemaPath = "tasks/schema/sluice-schema.json"

// JSONSchema returns a JSON Schema (draft 2020-12, https://json-schema.org/draft/2020-12/schema) of the
// schema document format, made from the Go types of this package by reflection: their JSON member names,
// Go types, doc and required tags, the column types and the formats. Editors use it to complete and check
// schema files. It describes the document's shape; Parse checks more (a pattern compiles, min is not
// above max, a member belongs to the column's type), and is what the pipeline applies.
func JSONSchema() ([]byte, error) {
	defs := map[string]any{}
	root := objectSchema(reflect.TypeFor[Schema](), defs)
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["title"] = "sluice dataset schema"
	root["description"] = "The schema of one dataset, stored at schemas/<dataset>.json in the pipeline bucket. " +
		"See `go doc github.com/sluicehq/sluice/tasks/schema` for the meaning of each member and how values are coerced."
	root["$defs"] = defs
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// objectSchema describes a struct type: its members, which are required, and no others.
func objectSchema(t reflect.Type, defs map[string]any) map[string]any {
	props := map[string]any{}
	var required []string
	for i := range t.NumField() {
		f := t.Field(i)
		name := jsonName(f)
		if name == "" {
			continue
		}
		p := typeSchema(f.Type, defs)
		if doc := f.Tag.Get("doc"); doc != "" {
			p["description"] = doc
		}
		memberRules(t, name, p)
		props[name] = p
		if f.Tag.Get("required") == "true" {
			required = append(required, name)
		}
	}
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// typeSchema describes one Go type as JSON.
func typeSchema(t reflect.Type, defs map[string]any) map[string]any {
	switch t {
	case reflect.TypeFor[json.RawMessage]():
		return map[string]any{"type": []string{"number", "string"}}
	case reflect.TypeFor[Type]():
		return map[string]any{"enum": Types()}
	case reflect.TypeFor[Column]():
		if _, ok := defs["column"]; !ok {
			defs["column"] = nil // placeholder against recursion
			defs["column"] = objectSchema(t, defs)
		}
		return map[string]any{"$ref": "#/$defs/column"}
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		return objectSchema(t, defs)
	case reflect.Slice:
		return map[string]any{"type": "array", "items": typeSchema(t.Elem(), defs)}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer", "minimum": 0}
	}
	return map[string]any{}
}

// memberRules adds what the Go type alone does not say about a member: bounds and allowed values.
func memberRules(owner reflect.Type, name string, p map[string]any) {
	switch owner.Name() + "." + name {
	case "Schema.name", "Column.name":
		p["minLength"], p["maxLength"] = 1, maxNameLen
	case "Schema.formats":
		p["items"] = map[string]any{"enum": Formats()}
		p["uniqueItems"] = true
	case "Schema.columns":
		p["minItems"], p["maxItems"] = 1, MaxColumns
	case "CSV.delimiter":
		p["minLength"], p["maxLength"] = 1, 1
	case "Column.enum":
		p["minItems"] = 1
	case "Column.precision":
		p["minimum"], p["maximum"] = 1, maxDecimalDigits
	case "Column.scale":
		p["maximum"] = maxDecimalDigits
	case "Column.type":
		p["description"] = p["description"].(string) + " One of: " + strings.Join(typeNames(), ", ") + "."
	}
}

func typeNames() []string {
	var out []string
	for _, t := range Types() {
		out = append(out, string(t))
	}
	return out
}
