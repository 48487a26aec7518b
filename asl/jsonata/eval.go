package jsonata

import (
	"context"
	"math"
	"time"
)

// arr is an array made during evaluation: a sequence (seq) that
// collapses to its only item, or an array constructor's result (cons)
// that a path step does not flatten.
type arr struct {
	items []any
	seq   bool
	keep  bool // keep a singleton sequence as an array
	cons  bool
	outer bool // wraps the array input of the whole evaluation
}

func newSeq(items ...any) *arr { return &arr{items: items, seq: true} }

// tuple is one item of a tuple stream: a context value and the variables
// bound along the path (@, # and % bindings).
type tuple struct {
	at any
	b  *tbind
}

type tbind struct {
	name string
	val  any
	next *tbind
}

// tupleSeq is a tuple stream.
type tupleSeq struct {
	items []*tuple
}

func (t *tuple) lookup(name string) (any, bool) {
	for b := t.b; b != nil; b = b.next {
		if b.name == name {
			return b.val, true
		}
	}
	return nil, false
}

func (t *tuple) with(name string, v any) *tbind {
	return &tbind{name: name, val: v, next: t.b}
}

// scope is a variable frame.
type scope struct {
	parent *scope
	names  []string
	vals   []any
	tb     *tbind
}

func (s *scope) lookup(name string) (any, bool) {
	for ; s != nil; s = s.parent {
		for i := len(s.names) - 1; i >= 0; i-- {
			if s.names[i] == name {
				return s.vals[i], true
			}
		}
		for b := s.tb; b != nil; b = b.next {
			if b.name == name {
				return b.val, true
			}
		}
	}
	return nil, false
}

func (s *scope) bind(name string, v any) {
	for i := range s.names {
		if s.names[i] == name {
			s.vals[i] = v
			return
		}
	}
	s.names = append(s.names, name)
	s.vals = append(s.vals, v)
}

// evaluator holds the state of one evaluation.
type evaluator struct {
	ctx      context.Context
	expr     *Expr
	depth    int
	maxDepth int
	steps    int
	maxSteps int
	items    int
	maxItems int
	deadline time.Time
	hasDL    bool
	funcs    map[string]*builtin
	start    time.Time
	nowStr   string
}

const checkEvery = 1024

// now is the instant of this evaluation ($now, $millis): WithNow's, or
// the time of the first call.
func (ev *evaluator) now() time.Time {
	if ev.start.IsZero() {
		ev.start = time.Now()
	}
	return ev.start
}

func (ev *evaluator) enter(n *node) error {
	ev.depth++
	if ev.depth > ev.maxDepth {
		return newError("U1001", n.pos, "", nil)
	}
	ev.steps++
	if ev.steps&(checkEvery-1) == 0 {
		if ev.maxSteps > 0 && ev.steps > ev.maxSteps {
			return limitError("steps", n.pos)
		}
		if err := ev.ctx.Err(); err != nil {
			if ev.hasDL && !time.Now().Before(ev.deadline) {
				return limitError("time", n.pos)
			}
			e := newError("U1003", n.pos, "", nil)
			e.Message += ": " + err.Error()
			return e
		}
		if ev.hasDL && !time.Now().Before(ev.deadline) {
			return limitError("time", n.pos)
		}
	}
	return nil
}

// charge counts n items against the allocation bound.
func (ev *evaluator) charge(n int, pos int) error {
	ev.items += n
	if ev.maxItems > 0 && ev.items > ev.maxItems {
		return newError("U1004", pos, "", nil)
	}
	return nil
}

// chargeString counts a string of n bytes.
func (ev *evaluator) chargeString(n int, pos int) error { return ev.charge(n/16+1, pos) }

func (ev *evaluator) eval(n *node, input any, env *scope) (any, error) {
	if err := ev.enter(n); err != nil {
		return nil, err
	}
	r, err := ev.evalNode(n, input, env)
	if err != nil {
		ev.depth--
		return nil, err
	}
	for _, p := range n.predicates {
		if r, err = ev.filter(p.expr, r, env); err != nil {
			ev.depth--
			return nil, err
		}
	}
	if n.kind != kPath && n.group != nil {
		if r, err = ev.groupBy(n.group, r, env); err != nil {
			ev.depth--
			return nil, err
		}
	}
	ev.depth--
	if a, ok := r.(*arr); ok && a.seq {
		if n.keepArray {
			a.keep = true
		}
		switch len(a.items) {
		case 0:
			return Undefined, nil
		case 1:
			if !a.keep {
				return a.items[0], nil
			}
		}
	}
	return r, nil
}

func (ev *evaluator) evalNode(n *node, input any, env *scope) (any, error) {
	switch n.kind {
	case kPath:
		return ev.path(n, input, env)
	case kName:
		return lookupField(input, n.op), nil
	case kString, kNumber, kValue:
		return n.val, nil
	case kVariable:
		return ev.variable(n, input, env), nil
	case kRegex:
		return &regexFn{lit: n.re}, nil
	case kWildcard:
		return wildcard(input), nil
	case kDescendant:
		return descendants(input), nil
	case kParent:
		v, ok := env.lookup(n.slot.label)
		if !ok {
			return Undefined, nil
		}
		return v, nil
	case kBinary:
		return ev.binary(n, input, env)
	case kNegate:
		v, err := ev.eval(n.lhs, input, env)
		if err != nil {
			return nil, err
		}
		if IsUndefined(v) {
			return Undefined, nil
		}
		f, ok := v.(float64)
		if !ok {
			return nil, newError("D1002", n.pos, "-", v)
		}
		return -f, nil
	case kArray:
		return ev.array(n, input, env)
	case kObject:
		return ev.groupBy(&group{pairs: n.pairs, pos: n.pos}, input, env)
	case kBlock:
		s := env
		if n.binds {
			s = &scope{parent: env}
		}
		var r any = Undefined
		for _, e := range n.items {
			var err error
			if r, err = ev.eval(e, input, s); err != nil {
				return nil, err
			}
		}
		return r, nil
	case kCondition:
		c, err := ev.eval(n.lhs, input, env)
		if err != nil {
			return nil, err
		}
		b, err := boolOf(c, n.pos)
		if err != nil {
			return nil, err
		}
		if b {
			return ev.eval(n.rhs, input, env)
		}
		if n.els != nil {
			return ev.eval(n.els, input, env)
		}
		return Undefined, nil
	case kCall:
		return ev.call(n, input, env, nil, false)
	case kPartial:
		return ev.partial(n, input, env)
	case kLambda:
		return &lambda{node: n, input: input, env: env}, nil
	case kBind:
		v, err := ev.eval(n.rhs, input, env)
		if err != nil {
			return nil, err
		}
		env.bind(n.lhs.op, v)
		return v, nil
	case kApply:
		return ev.applyOp(n, input, env)
	case kTransform:
		return &transformFn{node: n, env: env}, nil
	case kSort:
		return ev.sortStep(n, input, env)
	}
	return nil, newError("S0206", n.pos, kindName(n.kind), nil)
}

func (ev *evaluator) variable(n *node, input any, env *scope) any {
	if n.op == "" {
		if a, ok := input.(*arr); ok && a.outer && len(a.items) > 0 {
			return a.items[0]
		}
		return input
	}
	if v, ok := env.lookup(n.op); ok {
		return v
	}
	if f, ok := ev.funcs[n.op]; ok {
		return f
	}
	if f, ok := builtins[n.op]; ok {
		return f
	}
	return Undefined
}

// lookupField selects key from an object, or from every object in an
// array (flattening arrays found).
func lookupField(input any, key string) any {
	switch v := input.(type) {
	case *Object:
		r, ok := v.Get(key)
		if !ok {
			return Undefined
		}
		return r
	case map[string]any:
		r, ok := v[key]
		if !ok {
			return Undefined
		}
		return r
	case []any:
		return lookupArray(v, key)
	case *arr:
		return lookupArray(v.items, key)
	}
	return Undefined
}

func lookupArray(items []any, key string) any {
	res := &arr{seq: true}
	for _, it := range items {
		r := lookupField(it, key)
		if IsUndefined(r) {
			continue
		}
		if a, ok := asArray(r); ok {
			res.items = append(res.items, a...)
		} else {
			res.items = append(res.items, r)
		}
	}
	return res
}

// asArray returns the items of an array value.
func asArray(v any) ([]any, bool) {
	switch a := v.(type) {
	case []any:
		return a, true
	case *arr:
		return a.items, true
	}
	return nil, false
}

func isSequence(v any) bool {
	a, ok := v.(*arr)
	return ok && a.seq
}

func wildcard(input any) any {
	res := &arr{seq: true}
	if a, ok := input.(*arr); ok && a.outer && len(a.items) > 0 {
		input = a.items[0]
	}
	add := func(v any) {
		if a, ok := asArray(v); ok {
			res.items = append(res.items, flatten(a, nil)...)
		} else {
			res.items = append(res.items, v)
		}
	}
	switch v := input.(type) {
	case *Object:
		for i := range v.keys {
			add(v.vals[i])
		}
	case map[string]any:
		for _, k := range sortedKeys(v) {
			add(v[k])
		}
	case []any:
		for _, it := range v {
			add(it)
		}
	case *arr:
		for _, it := range v.items {
			add(it)
		}
	}
	return res
}

func flatten(items []any, out []any) []any {
	for _, it := range items {
		if a, ok := asArray(it); ok {
			out = flatten(a, out)
		} else {
			out = append(out, it)
		}
	}
	return out
}

func descendants(input any) any {
	if IsUndefined(input) {
		return Undefined
	}
	res := &arr{seq: true}
	var rec func(v any)
	rec = func(v any) {
		if a, ok := asArray(v); ok {
			for _, it := range a {
				rec(it)
			}
			return
		}
		res.items = append(res.items, v)
		switch o := v.(type) {
		case *Object:
			for i := range o.keys {
				rec(o.vals[i])
			}
		case map[string]any:
			for _, k := range sortedKeys(o) {
				rec(o[k])
			}
		}
	}
	rec(input)
	if len(res.items) == 1 {
		return res.items[0]
	}
	return res
}

// path evaluates a location path.
func (ev *evaluator) path(n *node, input any, env *scope) (any, error) {
	steps := n.items
	if len(steps) == 1 && !n.keepSingle && n.group == nil && !steps[0].tuple && !steps[0].consArray && steps[0].kind != kSort {
		// one step over one value: the step's value is the path's,
		// unless it is a sequence to flatten
		if _, isArr := asArray(input); !isArr || steps[0].kind == kVariable {
			r, err := ev.eval(steps[0], input, env)
			if err != nil {
				return nil, err
			}
			for _, st := range steps[0].stages {
				if r, err = ev.filter(st.expr, r, env); err != nil {
					return nil, err
				}
			}
			switch x := r.(type) {
			case *arr:
				if !x.seq {
					return x, nil
				}
				return flattenStep(r), nil
			case *tupleSeq:
				return flattenStep(r), nil
			default:
				return r, nil
			}
		}
	}
	var inSeq []any
	if a, ok := asArray(input); ok && steps[0].kind != kVariable {
		inSeq = a
	} else {
		inSeq = []any{input}
	}
	var result any
	var tuples *tupleSeq
	isTuple := false
	for i, step := range steps {
		if step.tuple {
			isTuple = true
		}
		if i == 0 && step.consArray {
			r, err := ev.eval(step, &arr{items: inSeq, seq: true}, env)
			if err != nil {
				return nil, err
			}
			result = r
			if isTuple {
				// a constructed first step starts the tuple stream
				items, ok := asArray(r)
				if !ok {
					items = []any{r}
				}
				tuples = &tupleSeq{}
				for _, it := range items {
					tuples.items = append(tuples.items, &tuple{at: it})
				}
			}
		} else if isTuple {
			var err error
			if tuples, err = ev.tupleStep(step, inSeq, tuples, env); err != nil {
				return nil, err
			}
		} else {
			var err error
			if result, err = ev.step(step, inSeq, env, i == len(steps)-1); err != nil {
				return nil, err
			}
		}
		if !isTuple {
			a, ok := result.(*arr)
			if IsUndefined(result) || (ok && len(a.items) == 0) {
				break
			}
		}
		if !step.hasFocus {
			if a, ok := asArray(result); ok {
				inSeq = a
			} else {
				inSeq = []any{result}
			}
		}
	}
	if isTuple {
		if n.tuple {
			return tuples, nil
		}
		res := &arr{seq: true, items: make([]any, 0, len(tuples.items))}
		for _, t := range tuples.items {
			res.items = append(res.items, t.at)
		}
		result = res
	}
	if n.keepSingle {
		if a, ok := result.(*arr); ok && a.cons && !a.seq {
			result = &arr{items: []any{a}, seq: true}
		}
		if a, ok := result.(*arr); ok {
			a.keep = true
		} else if a, ok := result.([]any); ok {
			result = &arr{items: a, seq: true, keep: true}
		} else if !IsUndefined(result) {
			result = &arr{items: []any{result}, seq: true, keep: true}
		}
	}
	if n.group != nil {
		if isTuple {
			return ev.groupBy(n.group, tuples, env)
		}
		return ev.groupBy(n.group, result, env)
	}
	return result, nil
}

func (ev *evaluator) step(n *node, input []any, env *scope, last bool) (any, error) {
	if n.kind == kSort {
		r, err := ev.sortStep(n, &arr{items: input, seq: true}, env)
		if err != nil {
			return nil, err
		}
		for _, st := range n.stages {
			if r, err = ev.filter(st.expr, r, env); err != nil {
				return nil, err
			}
		}
		return r, nil
	}
	var single any
	var results []any
	count := 0
	for _, it := range input {
		r, err := ev.eval(n, it, env)
		if err != nil {
			return nil, err
		}
		for _, st := range n.stages {
			if r, err = ev.filter(st.expr, r, env); err != nil {
				return nil, err
			}
		}
		if IsUndefined(r) {
			continue
		}
		if count == 0 {
			single = r
		} else {
			if count == 1 {
				results = append(results, single)
			}
			results = append(results, r)
		}
		count++
	}
	if count == 1 {
		if last {
			if a, ok := single.([]any); ok {
				return a, nil
			}
			if a, ok := single.(*arr); ok && !a.seq {
				return a, nil
			}
		}
		results = []any{single}
	}
	total := 0
	for _, r := range results {
		switch a := r.(type) {
		case []any:
			total += len(a)
		case *arr:
			if a.cons {
				total++
			} else {
				total += len(a.items)
			}
		default:
			total++
		}
	}
	ev.items += total
	out := &arr{seq: true, items: make([]any, 0, total)}
	for _, r := range results {
		switch a := r.(type) {
		case []any:
			out.items = append(out.items, a...)
		case *arr:
			if a.cons {
				out.items = append(out.items, a)
			} else {
				out.items = append(out.items, a.items...)
			}
		default:
			out.items = append(out.items, r)
		}
	}
	return out, nil
}

// flattenStep is what step makes of a single value r that is a sequence
// or a tuple stream: a fresh sequence of its items, or of r itself.
func flattenStep(r any) any {
	if a, ok := r.(*arr); ok {
		return &arr{seq: true, items: append([]any(nil), a.items...)}
	}
	return &arr{seq: true, items: []any{r}}
}

func tupleEnv(env *scope, t *tuple) *scope {
	if t.b == nil {
		return env
	}
	return &scope{parent: env, tb: t.b}
}

func (ev *evaluator) tupleStep(n *node, input []any, tuples *tupleSeq, env *scope) (*tupleSeq, error) {
	if n.kind == kSort {
		var res *tupleSeq
		if tuples != nil {
			r, err := ev.sortStep(n, tuples, env)
			if err != nil {
				return nil, err
			}
			res = r.(*tupleSeq)
		} else {
			r, err := ev.sortStep(n, &arr{items: input, seq: true}, env)
			if err != nil {
				return nil, err
			}
			items, ok := asArray(r)
			if !ok {
				items = []any{r}
			}
			res = &tupleSeq{}
			for i, it := range items {
				t := &tuple{at: it}
				if n.hasIndex {
					t.b = t.with(n.index, float64(i))
				}
				res.items = append(res.items, t)
			}
		}
		return ev.stages(n.stages, res, env)
	}
	if tuples == nil {
		tuples = &tupleSeq{items: make([]*tuple, len(input))}
		for i, it := range input {
			tuples.items[i] = &tuple{at: it}
		}
	}
	res := &tupleSeq{}
	for _, t := range tuples.items {
		r, err := ev.eval(n, t.at, tupleEnv(env, t))
		if err != nil {
			return nil, err
		}
		if IsUndefined(r) {
			continue
		}
		if ts, ok := r.(*tupleSeq); ok {
			for _, sub := range ts.items {
				nt := &tuple{at: sub.at, b: t.b}
				// the sub-stream's bindings extend this tuple's
				var chain []*tbind
				for b := sub.b; b != nil; b = b.next {
					chain = append(chain, b)
				}
				for i := len(chain) - 1; i >= 0; i-- {
					nt.b = nt.with(chain[i].name, chain[i].val)
				}
				res.items = append(res.items, nt)
			}
			continue
		}
		items, ok := asArray(r)
		if !ok {
			items = []any{r}
		}
		for i, it := range items {
			nt := &tuple{b: t.b}
			if n.hasFocus {
				nt.b = nt.with(n.focus, it)
				nt.at = t.at
			} else {
				nt.at = it
			}
			if n.hasIndex {
				nt.b = nt.with(n.index, float64(i))
			}
			if n.ancestor != nil {
				nt.b = nt.with(n.ancestor.label, t.at)
			}
			res.items = append(res.items, nt)
		}
	}
	return ev.stages(n.stages, res, env)
}

func (ev *evaluator) stages(stages []stage, in *tupleSeq, env *scope) (*tupleSeq, error) {
	for _, st := range stages {
		if st.isIndex {
			for i, t := range in.items {
				in.items[i] = &tuple{at: t.at, b: t.with(st.index, float64(i))}
			}
			continue
		}
		r, err := ev.filter(st.expr, in, env)
		if err != nil {
			return nil, err
		}
		in = r.(*tupleSeq)
	}
	return in, nil
}

// filter applies a predicate to a sequence (or tuple stream).
func (ev *evaluator) filter(pred *node, input any, env *scope) (any, error) {
	if ts, ok := input.(*tupleSeq); ok {
		out := &tupleSeq{}
		n := len(ts.items)
		if pred.kind == kNumber {
			i := int(math.Floor(pred.num))
			if i < 0 {
				i += n
			}
			if i >= 0 && i < n {
				out.items = append(out.items, ts.items[i])
			}
			return out, nil
		}
		for i, t := range ts.items {
			r, err := ev.eval(pred, t.at, tupleEnv(env, t))
			if err != nil {
				return nil, err
			}
			if f, bad := infinite(r); bad {
				return nil, newError("D1001", pred.pos, "", f)
			}
			if predicateSelects(r, i, n) {
				out.items = append(out.items, t)
			}
		}
		return out, nil
	}
	items, ok := asArray(input)
	if !ok {
		// an undefined input is a sequence of one undefined item, as in
		// jsonata-js: the predicate is still evaluated (and its errors
		// raised), and an item it selects stays undefined
		items = []any{input}
	}
	n := len(items)
	if pred.kind == kNumber {
		// one item selected: the item itself (an array item is returned
		// as the array, to be flattened by the step)
		i := int(math.Floor(pred.num))
		if i < 0 {
			i += n
		}
		if i >= 0 && i < n {
			return items[i], nil
		}
		return Undefined, nil
	}
	out := &arr{seq: true}
	for i, it := range items {
		r, err := ev.eval(pred, it, env)
		if err != nil {
			return nil, err
		}
		if f, bad := infinite(r); bad {
			return nil, newError("D1001", pred.pos, "", f)
		}
		if predicateSelects(r, i, n) {
			out.items = append(out.items, it)
		}
	}
	return out, nil
}

func predicateSelects(r any, i, n int) bool {
	if f, ok := r.(float64); ok {
		j := int(math.Floor(f))
		if j < 0 {
			j += n
		}
		return j == i
	}
	if a, ok := asArray(r); ok && len(a) > 0 {
		allNum := true
		for _, x := range a {
			if _, ok := x.(float64); !ok {
				allNum = false
				break
			}
		}
		if allNum {
			for _, x := range a {
				j := int(math.Floor(x.(float64)))
				if j < 0 {
					j += n
				}
				if j == i {
					return true
				}
			}
			return false
		}
	}
	return truthy(r)
}

func (ev *evaluator) array(n *node, input any, env *scope) (any, error) {
	if len(n.items) == 1 && n.items[0].kind == kBinary && n.items[0].op == ".." {
		// [a..b]: the range's fresh sequence becomes the array
		v, err := ev.eval(n.items[0], input, env)
		if err != nil {
			return nil, err
		}
		var items []any
		if a, ok := v.(*arr); ok {
			items = a.items
		} else if !IsUndefined(v) {
			items = []any{v}
		} else {
			items = []any{}
		}
		if n.consArray {
			return &arr{items: items, cons: true}, nil
		}
		return items, nil
	}
	items := make([]any, 0, len(n.items))
	for _, it := range n.items {
		v, err := ev.eval(it, input, env)
		if err != nil {
			return nil, err
		}
		if IsUndefined(v) {
			continue
		}
		if it.kind == kArray {
			items = append(items, v)
		} else if a, ok := asArray(v); ok {
			items = append(items, a...)
		} else {
			items = append(items, v)
		}
	}
	if err := ev.charge(len(items), n.pos); err != nil {
		return nil, err
	}
	if n.consArray {
		return &arr{items: items, cons: true}, nil
	}
	return items, nil
}

// groupBy evaluates an object constructor or a grouping expression over
// its input.
func (ev *evaluator) groupBy(g *group, input any, env *scope) (any, error) {
	type entry struct {
		data  any
		tdata []*tuple
		pair  int
	}
	var keys []string
	groups := map[string]*entry{}
	ts, reduce := input.(*tupleSeq)
	var items []any
	if !reduce {
		if a, ok := asArray(input); ok {
			items = a
		} else {
			items = []any{input}
		}
		if len(items) == 0 {
			items = []any{Undefined}
		}
	}
	count := len(items)
	if reduce {
		count = len(ts.items)
	}
	for i := 0; i < count; i++ {
		var ctx any
		e := env
		if reduce {
			ctx = ts.items[i].at
			e = tupleEnv(env, ts.items[i])
		} else {
			ctx = items[i]
		}
		for pi, p := range g.pairs {
			k, err := ev.eval(p.k, ctx, e)
			if err != nil {
				return nil, err
			}
			if IsUndefined(k) {
				continue
			}
			ks, ok := k.(string)
			if !ok {
				return nil, newError("T1003", g.pos, "", k)
			}
			if en, ok := groups[ks]; ok {
				if en.pair != pi {
					return nil, newError("D1009", g.pos, "", ks)
				}
				if reduce {
					en.tdata = append(en.tdata, ts.items[i])
				} else {
					en.data = appendValues(en.data, ctx)
				}
			} else {
				en := &entry{pair: pi}
				if reduce {
					en.tdata = []*tuple{ts.items[i]}
				} else {
					en.data = ctx
				}
				groups[ks] = en
				keys = append(keys, ks)
			}
		}
	}
	obj := NewObject(len(keys))
	for _, k := range keys {
		en := groups[k]
		ctx := en.data
		e := env
		if reduce {
			var b *tbind
			ctx, b = reduceTuples(en.tdata)
			if b != nil {
				e = &scope{parent: env, tb: b}
			}
		}
		v, err := ev.eval(g.pairs[en.pair].v, ctx, e)
		if err != nil {
			return nil, err
		}
		if !IsUndefined(v) {
			obj.Set(k, v)
		}
	}
	return obj, nil
}

// reduceTuples merges the tuples of a group: each variable becomes the
// sequence of its values.
func reduceTuples(ts []*tuple) (any, *tbind) {
	if len(ts) == 1 {
		return ts[0].at, ts[0].b
	}
	var at any = Undefined
	var names []string
	vals := map[string]any{}
	for _, t := range ts {
		at = appendValues(at, t.at)
		// oldest binding first
		var chain []*tbind
		for b := t.b; b != nil; b = b.next {
			chain = append(chain, b)
		}
		seen := map[string]bool{}
		for i := len(chain) - 1; i >= 0; i-- {
			b := chain[i]
			if seen[b.name] {
				continue
			}
			seen[b.name] = true
			cur, ok := vals[b.name]
			if !ok {
				names = append(names, b.name)
				cur = Undefined
			}
			v, _ := t.lookup(b.name)
			vals[b.name] = appendValues(cur, v)
		}
	}
	var b *tbind
	for _, n := range names {
		b = &tbind{name: n, val: vals[n], next: b}
	}
	return at, b
}

// appendValues is $append on two values: sequences and arrays are
// concatenated, single values wrapped.
func appendValues(a, b any) any {
	if IsUndefined(a) {
		return b
	}
	if IsUndefined(b) {
		return a
	}
	var items []any
	if x, ok := asArray(a); ok {
		items = append(items, x...)
	} else {
		items = append(items, a)
	}
	if y, ok := asArray(b); ok {
		items = append(items, y...)
	} else {
		items = append(items, b)
	}
	// a plain array, as JavaScript's concat makes: not a sequence, so a
	// single item stays an array
	return items
}
