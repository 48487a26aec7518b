package jsonpath

import (
	"regexp"
	"strings"
)

// filterNode is a compiled filter expression ([?(...)]).
type filterNode interface {
	test(cur any, c *evalCtx) bool
}

var (
	_ filterNode = (*logicNode)(nil)
	_ filterNode = (*notNode)(nil)
	_ filterNode = (*existsNode)(nil)
	_ filterNode = (*compareNode)(nil)
)

type logicNode struct {
	or          bool
	left, right filterNode
}

func (n *logicNode) test(cur any, c *evalCtx) bool {
	if n.or {
		return n.left.test(cur, c) || n.right.test(cur, c)
	}
	return n.left.test(cur, c) && n.right.test(cur, c)
}

type notNode struct{ inner filterNode }

func (n *notNode) test(cur any, c *evalCtx) bool { return !n.inner.test(cur, c) }

// existsNode is a lone path: true when it names something.
type existsNode struct{ path *Path }

func (n *existsNode) test(cur any, c *evalCtx) bool {
	v, ok := filterPathValue(n.path, cur, c)
	if !ok {
		return false
	}
	if !n.path.definite {
		a, _ := v.([]any)
		return len(a) > 0
	}
	return true
}

type operand struct {
	path *Path
	lit  any
	re   *regexp.Regexp
}

func (o *operand) value(cur any, c *evalCtx) (any, bool) {
	if o.path != nil {
		return filterPathValue(o.path, cur, c)
	}
	return o.lit, true
}

// filterPathValue evaluates a path inside a filter: "@" is the current
// node, "$" the root of the enclosing path; missing means undefined.
func filterPathValue(p *Path, cur any, c *evalCtx) (any, bool) {
	var root any
	switch p.root {
	case rootCurrent:
		root = cur
	case rootInput:
		root = c.root
	default:
		r, ok := p.rootValue(c.scope)
		if !ok {
			return nil, false
		}
		root = r
	}
	if p.definite {
		v, err := p.evalDefinite(root)
		return v, err == nil
	}
	return collect(root, p.segs, nil, &evalCtx{scope: c.scope, root: c.root}), true
}

type compareNode struct {
	op          string
	left, right *operand
}

func (n *compareNode) test(cur any, c *evalCtx) bool {
	l, lok := n.left.value(cur, c)
	if n.op == "=~" {
		s, ok := l.(string)
		return lok && ok && n.right.re.MatchString(s)
	}
	r, rok := n.right.value(cur, c)
	switch n.op {
	case "==":
		return lok && rok && equal(l, r)
	case "!=":
		return !(lok && rok && equal(l, r))
	case "size":
		n, ok := toFloat(r)
		if !lok || !rok || !ok {
			return false
		}
		switch x := l.(type) {
		case []any:
			return float64(len(x)) == n
		case string:
			return float64(len([]rune(x))) == n
		}
		return false
	case "empty":
		want, ok := r.(bool)
		if !lok || !rok || !ok {
			return false
		}
		switch x := l.(type) {
		case []any:
			return (len(x) == 0) == want
		case string:
			return (x == "") == want
		}
		return false
	case "subsetof", "anyof", "noneof":
		la, ok1 := l.([]any)
		ra, ok2 := r.([]any)
		if !lok || !rok || !ok1 || !ok2 {
			return false
		}
		return setRelation(n.op, la, ra)
	case "in", "nin":
		list, ok := r.([]any)
		found := false
		if lok && rok && ok {
			for _, e := range list {
				if equal(l, e) {
					found = true
					break
				}
			}
		}
		if n.op == "in" {
			return found
		}
		return lok && rok && ok && !found
	}
	if !lok || !rok {
		return false
	}
	var cmp int
	switch {
	case isNumber(l) && isNumber(r):
		c, ok := compareNumbers(l, r)
		if !ok {
			return false
		}
		cmp = c
	default:
		ls, ok1 := l.(string)
		rs, ok2 := r.(string)
		if !ok1 || !ok2 {
			return false
		}
		cmp = strings.Compare(ls, rs)
	}
	switch n.op {
	case "<":
		return cmp < 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	case ">=":
		return cmp >= 0
	}
	return false
}

// setRelation implements subsetof (every left item is in right), anyof
// (some left item is in right) and noneof (no left item is in right).
func setRelation(op string, left, right []any) bool {
	contains := func(v any) bool {
		for _, e := range right {
			if equal(v, e) {
				return true
			}
		}
		return false
	}
	for _, v := range left {
		in := contains(v)
		switch {
		case op == "subsetof" && !in:
			return false
		case op == "anyof" && in:
			return true
		case op == "noneof" && in:
			return false
		}
	}
	return op != "anyof"
}
