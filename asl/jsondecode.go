package asl

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonParser decodes one JSON document into the generic values the engine
// uses (map[string]any, []any, string, json.Number, bool, nil), like
// encoding/json with UseNumber, and also reports duplicate state names,
// which encoding/json would silently collapse into the last one.
type jsonParser struct {
	data []byte
	pos  int
	// path holds the object keys and array indexes from the root to the
	// value being parsed, to recognise States objects.
	path  []segment
	depth int
	// dups lists the location of every repeated state name.
	dups []Diagnostic
}

// maxJSONDepth bounds nesting as encoding/json does.
const maxJSONDepth = 10000

// segment is one step of a path: an object key, or an array index when
// index >= 0.
type segment struct {
	key   string
	index int
}

type jsonSyntaxError struct {
	msg       string
	line, col int
}

func (e *jsonSyntaxError) Error() string {
	return e.msg + " at line " + strconv.Itoa(e.line) + ", column " + strconv.Itoa(e.col)
}

func parseJSON(data []byte) (any, []Diagnostic, error) {
	p := jsonParser{data: data}
	p.space()
	v, err := p.value()
	if err != nil {
		return nil, nil, err
	}
	p.space()
	if p.pos != len(p.data) {
		return nil, nil, p.fail("unexpected data after the top-level value")
	}
	return v, p.dups, nil
}

// fail reports a syntax error at the current position, counting lines and
// columns from 1 (columns in bytes).
func (p *jsonParser) fail(msg string) error {
	pos := min(p.pos, len(p.data))
	line, col := 1, 1
	for _, c := range p.data[:pos] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return &jsonSyntaxError{msg: msg, line: line, col: col}
}

func (p *jsonParser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value() (any, error) {
	if p.pos >= len(p.data) {
		return nil, p.fail("unexpected end of JSON input")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.str()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	default:
		return nil, p.fail("invalid character " + strconv.QuoteRune(rune(c)) + " looking for beginning of value")
	}
}

func (p *jsonParser) literal(lit string) error {
	if !strings.HasPrefix(string(p.data[p.pos:min(len(p.data), p.pos+len(lit))]), lit) {
		return p.fail("invalid literal, expected " + lit)
	}
	p.pos += len(lit)
	return nil
}

func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > maxJSONDepth {
		return p.fail("exceeded max depth")
	}
	return nil
}

// inStates reports whether the object being parsed is a States object: the
// value of "States" at the top level, in a Parallel branch, or in a Map's
// ItemProcessor or Iterator.
func (p *jsonParser) inStates() bool {
	n := len(p.path)
	if n == 0 || p.path[n-1].key != "States" {
		return false
	}
	switch {
	case n == 1:
		return true
	case p.path[n-2].key == "ItemProcessor" || p.path[n-2].key == "Iterator":
		return true
	case n >= 3 && p.path[n-2].index >= 0 && p.path[n-3].key == "Branches":
		return true
	}
	return false
}

func (p *jsonParser) location(key string) string {
	var b strings.Builder
	for _, seg := range p.path {
		if seg.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(seg.index))
			b.WriteByte(']')
			continue
		}
		b.WriteByte('/')
		b.WriteString(seg.key)
	}
	b.WriteByte('/')
	b.WriteString(key)
	return b.String()
}

func (p *jsonParser) object() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.pos++ // {
	m := make(map[string]any)
	states := p.inStates()
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		p.depth--
		return m, nil
	}
	for {
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.fail("expected a string for an object key")
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.fail("expected ':' after object key")
		}
		p.pos++
		p.space()
		p.path = append(p.path, segment{key: key, index: -1})
		v, err := p.value()
		p.path = p.path[:len(p.path)-1]
		if err != nil {
			return nil, err
		}
		if _, dup := m[key]; dup && states {
			p.dups = append(p.dups, Diagnostic{
				Severity: SeverityError, Code: CodeDuplicateStateName,
				Message: "Duplicate State name: " + key, Location: p.location(key),
			})
		}
		m[key] = v
		p.space()
		if p.pos >= len(p.data) {
			return nil, p.fail("unexpected end of JSON input")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			p.depth--
			return m, nil
		default:
			return nil, p.fail("expected ',' or '}' after object member")
		}
	}
}

func (p *jsonParser) array() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.pos++ // [
	a := make([]any, 0, 4)
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		p.depth--
		return a, nil
	}
	p.path = append(p.path, segment{})
	defer func() { p.path = p.path[:len(p.path)-1] }()
	for {
		p.path[len(p.path)-1].index = len(a)
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		p.space()
		if p.pos >= len(p.data) {
			return nil, p.fail("unexpected end of JSON input")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			p.depth--
			return a, nil
		default:
			return nil, p.fail("expected ',' or ']' after array element")
		}
	}
}

func (p *jsonParser) number() (any, error) {
	start := p.pos
	d := p.data
	i := p.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		p.pos = i
		return nil, p.fail("invalid number")
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			p.pos = i
			return nil, p.fail("invalid number")
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			p.pos = i
			return nil, p.fail("invalid number")
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	p.pos = i
	return json.Number(d[start:i]), nil
}

// str reads a string starting at the opening quote. Invalid UTF-8 and
// unpaired surrogates become U+FFFD, as with encoding/json.
func (p *jsonParser) str() (string, error) {
	p.pos++ // "
	start := p.pos
	d := p.data
	// Fast path: no escapes, ASCII only.
	for i := start; i < len(d); i++ {
		c := d[i]
		if c == '"' {
			p.pos = i + 1
			return string(d[start:i]), nil
		}
		if c == '\\' || c < 0x20 || c >= 0x80 {
			break
		}
	}
	var b []byte
	i := start
	for {
		if i >= len(d) {
			p.pos = i
			return "", p.fail("unexpected end of JSON input in string")
		}
		c := d[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return string(b), nil
		case c < 0x20:
			p.pos = i
			return "", p.fail("invalid control character in string")
		case c == '\\':
			if i+1 >= len(d) {
				p.pos = i
				return "", p.fail("unexpected end of JSON input in string")
			}
			i++
			switch d[i] {
			case '"', '\\', '/':
				b = append(b, d[i])
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := hex4(d, i+1)
				if !ok {
					p.pos = i
					return "", p.fail("invalid \\u escape in string")
				}
				i += 4
				if utf16.IsSurrogate(r) {
					if r2, ok := hex4(d, i+3); ok && i+2 < len(d) && d[i+1] == '\\' && d[i+2] == 'u' {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							r = dec
							i += 6
						} else {
							r = utf8.RuneError
						}
					} else {
						r = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, r)
			default:
				p.pos = i
				return "", p.fail("invalid escape in string")
			}
			i++
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			b = utf8.AppendRune(b, r)
			i += size
		}
	}
}

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
