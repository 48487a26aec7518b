package jsonpath

import (
	"strconv"
	"strings"
)

type rootKind uint8

const (
	rootInput   rootKind = iota // $
	rootContext                 // $$
	rootVar                     // $name
	rootCurrent                 // @ (inside filters)
)

type segKind uint8

const (
	segField      segKind = iota // .name or ['name']
	segIndex                     // [n]
	segWildcard                  // .* or [*]
	segUnionIndex                // [a,b]
	segUnionField                // ['a','b']
	segSlice                     // [a:b]
	segFilter                    // [?(...)]
	segScan                      // ..x: the inner segment at every depth
	segLength                    // .length()
)

type segment struct {
	kind     segKind
	name     string
	index    int
	indexes  []int
	names    []string
	start    int
	end      int
	hasStart bool
	hasEnd   bool
	filter   filterNode
	inner    *segment
}

// Path is a compiled JSONPath. It is immutable and safe for concurrent use.
type Path struct {
	src      string
	root     rootKind
	varName  string
	segs     []segment
	definite bool
	// norm[i] is the normalized form ($['a'][0]) of the path up to, but
	// excluding, segment i; norm[len(segs)] is the whole path.
	norm []string
	// ctxParent and ctxMember name the two members of a path "$$.a.b"
	// (see ContextMembers); "" for any other path.
	ctxParent, ctxMember string
}

// Compile compiles a JSONPath: "$..." (the input), "$$..." (the context
// object) or "$name..." (a variable).
func Compile(expr string) (*Path, error) {
	p := &parser{src: expr}
	path, err := p.path(false)
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.src) {
		return nil, p.errorf("unexpected %q", p.src[p.pos:])
	}
	return path, nil
}

// MustCompile is Compile that panics on error, for static paths.
func MustCompile(expr string) *Path {
	p, err := Compile(expr)
	if err != nil {
		panic(err)
	}
	return p
}

// CompileReference compiles a reference path: a path that names a single
// node, using only field and index segments
// (https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html#amazon-states-language-reference-paths).
func CompileReference(expr string) (*Path, error) {
	p, err := Compile(expr)
	if err != nil {
		return nil, err
	}
	for _, s := range p.segs {
		if s.kind != segField && s.kind != segIndex {
			return nil, &syntaxError{expr: expr, msg: "a reference path may only use field names and array indexes (the operators @ .. , : ? * and functions are not supported)"}
		}
	}
	return p, nil
}

// String returns the expression the path was compiled from.
func (p *Path) String() string { return p.src }

// IsDefinite reports whether the path names at most one node; an
// indefinite path evaluates to an array of matches.
func (p *Path) IsDefinite() bool { return p.definite }

// IsReference reports whether the path is a valid reference path.
func (p *Path) IsReference() bool {
	for _, s := range p.segs {
		if s.kind != segField && s.kind != segIndex {
			return false
		}
	}
	return true
}

// Root reports which document the path starts from: "$", "$$" or "$name".
func (p *Path) Root() string {
	switch p.root {
	case rootContext:
		return "$$"
	case rootVar:
		return "$" + p.varName
	}
	return "$"
}

// SingleField reports whether the path is "$" followed by exactly one
// field name ("$.a", "$['a b']"), and returns that name. The interpreter
// uses it to render a ResultPath's output from the input's text.
func (p *Path) SingleField() (string, bool) {
	if p.root != rootInput || len(p.segs) != 1 || p.segs[0].kind != segField {
		return "", false
	}
	return p.segs[0].name, true
}

// Variable returns the variable name of a "$name" path, or "".
func (p *Path) Variable() string { return p.varName }

func (p *Path) finish() {
	if p.root == rootContext && len(p.segs) == 2 && p.segs[0].kind == segField && p.segs[1].kind == segField {
		p.ctxParent, p.ctxMember = p.segs[0].name, p.segs[1].name
	}
	p.definite = true
	for _, s := range p.segs {
		switch s.kind {
		case segField, segIndex, segLength:
		default:
			p.definite = false
		}
	}
	p.norm = make([]string, len(p.segs)+1)
	var b strings.Builder
	b.WriteString(p.Root())
	p.norm[0] = b.String()
	for i := range p.segs {
		writeNorm(&b, &p.segs[i])
		p.norm[i+1] = b.String()
	}
}

func writeNorm(b *strings.Builder, s *segment) {
	switch s.kind {
	case segField:
		b.WriteString("['" + s.name + "']")
	case segIndex:
		b.WriteString("[" + strconv.Itoa(s.index) + "]")
	case segWildcard:
		b.WriteString("[*]")
	case segUnionIndex:
		b.WriteByte('[')
		for i, x := range s.indexes {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(x))
		}
		b.WriteByte(']')
	case segUnionField:
		b.WriteByte('[')
		for i, x := range s.names {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("'" + x + "'")
		}
		b.WriteByte(']')
	case segSlice:
		b.WriteByte('[')
		if s.hasStart {
			b.WriteString(strconv.Itoa(s.start))
		}
		b.WriteByte(':')
		if s.hasEnd {
			b.WriteString(strconv.Itoa(s.end))
		}
		b.WriteByte(']')
	case segFilter:
		b.WriteString("[?]")
	case segScan:
		b.WriteString("..")
		writeNorm(b, s.inner)
	case segLength:
		b.WriteString(".length()")
	}
}

// contextMember evaluates a path "$$.a.b" through the scope's Host, when
// the scope has no context object yet and the Host answers such paths
// (ContextMembers).
func (p *Path) contextMember(s *Scope) (any, bool) {
	if p.ctxMember == "" || s.Context != nil || s.Host == nil {
		return nil, false
	}
	h, ok := s.Host.(ContextMembers)
	if !ok {
		return nil, false
	}
	return h.ContextMember(p.ctxParent, p.ctxMember)
}

// rootValue resolves the document the path starts from.
func (p *Path) rootValue(s *Scope) (any, bool) {
	switch p.root {
	case rootContext:
		return s.context(), true
	case rootVar:
		return s.variable(p.varName)
	}
	return s.Input, true
}

// Eval evaluates the path. A definite path returns the single node it
// names or an *Error (States.Runtime, matching ErrPathNotFound) when it
// names nothing; an indefinite path returns a []any of every match.
func (p *Path) Eval(s *Scope) (any, error) {
	if v, ok := p.contextMember(s); ok {
		return v, nil
	}
	root, ok := p.rootValue(s)
	if !ok {
		return nil, p.notFound("The variable '" + p.varName + "' is not defined")
	}
	if p.definite {
		return p.evalDefinite(root)
	}
	segs := p.segs
	if n := len(segs); n > 0 && segs[n-1].kind == segLength {
		out := collect(root, segs[:n-1], nil, &evalCtx{scope: s, root: root})
		return lengthOf(out)
	}
	out := collect(root, segs, make([]any, 0, 4), &evalCtx{scope: s, root: root})
	return out, nil
}

// Lookup evaluates a definite path softly: ok is false when it names
// nothing. Indefinite paths return their match list.
func (p *Path) Lookup(s *Scope) (any, bool) {
	if v, ok := p.contextMember(s); ok {
		return v, true
	}
	root, ok := p.rootValue(s)
	if !ok {
		return nil, false
	}
	if p.definite {
		v, err := p.evalDefinite(root)
		return v, err == nil
	}
	v, err := p.Eval(s)
	return v, err == nil
}

func (p *Path) notFound(msg string) *Error {
	return &Error{Name: ErrNameRuntime, Cause: "Invalid path '" + p.src + "' : " + msg, Path: p.src, kind: ErrPathNotFound}
}

func (p *Path) evalDefinite(cur any) (any, error) {
	last := len(p.segs) - 1
	for i := range p.segs {
		seg := &p.segs[i]
		switch seg.kind {
		case segField:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, p.notFound("Expected to find an object with property ['" + seg.name + "'] in path " + p.norm[i] + " but found '" + typeName(cur) + "'. This is not a json object.")
			}
			v, ok := m[seg.name]
			if !ok {
				if i == last {
					return nil, p.notFound("No results for path: " + p.norm[len(p.segs)])
				}
				return nil, p.notFound("Missing property in path " + p.norm[i+1])
			}
			cur = v
		case segIndex:
			a, ok := cur.([]any)
			if !ok {
				if cur == nil {
					return nil, p.notFound("The path " + p.norm[i] + " is null")
				}
				return nil, p.notFound("Filter: [" + strconv.Itoa(seg.index) + "] can only be applied to arrays. Current context is: " + jsonText(cur))
			}
			idx := seg.index
			if idx < 0 {
				idx += len(a)
			}
			if idx < 0 || idx >= len(a) {
				return nil, p.notFound("No results for path: " + p.norm[len(p.segs)])
			}
			cur = a[idx]
		case segLength:
			n, err := lengthOf(cur)
			if err != nil {
				return nil, p.notFound("Aggregation function attempted to calculate value using empty array")
			}
			cur = n
		}
	}
	return cur, nil
}

func lengthOf(v any) (any, error) {
	switch x := v.(type) {
	case []any:
		return jsonInt(len(x)), nil
	case map[string]any:
		return jsonInt(len(x)), nil
	case string:
		return jsonInt(len([]rune(x))), nil
	}
	return nil, &Error{Name: ErrNameRuntime, Cause: "length() applies to arrays, objects and strings, not " + typeName(v), kind: ErrPathNotFound}
}

type evalCtx struct {
	scope *Scope
	root  any
}

// collect appends every node segs select from v.
func collect(v any, segs []segment, out []any, c *evalCtx) []any {
	if len(segs) == 0 {
		return append(out, v)
	}
	seg := &segs[0]
	rest := segs[1:]
	switch seg.kind {
	case segField:
		if m, ok := v.(map[string]any); ok {
			if x, ok := m[seg.name]; ok {
				out = collect(x, rest, out, c)
			}
		}
	case segIndex:
		if a, ok := v.([]any); ok {
			idx := seg.index
			if idx < 0 {
				idx += len(a)
			}
			if idx >= 0 && idx < len(a) {
				out = collect(a[idx], rest, out, c)
			}
		}
	case segWildcard:
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				out = collect(e, rest, out, c)
			}
		case map[string]any:
			for _, k := range sortedKeys(x) {
				out = collect(x[k], rest, out, c)
			}
		}
	case segUnionIndex:
		if a, ok := v.([]any); ok {
			for _, idx := range seg.indexes {
				if idx < 0 {
					idx += len(a)
				}
				if idx >= 0 && idx < len(a) {
					out = collect(a[idx], rest, out, c)
				}
			}
		}
	case segUnionField:
		if m, ok := v.(map[string]any); ok {
			if len(rest) == 0 {
				// Several properties at the leaf select an object of them.
				sel := make(map[string]any, len(seg.names))
				for _, k := range seg.names {
					if x, ok := m[k]; ok {
						sel[k] = x
					}
				}
				return append(out, sel)
			}
			for _, k := range seg.names {
				if x, ok := m[k]; ok {
					out = collect(x, rest, out, c)
				}
			}
		}
	case segSlice:
		if a, ok := v.([]any); ok {
			from, to := sliceBounds(seg, len(a))
			for i := from; i < to; i++ {
				out = collect(a[i], rest, out, c)
			}
		}
	case segFilter:
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if seg.filter.test(e, c) {
					out = collect(e, rest, out, c)
				}
			}
		case map[string]any:
			if seg.filter.test(x, c) {
				out = collect(x, rest, out, c)
			}
		}
	case segScan:
		inner := make([]segment, 0, 1+len(rest))
		inner = append(inner, *seg.inner)
		inner = append(inner, rest...)
		out = scan(v, inner, segs, out, c)
	case segLength:
		if n, err := lengthOf(v); err == nil {
			out = collect(n, rest, out, c)
		}
	}
	return out
}

// scan applies inner at v and at every descendant of v, in document order
// (object keys sorted).
func scan(v any, inner, self []segment, out []any, c *evalCtx) []any {
	out = collect(v, inner, out, c)
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			out = scan(e, inner, self, out, c)
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			out = scan(x[k], inner, self, out, c)
		}
	}
	return out
}

func sliceBounds(s *segment, n int) (int, int) {
	from, to := 0, n
	if s.hasStart {
		from = s.start
		if from < 0 {
			from += n
		}
	}
	if s.hasEnd {
		to = s.end
		if to < 0 {
			to += n
		}
	}
	from = max(0, min(from, n))
	to = max(0, min(to, n))
	if to < from {
		to = from
	}
	return from, to
}
