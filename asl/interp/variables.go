package interp

// varScope holds workflow variables. The top level of an execution has one
// scope; each Parallel branch and Map iteration runs in a child scope that
// reads its parents' variables and keeps its own assignments to itself.
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
//
// A scope's map is replaced, never mutated, on assignment, so a child may
// read its parent while the parent waits for it.
type varScope struct {
	parent *varScope
	vals   map[string]any
}

func (s *varScope) get(name string) (any, bool) {
	for ; s != nil; s = s.parent {
		if v, ok := s.vals[name]; ok {
			return v, true
		}
	}
	return nil, false
}

func (s *varScope) assign(m map[string]any) {
	next := make(map[string]any, len(s.vals)+len(m))
	for k, v := range s.vals {
		next[k] = v
	}
	for k, v := range m {
		next[k] = v
	}
	s.vals = next
}

// each calls f for every visible variable, the innermost scope first (a
// name may come again from an outer scope, where it is shadowed).
func (s *varScope) each(f func(name string, v any)) {
	for ; s != nil; s = s.parent {
		for k, v := range s.vals {
			f(k, v)
		}
	}
}
