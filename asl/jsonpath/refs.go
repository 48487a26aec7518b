package jsonpath

import "sort"

// References reports what an expression reads besides "$": whether it
// uses the context object ("$$") and which variables ("$name") it names,
// so a host can skip building the context object, or check that every
// variable is assigned somewhere.
type References struct {
	Context   bool
	Variables []string // sorted, without duplicates
}

// References reports what the path reads (filters included).
func (p *Path) References() References {
	var r refCollector
	r.path(p)
	return r.result()
}

// References reports what the call reads.
func (f *Intrinsic) References() References {
	var r refCollector
	r.call(f.call)
	return r.result()
}

// References reports what the template reads.
func (t *Template) References() References {
	var r refCollector
	r.node(&t.root)
	return r.result()
}

type refCollector struct {
	context bool
	vars    map[string]bool
}

func (r *refCollector) result() References {
	out := References{Context: r.context}
	for v := range r.vars {
		out.Variables = append(out.Variables, v)
	}
	sort.Strings(out.Variables)
	return out
}

func (r *refCollector) path(p *Path) {
	switch p.root {
	case rootContext:
		r.context = true
	case rootVar:
		if r.vars == nil {
			r.vars = map[string]bool{}
		}
		r.vars[p.varName] = true
	}
	for i := range p.segs {
		r.segment(&p.segs[i])
	}
}

func (r *refCollector) segment(s *segment) {
	if s.inner != nil {
		r.segment(s.inner)
	}
	if s.filter != nil {
		r.filter(s.filter)
	}
}

func (r *refCollector) filter(f filterNode) {
	switch n := f.(type) {
	case *logicNode:
		r.filter(n.left)
		r.filter(n.right)
	case *notNode:
		r.filter(n.inner)
	case *existsNode:
		r.path(n.path)
	case *compareNode:
		for _, o := range []*operand{n.left, n.right} {
			if o.path != nil {
				r.path(o.path)
			}
		}
	}
}

func (r *refCollector) call(c *call) {
	for i := range c.args {
		switch a := &c.args[i]; a.kind {
		case argPath:
			r.path(a.path)
		case argCall:
			r.call(a.call)
		}
	}
}

func (r *refCollector) node(n *tnode) {
	switch n.kind {
	case tObject:
		for i := range n.fields {
			r.node(&n.fields[i].node)
		}
	case tArray:
		for i := range n.items {
			r.node(&n.items[i])
		}
	case tPath:
		r.path(n.path)
	case tIntrinsic:
		r.call(n.fn.call)
	}
}
