package template

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// shortForms maps the YAML short-form tags to the full function names
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html).
var shortForms = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition",
	"!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub", "!Join": "Fn::Join", "!Select": "Fn::Select", "!Split": "Fn::Split",
	"!FindInMap": "Fn::FindInMap", "!GetAZs": "Fn::GetAZs", "!ImportValue": "Fn::ImportValue", "!Base64": "Fn::Base64",
	"!Cidr": "Fn::Cidr", "!If": "Fn::If", "!Equals": "Fn::Equals", "!And": "Fn::And", "!Or": "Fn::Or", "!Not": "Fn::Not",
	"!Transform": "Fn::Transform", "!Length": "Fn::Length", "!ToJsonString": "Fn::ToJsonString",
}

// maxYAMLDepth bounds nesting, so a hostile body cannot exhaust the stack.
const maxYAMLDepth = 200

func decodeYAML(body []byte) (any, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(body, &root); err != nil {
		return nil, formatErrorf("YAML not well-formed. (%s)", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if root.Kind == 0 {
		return nil, formatErrorf("YAML not well-formed. (empty template)")
	}
	var c yamlConverter
	v, err := c.fromNode(&root, 0)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// maxYAMLNodes bounds the nodes read, aliases expanded, so a body of aliases to aliases cannot grow
// without bound in memory.
const maxYAMLNodes = 1 << 20

var (
	errYAMLDepth = errors.New("nested too deeply")
	errYAMLSize  = errors.New("too many nodes (aliases expanded)")
)

type yamlConverter struct{ nodes int }

func (c *yamlConverter) fromNode(n *yaml.Node, depth int) (any, error) {
	if depth > maxYAMLDepth {
		return nil, formatErrorf("YAML not well-formed. (line %d, column %d: %v)", n.Line, n.Column, errYAMLDepth)
	}
	if c.nodes++; c.nodes > maxYAMLNodes {
		return nil, formatErrorf("YAML not well-formed. (line %d, column %d: %v)", n.Line, n.Column, errYAMLSize)
	}
	if fn, ok := shortForms[n.Tag]; ok {
		inner := *n
		inner.Tag = ""
		inner.Style &^= yaml.TaggedStyle
		arg, err := c.fromNode(&inner, depth+1)
		if err != nil {
			return nil, err
		}
		if fn == "Fn::GetAtt" {
			// !GetAtt Resource.Attribute is the string form, kept as written.
			if s, ok := arg.(string); ok {
				return map[string]any{fn: s}, nil
			}
		}
		return map[string]any{fn: arg}, nil
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return nil, formatErrorf("YAML not well-formed. (line %d, column %d: unknown tag %s)", n.Line, n.Column, n.Tag)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.fromNode(n.Content[0], depth+1)
	case yaml.AliasNode:
		return c.fromNode(n.Alias, depth+1)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, formatErrorf("YAML not well-formed. (line %d, column %d: a key must be a scalar)", k.Line, k.Column)
			}
			if _, dup := m[k.Value]; dup {
				return nil, formatErrorf("YAML not well-formed. (line %d, column %d: duplicate key %s)", k.Line, k.Column, k.Value)
			}
			v, err := c.fromNode(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.fromNode(e, depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			b, err := strconv.ParseBool(strings.ToLower(n.Value))
			if err != nil {
				return n.Value, nil
			}
			return b, nil
		case "!!int", "!!float":
			var f float64
			if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return n.Value, nil
			}
			return f, nil
		}
		return n.Value, nil
	}
	return nil, formatErrorf("YAML not well-formed. (line %d, column %d)", n.Line, n.Column)
}

func yamlKeyOrder(body []byte, section string) []string {
	var root yaml.Node
	if yaml.Unmarshal(body, &root) != nil || len(root.Content) == 0 {
		return nil
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value != section || top.Content[i+1].Kind != yaml.MappingNode {
			continue
		}
		var keys []string
		for j := 0; j < len(top.Content[i+1].Content); j += 2 {
			keys = append(keys, top.Content[i+1].Content[j].Value)
		}
		return keys
	}
	return nil
}
