package gen

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/sluicehq/sluice/tasks/schema"
)

// Paths of the generated files, relative to the repository root.
const (
	PathTemplate     = "deploy/template.json"
	PathStateMachine = "statemachine/pipeline.asl.json"
	PathMockConfig   = "test/sfnlocal/MockConfigFile.json"
	PathMockCases    = "test/sfnlocal/cases.json"
	// PathSchemaFormat is the JSON Schema of the dataset schema format, made from tasks/schema's types.
	PathSchemaFormat = schema.JSONSchemaPath
)

// File is one generated file.
type File struct {
	Path string // relative to the repository root, slash-separated
	Data []byte
}

// Files returns every generated file for the configuration, in a fixed order.
func Files(c Config) ([]File, error) {
	template, err := TemplateJSON(c)
	if err != nil {
		return nil, err
	}
	definition, err := StateMachineJSON(c)
	if err != nil {
		return nil, err
	}
	mock, cases, err := MockConfig(c)
	if err != nil {
		return nil, err
	}
	mockJSON, err := indentJSON(mock)
	if err != nil {
		return nil, fmt.Errorf("encode mock config: %w", err)
	}
	casesJSON, err := indentJSON(cases)
	if err != nil {
		return nil, fmt.Errorf("encode mock cases: %w", err)
	}
	format, err := schema.JSONSchema()
	if err != nil {
		return nil, fmt.Errorf("encode the schema format: %w", err)
	}
	return []File{
		{PathTemplate, template},
		{PathStateMachine, definition},
		{PathMockConfig, mockJSON},
		{PathMockCases, casesJSON},
		{PathSchemaFormat, format},
	}, nil
}

// StateMachineJSON returns the state machine definition as the bytes of statemachine/pipeline.asl.json:
// states in flow order, two-space indentation, a final newline.
func StateMachineJSON(c Config) ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	b, err := indentJSON(StateMachine(c))
	if err != nil {
		return nil, fmt.Errorf("encode state machine: %w", err)
	}
	return b, nil
}

// indentJSON encodes v with two-space indentation, without HTML escaping, and a final newline.
func indentJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
