package events

import (
	"errors"
	"strconv"
	"strings"
)

// jsonPath is the JSONPath subset EventBridge evaluates in InputPath and
// InputPathsMap: "$", dot notation, bracketed names, array indices and the
// "*" wildcard (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).
type jsonPath struct {
	steps    []pathStep
	wildcard bool
}

type pathStep struct {
	name  string
	index int // >= 0 for [n]
	all   bool
}

var errBadPath = errors.New("invalid JSON path")

func parseJSONPath(s string) (*jsonPath, error) {
	if !strings.HasPrefix(s, "$") {
		return nil, errBadPath
	}
	p := &jsonPath{}
	rest := s[1:]
	for rest != "" {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			name := rest[:end]
			if name == "" {
				return nil, errBadPath
			}
			if name == "*" {
				p.steps = append(p.steps, pathStep{all: true, index: -1})
				p.wildcard = true
			} else {
				p.steps = append(p.steps, pathStep{name: name, index: -1})
			}
			rest = rest[end:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, errBadPath
			}
			inner := rest[1:end]
			rest = rest[end+1:]
			switch {
			case inner == "*":
				p.steps = append(p.steps, pathStep{all: true, index: -1})
				p.wildcard = true
			case len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0]:
				p.steps = append(p.steps, pathStep{name: inner[1 : len(inner)-1], index: -1})
			default:
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return nil, errBadPath
				}
				p.steps = append(p.steps, pathStep{index: n})
			}
		default:
			return nil, errBadPath
		}
	}
	return p, nil
}

// eval returns the value at the path. A path with a wildcard yields the list
// of every match; found is false when nothing is there.
func (p *jsonPath) eval(doc any) (v any, found bool) {
	cur := []any{doc}
	for _, st := range p.steps {
		var next []any
		for _, x := range cur {
			switch {
			case st.all:
				switch c := x.(type) {
				case map[string]any:
					for _, k := range sortedKeys(c) {
						next = append(next, c[k])
					}
				case []any:
					next = append(next, c...)
				}
			case st.index >= 0:
				if a, ok := x.([]any); ok && st.index < len(a) {
					next = append(next, a[st.index])
				}
			default:
				if m, ok := x.(map[string]any); ok {
					if child, ok := m[st.name]; ok {
						next = append(next, child)
					}
				}
			}
		}
		cur = next
	}
	if p.wildcard {
		if cur == nil {
			cur = []any{}
		}
		return cur, true
	}
	if len(cur) == 0 {
		return nil, false
	}
	return cur[0], true
}
