package interp

import (
	"reflect"
	"unicode/utf8"
)

// A state's output is very often its input with one top-level field set
// by ResultPath ("$.result"). Its history text then differs from the
// input's text, which the interpreter already has, in that one member
// only, so the interpreter renders just the new member and splices it
// into the input's text instead of rendering the whole document again.
// The text is byte for byte what render would produce: the renderer
// writes objects compactly with their keys in sorted (byte) order, so the
// member's place is found by comparing keys in the text.

// spliceHint records, for the running state, that out was made by setting
// the top-level field key of base to val.
type spliceHint struct {
	base, out map[string]any
	key       string
	val       any
}

// set records a hint field by field (a struct copied whole into the
// thread goes through the collector's bulk barrier while it marks).
func (h *spliceHint) set(base, out map[string]any, key string, val any) {
	h.base, h.out, h.key, h.val = base, out, key, val
}

// sameMap reports whether a and b are the same map (not merely equal).
func sameMap(a, b map[string]any) bool {
	return a != nil && b != nil && reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// appendSpliced appends to b the rendering of base with its member key set
// to val, given baseText, the rendering of base, and valText, the
// rendering of val when the caller has it ("" otherwise). ok is false when the text
// cannot be spliced (a key that needed escaping, text that is not an
// object); the caller then renders the document in full.
func appendSpliced[T string | []byte](b []byte, baseText, key string, val any, valText T) (out []byte, ok bool) {
	n := len(baseText)
	if n < 2 || baseText[0] != '{' || baseText[n-1] != '}' || !plainKey(key) {
		return b, false
	}
	pos := 1
	if baseText[1] == '}' {
		if b, ok = appendMember(append(b, '{'), key, val, valText); !ok {
			return b, false
		}
		return append(b, '}'), true
	}
	for {
		// A member: "key":value, followed by ',' or the closing '}'.
		if baseText[pos] != '"' {
			return b, false
		}
		q := pos + 1
		for q < n && baseText[q] != '"' {
			if baseText[q] == '\\' {
				return b, false // an escaped key: its order is not the text's
			}
			q++
		}
		if q+1 >= n || baseText[q+1] != ':' {
			return b, false
		}
		k := baseText[pos+1 : q]
		end := skipValue(baseText, q+2)
		if end < 0 {
			return b, false
		}
		switch {
		case k == key: // replace this member's value
			if b, ok = appendValue(append(b, baseText[:q+2]...), val, valText); !ok {
				return b, false
			}
			return append(b, baseText[end:]...), true
		case k > key: // insert before this member
			if b, ok = appendMember(append(b, baseText[:pos]...), key, val, valText); !ok {
				return b, false
			}
			b = append(b, ',')
			return append(b, baseText[pos:]...), true
		}
		if baseText[end] == '}' { // append after the last member
			if b, ok = appendMember(append(append(b, baseText[:end]...), ','), key, val, valText); !ok {
				return b, false
			}
			return append(b, baseText[end:]...), true
		}
		pos = end + 1
	}
}

// appendMember appends "key":val; key is plain.
func appendMember[T string | []byte](b []byte, key string, val any, valText T) ([]byte, bool) {
	b = append(b, '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendValue(b, val, valText)
}

// appendValue appends valText, or val rendered when valText is "".
func appendValue[T string | []byte](b []byte, val any, valText T) ([]byte, bool) {
	if len(valText) != 0 {
		return append(b, valText...), true
	}
	b, err := appendJSON(b, val)
	return b, err == nil
}

// plainKey reports whether appendString writes key between quotes as it
// is: valid UTF-8 without control characters, quotes or backslashes.
func plainKey(key string) bool {
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.ValidString(key)
}

// skipValue returns the index just past the JSON value that starts at i in
// the renderer's compact text (the ',' or closing bracket that follows
// it), or -1 when the text ends first.
func skipValue(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i
			}
			depth--
		case ',':
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
