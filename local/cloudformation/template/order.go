package template

import (
	"sort"
	"strings"
)

// reference is one name a template value refers to: a Ref target, an Fn::GetAtt resource, or an
// Fn::Sub variable (attr set for Resource.Attribute forms).
type reference struct {
	name string
	attr string
	fn   string // "Ref", "Fn::GetAtt" or "Fn::Sub"
}

// references collects what v refers to. pick, when not nil, chooses the Fn::If branch (true: the
// first); with pick nil both branches count (static validation).
func references(v any, pick func(cond string) bool, add func(reference)) {
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			references(x, pick, add)
		}
	case map[string]any:
		fn, arg, ok := intrinsicName(v, false)
		if !ok {
			for _, x := range v {
				references(x, pick, add)
			}
			return
		}
		switch fn {
		case "Ref":
			if name, ok := arg.(string); ok {
				add(reference{name: name, fn: fn})
			}
			return
		case "Fn::GetAtt":
			id, attr, err := (*evaluator)(nil).getAttArgs(arg)
			if err == nil {
				add(reference{name: id, attr: attr, fn: fn})
			}
			if a, ok := arg.([]any); ok && len(a) == 2 {
				references(a[1], pick, add)
			}
			return
		case "Fn::Sub":
			text, vars, err := subArgs(arg)
			if err != nil {
				return
			}
			for _, p := range parseSub(text) {
				if !p.variable {
					continue
				}
				if _, local := vars[p.text]; local {
					continue
				}
				if id, attr, ok := strings.Cut(p.text, "."); ok && !isPseudo(p.text) {
					add(reference{name: id, attr: attr, fn: fn})
				} else {
					add(reference{name: p.text, fn: fn})
				}
			}
			for _, x := range vars {
				references(x, pick, add)
			}
			return
		case "Fn::If":
			a, ok := arg.([]any)
			if ok && len(a) == 3 && pick != nil {
				if c, ok := a[0].(string); ok {
					if pick(c) {
						references(a[1], pick, add)
					} else {
						references(a[2], pick, add)
					}
					return
				}
			}
		}
		references(arg, pick, add)
	}
}

// resourceRefs returns the resources a resource refers to through its Properties and Metadata, and
// its DependsOn, sorted and without duplicates. pick chooses Fn::If branches (nil: both).
func (t *Template) resourceRefs(id string, pick func(string) bool) []string {
	r := t.Resources[id]
	seen := map[string]bool{}
	add := func(ref reference) {
		if _, ok := t.Resources[ref.name]; ok && !isPseudo(ref.name) {
			seen[ref.name] = true
		}
	}
	references(r.Properties, pick, add)
	references(r.Metadata, pick, add)
	for _, d := range r.DependsOn {
		if _, ok := t.Resources[d]; ok {
			seen[d] = true
		}
	}
	return sortedKeys(seen)
}

// dependencies returns the active resources id depends on.
func (s *Stack) dependencies(id string) []string {
	var out []string
	for _, d := range s.t.resourceRefs(id, s.pick) {
		if s.Active(d) {
			out = append(out, d)
		}
	}
	return out
}

func (s *Stack) pick(cond string) bool { return s.conditions[cond] }

// Order returns the stack's resources in an order to create them: each after every resource it refers
// to (Ref, Fn::GetAtt, Fn::Sub) or names in DependsOn; among the ready ones, by logical id. A cycle is
// AWS's "Circular dependency between resources: [A, B]".
func (s *Stack) Order() ([]string, error) {
	ids := s.Resources()
	deps := make(map[string][]string, len(ids))
	for _, id := range ids {
		deps[id] = s.dependencies(id)
	}
	return topoOrder(ids, deps)
}

// DeletionOrder is Order reversed: each resource deleted before the ones it depends on.
func (s *Stack) DeletionOrder() ([]string, error) {
	order, err := s.Order()
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
		order[i], order[j] = order[j], order[i]
	}
	return order, nil
}

// DependencyGraph returns, for each active resource, the resources it depends on (sorted).
func (s *Stack) DependencyGraph() map[string][]string {
	g := map[string][]string{}
	for _, id := range s.Resources() {
		g[id] = s.dependencies(id)
	}
	return g
}

// topoOrder is Kahn's algorithm with the ready set kept sorted, so the order is deterministic.
func topoOrder(ids []string, deps map[string][]string) ([]string, error) {
	pending := make(map[string]int, len(ids))
	dependents := map[string][]string{}
	for _, id := range ids {
		pending[id] = len(deps[id])
		for _, d := range deps[id] {
			dependents[d] = append(dependents[d], id)
		}
	}
	var ready []string
	for _, id := range ids {
		if pending[id] == 0 {
			ready = append(ready, id)
		}
	}
	order := make([]string, 0, len(ids))
	for len(ready) > 0 {
		sort.Strings(ready)
		id := ready[0]
		ready = ready[1:]
		order = append(order, id)
		for _, x := range dependents[id] {
			if pending[x]--; pending[x] == 0 {
				ready = append(ready, x)
			}
		}
	}
	if len(order) < len(ids) {
		// What is left is on a cycle or waits for one: AWS names all of it
		// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html#troubleshooting-errors-dependency-error).
		var left []string
		for _, id := range ids {
			if pending[id] > 0 {
				left = append(left, id)
			}
		}
		sort.Strings(left)
		return nil, errorf("Circular dependency between resources: [%s]", strings.Join(left, ", "))
	}
	return order, nil
}
