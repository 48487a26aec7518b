package jsonpath

import (
	"encoding/json"
	"strings"
)

// maxIntrinsicDepth is how deeply intrinsic calls may nest in one field
// (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
const maxIntrinsicDepth = 10

// Intrinsic is a compiled intrinsic function call such as
// States.Format('{}', $.a). It is immutable and safe for concurrent use.
type Intrinsic struct {
	src  string
	call *call
}

type argKind uint8

const (
	argLiteral argKind = iota
	argPath
	argCall
)

type arg struct {
	kind argKind
	lit  any
	path *Path
	call *call
	// tmpl is the pre-parsed States.Format template of a string literal.
	tmpl *formatTemplate
}

type call struct {
	fn   *function
	args []arg
}

// IsIntrinsic reports whether a ".$" value is an intrinsic function call
// rather than a path.
func IsIntrinsic(expr string) bool { return strings.HasPrefix(expr, "States.") }

// CompileIntrinsic compiles an intrinsic function call. Syntax errors and
// unknown functions are compile errors; argument counts and types are
// checked at evaluation time, as AWS does.
func CompileIntrinsic(expr string) (*Intrinsic, error) {
	p := &parser{src: expr}
	c, err := p.call(1)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.eof() {
		return nil, p.errorf("unexpected %q after the function call", p.src[p.pos:])
	}
	return &Intrinsic{src: expr, call: c}, nil
}

// String returns the expression the call was compiled from.
func (f *Intrinsic) String() string { return f.src }

// Eval evaluates the call. Failures are *Error values: States.Runtime
// matching ErrIntrinsic for rejected arguments, or ErrPathNotFound for a
// path argument that names nothing.
func (f *Intrinsic) Eval(s *Scope) (any, error) { return f.call.eval(s) }

func (p *parser) call(depth int) (*call, error) {
	if depth > maxIntrinsicDepth {
		return nil, p.errorf("intrinsic functions nest at most %d deep", maxIntrinsicDepth)
	}
	start := p.pos
	for p.pos < len(p.src) && (isAlnum(p.src[p.pos]) || p.src[p.pos] == '.') {
		p.pos++
	}
	name := p.src[start:p.pos]
	fn := functions[name]
	if fn == nil {
		p.pos = start
		return nil, p.errorf("unknown intrinsic function %q", name)
	}
	if p.peek() != '(' {
		return nil, p.errorf("expected '(' after %s", name)
	}
	p.pos++
	c := &call{fn: fn}
	p.skipSpace()
	if p.peek() == ')' {
		p.pos++
	} else {
		for {
			p.skipSpace()
			a, err := p.arg(depth)
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, a)
			p.skipSpace()
			if p.peek() == ',' {
				p.pos++
				continue
			}
			if p.peek() == ')' {
				p.pos++
				break
			}
			return nil, p.errorf("expected ',' or ')' in the arguments of %s", name)
		}
	}
	// Only the first argument of States.Format is a template.
	for i := range c.args {
		if i > 0 || fn.name != "States.Format" {
			c.args[i].tmpl = nil
		}
	}
	return c, nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (p *parser) arg(depth int) (arg, error) {
	switch c := p.peek(); {
	case c == '\'':
		return p.stringLiteral()
	case c == '$':
		path, err := p.path(false)
		if err != nil {
			return arg{}, err
		}
		return arg{kind: argPath, path: path}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.pos
		p.pos++
		for p.pos < len(p.src) && strings.IndexByte("0123456789.eE+-", p.src[p.pos]) >= 0 {
			p.pos++
		}
		num := p.src[start:p.pos]
		if !json.Valid([]byte(num)) {
			p.pos = start
			return arg{}, p.errorf("invalid number %q", num)
		}
		return arg{kind: argLiteral, lit: json.Number(num)}, nil
	case strings.HasPrefix(p.src[p.pos:], "States."):
		c, err := p.call(depth + 1)
		if err != nil {
			return arg{}, err
		}
		return arg{kind: argCall, call: c}, nil
	}
	for _, w := range []struct {
		word string
		val  any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(p.src[p.pos:], w.word) {
			p.pos += len(w.word)
			return arg{kind: argLiteral, lit: w.val}, nil
		}
	}
	return arg{}, p.errorf("expected an argument")
}

// stringLiteral parses '...'. The reserved characters ' { } \ are escaped
// with a backslash; any other escape is an error
// (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#amazon-states-language-intrinsic-functions-escapes).
// An unescaped "{}" is a States.Format placeholder.
func (p *parser) stringLiteral() (arg, error) {
	p.pos++ // '\''
	var b strings.Builder
	t := &formatTemplate{}
	lit := 0 // start of the current literal run in b
	for {
		if p.eof() {
			return arg{}, p.errorf("unterminated string literal")
		}
		c := p.src[p.pos]
		switch c {
		case '\'':
			p.pos++
			s := b.String()
			t.addText(s[lit:])
			return arg{kind: argLiteral, lit: s, tmpl: t}, nil
		case '\\':
			if p.pos+1 >= len(p.src) {
				return arg{}, p.errorf("open escape at the end of a string literal")
			}
			e := p.src[p.pos+1]
			if e != '\'' && e != '{' && e != '}' && e != '\\' {
				return arg{}, p.errorf("invalid escape \\%c in a string literal", e)
			}
			b.WriteByte(e)
			p.pos += 2
		case '{':
			if p.pos+1 < len(p.src) && p.src[p.pos+1] == '}' {
				s := b.String()
				t.addText(s[lit:])
				t.addPlaceholder()
				b.WriteString("{}")
				lit = b.Len()
				p.pos += 2
				continue
			}
			t.bad = true
			b.WriteByte(c)
			p.pos++
		case '}':
			t.bad = true
			b.WriteByte(c)
			p.pos++
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
}

func (c *call) eval(s *Scope) (any, error) {
	// AWS accepts a definition with a wrong argument count and fails the
	// call when it runs (recorded: States.Hash() and
	// States.Base64Decode('x', 'extra') fail with States.Runtime).
	if n := len(c.args); n < c.fn.minArgs || (c.fn.maxArgs >= 0 && n > c.fn.maxArgs) {
		return nil, c.invalid()
	}
	var buf [4]any
	vals := buf[:0]
	if len(c.args) > len(buf) {
		vals = make([]any, 0, len(c.args))
	}
	for i := range c.args {
		a := &c.args[i]
		switch a.kind {
		case argLiteral:
			vals = append(vals, a.lit)
		case argPath:
			v, err := a.path.Eval(s)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		case argCall:
			v, err := a.call.eval(s)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
	}
	return c.fn.impl(c, vals, s)
}

func (c *call) invalid() error {
	return &Error{Name: ErrNameRuntime, Cause: "Invalid arguments in " + c.fn.name, kind: ErrIntrinsic}
}

// formatTemplate is a States.Format template split at its placeholders.
type formatTemplate struct {
	parts        []string // text before placeholder i; the last part is the tail
	placeholders int
	bad          bool // an unmatched '{' or '}'
}

func (t *formatTemplate) addText(s string) {
	if len(t.parts) == t.placeholders {
		t.parts = append(t.parts, s)
		return
	}
	t.parts[len(t.parts)-1] += s
}

func (t *formatTemplate) addPlaceholder() {
	if len(t.parts) == t.placeholders {
		t.parts = append(t.parts, "")
	}
	t.placeholders++
}

// parseFormatTemplate splits a template that came from a path (no escape
// processing): "{}" is a placeholder, any other brace is an error.
func parseFormatTemplate(s string) *formatTemplate {
	t := &formatTemplate{}
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			if i+1 < len(s) && s[i+1] == '}' {
				t.addText(s[start:i])
				t.addPlaceholder()
				i++
				start = i + 1
				continue
			}
			t.bad = true
		case '}':
			t.bad = true
		}
	}
	t.addText(s[start:])
	return t
}
