package jsonata

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// formatNumber renders a number as JavaScript's Number.prototype.toString.
func formatNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	if math.IsNaN(f) {
		return "NaN"
	}
	if math.IsInf(f, 1) {
		return "Infinity"
	}
	if math.IsInf(f, -1) {
		return "-Infinity"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, exp, _ := strings.Cut(s, "e")
	e, _ := strconv.Atoi(exp)
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(mant, "-")
	digits := strings.Replace(mant, ".", "", 1)
	var out string
	switch {
	case e >= 21 || e <= -7:
		out = digits[:1]
		if len(digits) > 1 {
			out += "." + digits[1:]
		}
		if e > 0 {
			out += "e+" + strconv.Itoa(e)
		} else {
			out += "e" + strconv.Itoa(e)
		}
	case e < 0:
		out = "0." + strings.Repeat("0", -e-1) + digits
	default:
		if len(digits) <= e+1 {
			out = digits + strings.Repeat("0", e+1-len(digits))
		} else {
			out = digits[:e+1] + "." + digits[e+1:]
		}
	}
	if neg {
		out = "-" + out
	}
	return out
}

// precision15 rounds to 15 significant digits as $string does.
func precision15(f float64) float64 {
	if f == 0 || math.IsInf(f, 0) || math.IsNaN(f) || f == math.Trunc(f) {
		return f
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if err != nil {
		return f
	}
	return r
}

// stringify renders a value as JSON.stringify would after $string's
// replacer (numbers to 15 significant digits, functions as "").
func stringify(v any, pretty bool) string {
	var b bytes.Buffer
	_ = writeJSON(&b, v, pretty, "")
	return b.String()
}

func writeJSON(b *bytes.Buffer, v any, pretty bool, indent string) error {
	return writeJSONp(b, v, pretty, indent, true)
}

// writeJSONp writes v as JSON; round15 applies $string's 15-digit rounding.
func writeJSONp(b *bytes.Buffer, v any, pretty bool, indent string, round15 bool) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case undefinedType:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			b.WriteString("null")
		} else {
			if round15 {
				x = precision15(x)
			}
			b.WriteString(formatNumber(x))
		}
	case string:
		writeString(b, x)
	case *Object:
		writeObject(b, len(x.keys), func(i int) (string, any) { return x.keys[i], x.vals[i] }, pretty, indent, round15)
	case map[string]any:
		keys := sortedKeys(x)
		writeObject(b, len(keys), func(i int) (string, any) { return keys[i], x[keys[i]] }, pretty, indent, round15)
	default:
		if items, ok := asArray(v); ok {
			if len(items) == 0 {
				b.WriteString("[]")
				return nil
			}
			b.WriteByte('[')
			inner := indent + "  "
			for i, it := range items {
				if i > 0 {
					b.WriteByte(',')
				}
				if pretty {
					b.WriteString("\n" + inner)
				}
				if IsUndefined(it) || isFunction(it) {
					if isFunction(it) {
						b.WriteString(`""`)
					} else {
						b.WriteString("null")
					}
					continue
				}
				writeJSONp(b, it, pretty, inner, round15)
			}
			if pretty {
				b.WriteString("\n" + indent)
			}
			b.WriteByte(']')
			return nil
		}
		if ts, ok := v.(*tupleSeq); ok {
			return writeJSONp(b, export(ts), pretty, indent, round15)
		}
		if isFunction(v) {
			b.WriteString(`""`)
			return nil
		}
		b.WriteString("null")
	}
	return nil
}

func writeObject(b *bytes.Buffer, n int, at func(int) (string, any), pretty bool, indent string, round15 bool) {
	b.WriteByte('{')
	inner := indent + "  "
	first := true
	for i := 0; i < n; i++ {
		k, v := at(i)
		if IsUndefined(v) {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		if pretty {
			b.WriteString("\n" + inner)
		}
		writeString(b, k)
		b.WriteByte(':')
		if pretty {
			b.WriteByte(' ')
		}
		if isFunction(v) {
			b.WriteString(`""`)
			continue
		}
		writeJSONp(b, v, pretty, inner, round15)
	}
	if pretty && !first {
		b.WriteString("\n" + indent)
	}
	b.WriteByte('}')
}

func writeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			default:
				if c < 0x20 {
					b.WriteString(`\u00`)
					b.WriteByte("0123456789abcdef"[c>>4])
					b.WriteByte("0123456789abcdef"[c&0xf])
				} else {
					b.WriteByte(c)
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r)
		i += size
	}
	b.WriteByte('"')
}

// toString is $string's conversion of a non-string value.
func toString(v any, pos int) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return "", newError("D3001", pos, "", v)
		}
		return formatNumber(precision15(x)), nil
	case undefinedType:
		return "", nil
	}
	if isFunction(v) {
		return "", nil
	}
	return stringify(v, false), nil
}
