package jsonata

// TopLevelFields returns the field names the expression reads from its
// input at the top level, in the order they are written: the first step
// of a path that starts from the input ("phone" in "phone[0]" or in
// "{'a': phone}"), not steps after a variable ("$states.input.phone"), in
// predicates, or in function bodies, which see another context. Step
// Functions gives JSONata no input, so it refuses such an expression
// (UNSUPPORTED_JSONATA_EXPRESSION).
func (e *Expr) TopLevelFields() []string {
	var out []string
	seen := map[string]bool{}
	var walk func(n *node)
	walk = func(n *node) {
		if n == nil {
			return
		}
		switch n.kind {
		case kName:
			if !seen[n.op] {
				seen[n.op] = true
				out = append(out, n.op)
			}
		case kPath:
			if len(n.items) > 0 {
				walk(n.items[0])
			}
		case kBinary, kApply, kBind, kCondition:
			if n.kind != kBind {
				walk(n.lhs)
			}
			walk(n.rhs)
			walk(n.els)
		case kNegate:
			walk(n.lhs)
		case kArray, kBlock:
			for _, it := range n.items {
				walk(it)
			}
		case kObject:
			for _, p := range n.pairs {
				walk(p.k)
				walk(p.v)
			}
		case kCall, kPartial:
			walk(n.lhs)
			for _, it := range n.items {
				walk(it)
			}
		}
	}
	walk(e.root)
	return out
}
