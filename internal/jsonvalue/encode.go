package jsonvalue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// ErrUnsupportedNumber is returned for a value JSON cannot write: NaN, an
// infinity, or a json.Number whose text is not a JSON number.
var ErrUnsupportedNumber = errors.New("jsonvalue: unsupported number")

// Marshal returns v written by Append.
func Marshal(v any) ([]byte, error) { return Append(make([]byte, 0, 64), v) }

// Append appends the compact JSON text of v to b: object keys sorted, no
// HTML escaping, invalid UTF-8 written as U+FFFD, json.Number verbatim,
// floats as AppendFloat writes them. Values of other Go types (a host's
// structs) are written by encoding/json, without HTML escaping.
func Append(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return AppendString(b, x), nil
	case json.Number:
		if x == "" { // the zero Number, as encoding/json writes it
			return append(b, '0'), nil
		}
		if !IsNumber(string(x)) {
			return nil, fmt.Errorf("%w: json.Number %q", ErrUnsupportedNumber, string(x))
		}
		return append(b, x...), nil
	case float64:
		return AppendFloat(b, x, 64)
	case float32:
		return AppendFloat(b, float64(x), 32)
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case uint64:
		return strconv.AppendUint(b, x, 10), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = Append(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		// Keys in sorted order. The members of the usual small object are
		// gathered in one pass over the map (no second lookup per key)
		// into an array on the stack, and an index of bytes is sorted by
		// insertion, which beats a general sort for the handful of keys a
		// payload has. (All of it stays in this function: a helper
		// recursing through Append would make b escape.)
		var ms [smallObject]member
		var order [smallObject]uint8
		var keys []string
		n := 0
		if len(x) <= smallObject {
			for k, v := range x {
				ms[n] = member{k, v}
				order[n] = uint8(n)
				n++
			}
			for i := 1; i < n; i++ {
				for j := i; j > 0 && ms[order[j]].key < ms[order[j-1]].key; j-- {
					order[j], order[j-1] = order[j-1], order[j]
				}
			}
		} else {
			keys = make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			n = len(keys)
		}
		b = append(b, '{')
		for i := range n {
			if i > 0 {
				b = append(b, ',')
			}
			var k string
			var v any
			if keys == nil {
				k, v = ms[order[i]].key, ms[order[i]].val
			} else {
				k = keys[i]
				v = x[k]
			}
			b = AppendString(b, k)
			b = append(b, ':')
			var err error
			if b, err = Append(b, v); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	return appendOther(b, v)
}

// appendOther writes a value of any other Go type with encoding/json.
func appendOther(b []byte, v any) ([]byte, error) {
	buf := bytes.NewBuffer(b)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("jsonvalue: %w", err)
	}
	out := buf.Bytes()
	return out[:len(out)-1], nil // Encode ends the value with a newline
}

// member is one key/value pair of an object being written.
type member struct {
	key string
	val any
}

// smallObject is the size up to which an object's members are sorted on
// the stack.
const smallObject = 16

// AppendFloat appends f as JavaScript's JSON.stringify writes a number
// (ECMA-262, Number::toString): the shortest decimal that reads back as f
// at the given bit size (32 or 64), in exponent form below 1e-6 and from
// 1e21 on, with the exponent's sign and no leading zeros (1e+21, 1e-7); -0
// is written 0. NaN and the infinities yield ErrUnsupportedNumber.
func AppendFloat(b []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedNumber, f)
	}
	if f == 0 {
		return append(b, '0'), nil
	}
	format := byte('f')
	if a := math.Abs(f); a < 1e-6 || a >= 1e21 {
		format = 'e'
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// strconv writes at least two exponent digits: e-07 -> e-7.
		if n := len(b); n-start >= 4 && b[n-4] == 'e' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string: ", \ and the control
// characters escaped (\n, \r, \t by name, the others as \u00XX), invalid
// UTF-8 as \ufffd, everything else, HTML characters and U+2028 included,
// as it is.
func AppendString(b []byte, s string) []byte { return appendString(b, s, &plainSafe, 0) }

// AppendStringJS appends s as AppendString does, but for U+2028 and U+2029,
// which it writes as \u2028 and \u2029, as encoding/json does: the text is
// then also valid JavaScript.
func AppendStringJS(b []byte, s string) []byte {
	return appendString(b, s, &plainSafe, escapeLineSeparators)
}

// AppendStringHTML appends s exactly as encoding/json.Marshal writes a
// string: AppendStringJS's escapes, \b and \f by name, and <, > and & as
// \u003c, \u003e and \u0026.
func AppendStringHTML(b []byte, s string) []byte {
	return appendString(b, s, &htmlSafe, escapeLineSeparators|escapeHTML)
}

// escapes are what a string is written with beyond AppendString's.
type escapes uint8

const (
	escapeLineSeparators escapes = 1 << iota // U+2028 and U+2029 as \u2028 and \u2029
	escapeHTML                               // \b and \f by name (<, > and & are left out of htmlSafe)
)

// plainSafe marks the bytes a string holds as they are; htmlSafe the same
// without <, > and &.
var plainSafe, htmlSafe = func() (plain, html [256]bool) {
	for c := range 256 {
		plain[c] = class[c] == plainASCII
		html[c] = plain[c] && c != '<' && c != '>' && c != '&'
	}
	return plain, html
}()

// appendString writes s into b by index rather than by an append per run of plain bytes: payloads are
// JSON texts, with a quote to escape every few bytes, and the appends cost more than the bytes.
func appendString(b []byte, s string, safe *[256]bool, e escapes) []byte {
	const room = 8 // the longest escape (\u00XX, \ufffd: 6 bytes) or rune (4), and the closing quote
	j := len(b)
	b = slices.Grow(b, 1+len(s)+room)
	b = b[:cap(b)]
	b[j] = '"'
	j++
	// Past j, b has room for the rest of s written as it is, and room more: a plain byte takes one byte
	// of it, an escape at most room; after an escape the room is made again.
	for i := 0; i < len(s); {
		c := s[i]
		if safe[c] {
			b[j] = c
			i++
			j++
			continue
		}
		if c < utf8.RuneSelf {
			b[j] = '\\'
			switch {
			case c == '"' || c == '\\':
				b[j+1] = c
			case c == '\n':
				b[j+1] = 'n'
			case c == '\r':
				b[j+1] = 'r'
			case c == '\t':
				b[j+1] = 't'
			case c == '\b' && e&escapeHTML != 0:
				b[j+1] = 'b'
			case c == '\f' && e&escapeHTML != 0:
				b[j+1] = 'f'
			default:
				b[j+1], b[j+2], b[j+3], b[j+4], b[j+5] = 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf]
				j += 4
			}
			j += 2
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				j += copy(b[j:], `\ufffd`)
			case (r == '\u2028' || r == '\u2029') && e&escapeLineSeparators != 0:
				b[j], b[j+1], b[j+2], b[j+3], b[j+4], b[j+5] = '\\', 'u', '2', '0', '2', hexDigits[r&0xf]
				j += 6
			default:
				j += copy(b[j:], s[i:i+size])
			}
			i += size
		}
		if len(b)-j < len(s)-i+room {
			b = slices.Grow(b[:j], len(s)-i+room)
			b = b[:cap(b)]
		}
	}
	b[j] = '"'
	return b[:j+1]
}
