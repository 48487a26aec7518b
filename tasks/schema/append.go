package schema

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// AppendCoerced is Coerce followed by AppendJSON, for a writer of records: it appends the value's JSON
// to dst and returns the coerced value, or returns dst unchanged and Coerce's error. The common cases
// are decided on the field's text where it lies, and the JSON written straight into dst, without
// building strings: a timestamp's normalised text is written to dst and not kept, so the Value of a
// timestamp has no Str (Text and AppendJSON make it again from the instant). Anything else (a refused
// value, a decimal, a constraint this path does not decide) goes through Coerce, so the result and
// every error are Coerce's; FuzzAppendCoerced holds it to that.
func (c *Column) AppendCoerced(dst []byte, r Raw) ([]byte, Value, error) {
	if out, v, ok := c.appendFast(dst, r); ok {
		return out, v, nil
	}
	v, err := c.Coerce(r)
	if err != nil {
		return dst, Value{}, err
	}
	return v.AppendJSON(dst), v, nil
}

// appendFast is AppendCoerced's fast path: ok is false when it does not decide (the value may still be
// acceptable), and dst is then unchanged.
func (c *Column) appendFast(dst []byte, r Raw) ([]byte, Value, bool) {
	if !c.compiled {
		return dst, Value{}, false
	}
	text := r.Text
	switch r.Kind {
	case RawMissing:
		if c.Required {
			return dst, Value{}, false
		}
		return append(dst, "null"...), Value{}, true
	case RawNull:
		if !c.Nullable {
			return dst, Value{}, false
		}
		return append(dst, "null"...), Value{}, true
	case RawText:
		if text == "" {
			if !c.Nullable {
				return dst, Value{}, false
			}
			return append(dst, "null"...), Value{}, true
		}
		if a, z := text[0], text[len(text)-1]; a <= ' ' || a >= utf8.RuneSelf || z <= ' ' || z >= utf8.RuneSelf {
			text = strings.TrimSpace(text)
			if text == "" {
				if !c.Nullable {
					return dst, Value{}, false
				}
				return append(dst, "null"...), Value{}, true
			}
		}
	case RawNumber:
		if c.kind != KindInteger && c.kind != KindNumber {
			return dst, Value{}, false
		}
	case RawBool:
		if c.kind != KindBoolean {
			return dst, Value{}, false
		}
	default:
		return dst, Value{}, false
	}
	if c.kind == KindString {
		if r.Kind != RawText || (c.MaxLength > 0 && !runeCountAtMost(text, c.MaxLength)) ||
			(c.re != nil && !c.re.MatchString(text)) || (c.enum != nil && !c.inEnum(text)) || !utf8.ValidString(text) {
			return dst, Value{}, false
		}
		return AppendJSONString(dst, text), Value{Kind: KindString, Str: text}, true
	}
	// constrain applies a length limit, a pattern and an enum to any kind: leave those to Coerce.
	if c.MaxLength > 0 || c.re != nil || c.enum != nil {
		return dst, Value{}, false
	}
	var v Value
	switch c.kind {
	case KindInteger:
		n, ok := plainInteger(text)
		if !ok {
			return dst, Value{}, false
		}
		v = Value{Kind: KindInteger, Int: n}
	case KindNumber:
		f, ok := plainDecimal(text)
		if !ok {
			return dst, Value{}, false
		}
		v = Value{Kind: KindNumber, Float: f}
	case KindBoolean:
		switch {
		case len(text) == 4 && strings.EqualFold(text, "true"):
			v = Value{Kind: KindBoolean, Bool: true}
		case len(text) == 5 && strings.EqualFold(text, "false"):
			v = Value{Kind: KindBoolean}
		default:
			return dst, Value{}, false
		}
	case KindDate:
		if r.Kind != RawText {
			return dst, Value{}, false
		}
		var err error
		if v, err = parseDate(text); err != nil {
			return dst, Value{}, false
		}
	case KindTimestamp:
		if r.Kind != RawText {
			return dst, Value{}, false
		}
		var err error
		if v, err = parseTimestamp(text, false); err != nil {
			return dst, Value{}, false
		}
	default:
		return dst, Value{}, false
	}
	if (c.min != nil && Compare(v, *c.min) < 0) || (c.max != nil && Compare(v, *c.max) > 0) {
		return dst, Value{}, false
	}
	switch v.Kind {
	case KindInteger:
		dst = strconv.AppendInt(dst, v.Int, 10)
	case KindNumber:
		dst = appendPlainDecimal(dst, text)
	case KindBoolean:
		dst = strconv.AppendBool(dst, v.Bool)
	case KindDate: // digits and dashes: nothing to escape
		dst = append(append(append(dst, '"'), v.Str...), '"')
	case KindTimestamp:
		dst = append(appendTimestamp(append(dst, '"'), v.Int, v.Nano), '"')
	}
	return dst, v, true
}

// appendPlainDecimal appends a literal plainDecimal accepts as strconv.AppendFloat(dst, f, 'f', -1, 64)
// writes the float64 f it stands for: the sign if any but a plus, the integer digits without leading
// zeros (0 when none is left), then the fraction without trailing zeros, if any is left. A decimal of
// at most 15 significant digits is the shortest that reads back as its float64 (any two such decimals
// have different float64s), so the shortest form is the literal itself, tidied; a negative zero keeps
// its sign, as AppendFloat writes -0. FuzzAppendPlainDecimal holds it to AppendFloat.
func appendPlainDecimal(dst []byte, s string) []byte {
	if s[0] == '+' {
		s = s[1:]
	} else if s[0] == '-' {
		dst = append(dst, '-')
		s = s[1:]
	}
	point := strings.IndexByte(s, '.')
	intPart, frac := s, ""
	if point >= 0 {
		intPart, frac = s[:point], s[point+1:]
	}
	i := 0
	for i < len(intPart) && intPart[i] == '0' {
		i++
	}
	if i == len(intPart) {
		dst = append(dst, '0')
	} else {
		dst = append(dst, intPart[i:]...)
	}
	n := len(frac)
	for n > 0 && frac[n-1] == '0' {
		n--
	}
	if n > 0 {
		dst = append(append(dst, '.'), frac[:n]...)
	}
	return dst
}
