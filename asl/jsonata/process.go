package jsonata

import "strconv"

// process rewrites a raw parse tree into the evaluated form: dotted steps
// become paths, predicates become stages, %, @ and # bindings are resolved
// to tuple-stream steps, and tail calls in lambda bodies become thunks.
func (p *parser) process(n *node) (*node, error) {
	r, err := p.proc(n)
	if err != nil {
		return nil, err
	}
	if r.kind == kParent {
		return nil, newError("S0217", r.pos, "", nil)
	}
	for _, s := range r.seeking {
		if s.level > 0 {
			return nil, newError("S0217", r.pos, "", nil)
		}
	}
	return r, nil
}

func pushAncestry(result, value *node) {
	if value.kind == kParent {
		result.seeking = append(result.seeking, value.slot)
	}
	if len(value.seeking) > 0 {
		result.seeking = append(result.seeking, value.seeking...)
	}
}

func (p *parser) seekParent(n *node, s *slot) (*slot, error) {
	switch n.kind {
	case kName, kWildcard:
		s.level--
		if s.level == 0 {
			if n.ancestor != nil {
				s.label = n.ancestor.label
			}
			n.ancestor = s
			n.tuple = true
		}
	case kParent:
		s.level++
	case kBlock:
		if len(n.items) > 0 {
			n.tuple = true
			return p.seekParent(n.items[len(n.items)-1], s)
		}
	case kPath:
		n.tuple = true
		i := len(n.steps()) - 1
		var err error
		s, err = p.seekParent(n.items[i], s)
		if err != nil {
			return nil, err
		}
		i--
		for s.level > 0 && i >= 0 {
			if s, err = p.seekParent(n.items[i], s); err != nil {
				return nil, err
			}
			i--
		}
	default:
		return nil, newError("S0217", n.pos, kindName(n.kind), nil)
	}
	return s, nil
}

func (n *node) steps() []*node { return n.items }

func (p *parser) resolveAncestry(path *node) error {
	steps := path.items
	last := steps[len(steps)-1]
	slots := append([]*slot(nil), last.seeking...)
	if last.kind == kParent {
		slots = append(slots, last.slot)
	}
	for _, s := range slots {
		i := len(steps) - 2
		for s.level > 0 {
			if i < 0 {
				path.seeking = append(path.seeking, s)
				break
			}
			step := steps[i]
			i--
			for i >= 0 && step.hasFocus && steps[i].hasFocus {
				step = steps[i]
				i--
			}
			var err error
			if s, err = p.seekParent(step, s); err != nil {
				return err
			}
		}
	}
	return nil
}

func kindName(k kind) string {
	switch k {
	case kString:
		return "string"
	case kNumber:
		return "number"
	case kValue:
		return "value"
	case kVariable:
		return "variable"
	case kCall:
		return "function"
	case kLambda:
		return "lambda"
	case kBinary:
		return "binary"
	case kArray, kObject, kNegate:
		return "unary"
	case kCondition:
		return "condition"
	case kSort:
		return "sort"
	case kRegex:
		return "regex"
	}
	return "expression"
}

func (p *parser) proc(n *node) (*node, error) {
	r, err := p.proc1(n)
	if err != nil {
		return nil, err
	}
	if n.keepArray {
		r.keepArray = true
	}
	return r, nil
}

func (p *parser) proc1(n *node) (*node, error) {
	var err error
	switch n.kind {
	case kDot:
		l, err := p.proc(n.lhs)
		if err != nil {
			return nil, err
		}
		var result *node
		if l.kind == kPath {
			result = l
		} else {
			result = &node{kind: kPath, items: []*node{l}, pos: n.pos}
		}
		if l.kind == kParent {
			result.seeking = append(result.seeking, l.slot)
		}
		r, err := p.proc(n.rhs)
		if err != nil {
			return nil, err
		}
		if r.kind == kPath {
			result.items = append(result.items, r.items...)
		} else {
			if r.predicates != nil {
				r.stages = r.predicates
				r.predicates = nil
			}
			result.items = append(result.items, r)
		}
		for _, s := range result.items {
			switch s.kind {
			case kNumber, kValue:
				return nil, newError("S0213", s.pos, "", s.val)
			case kString:
				s.kind = kName
			}
			if s.keepArray {
				result.keepSingle = true
			}
		}
		if f := result.items[0]; f.kind == kArray {
			f.consArray = true
		}
		if l := result.items[len(result.items)-1]; l.kind == kArray {
			l.consArray = true
		}
		if err := p.resolveAncestry(result); err != nil {
			return nil, err
		}
		return result, nil
	case kPredicate:
		result, err := p.proc(n.lhs)
		if err != nil {
			return nil, err
		}
		step := result
		onStep := false
		if result.kind == kPath {
			step = result.items[len(result.items)-1]
			onStep = true
		}
		if step.group != nil {
			return nil, newError("S0209", n.pos, "", nil)
		}
		pred, err := p.proc(n.rhs)
		if err != nil {
			return nil, err
		}
		for _, s := range pred.seeking {
			if s.level == 1 {
				if _, err := p.seekParent(step, s); err != nil {
					return nil, err
				}
			} else {
				s.level--
			}
		}
		pushAncestry(step, pred)
		st := stage{expr: pred, pos: n.pos}
		if onStep {
			step.stages = append(step.stages, st)
		} else {
			step.predicates = append(step.predicates, st)
		}
		return result, nil
	case kGroupBy:
		result, err := p.proc(n.lhs)
		if err != nil {
			return nil, err
		}
		if result.group != nil {
			return nil, newError("S0210", n.pos, "", nil)
		}
		g := &group{pos: n.pos}
		for _, pr := range n.pairs {
			k, err := p.proc(pr.k)
			if err != nil {
				return nil, err
			}
			v, err := p.proc(pr.v)
			if err != nil {
				return nil, err
			}
			g.pairs = append(g.pairs, pair{k, v})
		}
		result.group = g
		return result, nil
	case kOrderBy:
		result, err := p.proc(n.lhs)
		if err != nil {
			return nil, err
		}
		if result.kind != kPath {
			result = &node{kind: kPath, items: []*node{result}, pos: n.pos}
		}
		sortStep := &node{kind: kSort, pos: n.pos}
		for _, t := range n.terms {
			e, err := p.proc(t.expr)
			if err != nil {
				return nil, err
			}
			pushAncestry(sortStep, e)
			sortStep.terms = append(sortStep.terms, sortTerm{expr: e, desc: t.desc})
		}
		result.items = append(result.items, sortStep)
		if err := p.resolveAncestry(result); err != nil {
			return nil, err
		}
		return result, nil
	case kFocus:
		result, err := p.proc(n.lhs)
		if err != nil {
			return nil, err
		}
		step := result
		if result.kind == kPath {
			step = result.items[len(result.items)-1]
		}
		if step.stages != nil || step.predicates != nil {
			return nil, newError("S0215", n.pos, "", nil)
		}
		if step.kind == kSort {
			return nil, newError("S0216", n.pos, "", nil)
		}
		if n.keepArray {
			step.keepArray = true
			result.keepSingle = true
		}
		step.focus = n.op
		step.hasFocus = true
		step.tuple = true
		return result, nil
	case kIndexBind:
		result, err := p.proc(n.lhs)
		if err != nil {
			return nil, err
		}
		var step *node
		if result.kind == kPath {
			step = result.items[len(result.items)-1]
		} else {
			step = result
			result = &node{kind: kPath, items: []*node{result}, pos: n.pos}
			if step.predicates != nil {
				step.stages = step.predicates
				step.predicates = nil
			}
		}
		if step.stages == nil {
			step.index = n.op
			step.hasIndex = true
		} else {
			step.stages = append(step.stages, stage{isIndex: true, index: n.op, pos: n.pos})
		}
		step.tuple = true
		if n.keepArray {
			step.keepArray = true
			result.keepSingle = true
		}
		return result, nil
	case kName:
		r := &node{kind: kPath, items: []*node{n}, pos: n.pos}
		if n.keepArray {
			r.keepSingle = true
		}
		return r, nil
	case kParent:
		n.slot = &slot{label: "!" + strconv.Itoa(p.ancestors), level: 1, index: p.ancestors}
		p.ancestors++
		return n, nil
	case kBinary, kApply:
		if n.lhs, err = p.proc(n.lhs); err != nil {
			return nil, err
		}
		if n.rhs, err = p.proc(n.rhs); err != nil {
			return nil, err
		}
		pushAncestry(n, n.lhs)
		pushAncestry(n, n.rhs)
		return n, nil
	case kBind:
		if n.rhs, err = p.proc(n.rhs); err != nil {
			return nil, err
		}
		pushAncestry(n, n.rhs)
		return n, nil
	case kNegate:
		if n.lhs, err = p.proc(n.lhs); err != nil {
			return nil, err
		}
		if n.lhs.kind == kNumber {
			return &node{kind: kNumber, num: -n.lhs.num, val: -n.lhs.num, pos: n.pos}, nil
		}
		pushAncestry(n, n.lhs)
		return n, nil
	case kArray, kBlock:
		for i, it := range n.items {
			if n.items[i], err = p.proc(it); err != nil {
				return nil, err
			}
			pushAncestry(n, n.items[i])
		}
		if n.kind == kBlock {
			for _, it := range n.items {
				if bindsHere(it) {
					n.binds = true
				}
			}
		}
		return n, nil
	case kObject:
		for i, pr := range n.pairs {
			if n.pairs[i].k, err = p.proc(pr.k); err != nil {
				return nil, err
			}
			if n.pairs[i].v, err = p.proc(pr.v); err != nil {
				return nil, err
			}
			pushAncestry(n, n.pairs[i].k)
			pushAncestry(n, n.pairs[i].v)
		}
		return n, nil
	case kCondition:
		if n.lhs, err = p.proc(n.lhs); err != nil {
			return nil, err
		}
		pushAncestry(n, n.lhs)
		if n.rhs, err = p.proc(n.rhs); err != nil {
			return nil, err
		}
		pushAncestry(n, n.rhs)
		if n.els != nil {
			if n.els, err = p.proc(n.els); err != nil {
				return nil, err
			}
			pushAncestry(n, n.els)
		}
		return n, nil
	case kCall, kPartial:
		if n.lhs, err = p.proc(n.lhs); err != nil {
			return nil, err
		}
		for i, it := range n.items {
			if n.items[i], err = p.proc(it); err != nil {
				return nil, err
			}
			pushAncestry(n, n.items[i])
		}
		return n, nil
	case kLambda:
		body, err := p.proc(n.rhs)
		if err != nil {
			return nil, err
		}
		n.rhs = tailCalls(body)
		return n, nil
	case kTransform:
		if n.lhs, err = p.proc(n.lhs); err != nil {
			return nil, err
		}
		if n.rhs, err = p.proc(n.rhs); err != nil {
			return nil, err
		}
		if n.els != nil {
			if n.els, err = p.proc(n.els); err != nil {
				return nil, err
			}
		}
		return n, nil
	}
	return n, nil
}

// tailCalls marks function calls in tail position of a lambda body, so
// that the caller's trampoline runs them without growing the stack.
func tailCalls(n *node) *node {
	switch n.kind {
	case kCall:
		if n.predicates == nil && n.group == nil && !n.keepArray {
			return &node{kind: kLambda, thunk: true, rhs: n, pos: n.pos}
		}
	case kCondition:
		n.rhs = tailCalls(n.rhs)
		if n.els != nil {
			n.els = tailCalls(n.els)
		}
	case kBlock:
		if len(n.items) > 0 {
			n.items[len(n.items)-1] = tailCalls(n.items[len(n.items)-1])
		}
	}
	return n
}

// bindsHere reports whether evaluating n can bind a variable in the
// enclosing block's scope: a := not inside a nested block or lambda.
func bindsHere(n *node) bool {
	if n == nil {
		return false
	}
	switch n.kind {
	case kBind:
		return true
	case kBlock, kLambda:
		return false
	}
	for _, c := range []*node{n.lhs, n.rhs, n.els} {
		if bindsHere(c) {
			return true
		}
	}
	for _, c := range n.items {
		if bindsHere(c) {
			return true
		}
	}
	for _, pr := range n.pairs {
		if bindsHere(pr.k) || bindsHere(pr.v) {
			return true
		}
	}
	for _, st := range n.stages {
		if bindsHere(st.expr) {
			return true
		}
	}
	for _, st := range n.predicates {
		if bindsHere(st.expr) {
			return true
		}
	}
	for _, t := range n.terms {
		if bindsHere(t.expr) {
			return true
		}
	}
	if n.group != nil {
		for _, pr := range n.group.pairs {
			if bindsHere(pr.k) || bindsHere(pr.v) {
				return true
			}
		}
	}
	return false
}
