package pattern

import "encoding/json"

// matchState is the per-call scratch space of a match; pooled per pattern so
// that matching allocates nothing in the common case.
type matchState struct {
	scanner
	cands  [][]int32 // per field of the branch being tried: matching leaves
	chosen []*leaf   // per field: the leaf chosen by the search, nil for absent
}

// Match reports whether the event (raw JSON, which must be an object)
// matches the pattern. A malformed event yields an error wrapping
// [ErrInvalidEvent].
func (p *Pattern) Match(event []byte) (bool, error) {
	st := p.state()
	defer p.release(st)
	st.reset(p, event)
	if err := st.scan(); err != nil {
		return false, err
	}
	return st.evaluate(), nil
}

// MatchValue is Match for an event already decoded by encoding/json
// (a map[string]any, with float64 or json.Number numbers).
func (p *Pattern) MatchValue(event any) (bool, error) {
	if _, ok := event.(map[string]any); !ok {
		return false, ErrInvalidEvent
	}
	st := p.state()
	defer p.release(st)
	st.reset(p, nil)
	if err := st.walk(event, step{leaf: -1, inner: true}, true); err != nil {
		return false, err
	}
	return st.evaluate(), nil
}

// MatchString is Match for an event held in a string.
func (p *Pattern) MatchString(event string) (bool, error) {
	return p.Match([]byte(event))
}

var _ json.Marshaler = (*Pattern)(nil)

// MarshalJSON renders the pattern's source.
func (p *Pattern) MarshalJSON() ([]byte, error) { return []byte(p.source), nil }

// state takes scratch space from the pattern's pool.
func (p *Pattern) state() *matchState {
	if st, ok := p.pool.Get().(*matchState); ok {
		return st
	}
	return new(matchState)
}

// release drops the scratch space's references into the caller's event and
// returns it to the pool.
func (p *Pattern) release(st *matchState) {
	st.js.Reset(nil)
	for i := range st.leaves {
		clear(st.leaves[i])
	}
	clear(st.chosen)
	p.pool.Put(st)
}

func (st *matchState) evaluate() bool {
	for i := range st.p.branches {
		if st.branch(&st.p.branches[i]) {
			return true
		}
	}
	return false
}

// branch reports whether every field of b matches, with the chosen values
// consistent in the arrays they share.
func (st *matchState) branch(b *branch) bool {
	n := len(b.fields)
	if cap(st.cands) < n {
		st.cands = make([][]int32, n)
		st.chosen = make([]*leaf, n)
	}
	st.cands, st.chosen = st.cands[:n], st.chosen[:n]
	arrays := false
	for i := range b.fields {
		f := &b.fields[i]
		leaves := st.leaves[f.path]
		c := st.cands[i][:0]
		if f.positive {
			for j := range leaves {
				l := &leaves[j]
				for k := range f.ops {
					if f.ops[k].kind != opAbsent && f.ops[k].match(l) {
						c = append(c, int32(j))
						break
					}
				}
			}
		}
		st.cands[i] = c
		if len(c) == 0 && !f.absent {
			return false
		}
		for j := range leaves {
			if len(leaves[j].arrays) > 0 {
				arrays = true
				break
			}
		}
	}
	if !arrays {
		// No value sits in an array: any choice is consistent.
		for i := range b.fields {
			f := &b.fields[i]
			if len(st.cands[i]) == 0 && !(f.absent && len(st.leaves[f.path]) == 0) {
				return false
			}
		}
		return true
	}
	return st.search(b, 0)
}

// search chooses, field by field in path order, a matching value consistent
// with the values already chosen, or absence. Like event-ruler, which walks
// fields in sorted order, absence is judged against the values chosen for
// the fields before it: no value at the path may sit in the same array
// elements as they do.
func (st *matchState) search(b *branch, i int) bool {
	if i == len(b.fields) {
		return true
	}
	for _, j := range st.cands[i] {
		l := &st.leaves[b.fields[i].path][j]
		if !st.fits(l, i) {
			continue
		}
		st.chosen[i] = l
		if st.search(b, i+1) {
			return true
		}
	}
	if b.fields[i].absent {
		leaves := st.leaves[b.fields[i].path]
		for j := range leaves {
			if st.fits(&leaves[j], i) {
				return false
			}
		}
		st.chosen[i] = nil
		return st.search(b, i+1)
	}
	return false
}

// fits reports whether l is consistent with the values chosen for the
// first n fields.
func (st *matchState) fits(l *leaf, n int) bool {
	for k := range n {
		if st.chosen[k] != nil && !consistent(st.chosen[k], l) {
			return false
		}
	}
	return true
}
