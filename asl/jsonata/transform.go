package jsonata

// transform applies |pattern|update,delete| to a deep copy of v.
func (ev *evaluator) transform(f *transformFn, v any) (any, error) {
	if IsUndefined(v) {
		return Undefined, nil
	}
	n := f.node
	env := f.env
	if c, ok := env.lookup("clone"); ok && !isFunction(c) {
		return nil, newError("T2013", n.pos, "", nil)
	}
	result := deepClone(v)
	matches, err := ev.eval(n.lhs, result, env)
	if err != nil {
		return nil, err
	}
	if IsUndefined(matches) {
		return result, nil
	}
	items, ok := asArray(matches)
	if !ok {
		items = []any{matches}
	}
	for _, m := range items {
		obj, isObj := m.(*Object)
		upd, err := ev.eval(n.rhs, m, env)
		if err != nil {
			return nil, err
		}
		if !IsUndefined(upd) {
			uo, ok := upd.(*Object)
			if !ok {
				if mm, ok2 := upd.(map[string]any); ok2 {
					uo = toObject(mm)
					ok = true
				}
			}
			if !ok {
				return nil, newError("T2011", n.rhs.pos, "", upd)
			}
			if isObj {
				for i, k := range uo.keys {
					obj.Set(k, uo.vals[i])
				}
			}
		}
		if n.els != nil {
			del, err := ev.eval(n.els, m, env)
			if err != nil {
				return nil, err
			}
			if !IsUndefined(del) {
				names, ok := asArray(del)
				if !ok {
					names = []any{del}
				}
				for _, nm := range names {
					if _, ok := nm.(string); !ok {
						return nil, newError("T2012", n.els.pos, "", del)
					}
				}
				if isObj {
					for _, nm := range names {
						obj.Delete(nm.(string))
					}
				}
			}
		}
	}
	return result, nil
}

func toObject(m map[string]any) *Object {
	o := NewObject(len(m))
	for _, k := range sortedKeys(m) {
		o.Set(k, m[k])
	}
	return o
}

// deepClone copies arrays and objects (maps become *Object).
func deepClone(v any) any {
	switch x := v.(type) {
	case *Object:
		o := &Object{keys: append([]string(nil), x.keys...), vals: make([]any, len(x.vals)), nIdx: x.nIdx}
		for i, it := range x.vals {
			o.vals[i] = deepClone(it)
		}
		if x.index != nil {
			o.index = make(map[string]int, len(x.index))
			for k, i := range x.index {
				o.index[k] = i
			}
		}
		return o
	case map[string]any:
		o := NewObject(len(x))
		for _, k := range sortedKeys(x) {
			o.Set(k, deepClone(x[k]))
		}
		return o
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = deepClone(it)
		}
		return out
	case *arr:
		out := make([]any, len(x.items))
		for i, it := range x.items {
			out[i] = deepClone(it)
		}
		return out
	}
	return v
}
