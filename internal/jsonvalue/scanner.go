package jsonvalue

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of objects and arrays a document may
// have, as in encoding/json.
const MaxDepth = 10000

// Kind is the type of the value that starts at the scanner's position.
type Kind uint8

const (
	// Invalid: the input ends, or the next byte starts no JSON value.
	Invalid Kind = iota
	Object
	Array
	String
	Number
	True
	False
	Null
)

// SyntaxError is malformed JSON: what was wrong and the byte offset where
// it was found.
type SyntaxError struct {
	Msg    string
	Offset int
}

func (e *SyntaxError) Error() string {
	return e.Msg + " at offset " + strconv.Itoa(e.Offset)
}

// Position returns the line and column (from 1, columns in bytes) of
// offset in data.
func Position(data []byte, offset int) (line, col int) {
	line, col = 1, 1
	for _, c := range data[:min(max(offset, 0), len(data))] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

const msgEnd = "unexpected end of JSON input"

// Scanner reads one JSON document token by token. The zero Scanner reads
// an empty document; Reset gives it another.
//
// A caller reads a value by calling Peek and then the method for its
// kind: BeginObject (then NextMember and Key before each member's value),
// BeginArray (then NextElement before each element), String, Number or
// Literal; or Skip, which validates a value without decoding it. End
// checks that nothing but white space follows the document. After an
// error the scanner's position is unspecified.
type Scanner struct {
	data  []byte
	pos   int
	depth int
}

// Reset makes s read data from its start.
func (s *Scanner) Reset(data []byte) { s.data, s.pos, s.depth = data, 0, 0 }

// Offset is the position of the next byte to read.
func (s *Scanner) Offset() int { return s.pos }

func (s *Scanner) fail(msg string) error {
	return &SyntaxError{Msg: msg, Offset: s.pos}
}

// failAt reports the byte at the position as unexpected, or the end of
// the input.
func (s *Scanner) failAt(context string) error {
	if s.pos >= len(s.data) {
		return s.fail(msgEnd)
	}
	return s.fail("invalid character " + quoteByte(s.data[s.pos]) + " " + context)
}

func quoteByte(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	return strconv.QuoteRune(rune(c))
}

func (s *Scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// Peek skips white space and returns the kind of the value that starts
// there, without consuming it.
func (s *Scanner) Peek() Kind {
	s.space()
	if s.pos >= len(s.data) {
		return Invalid
	}
	return kindOf[s.data[s.pos]]
}

// kindOf maps a value's first byte to its kind.
var kindOf = func() (t [256]Kind) {
	t['{'], t['['], t['"'], t['t'], t['f'], t['n'], t['-'] = Object, Array, String, True, False, Null, Number
	for c := '0'; c <= '9'; c++ {
		t[c] = Number
	}
	return t
}()

// ErrValue is the error for a position where a value should start.
func (s *Scanner) ErrValue() error { return s.failAt("looking for beginning of value") }

// End skips white space and reports an error unless the input ends there.
func (s *Scanner) End() error {
	s.space()
	if s.pos != len(s.data) {
		return s.failAt("after top-level value")
	}
	return nil
}

// BeginObject consumes the '{' that Peek found.
func (s *Scanner) BeginObject() error { return s.enter() }

// BeginArray consumes the '[' that Peek found.
func (s *Scanner) BeginArray() error { return s.enter() }

func (s *Scanner) enter() error {
	s.depth++
	if s.depth > MaxDepth {
		return s.fail("exceeded max depth")
	}
	s.pos++
	return nil
}

// NextMember reports whether the object being read has another member,
// consuming the ',' before it or the closing '}'; first says that no
// member has been read yet. When it returns true, Key reads the member's
// name.
func (s *Scanner) NextMember(first bool) (bool, error) { return s.next('}', first) }

// NextElement is NextMember for an array: true when another element
// follows (read it as any value), false after the closing ']'.
func (s *Scanner) NextElement(first bool) (bool, error) { return s.next(']', first) }

func (s *Scanner) next(closing byte, first bool) (bool, error) {
	s.space()
	if s.pos >= len(s.data) {
		return false, s.fail(msgEnd)
	}
	switch c := s.data[s.pos]; {
	case c == closing:
		s.pos++
		s.depth--
		return false, nil
	case first:
		return true, nil
	case c == ',':
		s.pos++
		return true, nil
	}
	if closing == '}' {
		return false, s.failAt("after object key:value pair")
	}
	return false, s.failAt("after array element")
}

// Key reads a member's name and the ':' after it; the text is as String
// returns it.
func (s *Scanner) Key(dst []byte) (text []byte, view bool, err error) {
	s.space()
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return nil, false, s.failAt("looking for beginning of object key string")
	}
	if text, view, err = s.String(dst); err != nil {
		return nil, false, err
	}
	if s.pos < len(s.data) && s.data[s.pos] == ':' { // compact JSON
		s.pos++
		return text, view, nil
	}
	s.space()
	if s.pos >= len(s.data) || s.data[s.pos] != ':' {
		return nil, false, s.failAt("after object key")
	}
	s.pos++
	return text, view, nil
}

// byte classes inside a string
const (
	plainASCII = iota
	stop       // '"', '\\' or a control character
	nonASCII
)

var class = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c < 0x20 || c == '"' || c == '\\':
			t[c] = stop
		case c >= utf8.RuneSelf:
			t[c] = nonASCII
		}
	}
	return t
}()

// String reads the string that Peek found. When the string has no escapes
// and is valid UTF-8, text is a view of the input between the quotes (view
// is true; it must not be modified) and dst is unused; otherwise text is
// dst with the decoded string appended, invalid UTF-8 and unpaired
// surrogates replaced by U+FFFD as encoding/json does.
func (s *Scanner) String(dst []byte) (text []byte, view bool, err error) {
	d := s.data
	start := s.pos + 1
	i := start
	for i < len(d) && class[d[i]] == plainASCII {
		i++
	}
	if i < len(d) && d[i] == '"' { // the common case, small enough to inline: plain ASCII
		s.pos = i + 1
		return d[start:i:i], true, nil
	}
	return s.stringFrom(dst, start, i)
}

// stringFrom is String past the plain ASCII prefix d[start:i].
func (s *Scanner) stringFrom(dst []byte, start, i int) ([]byte, bool, error) {
	d := s.data
	ascii := true
	for {
		for i < len(d) && class[d[i]] == plainASCII {
			i++
		}
		if i >= len(d) {
			s.pos = i
			return nil, false, s.fail(msgEnd)
		}
		if class[d[i]] == nonASCII {
			ascii = false
			i++
			continue
		}
		break
	}
	if d[i] == '"' && (ascii || utf8.Valid(d[start:i])) {
		s.pos = i + 1
		return d[start:i:i], true, nil
	}
	s.pos = start
	dst, err := s.decodeString(dst)
	return dst, false, err
}

// decodeString decodes the rest of a string from s.pos (inside the
// quotes), appending to dst.
func (s *Scanner) decodeString(dst []byte) ([]byte, error) {
	d := s.data
	i := s.pos
	for {
		if i >= len(d) {
			s.pos = i
			return nil, s.fail(msgEnd)
		}
		c := d[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return dst, nil
		case c < 0x20:
			s.pos = i
			return nil, s.failAt("in string literal")
		case c < utf8.RuneSelf && c != '\\':
			dst = append(dst, c)
			i++
			continue
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, d[i:i+size]...)
			}
			i += size
			continue
		}
		// A backslash.
		if i+1 >= len(d) {
			s.pos = len(d)
			return nil, s.fail(msgEnd)
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
				s.pos = i
				return nil, s.fail("invalid \\u escape in string literal")
			}
			i += 4
			if utf16.IsSurrogate(r) {
				// A pair only with a second \u escape that completes it;
				// otherwise U+FFFD, the next escape read on its own.
				r2, ok := hex4(d, i+2)
				if dec := utf16.DecodeRune(r, r2); ok && d[i] == '\\' && d[i+1] == 'u' && dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			s.pos = i - 1
			return nil, s.failAt("in string escape code")
		}
	}
}

// hex4 reads four hexadecimal digits at d[i:].
func hex4(d []byte, i int) (rune, bool) {
	if i < 0 || i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// Number reads the number that Peek found and returns its text, a view of
// the input.
func (s *Scanner) Number() ([]byte, error) {
	start := s.pos
	end, ok := numberEnd(s.data, start)
	s.pos = end
	if !ok {
		return nil, s.failAt("in numeric literal")
	}
	return s.data[start:end:end], nil
}

// IsNumber reports whether t is a JSON number.
func IsNumber(t string) bool {
	end, ok := numberEnd(t, 0)
	return ok && end == len(t)
}

// numberEnd scans the number at d[i:], returning the index just past it,
// or false and the index of the first byte that does not fit:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func numberEnd[T string | []byte](d T, i int) (int, bool) {
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		i = digits(d, i+1)
	default:
		return i, false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return i, false
		}
		i = digits(d, i+1)
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return i, false
		}
		i = digits(d, i+1)
	}
	return i, true
}

func digits[T string | []byte](d T, i int) int {
	for i < len(d) && '0' <= d[i] && d[i] <= '9' {
		i++
	}
	return i
}

// Literal reads the true, false or null that Peek found.
func (s *Scanner) Literal() (Kind, error) {
	var word string
	k := kindOf[s.data[s.pos]]
	switch k {
	case True:
		word = "true"
	case False:
		word = "false"
	case Null:
		word = "null"
	default:
		return Invalid, s.ErrValue()
	}
	for j := 1; j < len(word); j++ {
		if s.pos+j >= len(s.data) {
			s.pos = len(s.data)
			return Invalid, s.fail(msgEnd)
		}
		if s.data[s.pos+j] != word[j] {
			s.pos += j
			return Invalid, s.failAt("in literal " + word + " (expecting " + quoteByte(word[j]) + ")")
		}
	}
	s.pos += len(word)
	return k, nil
}

// Skip reads one value of any kind without decoding it.
func (s *Scanner) Skip() error {
	switch s.Peek() {
	case Object:
		if err := s.BeginObject(); err != nil {
			return err
		}
		for first := true; ; first = false {
			more, err := s.NextMember(first)
			if err != nil || !more {
				return err
			}
			s.space()
			if s.pos >= len(s.data) || s.data[s.pos] != '"' {
				return s.failAt("looking for beginning of object key string")
			}
			if err := s.skipString(); err != nil {
				return err
			}
			s.space()
			if s.pos >= len(s.data) || s.data[s.pos] != ':' {
				return s.failAt("after object key")
			}
			s.pos++
			if err := s.Skip(); err != nil {
				return err
			}
		}
	case Array:
		if err := s.BeginArray(); err != nil {
			return err
		}
		for first := true; ; first = false {
			more, err := s.NextElement(first)
			if err != nil || !more {
				return err
			}
			if err := s.Skip(); err != nil {
				return err
			}
		}
	case String:
		return s.skipString()
	case Number:
		_, err := s.Number()
		return err
	case True, False, Null:
		_, err := s.Literal()
		return err
	}
	return s.ErrValue()
}

// skipString validates a string without decoding it.
func (s *Scanner) skipString() error {
	d := s.data
	i := s.pos + 1
	for {
		for i < len(d) && class[d[i]] != stop {
			i++
		}
		if i >= len(d) {
			s.pos = i
			return s.fail(msgEnd)
		}
		switch c := d[i]; {
		case c == '"':
			s.pos = i + 1
			return nil
		case c < 0x20:
			s.pos = i
			return s.failAt("in string literal")
		}
		// A backslash.
		if i+1 >= len(d) {
			s.pos = len(d)
			return s.fail(msgEnd)
		}
		switch d[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i += 2
		case 'u':
			if _, ok := hex4(d, i+2); !ok {
				s.pos = i + 2
				return s.fail("invalid \\u escape in string literal")
			}
			i += 6
		default:
			s.pos = i + 1
			return s.failAt("in string escape code")
		}
	}
}
