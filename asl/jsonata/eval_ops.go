package jsonata

import (
	"math"
	"sort"
	"strings"
)

func (ev *evaluator) binary(n *node, input any, env *scope) (any, error) {
	l, err := ev.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "and", "or":
		lb, err := boolOf(l, n.pos)
		if err != nil {
			return nil, err
		}
		if n.op == "and" && !lb {
			return false, nil
		}
		if n.op == "or" && lb {
			return true, nil
		}
		r, err := ev.eval(n.rhs, input, env)
		if err != nil {
			return nil, err
		}
		return boolOf(r, n.pos)
	case "??":
		if !IsUndefined(l) {
			return l, nil
		}
		return ev.eval(n.rhs, input, env)
	case "?:":
		b, err := boolOf(l, n.pos)
		if err != nil {
			return nil, err
		}
		if b {
			return l, nil
		}
		return ev.eval(n.rhs, input, env)
	}
	r, err := ev.eval(n.rhs, input, env)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "+", "-", "*", "/", "%":
		lf, lok := l.(float64)
		if !lok && !IsUndefined(l) {
			return nil, newError("T2001", n.pos, n.op, l)
		}
		rf, rok := r.(float64)
		if !rok && !IsUndefined(r) {
			return nil, newError("T2002", n.pos, n.op, r)
		}
		if lok && (math.IsInf(lf, 0) || math.IsNaN(lf)) {
			return nil, newError("D1001", n.pos, n.op, lf)
		}
		if rok && (math.IsInf(rf, 0) || math.IsNaN(rf)) {
			return nil, newError("D1001", n.pos, n.op, rf)
		}
		if !lok || !rok {
			return Undefined, nil
		}
		var v float64
		switch n.op {
		case "+":
			v = lf + rf
		case "-":
			v = lf - rf
		case "*":
			v = lf * rf
		case "/":
			v = lf / rf
		case "%":
			v = math.Mod(lf, rf)
		}
		return v, nil
	case "=", "!=":
		if IsUndefined(l) || IsUndefined(r) {
			return false, nil
		}
		eq := deepEqual(l, r)
		if n.op == "!=" {
			return !eq, nil
		}
		return eq, nil
	case "<", "<=", ">", ">=":
		lc := comparable(l)
		rc := comparable(r)
		if !lc || !rc {
			bad := l
			if lc {
				bad = r
			}
			return nil, newError("T2010", n.pos, n.op, bad)
		}
		if IsUndefined(l) || IsUndefined(r) {
			return Undefined, nil
		}
		switch lv := l.(type) {
		case float64:
			rv, ok := r.(float64)
			if !ok {
				return nil, errorWith("T2009", n.pos, n.op, l, map[string]string{"value2": stringify(r, false)})
			}
			switch n.op {
			case "<":
				return lv < rv, nil
			case "<=":
				return lv <= rv, nil
			case ">":
				return lv > rv, nil
			}
			return lv >= rv, nil
		case string:
			rv, ok := r.(string)
			if !ok {
				return nil, errorWith("T2009", n.pos, n.op, l, map[string]string{"value2": stringify(r, false)})
			}
			c := compareUTF16(lv, rv)
			switch n.op {
			case "<":
				return c < 0, nil
			case "<=":
				return c <= 0, nil
			case ">":
				return c > 0, nil
			}
			return c >= 0, nil
		}
	case "&":
		var b strings.Builder
		if !IsUndefined(l) {
			s, err := toString(l, n.pos)
			if err != nil {
				return nil, err
			}
			b.WriteString(s)
		}
		if !IsUndefined(r) {
			s, err := toString(r, n.pos)
			if err != nil {
				return nil, err
			}
			b.WriteString(s)
		}
		if err := ev.chargeString(b.Len(), n.pos); err != nil {
			return nil, err
		}
		return b.String(), nil
	case "in":
		if IsUndefined(l) || IsUndefined(r) {
			return false, nil
		}
		items, ok := asArray(r)
		if !ok {
			items = []any{r}
		}
		for _, it := range items {
			if strictEqual(l, it) {
				return true, nil
			}
		}
		return false, nil
	case "..":
		lf, lok := l.(float64)
		if !IsUndefined(l) && (!lok || lf != math.Trunc(lf)) {
			return nil, newError("T2003", n.pos, "..", l)
		}
		rf, rok := r.(float64)
		if !IsUndefined(r) && (!rok || rf != math.Trunc(rf)) {
			return nil, newError("T2004", n.pos, "..", r)
		}
		if !lok || !rok || lf > rf {
			return Undefined, nil
		}
		size := rf - lf + 1
		if size > 1e7 {
			return nil, newError("D2014", n.pos, "..", size)
		}
		if err := ev.charge(int(size), n.pos); err != nil {
			return nil, err
		}
		items := make([]any, int(size))
		for i := range items {
			items[i] = lf + float64(i)
		}
		return &arr{items: items, seq: true}, nil
	}
	return nil, newError("S0204", n.pos, n.op, nil)
}

func comparable(v any) bool {
	switch v.(type) {
	case float64, string, undefinedType:
		return true
	}
	return false
}

// compareUTF16 compares strings by UTF-16 code units, as JavaScript does.
func compareUTF16(a, b string) int {
	if isASCII(a) && isASCII(b) {
		return strings.Compare(a, b)
	}
	ua, ub := toUTF16(a), toUTF16(b)
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			if ua[i] < ub[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(ua) < len(ub):
		return -1
	case len(ua) > len(ub):
		return 1
	}
	return 0
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// strictEqual is JavaScript's ===: values for scalars, identity for
// objects and arrays.
func strictEqual(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	case *Object:
		y, ok := b.(*Object)
		return ok && x == y
	}
	return false
}

// deepEqual compares two values structurally.
func deepEqual(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	case undefinedType:
		return IsUndefined(b)
	}
	if xa, ok := asArray(a); ok {
		ya, ok := asArray(b)
		if !ok || len(xa) != len(ya) {
			return false
		}
		for i := range xa {
			if !deepEqual(xa[i], ya[i]) {
				return false
			}
		}
		return true
	}
	if isObject(a) {
		if !isObject(b) {
			return false
		}
		ka, kb := objectKeys(a), objectKeys(b)
		if len(ka) != len(kb) {
			return false
		}
		for _, k := range ka {
			va, _ := objectGet(a, k)
			vb, ok := objectGet(b, k)
			if !ok || !deepEqual(va, vb) {
				return false
			}
		}
		return true
	}
	return a == b
}

func isObject(v any) bool {
	switch v.(type) {
	case *Object, map[string]any:
		return true
	}
	return false
}

func objectKeys(v any) []string {
	switch o := v.(type) {
	case *Object:
		return o.keys
	case map[string]any:
		return sortedKeys(o)
	}
	return nil
}

func objectGet(v any, k string) (any, bool) {
	switch o := v.(type) {
	case *Object:
		return o.Get(k)
	case map[string]any:
		r, ok := o[k]
		return r, ok
	}
	return nil, false
}

// sortedKeys orders a map's keys as a JavaScript object made from it in
// sorted order would have them: array indexes first, numerically.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, ai := arrayIndex(keys[i])
		b, bi := arrayIndex(keys[j])
		if ai != bi {
			return ai
		}
		if ai {
			return a < b
		}
		return keys[i] < keys[j]
	})
	return keys
}

// boolOf is truthy for the places jsonata-js casts with its numeric check:
// an infinite number there is D1001.
func boolOf(v any, pos int) (bool, error) {
	if f, bad := infinite(v); bad {
		return false, newError("D1001", pos, "", f)
	}
	return truthy(v), nil
}

// infinite finds an infinite number where $boolean would look at it: the
// value itself or, recursively, an array's items.
func infinite(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, math.IsInf(x, 0)
	case []any, *arr:
		items, _ := asArray(x)
		for _, it := range items {
			if f, bad := infinite(it); bad {
				return f, true
			}
		}
	}
	return 0, false
}

// truthy is $boolean's cast, with undefined false.
func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case float64:
		return x != 0 && !math.IsNaN(x)
	case string:
		return x != ""
	case nil, undefinedType:
		return false
	case *Object:
		return x.Len() > 0
	case map[string]any:
		return len(x) > 0
	}
	if a, ok := asArray(v); ok {
		if len(a) == 1 {
			return truthy(a[0])
		}
		for _, it := range a {
			if truthy(it) {
				return true
			}
		}
		return false
	}
	if isFunction(v) {
		return false
	}
	return false
}

func (ev *evaluator) applyOp(n *node, input any, env *scope) (any, error) {
	l, err := ev.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	if n.rhs.kind == kCall {
		r, err := ev.call(n.rhs, input, env, l, true)
		if err == nil && n.rhs.keepArray {
			if a, ok := r.(*arr); ok && a.seq {
				a.keep = true
			}
		}
		return r, err
	}
	f, err := ev.eval(n.rhs, input, env)
	if err != nil {
		return nil, err
	}
	if !isFunction(f) {
		return nil, newError("T2006", n.pos, "~>", f)
	}
	if isFunction(l) {
		return &composed{f: l, g: f}, nil
	}
	return ev.apply(f, []any{l}, nil, env, n.pos)
}

func procName(n *node) string {
	switch n.kind {
	case kPath:
		if len(n.items) > 0 {
			return n.items[0].op
		}
	case kVariable:
		return n.op
	}
	return ""
}

func (ev *evaluator) call(n *node, input any, env *scope, first any, hasFirst bool) (any, error) {
	proc, err := ev.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	name := procName(n.lhs)
	if IsUndefined(proc) && n.lhs.kind == kPath {
		if _, ok := ev.lookupVar(env, name); ok {
			return nil, newError("T1005", n.pos, name, nil)
		}
	}
	args := make([]any, 0, len(n.items)+1)
	if hasFirst {
		args = append(args, first)
	}
	for _, a := range n.items {
		v, err := ev.eval(a, input, env)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	r, err := ev.apply(proc, args, input, env, n.pos)
	if err != nil {
		if e, ok := err.(*Error); ok {
			if e.Token == "" && name != "" {
				e.Token = name
				if strings.Contains(errorMessages[e.Code], "{{token}}") {
					e.Message = fillMessageFor(e)
				}
			}
			if e.Position == 0 {
				e.Position = n.pos
			}
		}
		return nil, err
	}
	return r, nil
}

func (ev *evaluator) lookupVar(env *scope, name string) (any, bool) {
	if v, ok := env.lookup(name); ok {
		return v, true
	}
	if f, ok := ev.funcs[name]; ok {
		return f, true
	}
	if f, ok := builtins[name]; ok {
		return f, true
	}
	return nil, false
}

// apply calls a function value, running tail calls in a loop.
func (ev *evaluator) apply(proc any, args []any, input any, env *scope, pos int) (any, error) {
	r, err := ev.applyInner(proc, args, input, env, pos)
	for err == nil {
		th, ok := r.(*lambda)
		if !ok || !th.node.thunk {
			break
		}
		body := th.node.rhs
		next, err2 := ev.eval(body.lhs, th.input, th.env)
		if err2 != nil {
			return nil, err2
		}
		targs := make([]any, 0, len(body.items))
		for _, a := range body.items {
			v, err := ev.eval(a, th.input, th.env)
			if err != nil {
				return nil, err
			}
			targs = append(targs, v)
		}
		if IsUndefined(next) {
			name := procName(body.lhs)
			if _, ok := ev.lookupVar(th.env, name); ok && body.lhs.kind == kPath {
				return nil, newError("T1005", body.pos, name, nil)
			}
		}
		r, err = ev.applyInner(next, targs, input, env, body.pos)
		if err != nil {
			if e, ok := err.(*Error); ok && e.Token == "" {
				e.Token = procName(body.lhs)
				if strings.Contains(errorMessages[e.Code], "{{token}}") {
					e.Message = fillMessageFor(e)
				}
			}
		}
		if err == nil {
			if err2 := ev.tick(body); err2 != nil {
				return nil, err2
			}
		}
	}
	return r, err
}

// tick counts a step outside eval (a trampolined tail call), so loops of
// tail calls still meet the step and time limits.
func (ev *evaluator) tick(n *node) error {
	if err := ev.enter(n); err != nil {
		return err
	}
	ev.depth--
	return nil
}

func (ev *evaluator) applyInner(proc any, args []any, input any, env *scope, pos int) (any, error) {
	switch f := proc.(type) {
	case *lambda:
		if f.node.thunk {
			return f, nil
		}
		if f.node.sig != nil {
			var err error
			if args, err = f.node.sig.validate(args, input); err != nil {
				return nil, err
			}
		}
		// the parameter names are shared with the expression: capped, so
		// that a binding in the body appends to a copy
		params := f.node.params
		s := &scope{parent: f.env, names: params[:len(params):len(params)], vals: make([]any, len(params))}
		for i := range s.vals {
			if i < len(args) {
				s.vals[i] = args[i]
			} else {
				s.vals[i] = Undefined
			}
		}
		return ev.eval(f.node.rhs, f.input, s)
	case *builtin:
		if f.sig != nil {
			var err error
			if args, err = f.sig.validate(args, input); err != nil {
				return nil, err
			}
		}
		return f.fn(ev, call{input: input, env: env, pos: pos}, args)
	case *partialFn:
		full := make([]any, len(f.args))
		copy(full, f.args)
		j := 0
		for i := range full {
			if _, hole := full[i].(placeholder); hole {
				if j < len(args) {
					full[i] = args[j]
				} else {
					full[i] = Undefined
				}
				j++
			}
		}
		return ev.apply(f.fn, full, input, env, pos)
	case *composed:
		var a any = Undefined
		if len(args) > 0 {
			a = args[0]
		}
		r, err := ev.apply(f.f, []any{a}, input, env, pos)
		if err != nil {
			return nil, err
		}
		return ev.apply(f.g, []any{r}, input, env, pos)
	case *regexFn:
		var s any = Undefined
		if len(args) > 0 {
			s = args[0]
		}
		str, ok := s.(string)
		if !ok {
			return Undefined, nil
		}
		return f.matchAt(str, 0), nil
	case *transformFn:
		var a any = Undefined
		if len(args) > 0 {
			a = args[0]
		}
		return ev.transform(f, a)
	}
	return nil, newError("T1006", pos, "", nil)
}

type placeholder struct{}

func (ev *evaluator) partial(n *node, input any, env *scope) (any, error) {
	args := make([]any, len(n.items))
	for i, a := range n.items {
		if a.kind == kPlaceholder {
			args[i] = placeholder{}
			continue
		}
		v, err := ev.eval(a, input, env)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	proc, err := ev.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	name := procName(n.lhs)
	if IsUndefined(proc) && n.lhs.kind == kPath {
		if _, ok := ev.lookupVar(env, name); ok {
			return nil, newError("T1007", n.pos, name, nil)
		}
	}
	if !isFunction(proc) {
		return nil, newError("T1008", n.pos, name, nil)
	}
	return &partialFn{fn: proc, args: args}, nil
}

// sortStep evaluates an order-by step over a sequence or tuple stream.
func (ev *evaluator) sortStep(n *node, input any, env *scope) (any, error) {
	ts, isTuples := input.(*tupleSeq)
	var items []any
	var tuples []*tuple
	if isTuples {
		tuples = append(tuples, ts.items...)
	} else if a, ok := asArray(input); ok {
		items = append([]any(nil), a...)
	} else {
		items = []any{input}
	}
	count := len(items)
	if isTuples {
		count = len(tuples)
	}
	keys := make([][]any, count)
	for i := 0; i < count; i++ {
		keys[i] = make([]any, len(n.terms))
		for j, t := range n.terms {
			var ctx any
			e := env
			if isTuples {
				ctx = tuples[i].at
				e = tupleEnv(env, tuples[i])
			} else {
				ctx = items[i]
			}
			v, err := ev.eval(t.expr, ctx, e)
			if err != nil {
				return nil, err
			}
			keys[i][j] = v
		}
	}
	idx := make([]int, count)
	for i := range idx {
		idx[i] = i
	}
	var sortErr error
	sort.SliceStable(idx, func(a, b int) bool {
		if sortErr != nil {
			return false
		}
		for j, t := range n.terms {
			x, y := keys[idx[a]][j], keys[idx[b]][j]
			if IsUndefined(x) && IsUndefined(y) {
				continue
			}
			if IsUndefined(y) {
				return true
			}
			if IsUndefined(x) {
				return false
			}
			c := 0
			switch xv := x.(type) {
			case float64:
				yv, ok := y.(float64)
				if !ok {
					if _, ok := y.(string); ok {
						sortErr = errorWith("T2007", n.pos, "", x, map[string]string{"value2": stringify(y, false)})
					} else {
						sortErr = newError("T2008", n.pos, "", y)
					}
					return false
				}
				if xv < yv {
					c = -1
				} else if xv > yv {
					c = 1
				}
			case string:
				yv, ok := y.(string)
				if !ok {
					if _, ok := y.(float64); ok {
						sortErr = errorWith("T2007", n.pos, "", x, map[string]string{"value2": stringify(y, false)})
					} else {
						sortErr = newError("T2008", n.pos, "", y)
					}
					return false
				}
				c = compareUTF16(xv, yv)
			default:
				sortErr = newError("T2008", n.pos, "", x)
				return false
			}
			if c == 0 {
				continue
			}
			if t.desc {
				return c > 0
			}
			return c < 0
		}
		return false
	})
	if sortErr != nil {
		return nil, sortErr
	}
	if isTuples {
		out := &tupleSeq{items: make([]*tuple, count)}
		for i, k := range idx {
			out.items[i] = tuples[k]
		}
		return out, nil
	}
	out := &arr{seq: true, items: make([]any, count)}
	for i, k := range idx {
		out.items[i] = items[k]
	}
	return out, nil
}
