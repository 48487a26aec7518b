package interp

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// marshal encodes a JSON value (the types encoding/json decodes into with
// UseNumber) compactly with sorted keys and without HTML escaping. It is the
// interpreter's hot path for history payloads and size checks.
func marshal(v any) ([]byte, error) {
	return appendJSON(make([]byte, 0, 64), v)
}

func appendJSON(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		if x {
			return append(b, "true"...), nil
		}
		return append(b, "false"...), nil
	case string:
		return appendString(b, x), nil
	case json.Number:
		if x == "" {
			return append(b, '0'), nil
		}
		return append(b, x...), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("marshal: unsupported number %v", x)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSON(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		// Keys in sorted order. The members of the usual small object are
		// gathered in one pass over the map (no second lookup per key)
		// into an array on the stack, written without GC write barriers,
		// and an index of bytes is sorted by insertion, which beats a
		// general sort for the handful of keys a payload has. (All of it
		// stays in this function: a helper recursing through appendJSON
		// would make b escape.)
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
			b = appendString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendJSON(b, v); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	// Any other Go value (from a host invoker): fall back to encoding/json.
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal: %w", err)
	}
	return append(b, raw...), nil
}

// member is one key/value pair of an object being rendered.
type member struct {
	key string
	val any
}

// smallObject is the size up to which an object's members are sorted on
// the stack.
const smallObject = 16

const hexDigits = "0123456789abcdef"

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// text returns v rendered. The text of the last object the thread rendered
// is remembered (the output of one state is the input of the next, and a
// task's parameters are often its input), so that an object is rendered
// once however many events show it.
func (th *thread) text(v any) string {
	m, isMap := v.(map[string]any)
	if isMap && sameMap(m, th.memoVal) {
		return th.memoText
	}
	t := th.render(v)
	if isMap {
		th.remember(m, t)
	}
	return t
}

// remember records t as the text of m.
func (th *thread) remember(m map[string]any, t string) { th.memoVal, th.memoText = m, t }

// knownText returns v's text if the thread remembers it.
func (th *thread) knownText(v any) (string, bool) {
	if m, ok := v.(map[string]any); ok && sameMap(m, th.memoVal) {
		return th.memoText, true
	}
	return "", false
}

// render serialises v with the thread's scratch buffer.
func (th *thread) render(v any) string {
	b, err := appendJSON(th.buf[:0], v)
	if err != nil {
		return "null"
	}
	th.buf = b
	return string(b)
}

// render serialises a JSON value for the history, without HTML escaping,
// as AWS renders it.
func render(v any) string {
	b, err := marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}
