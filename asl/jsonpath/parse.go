package jsonpath

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// syntaxError is a compile error of an expression.
type syntaxError struct {
	expr string
	pos  int
	msg  string
}

func (e *syntaxError) Error() string {
	if e.pos >= 0 {
		return fmt.Sprintf("invalid JSONPath %q: %s at position %d", e.expr, e.msg, e.pos)
	}
	return fmt.Sprintf("invalid JSONPath %q: %s", e.expr, e.msg)
}

type parser struct {
	src   string
	pos   int
	depth int
}

func (p *parser) errorf(format string, args ...any) error {
	return &syntaxError{expr: p.src, pos: p.pos, msg: fmt.Sprintf(format, args...)}
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

// maxVariableName is the longest variable name AWS accepts
// (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html).
const maxVariableName = 80

// isVarStart and isVarPart define variable names: a letter or '_', then
// letters, digits and '_'.
func isVarStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isVarPart(r rune) bool  { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// path parses a path starting at p.pos. inFilter allows the "@" root and
// stops at filter operators.
func (p *parser) path(inFilter bool) (*Path, error) {
	start := p.pos
	path := &Path{}
	switch {
	case inFilter && p.peek() == '@':
		path.root = rootCurrent
		p.pos++
	case p.peek() == '$':
		p.pos++
		switch r, _ := utf8.DecodeRuneInString(p.src[p.pos:]); {
		case p.pos < len(p.src) && p.src[p.pos] == '$':
			path.root = rootContext
			p.pos++
		case p.pos < len(p.src) && isVarStart(r):
			nameStart := p.pos
			for p.pos < len(p.src) {
				r, size := utf8.DecodeRuneInString(p.src[p.pos:])
				if !isVarPart(r) {
					break
				}
				p.pos += size
			}
			path.root = rootVar
			path.varName = p.src[nameStart:p.pos]
			if utf8.RuneCountInString(path.varName) > maxVariableName {
				return nil, p.errorf("variable name longer than %d characters", maxVariableName)
			}
		}
	default:
		return nil, p.errorf("a path must start with '$'")
	}
	for !p.eof() {
		c := p.peek()
		if c == '.' || c == '[' {
			seg, err := p.segment(inFilter)
			if err != nil {
				return nil, err
			}
			if n := len(path.segs); n > 0 && path.segs[n-1].kind == segLength {
				return nil, p.errorf("length() must be the last segment")
			}
			path.segs = append(path.segs, seg)
			continue
		}
		break
	}
	path.src = p.src[start:p.pos]
	path.finish()
	return path, nil
}

// nameStop reports characters that end a dot-notation name.
func nameStop(c byte) bool {
	switch c {
	case '.', '[', '(', ')', ']', ' ', '\t', '\n', '\r', '=', '<', '>', '!', '&', '|', ',', '\'', '"':
		return true
	}
	return false
}

func (p *parser) segment(inFilter bool) (segment, error) {
	if p.peek() == '[' {
		return p.bracket(inFilter)
	}
	// '.'
	p.pos++
	if p.peek() == '.' {
		p.pos++
		var inner segment
		var err error
		switch p.peek() {
		case '[':
			inner, err = p.bracket(inFilter)
		case '*':
			p.pos++
			inner = segment{kind: segWildcard}
		default:
			inner, err = p.dotName()
			if err == nil && inner.kind == segLength {
				err = p.errorf("length() cannot follow '..'")
			}
		}
		if err != nil {
			return segment{}, err
		}
		return segment{kind: segScan, inner: &inner}, nil
	}
	if p.peek() == '*' {
		p.pos++
		return segment{kind: segWildcard}, nil
	}
	return p.dotName()
}

func (p *parser) dotName() (segment, error) {
	start := p.pos
	for p.pos < len(p.src) && !nameStop(p.src[p.pos]) {
		p.pos++
	}
	name := p.src[start:p.pos]
	if name == "" {
		return segment{}, p.errorf("expected a field name")
	}
	if p.peek() == '(' {
		if name != "length" || !strings.HasPrefix(p.src[p.pos:], "()") {
			return segment{}, p.errorf("unsupported function %q", name)
		}
		p.pos += 2
		return segment{kind: segLength}, nil
	}
	return segment{kind: segField, name: name}, nil
}

func (p *parser) bracket(inFilter bool) (segment, error) {
	p.pos++ // '['
	p.skipSpace()
	var seg segment
	switch c := p.peek(); {
	case c == '*':
		p.pos++
		seg = segment{kind: segWildcard}
	case c == '?':
		p.pos++
		p.skipSpace()
		if p.peek() != '(' {
			return seg, p.errorf("expected '(' after '?'")
		}
		p.pos++
		p.depth++
		if p.depth > 32 {
			return seg, p.errorf("filter nested too deeply")
		}
		f, err := p.filterOr()
		p.depth--
		if err != nil {
			return seg, err
		}
		p.skipSpace()
		if p.peek() != ')' {
			return seg, p.errorf("expected ')' to close the filter")
		}
		p.pos++
		seg = segment{kind: segFilter, filter: f}
	case c == '\'' || c == '"':
		var names []string
		for {
			s, err := p.quoted()
			if err != nil {
				return seg, err
			}
			names = append(names, s)
			p.skipSpace()
			if p.peek() != ',' {
				break
			}
			p.pos++
			p.skipSpace()
		}
		if len(names) == 1 {
			seg = segment{kind: segField, name: names[0]}
		} else {
			seg = segment{kind: segUnionField, names: names}
		}
	case c == '-' || c == ':' || (c >= '0' && c <= '9'):
		var err error
		seg, err = p.indexOrSlice()
		if err != nil {
			return seg, err
		}
	default:
		return seg, p.errorf("unexpected %q in brackets", string(c))
	}
	p.skipSpace()
	if p.peek() != ']' {
		return seg, p.errorf("expected ']'")
	}
	p.pos++
	return seg, nil
}

func (p *parser) int() (int, bool) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	n, err := strconv.Atoi(p.src[start:p.pos])
	if err != nil {
		p.pos = start
		return 0, false
	}
	return n, true
}

func (p *parser) indexOrSlice() (segment, error) {
	seg := segment{kind: segSlice}
	if p.peek() != ':' {
		n, ok := p.int()
		if !ok {
			return seg, p.errorf("expected an array index")
		}
		p.skipSpace()
		switch p.peek() {
		case ']':
			return segment{kind: segIndex, index: n}, nil
		case ',':
			idx := []int{n}
			for p.peek() == ',' {
				p.pos++
				p.skipSpace()
				m, ok := p.int()
				if !ok {
					return seg, p.errorf("expected an array index")
				}
				idx = append(idx, m)
				p.skipSpace()
			}
			return segment{kind: segUnionIndex, indexes: idx}, nil
		case ':':
		default:
			return seg, p.errorf("expected ']'")
		}
		seg.start, seg.hasStart = n, true
	}
	p.pos++ // ':'
	p.skipSpace()
	if p.peek() != ']' {
		n, ok := p.int()
		if !ok {
			return seg, p.errorf("expected a slice end")
		}
		seg.end, seg.hasEnd = n, true
	}
	return seg, nil
}

// quoted parses a '...' or "..." name. A backslash escapes the quote
// character and itself; before any other character it is kept (AWS
// resolves $['Test\""Name"'] to the key Test\""Name").
func (p *parser) quoted() (string, error) {
	q := p.peek()
	p.pos++
	var b strings.Builder
	for {
		if p.eof() {
			return "", p.errorf("unterminated string")
		}
		c := p.src[p.pos]
		switch {
		case c == q:
			p.pos++
			return b.String(), nil
		case c == '\\' && p.pos+1 < len(p.src):
			if e := p.src[p.pos+1]; e != q && e != '\\' {
				b.WriteByte(c)
			}
			b.WriteByte(p.src[p.pos+1])
			p.pos += 2
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
}

// Filters.

func (p *parser) filterOr() (filterNode, error) {
	left, err := p.filterAnd()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.src[p.pos:], "||") {
			return left, nil
		}
		p.pos += 2
		right, err := p.filterAnd()
		if err != nil {
			return nil, err
		}
		left = &logicNode{or: true, left: left, right: right}
	}
}

func (p *parser) filterAnd() (filterNode, error) {
	left, err := p.filterUnary()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.src[p.pos:], "&&") {
			return left, nil
		}
		p.pos += 2
		right, err := p.filterUnary()
		if err != nil {
			return nil, err
		}
		left = &logicNode{left: left, right: right}
	}
}

func (p *parser) filterUnary() (filterNode, error) {
	p.skipSpace()
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 64 {
		return nil, p.errorf("filter nested too deeply")
	}
	switch p.peek() {
	case '!':
		p.pos++
		inner, err := p.filterUnary()
		if err != nil {
			return nil, err
		}
		return &notNode{inner: inner}, nil
	case '(':
		p.pos++
		inner, err := p.filterOr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ')' {
			return nil, p.errorf("expected ')'")
		}
		p.pos++
		return inner, nil
	}
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	op := p.operator()
	if op == "" {
		if left.path == nil {
			return nil, p.errorf("expected a comparison operator")
		}
		return &existsNode{path: left.path}, nil
	}
	p.skipSpace()
	right, err := p.operand()
	if err != nil {
		return nil, err
	}
	if op == "=~" && right.re == nil {
		return nil, p.errorf("=~ needs a /regular expression/")
	}
	return &compareNode{op: op, left: left, right: right}, nil
}

// operators of Jayway JsonPath filters, longest first; the word operators
// must be followed by a space or a list.
var operators = []string{"==", "!=", "<=", ">=", "=~", "<", ">", "subsetof", "anyof", "noneof", "empty", "size", "nin", "in"}

func (p *parser) operator() string {
	rest := p.src[p.pos:]
	for _, op := range operators {
		if !strings.HasPrefix(rest, op) {
			continue
		}
		if isAlnum(op[0]) {
			after := rest[len(op):]
			if after == "" || (after[0] != ' ' && after[0] != '[') {
				continue
			}
		}
		p.pos += len(op)
		return op
	}
	return ""
}

func (p *parser) operand() (*operand, error) {
	p.skipSpace()
	switch c := p.peek(); {
	case c == '@' || c == '$':
		path, err := p.path(true)
		if err != nil {
			return nil, err
		}
		return &operand{path: path}, nil
	case c == '\'' || c == '"':
		s, err := p.quoted()
		if err != nil {
			return nil, err
		}
		return &operand{lit: s}, nil
	case c == '/':
		return p.regex()
	case c == '[':
		return p.list()
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.pos
		p.pos++
		for p.pos < len(p.src) && strings.IndexByte("0123456789.eE+-", p.src[p.pos]) >= 0 {
			p.pos++
		}
		num := p.src[start:p.pos]
		if _, err := strconv.ParseFloat(num, 64); err != nil {
			return nil, p.errorf("invalid number %q", num)
		}
		return &operand{lit: json.Number(num)}, nil
	}
	for _, w := range []struct {
		word string
		val  any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(p.src[p.pos:], w.word) {
			p.pos += len(w.word)
			return &operand{lit: w.val}, nil
		}
	}
	return nil, p.errorf("expected a value")
}

func (p *parser) regex() (*operand, error) {
	p.pos++ // '/'
	var b strings.Builder
	for {
		if p.eof() {
			return nil, p.errorf("unterminated regular expression")
		}
		c := p.src[p.pos]
		if c == '/' {
			p.pos++
			break
		}
		if c == '\\' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '/' {
			b.WriteByte('/')
			p.pos += 2
			continue
		}
		b.WriteByte(c)
		p.pos++
	}
	flags := ""
	for p.pos < len(p.src) && strings.IndexByte("imsx", p.src[p.pos]) >= 0 {
		if p.src[p.pos] != 'x' {
			flags += string(p.src[p.pos])
		}
		p.pos++
	}
	expr := "^(?:" + b.String() + ")$"
	if flags != "" {
		expr = "(?" + flags + ")" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, p.errorf("invalid regular expression: %v", err)
	}
	return &operand{re: re}, nil
}

func (p *parser) list() (*operand, error) {
	p.pos++ // '['
	var items []any
	for {
		p.skipSpace()
		if p.peek() == ']' && len(items) == 0 {
			p.pos++
			return &operand{lit: items}, nil
		}
		o, err := p.operand()
		if err != nil {
			return nil, err
		}
		if o.path != nil || o.re != nil {
			return nil, p.errorf("a list may only hold literals")
		}
		items = append(items, o.lit)
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			if items == nil {
				items = []any{}
			}
			return &operand{lit: items}, nil
		default:
			return nil, p.errorf("expected ',' or ']' in list")
		}
	}
}
