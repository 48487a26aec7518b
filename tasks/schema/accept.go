package schema

import (
	"strings"
	"unicode/utf8"
)

// accepts reports whether Check accepts r, deciding the common cases without building a Value, error
// text or normalised timestamp: plain integers and decimals are parsed here where the result is exact,
// and dates and timestamps with the same parsers as coerce. False means only "not decided here": Check
// then takes the full path, which decides and explains. So accepts never changes a verdict, only its
// cost; FuzzCheck holds it to that.
//
// validUTF8 says the caller knows the text is valid UTF-8, so that a string need not be checked again.
func (c *Column) accepts(r Raw, validUTF8 bool) bool {
	if !c.compiled {
		return false
	}
	text := r.Text
	switch r.Kind {
	case RawMissing:
		return !c.Required
	case RawNull:
		return c.Nullable
	case RawText:
		if text == "" {
			return c.Nullable
		}
		if a, z := text[0], text[len(text)-1]; a <= ' ' || a >= utf8.RuneSelf || z <= ' ' || z >= utf8.RuneSelf {
			text = strings.TrimSpace(text)
			if text == "" {
				return c.Nullable
			}
		}
	case RawNumber:
		if c.kind != KindInteger && c.kind != KindNumber {
			return false
		}
	case RawBool:
		if c.kind != KindBoolean {
			return false
		}
	default:
		return false
	}
	switch c.kind {
	case KindString:
		if r.Kind != RawText || (c.MaxLength > 0 && !runeCountAtMost(text, c.MaxLength)) {
			return false
		}
		valid := validUTF8 // known to be UTF-8: said so by the caller, matched by an ASCII-only pattern, or equal to an enum value
		if c.re != nil {
			if !c.re.MatchString(text) {
				return false
			}
			valid = valid || c.re.simple != nil
		}
		if c.enum != nil {
			if !c.inEnum(text) {
				return false
			}
			valid = true
		}
		return valid || utf8.ValidString(text)
	case KindInteger:
		n, ok := plainInteger(text)
		return ok && c.enum == nil && (c.min == nil || n >= c.min.Int) && (c.max == nil || n <= c.max.Int)
	case KindNumber:
		f, ok := plainDecimal(text)
		return ok && c.enum == nil && (c.min == nil || f >= c.min.Float) && (c.max == nil || f <= c.max.Float)
	case KindBoolean:
		return (len(text) == 4 && strings.EqualFold(text, "true")) || (len(text) == 5 && strings.EqualFold(text, "false"))
	case KindDate, KindTimestamp:
		if r.Kind != RawText || c.enum != nil {
			return false
		}
		if c.min == nil && c.max == nil { // only the syntax and the range matter
			if c.kind == KindDate {
				_, _, _, err := civil(text)
				return err == nil && len(text) == 10
			}
			var t civilTime
			return scanTimestamp(text, &t) == nil && t.y > 0 && t.y < 9999
		}
		var v Value
		var err error
		if c.kind == KindDate {
			v, err = parseDate(text)
		} else {
			v, err = parseTimestamp(text, false)
		}
		return err == nil && (c.min == nil || Compare(v, *c.min) >= 0) && (c.max == nil || Compare(v, *c.max) <= 0)
	}
	return false
}

// plainInteger parses an optional sign and 1 to 18 decimal digits, which always fit an int64.
func plainInteger(s string) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + int64(d)
	}
	if neg {
		n = -n
	}
	return n, true
}

// exactPow10 holds the powers of ten that a float64 represents exactly.
var exactPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// plainDecimal parses [sign] digits [. digits] or [sign] . digits with at most 15 digits in all and no
// exponent. The digits then form an integer below 2^53 and the divisor is an exact power of ten, so one
// IEEE division gives the correctly rounded value, the one strconv.ParseFloat returns.
func plainDecimal(s string) (float64, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var mant uint64
	digits, frac := 0, -1 // frac: digits after the point, -1 before it
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			digits++
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0:
			frac = 0
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	f := float64(mant)
	if frac > 0 {
		f /= exactPow10[frac]
	}
	if neg {
		f = -f
	}
	return f, true
}

// inEnum reports whether text is one of the enum's canonical texts.
func (c *Column) inEnum(text string) bool {
	if c.enumList == nil {
		_, ok := c.enum[text]
		return ok
	}
	for _, e := range c.enumList {
		if e == text {
			return true
		}
	}
	return false
}
