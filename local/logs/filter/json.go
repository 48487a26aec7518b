package filter

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// maxDepth bounds parenthesis nesting, so a hostile pattern cannot exhaust the stack.
const maxDepth = 32

// jsonParser is a recursive-descent parser over the text between the braces.
type jsonParser struct {
	s     string
	i     int
	depth int
}

func parseJSONPattern(t string) (node, error) {
	if !strings.HasSuffix(t, "}") || len(t) < 2 {
		return nil, fmt.Errorf("%w: a JSON pattern must end with }", ErrSyntax)
	}
	p := &jsonParser{s: t[1 : len(t)-1]}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.i < len(p.s) {
		return nil, p.errorf("unexpected %q", p.s[p.i:])
	}
	return n, nil
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s at offset %d", ErrSyntax, fmt.Sprintf(format, args...), p.i+1)
}

func (p *jsonParser) skip() {
	for p.i < len(p.s) && isSpace(p.s[p.i]) {
		p.i++
	}
}

func (p *jsonParser) accept(tok string) bool {
	p.skip()
	if strings.HasPrefix(p.s[p.i:], tok) {
		p.i += len(tok)
		return true
	}
	return false
}

func (p *jsonParser) or() (node, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.accept("||") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = orNode{l, r}
	}
	return l, nil
}

func (p *jsonParser) and() (node, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.accept("&&") {
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = andNode{l, r}
	}
	return l, nil
}

func (p *jsonParser) unary() (node, error) {
	if p.accept("(") {
		if p.depth++; p.depth > maxDepth {
			return nil, p.errorf("parentheses nested deeper than %d", maxDepth)
		}
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.accept(")") {
			return nil, p.errorf("missing )")
		}
		p.depth--
		return n, nil
	}
	return p.comparison()
}

func (p *jsonParser) comparison() (node, error) {
	path, err := p.selector()
	if err != nil {
		return nil, err
	}
	c := comparison{path: path}
	p.skip()
	for _, kw := range []struct{ text, op string }{
		{"IS TRUE", "TRUE"}, {"IS FALSE", "FALSE"}, {"IS NULL", "NULL"}, {"NOT EXISTS", "NOTEXISTS"},
	} {
		if p.keyword(kw.text) {
			c.op = kw.op
			return c, nil
		}
	}
	for _, op := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if strings.HasPrefix(p.s[p.i:], op) {
			c.op = op
			p.i += len(op)
			break
		}
	}
	if c.op == "" {
		return nil, p.errorf("expected a comparison operator")
	}
	p.skip()
	if err := p.value(&c); err != nil {
		return nil, err
	}
	return c, nil
}

// keyword accepts a keyword phrase (words separated by any whitespace) followed by a delimiter.
func (p *jsonParser) keyword(phrase string) bool {
	i := p.i
	for k, w := range strings.Fields(phrase) {
		if k > 0 {
			j := i
			for i < len(p.s) && isSpace(p.s[i]) {
				i++
			}
			if i == j {
				return false
			}
		}
		if !strings.HasPrefix(p.s[i:], w) {
			return false
		}
		i += len(w)
	}
	if i < len(p.s) && !isSpace(p.s[i]) && p.s[i] != ')' && p.s[i] != '&' && p.s[i] != '|' {
		return false
	}
	p.i = i
	return true
}

// selector reads $ followed by .name and [n] steps.
func (p *jsonParser) selector() ([]step, error) {
	p.skip()
	if p.i >= len(p.s) || p.s[p.i] != '$' {
		return nil, p.errorf("expected a selector starting with $")
	}
	p.i++
	var path []step
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '.':
			p.i++
			j := p.i
			for p.i < len(p.s) && isNameByte(p.s[p.i]) {
				p.i++
			}
			if p.i == j {
				return nil, p.errorf("expected a field name after .")
			}
			path = append(path, step{name: p.s[j:p.i], index: -1})
		case '[':
			p.i++
			j := p.i
			for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
				p.i++
			}
			if p.i == j || p.i-j > 9 || p.i >= len(p.s) || p.s[p.i] != ']' {
				return nil, p.errorf("expected an array index [n]")
			}
			n, _ := strconv.Atoi(p.s[j:p.i])
			p.i++
			path = append(path, step{index: n})
		default:
			if len(path) == 0 {
				return nil, p.errorf("expected .field or [n] after $")
			}
			return path, nil
		}
	}
	if len(path) == 0 {
		return nil, p.errorf("expected .field or [n] after $")
	}
	return path, nil
}

func isNameByte(c byte) bool {
	return c == '_' || c == '-' || c == '@' || c == '$' || c == ':' ||
		c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// value reads the literal of a comparison: "quoted", %regex%, or a bare token (a number or a string).
func (p *jsonParser) value(c *comparison) error {
	if p.i >= len(p.s) {
		return p.errorf("expected a value")
	}
	switch p.s[p.i] {
	case '"':
		v, n, err := quoted(p.s[p.i:])
		if err != nil {
			return err
		}
		p.i += n
		return c.setString(p, v)
	case '%':
		end := strings.IndexByte(p.s[p.i+1:], '%')
		if end < 0 {
			return p.errorf("unterminated %%regex%%")
		}
		expr := p.s[p.i+1 : p.i+1+end]
		p.i += end + 2
		if c.op != "=" && c.op != "!=" {
			return p.errorf("a regular expression goes with = or !=")
		}
		re, err := regexp.Compile(expr)
		if err != nil || expr == "" {
			return p.errorf("invalid regular expression %q", expr)
		}
		c.wild = re
		return nil
	}
	j := p.i
	for p.i < len(p.s) && !isSpace(p.s[p.i]) && p.s[p.i] != ')' &&
		!strings.HasPrefix(p.s[p.i:], "&&") && !strings.HasPrefix(p.s[p.i:], "||") {
		p.i++
	}
	tok := p.s[j:p.i]
	if tok == "" {
		return p.errorf("expected a value")
	}
	if f, err := strconv.ParseFloat(tok, 64); err == nil && !strings.ContainsAny(tok, "xXpP_") {
		c.num, c.rawNum = &f, tok
		return nil
	}
	return c.setString(p, tok)
}

func (c *comparison) setString(p *jsonParser, v string) error {
	if c.op != "=" && c.op != "!=" {
		return p.errorf("%s compares numbers, not %q", c.op, v)
	}
	c.str = v
	if strings.Contains(v, "*") {
		parts := strings.Split(v, "*")
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		c.wild = regexp.MustCompile(`^(?s:` + strings.Join(parts, ".*") + `)$`)
	}
	return nil
}
