package jsonpath

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// Template is a compiled payload template (Parameters, ResultSelector,
// ItemSelector, Assign): an object whose keys ending in ".$" take a path
// or an intrinsic function call, recursively through objects and arrays;
// every other value is copied as is
// (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html).
// It is immutable and safe for concurrent use.
type Template struct {
	root tnode
}

type tkind uint8

const (
	tStatic tkind = iota
	tObject
	tArray
	tPath
	tIntrinsic
)

type tnode struct {
	kind   tkind
	static any
	fields []tfield
	items  []tnode
	path   *Path
	fn     *Intrinsic
	field  string // the ".$" key a path or call came from
	// text is a static value's JSON text; textOK says EvalAppend can write
	// the node's text as it evaluates it (a static value that renders, an
	// object whose fields are evaluated in the order they are written).
	text   string
	textOK bool
}

type tfield struct {
	key  string
	node tnode
	// prefix is the field's text before its value: the separating comma
	// (but for the first field), the key and the colon.
	prefix string
}

// CompileTemplate compiles a payload template. Errors name the offending
// field: a ".$" value that is not a string, not a valid path and not a
// valid intrinsic call is a *FieldError with AWS's message; two keys that
// are equal once ".$" is stripped are an error too.
func CompileTemplate(tmpl any) (*Template, error) {
	n, err := compileNode(tmpl, "")
	if err != nil {
		return nil, err
	}
	n.prepareText()
	return &Template{root: n}, nil
}

// prepareText precomputes what EvalAppend writes for n and its children:
// the text of static values and of the keys of objects. An object's
// fields are evaluated in the (byte) order of their keys as written in the
// definition, ".$" included; its text lists the members in the order of
// their keys without it, as jsonvalue writes objects. Where the two orders
// differ the object's text is left to the caller's renderer, so that a
// failing field is the same one Eval reports.
func (n *tnode) prepareText() {
	switch n.kind {
	case tStatic:
		if b, err := jsonvalue.Append(nil, n.static); err == nil {
			n.text, n.textOK = string(b), true
		}
	case tObject:
		n.textOK = true
		for i := range n.fields {
			f := &n.fields[i]
			f.node.prepareText()
			if i > 0 && f.key <= n.fields[i-1].key {
				n.textOK = false
			}
			var b []byte
			if i > 0 {
				b = append(b, ',')
			}
			b = append(jsonvalue.AppendString(b, f.key), ':')
			f.prefix = string(b)
		}
	case tArray:
		n.textOK = true
		for i := range n.items {
			n.items[i].prepareText()
		}
	case tPath, tIntrinsic:
		n.textOK = true
	}
}

func compileNode(v any, where string) (tnode, error) {
	switch x := v.(type) {
	case map[string]any:
		n := tnode{kind: tObject, fields: make([]tfield, 0, len(x))}
		dynamic := false
		for _, k := range sortedKeys(x) {
			val := x[k]
			if name, ok := strings.CutSuffix(k, ".$"); ok {
				if _, dup := x[name]; dup {
					return tnode{}, fmt.Errorf("template field %q: the field %q appears both with and without the \".$\" suffix", where+"/"+k, name)
				}
				s, ok := val.(string)
				if !ok {
					return tnode{}, &FieldError{Field: k, Err: fmt.Errorf("the value of %q must be a string, not %s", k, typeName(val))}
				}
				d, err := compileDynamic(s, k)
				if err != nil {
					return tnode{}, err
				}
				n.fields = append(n.fields, tfield{key: name, node: d})
				dynamic = true
				continue
			}
			c, err := compileNode(val, where+"/"+k)
			if err != nil {
				return tnode{}, err
			}
			if c.kind != tStatic {
				dynamic = true
			}
			n.fields = append(n.fields, tfield{key: k, node: c})
		}
		if !dynamic {
			return tnode{kind: tStatic, static: v}, nil
		}
		return n, nil
	case []any:
		n := tnode{kind: tArray, items: make([]tnode, len(x))}
		dynamic := false
		for i, e := range x {
			c, err := compileNode(e, fmt.Sprintf("%s[%d]", where, i))
			if err != nil {
				return tnode{}, err
			}
			if c.kind != tStatic {
				dynamic = true
			}
			n.items[i] = c
		}
		if !dynamic {
			return tnode{kind: tStatic, static: v}, nil
		}
		return n, nil
	}
	return tnode{kind: tStatic, static: v}, nil
}

func compileDynamic(s, field string) (tnode, error) {
	if IsIntrinsic(s) {
		fn, err := CompileIntrinsic(s)
		if err != nil {
			return tnode{}, &FieldError{Field: field, Err: err}
		}
		return tnode{kind: tIntrinsic, fn: fn, field: field}, nil
	}
	p, err := Compile(s)
	if err != nil {
		return tnode{}, &FieldError{Field: field, Err: err}
	}
	return tnode{kind: tPath, path: p, field: field}, nil
}

// IsStatic reports whether the template holds no path and no call, so
// that Eval always returns the same value.
func (t *Template) IsStatic() bool { return t.root.kind == tStatic }

// Eval builds the payload. A path that names nothing fails with an *Error
// named States.Runtime (matching ErrPathNotFound) whose cause names the
// field as AWS does; intrinsic failures are returned as they are.
func (t *Template) Eval(s *Scope) (any, error) { return t.root.eval(s) }

// EvalAppend builds the payload as Eval does and appends its JSON text, as
// jsonvalue.Append writes it, to b, sparing the caller a second pass over
// the payload: the text of static parts and of keys is written at compile
// time, and an object's members are written in the order the template
// lists them, with no sorting. ok is false (and the returned bytes are
// then not the payload's text) when the text cannot be written this way;
// the caller renders the value itself. The value and the error are
// Eval's.
func (t *Template) EvalAppend(s *Scope, b []byte) (v any, text []byte, ok bool, err error) {
	v, text, ok, err = t.root.evalAppend(s, b, true)
	if err != nil {
		return nil, nil, false, err
	}
	return v, text, ok, nil
}

// evalAppend evaluates n and, while ok, appends its text to b.
func (n *tnode) evalAppend(s *Scope, b []byte, ok bool) (any, []byte, bool, error) {
	if ok = ok && n.textOK; !ok {
		v, err := n.eval(s)
		return v, b, false, err
	}
	switch n.kind {
	case tStatic:
		return n.static, append(b, n.text...), true, nil
	case tObject:
		out := make(map[string]any, len(n.fields))
		b = append(b, '{')
		for i := range n.fields {
			f := &n.fields[i]
			if ok {
				b = append(b, f.prefix...)
			}
			var v any
			var err error
			if v, b, ok, err = f.node.evalAppend(s, b, ok); err != nil {
				return nil, b, false, err
			}
			out[f.key] = v
		}
		return out, append(b, '}'), ok, nil
	case tArray:
		out := make([]any, len(n.items))
		b = append(b, '[')
		for i := range n.items {
			if ok && i > 0 {
				b = append(b, ',')
			}
			var err error
			if out[i], b, ok, err = n.items[i].evalAppend(s, b, ok); err != nil {
				return nil, b, false, err
			}
		}
		return out, append(b, ']'), ok, nil
	}
	v, err := n.eval(s)
	if err != nil {
		return nil, b, false, err
	}
	if nb, err := jsonvalue.Append(b, v); err == nil {
		return v, nb, true, nil
	}
	return v, b, false, nil
}

func (n *tnode) eval(s *Scope) (any, error) {
	switch n.kind {
	case tStatic:
		return n.static, nil
	case tObject:
		out := make(map[string]any, len(n.fields))
		for i := range n.fields {
			f := &n.fields[i]
			v, err := f.node.eval(s)
			if err != nil {
				return nil, err
			}
			out[f.key] = v
		}
		return out, nil
	case tArray:
		out := make([]any, len(n.items))
		for i := range n.items {
			v, err := n.items[i].eval(s)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case tPath:
		v, err := n.path.Eval(s)
		if err != nil {
			return nil, n.fieldError(err, s)
		}
		return v, nil
	case tIntrinsic:
		v, err := n.fn.Eval(s)
		if err != nil {
			return nil, n.fieldError(err, s)
		}
		return v, nil
	}
	return nil, nil
}

// fieldError rewrites a path failure in AWS's words for template fields:
// "The JSONPath '$.a' specified for the field 'b.$' could not be found in
// the input '{...}'", and for a path argument of an intrinsic function
// "The function 'States.Array($.a)' had the following error: The JsonPath
// argument for the field '$.a' could not be found in the input '{...}'"
// (as AWS and Step Functions Local word it, quoted in
// github.com/floci-io/floci/issues/2870).
func (n *tnode) fieldError(err error, s *Scope) error {
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrPathNotFound) {
		return err
	}
	in := s.Input
	if strings.HasPrefix(e.Path, "$$") {
		in = s.context()
		if full := s.fullContext(); full != nil {
			in = full
		}
	}
	cause := "The JSONPath '" + e.Path + "' specified for the field '" + n.field + "' could not be found in the input '" + jsonText(in) + "'"
	if n.kind == tIntrinsic && strings.HasPrefix(e.Path, "$") && !isVariable(e.Path) {
		cause = "The function '" + n.fn.String() + "' had the following error: The JsonPath argument for the field '" + e.Path +
			"' could not be found in the input '" + jsonText(in) + "'"
	}
	return &Error{
		Name:  ErrNameRuntime,
		Cause: cause,
		Path:  e.Path,
		kind:  ErrPathNotFound,
	}
}

// isVariable reports whether a path reads a variable ($name), not the input or the context.
func isVariable(path string) bool {
	r, _ := utf8.DecodeRuneInString(strings.TrimPrefix(path, "$"))
	return isVarStart(r)
}

// MayHoldInput reports whether a payload the template builds may hold the
// input itself ("$"), rather than only parts of it and new values: some
// path of the template, or a path argument of one of its intrinsic calls,
// is "$" alone. A payload of a template for which it is false never refers
// to the input document, only to values inside it.
func (t *Template) MayHoldInput() bool { return t.root.mayHoldInput() }

func (n *tnode) mayHoldInput() bool {
	switch n.kind {
	case tObject:
		for i := range n.fields {
			if n.fields[i].node.mayHoldInput() {
				return true
			}
		}
	case tArray:
		for i := range n.items {
			if n.items[i].mayHoldInput() {
				return true
			}
		}
	case tPath:
		return n.path.isInputRoot()
	case tIntrinsic:
		return n.fn.call.mayHoldInput()
	}
	return false
}

func (c *call) mayHoldInput() bool {
	for i := range c.args {
		a := &c.args[i]
		if a.kind == argPath && a.path.isInputRoot() || a.kind == argCall && a.call.mayHoldInput() {
			return true
		}
	}
	return false
}

// isInputRoot reports whether p is "$", the input itself.
func (p *Path) isInputRoot() bool { return p.root == rootInput && len(p.segs) == 0 }

// MayHoldField reports whether a payload the template builds may hold the
// input's member key itself, not only values inside it: some path of the
// template, or a path argument of one of its intrinsic calls, is "$"
// alone, names that member ("$.key"), or is indefinite (a wildcard, a
// filter, a descent), which may match it.
func (t *Template) MayHoldField(key string) bool { return t.root.mayHoldField(key) }

func (n *tnode) mayHoldField(key string) bool {
	switch n.kind {
	case tObject:
		for i := range n.fields {
			if n.fields[i].node.mayHoldField(key) {
				return true
			}
		}
	case tArray:
		for i := range n.items {
			if n.items[i].mayHoldField(key) {
				return true
			}
		}
	case tPath:
		return n.path.mayName(key)
	case tIntrinsic:
		return n.fn.call.mayHoldField(key)
	}
	return false
}

func (c *call) mayHoldField(key string) bool {
	for i := range c.args {
		a := &c.args[i]
		if a.kind == argPath && a.path.mayName(key) || a.kind == argCall && a.call.mayHoldField(key) {
			return true
		}
	}
	return false
}

// mayName reports whether p, rooted at the input, may evaluate to the
// input itself or to its member key itself.
func (p *Path) mayName(key string) bool {
	if p.root != rootInput {
		return false
	}
	if !p.definite || len(p.segs) == 0 {
		return true
	}
	return len(p.segs) == 1 && p.segs[0].kind == segField && p.segs[0].name == key
}

// MakesObject reports whether every evaluation of the template makes a new
// object: its top level is an object with a path or a call in it (a
// template without either returns the same value every time).
func (t *Template) MakesObject() bool { return t.root.kind == tObject }

// EvalAppendReuse is EvalAppend, building the payload's top-level object,
// when the template makes one, in reuse rather than in a new map. reuse
// must be a map nobody else refers to; nil means a new one. maker, when
// not nil, is the template whose evaluation built reuse, and the objects
// that evaluation made inside it are nobody else's either (see
// MayHoldMade): an object of this template found at the same place, under
// object fields of both, is built in the one maker made there rather than
// in a new map.
func (t *Template) EvalAppendReuse(s *Scope, b []byte, reuse map[string]any, maker *Template) (v any, text []byte, ok bool, err error) {
	n := &t.root
	if reuse == nil || n.kind != tObject || !n.textOK {
		return t.EvalAppend(s, b)
	}
	var made *tnode
	if maker != nil && maker.root.kind == tObject {
		made = &maker.root
	}
	return n.evalAppendIn(s, b, reuse, made)
}

// evalAppendIn is evalAppend for an object node whose text can be written
// (textOK), building the object in reuse. made, when not nil, is the
// object node of a template whose evaluation built reuse: the members of
// reuse at its object fields are maps that evaluation made, free too.
func (n *tnode) evalAppendIn(s *Scope, b []byte, reuse map[string]any, made *tnode) (any, []byte, bool, error) {
	b = append(b, '{')
	ok := true
	for i := range n.fields {
		f := &n.fields[i]
		if ok {
			b = append(b, f.prefix...)
		}
		var v any
		var err error
		// The map the maker made at this field, read before the member is
		// overwritten: nothing but reuse refers to it.
		var old map[string]any
		var sub *tnode
		if ok && f.node.kind == tObject && f.node.textOK {
			if sub = made.objectField(f.key); sub != nil {
				old, _ = reuse[f.key].(map[string]any)
			}
		}
		if old != nil {
			v, b, ok, err = f.node.evalAppendIn(s, b, old, sub)
		} else {
			v, b, ok, err = f.node.evalAppend(s, b, ok)
		}
		if err != nil {
			return nil, b, false, err
		}
		reuse[f.key] = v
	}
	if len(reuse) > len(n.fields) {
		// Members of the map's previous use that the template does not set.
		for k := range reuse {
			if n.member(k) == nil {
				delete(reuse, k)
			}
		}
	}
	return reuse, append(b, '}'), ok, nil
}

// member returns the field of an object node named key, or nil.
func (n *tnode) member(key string) *tfield {
	for i := range n.fields {
		if n.fields[i].key == key {
			return &n.fields[i]
		}
	}
	return nil
}

// objectField returns the node of n's field key when n (nil for none) is
// an object node and that field is one too, else nil.
func (n *tnode) objectField(key string) *tnode {
	if n == nil || n.kind != tObject {
		return nil
	}
	if f := n.member(key); f != nil && f.node.kind == tObject {
		return &f.node
	}
	return nil
}

// MayHoldMade reports whether a payload the template builds, from an input
// whose member key is a payload maker built, may hold an object maker's
// evaluation made (an object of maker's or an array holding one): some path
// of the template, or a path argument of one of its intrinsic calls, is
// "$" alone, is indefinite, or goes into the member key down to a place
// where maker puts such an object or a value holding one. A path that ends
// at a value maker took from elsewhere or wrote as a constant holds
// nothing maker made. When it is false, and nothing else refers to the
// member, none of the objects maker made there is referred to once this
// template's payload replaces the member (see EvalAppendReuse).
func (t *Template) MayHoldMade(key string, maker *Template) bool {
	return t.root.mayHoldMade(key, &maker.root)
}

func (n *tnode) mayHoldMade(key string, made *tnode) bool {
	switch n.kind {
	case tObject:
		for i := range n.fields {
			if n.fields[i].node.mayHoldMade(key, made) {
				return true
			}
		}
	case tArray:
		for i := range n.items {
			if n.items[i].mayHoldMade(key, made) {
				return true
			}
		}
	case tPath:
		return n.path.mayReachMade(key, made)
	case tIntrinsic:
		return n.fn.call.mayHoldMade(key, made)
	}
	return false
}

func (c *call) mayHoldMade(key string, made *tnode) bool {
	for i := range c.args {
		a := &c.args[i]
		if a.kind == argPath && a.path.mayReachMade(key, made) || a.kind == argCall && a.call.mayHoldMade(key, made) {
			return true
		}
	}
	return false
}

// mayReachMade reports whether p, rooted at the input, may evaluate to a
// value that holds an object made by the evaluation of made, the node that
// built the input's member key.
func (p *Path) mayReachMade(key string, made *tnode) bool {
	if p.root != rootInput {
		return false
	}
	if !p.definite || len(p.segs) == 0 {
		return true
	}
	if p.segs[0].kind != segField || p.segs[0].name != key {
		return false
	}
	n := made
	for _, s := range p.segs[1:] {
		switch {
		case n.kind == tObject && s.kind == segField:
			f := n.member(s.name)
			if f == nil {
				return false // a member the object does not have
			}
			n = &f.node
		case n.kind == tObject || n.kind == tArray:
			// An array's items (or the length of either): the node
			// holds a made object somewhere, or it does not.
			return n.holdsMade()
		default:
			// A constant, or a value a path or a call took from elsewhere.
			return false
		}
	}
	return n.holdsMade()
}

// holdsMade reports whether the value n evaluates to is, or holds, an
// object or array the evaluation makes.
func (n *tnode) holdsMade() bool { return n.kind == tObject || n.kind == tArray }
