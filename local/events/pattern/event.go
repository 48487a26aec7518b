package pattern

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// maxDepth bounds the nesting of an event, as encoding/json does.
const maxDepth = 10000

var errSyntax = errors.New("malformed JSON")

// scanner reads an event once, validating all of it as JSON and collecting
// the leaf values at the paths the pattern names; subtrees the pattern does
// not name are validated but not decoded.
type scanner struct {
	p      *Pattern
	data   []byte
	pos    int
	depth  int
	path   []byte
	leaves [][]leaf
	stack  []arrayPos
	arena  []arrayPos
	nextID int32
}

func (s *scanner) reset(p *Pattern, data []byte) {
	s.p, s.data, s.pos, s.depth, s.nextID = p, data, 0, 0, 0
	s.path, s.stack, s.arena = s.path[:0], s.stack[:0], s.arena[:0]
	if s.path == nil {
		s.path = make([]byte, 0, 64) // appendString treats a nil dst specially
	}
	if cap(s.leaves) < len(p.paths) {
		s.leaves = make([][]leaf, len(p.paths))
	}
	s.leaves = s.leaves[:len(p.paths)]
	for i := range s.leaves {
		s.leaves[i] = s.leaves[i][:0]
	}
}

// scan reads the whole event, which must be a JSON object.
func (s *scanner) scan() error {
	s.ws()
	if s.pos >= len(s.data) || s.data[s.pos] != '{' {
		return ErrInvalidEvent
	}
	if err := s.object(true); err != nil {
		return fmt.Errorf("%w: %w at offset %d", ErrInvalidEvent, err, s.pos)
	}
	s.ws()
	if s.pos != len(s.data) {
		return fmt.Errorf("%w: trailing data at offset %d", ErrInvalidEvent, s.pos)
	}
	return nil
}

func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) expect(c byte) error {
	s.ws()
	if s.pos >= len(s.data) || s.data[s.pos] != c {
		return errSyntax
	}
	s.pos++
	return nil
}

// object reads an object at s.pos; rec says whether its members' paths may be
// named by the pattern (s.path holds the object's own path).
func (s *scanner) object(rec bool) error {
	s.pos++ // '{'
	s.depth++
	if s.depth > maxDepth {
		return errSyntax
	}
	s.ws()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		s.depth--
		return nil
	}
	for {
		s.ws()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return errSyntax
		}
		base := len(s.path)
		st, has := step{}, false
		if rec {
			if base > 0 {
				s.path = append(s.path, '.')
			}
			var err error
			if s.path, err = s.appendString(s.path); err != nil {
				return err
			}
			st, has = s.p.steps[string(s.path)]
		} else if _, err := s.appendString(nil); err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := s.value(st, has); err != nil {
			return err
		}
		s.path = s.path[:base]
		s.ws()
		if s.pos >= len(s.data) {
			return errSyntax
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			s.depth--
			return nil
		default:
			return errSyntax
		}
	}
}

// value reads any value; has says whether the current path is named, st what
// the pattern wants there.
func (s *scanner) value(st step, has bool) error {
	s.ws()
	if s.pos >= len(s.data) {
		return errSyntax
	}
	want := has && st.leaf >= 0
	switch c := s.data[s.pos]; {
	case c == '{':
		return s.object(has && st.inner)
	case c == '[':
		return s.array(st, has)
	case c == '"':
		start := s.pos
		b, err := s.appendString(nil)
		if err != nil {
			return err
		}
		if want {
			var text string
			if b == nil { // no escapes: view the event's bytes directly
				raw := s.data[start+1 : s.pos-1]
				text = unsafe.String(unsafe.SliceData(raw), len(raw))
			} else {
				text = string(b)
			}
			s.add(st.leaf, leaf{kind: kindString, text: text})
		}
		return nil
	case c == '-' || '0' <= c && c <= '9':
		start := s.pos
		if err := s.number(); err != nil {
			return err
		}
		if want {
			raw := s.data[start:s.pos]
			text := unsafe.String(unsafe.SliceData(raw), len(raw))
			m, ok := comparable(text)
			s.add(st.leaf, leaf{kind: kindNumber, text: text, micro: m, inRange: ok})
		}
		return nil
	case c == 't':
		return s.literal("true", st, want, kindTrue)
	case c == 'f':
		return s.literal("false", st, want, kindFalse)
	case c == 'n':
		return s.literal("null", st, want, kindNull)
	}
	return errSyntax
}

func (s *scanner) literal(word string, st step, want bool, k kind) error {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return errSyntax
	}
	s.pos += len(word)
	if want {
		s.add(st.leaf, leaf{kind: k})
	}
	return nil
}

func (s *scanner) add(path int, l leaf) {
	if len(s.stack) > 0 {
		start := len(s.arena)
		s.arena = append(s.arena, s.stack...)
		l.arrays = s.arena[start:len(s.arena):len(s.arena)]
	}
	s.leaves[path] = append(s.leaves[path], l)
}

// array reads an array; its elements share the array's path.
func (s *scanner) array(st step, has bool) error {
	s.pos++ // '['
	s.depth++
	if s.depth > maxDepth {
		return errSyntax
	}
	id := s.nextID
	s.nextID++
	s.ws()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		s.depth--
		return nil
	}
	for i := int32(0); ; i++ {
		if has {
			s.stack = append(s.stack, arrayPos{id: id, index: i})
		}
		if err := s.value(st, has); err != nil {
			return err
		}
		if has {
			s.stack = s.stack[:len(s.stack)-1]
		}
		s.ws()
		if s.pos >= len(s.data) {
			return errSyntax
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			s.depth--
			return nil
		default:
			return errSyntax
		}
	}
}

// number validates a JSON number at s.pos.
func (s *scanner) number() error {
	d := s.data
	i := s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	default:
		return errSyntax
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return errSyntax
		}
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return errSyntax
		}
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	}
	s.pos = i
	return nil
}

// plain marks the bytes a JSON string may hold as they are: not a quote, a
// backslash or a control character.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString reads a string at s.pos (on its opening quote). When dst is
// nil and the string has no escapes it returns nil; otherwise it returns dst
// with the decoded string appended.
func (s *scanner) appendString(dst []byte) ([]byte, error) {
	d := s.data
	i := s.pos + 1
	start := i
	for {
		for i < len(d) && plain[d[i]] {
			i++
		}
		if i >= len(d) {
			return nil, errSyntax
		}
		c := d[i]
		if c == '"' {
			if dst != nil {
				dst = append(dst, d[start:i]...)
			}
			s.pos = i + 1
			return dst, nil
		}
		if c < 0x20 {
			return nil, errSyntax
		}
		break // a backslash
	}
	// Slow path: escapes present.
	dst = append(dst, d[start:i]...)
	if dst == nil {
		dst = []byte{}
	}
	for {
		if i >= len(d) {
			return nil, errSyntax
		}
		c := d[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return dst, nil
		case c < 0x20:
			return nil, errSyntax
		case c != '\\':
			dst = append(dst, c)
			i++
			continue
		}
		if i+1 >= len(d) {
			return nil, errSyntax
		}
		e := d[i+1]
		i += 2
		switch e {
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(d, i)
			if !ok {
				return nil, errSyntax
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(d, i+2); ok && i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						i += 6
						dst = utf8.AppendRune(dst, dec)
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return nil, errSyntax
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
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// walk collects leaves from an already decoded event (maps, slices, strings,
// float64 or json.Number, bools and nil, as encoding/json produces).
func (s *scanner) walk(v any, st step, has bool) error {
	s.depth++
	defer func() { s.depth-- }()
	if s.depth > maxDepth {
		return ErrInvalidEvent
	}
	want := has && st.leaf >= 0
	switch x := v.(type) {
	case map[string]any:
		if !has || !st.inner {
			return nil
		}
		for k, child := range x {
			base := len(s.path)
			if base > 0 {
				s.path = append(s.path, '.')
			}
			s.path = append(s.path, k...)
			cst, chas := s.p.steps[string(s.path)]
			err := s.walk(child, cst, chas)
			s.path = s.path[:base]
			if err != nil {
				return err
			}
		}
	case []any:
		if !has {
			return nil
		}
		id := s.nextID
		s.nextID++
		for i, child := range x {
			s.stack = append(s.stack, arrayPos{id: id, index: int32(i)})
			err := s.walk(child, st, has)
			s.stack = s.stack[:len(s.stack)-1]
			if err != nil {
				return err
			}
		}
	case string:
		if want {
			s.add(st.leaf, leaf{kind: kindString, text: x})
		}
	case json.Number:
		if want {
			m, ok := comparable(string(x))
			s.add(st.leaf, leaf{kind: kindNumber, text: string(x), micro: m, inRange: ok})
		}
	case float64:
		if want {
			if math.IsInf(x, 0) || math.IsNaN(x) {
				return ErrInvalidEvent
			}
			t := strconv.FormatFloat(x, 'g', -1, 64)
			m, ok := comparable(t)
			s.add(st.leaf, leaf{kind: kindNumber, text: t, micro: m, inRange: ok})
		}
	case bool:
		if want {
			k := kindFalse
			if x {
				k = kindTrue
			}
			s.add(st.leaf, leaf{kind: k})
		}
	case nil:
		if want {
			s.add(st.leaf, leaf{kind: kindNull})
		}
	default:
		return fmt.Errorf("%w: unsupported type %T", ErrInvalidEvent, v)
	}
	return nil
}
