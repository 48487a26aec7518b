package jsonpath

import "strconv"

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
		return nil, ref.resultPathError(doc, "a ResultPath must start with '$'")
	}
	if !ref.IsReference() {
		return nil, ref.resultPathError(doc, "a ResultPath must be a reference path")
	}
	out, err := ref.set(doc, 0, value)
	if err != nil {
		return nil, ref.resultPathError(doc, err.Error())
	}
	return out, nil
}

// missing marks a field that does not exist while Set walks the path.
type missing struct{}

type setError string

func (e setError) Error() string { return string(e) }

func (p *Path) set(cur any, i int, value any) (any, error) {
	if i == len(p.segs) {
		return value, nil
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
			return nil, setError("the field '" + seg.name + "' cannot be set on a " + typeName(cur))
		}
		var child any = missing{}
		if v, ok := m[seg.name]; ok {
			child = v
		}
		nv, err := p.set(child, i+1, value)
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, len(m)+1)
		for k, v := range m {
			out[k] = v
		}
		out[seg.name] = nv
		return out, nil
	case segIndex:
		a, ok := cur.([]any)
		if !ok {
			return nil, setError("the index " + strconv.Itoa(seg.index) + " cannot be set on a " + typeName(cur))
		}
		idx := seg.index
		if idx < 0 {
			idx += len(a)
		}
		if idx < 0 || idx >= len(a) {
			return nil, setError("the index " + strconv.Itoa(seg.index) + " is out of range")
		}
		nv, err := p.set(a[idx], i+1, value)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(a))
		copy(out, a)
		out[idx] = nv
		return out, nil
	}
	return nil, setError("a ResultPath must be a reference path")
}

// resultPathError words the failure as AWS does: "Unable to apply
// ReferencePath $.a.b to input \"text\"" (as reported from a real
// execution in aws/aws-cdk issue 29473); the detail is kept out of the
// cause, which carries only what AWS shows.
func (p *Path) resultPathError(doc any, _ string) *Error {
	return &Error{
		Name:  ErrNameResultPathMatchFailure,
		Cause: "Unable to apply ReferencePath " + p.src + " to input " + jsonText(doc),
		Path:  p.src,
		kind:  ErrResultPath,
	}
}
