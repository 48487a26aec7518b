package jsonpath

import "maps"

// Set returns doc with value placed where the reference path ref points,
// following ResultPath semantics
// (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html):
// "$" replaces the whole document; missing fields along the path are
// created as objects; a field of an existing non-object, or an array index
// out of range, cannot be applied and yields an *Error named
// States.ResultPathMatchFailure (matching ErrResultPath).
//
// doc is never mutated: the objects and arrays along the path are copied,
// everything else is shared with the result.
func Set(doc any, ref *Path, value any) (any, error) {
	if ref.root != rootInput {
		return nil, ref.resultPathError(doc)
	}
	if !ref.IsReference() {
		return nil, ref.resultPathError(doc)
	}
	out, ok := ref.set(doc, 0, value)
	if !ok {
		return nil, ref.resultPathError(doc)
	}
	return out, nil
}

// smallMap is the number of keys below which a copied map has room for
// one more key without growing (Go's maps keep up to eight keys in one
// group).
const smallMap = 8

// missing marks a field that does not exist while Set walks the path.
type missing struct{}

// set returns cur with value placed at segments i..; ok is false when
// the path cannot be applied.
func (p *Path) set(cur any, i int, value any) (any, bool) {
	if i == len(p.segs) {
		return value, true
	}
	seg := &p.segs[i]
	switch seg.kind {
	case segField:
		var m map[string]any
		switch x := cur.(type) {
		case map[string]any:
			m = x
		case missing:
			// A missing field along the path becomes a new object.
		default:
			return nil, false
		}
		var child any = missing{}
		v, replace := m[seg.name]
		if replace {
			child = v
		}
		nv, ok := p.set(child, i+1, value)
		if !ok {
			return nil, false
		}
		var out map[string]any
		if replace || m != nil && len(m) < smallMap {
			// A table copy, and for a small object room for one more key
			// in the copied table: no rehashing of the other keys.
			out = maps.Clone(m)
		} else {
			out = make(map[string]any, len(m)+1)
			for k, v := range m {
				out[k] = v
			}
		}
		out[seg.name] = nv
		return out, true
	case segIndex:
		a, ok := cur.([]any)
		if !ok {
			return nil, false
		}
		idx := seg.index
		if idx < 0 {
			idx += len(a)
		}
		if idx < 0 || idx >= len(a) {
			return nil, false
		}
		nv, ok := p.set(a[idx], i+1, value)
		if !ok {
			return nil, false
		}
		out := make([]any, len(a))
		copy(out, a)
		out[idx] = nv
		return out, true
	}
	return nil, false
}

// resultPathError words the failure as AWS does: "Unable to apply
// ReferencePath $.a.b to input \"text\"" (as reported from a real
// execution in aws/aws-cdk issue 29473).
func (p *Path) resultPathError(doc any) *Error {
	return &Error{
		Name:  ErrNameResultPathMatchFailure,
		Cause: "Unable to apply ReferencePath " + p.src + " to input " + jsonText(doc),
		Path:  p.src,
		kind:  ErrResultPath,
	}
}
