package schema

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// AppendCoerced is Coerce followed by AppendJSON, for a writer of records: it appends the value's JSON
// to dst and sets *v to the coerced value, or returns dst unchanged and Coerce's error (*v is then
// unspecified). The common cases
// are decided on the field's text where it lies, and the JSON written straight into dst, without
// building strings: a timestamp's normalised text is written to dst and not kept, so the Value of a
// timestamp has no Str (Text and AppendJSON make it again from the instant). Anything else (a refused
// value, a decimal, a constraint this path does not decide) goes through Coerce, so the result and
// every error are Coerce's; FuzzAppendCoerced holds it to that.
func (c *Column) AppendCoerced(dst []byte, r Raw, v *Value) ([]byte, error) {
	if out, ok := c.appendFast(dst, r, v, nil); ok {
		return out, nil
	}
	cv, err := c.Coerce(r)
	if err != nil {
		return dst, err
	}
	*v = cv
	return cv.AppendJSON(dst), nil
}

// AppendFast is AppendCoerced's fast path on its own, for a writer of many records that calls it first
// and AppendCoerced only when it does not decide, saving a call per value: when ok, it appended what
// AppendCoerced appends and set *v as AppendCoerced sets it; when not ok (a refused value, or one the
// fast path leaves to Coerce), dst comes back unchanged, *v is unspecified, and AppendCoerced decides.
// m, when not nil, is the column's [FastMemo]: what the column's previous values leave there lets a date
// or timestamp skip the calendar arithmetic of its day when it lies in the same month as the last one.
// The result never depends on m.
func (c *Column) AppendFast(dst []byte, r Raw, v *Value, m *FastMemo) ([]byte, bool) {
	return c.appendFast(dst, r, v, m)
}

// FastMemo is what [Column.AppendFast] remembers between the values of one column: the year and month
// of the last date or timestamp it decided, with the day number of that month's first day and the
// month's length, so a value of the same month takes its day number with an addition. The zero
// FastMemo is empty. A FastMemo serves one column of one writer (it is not safe for concurrent use).
type FastMemo struct {
	ym    uint64 // the "YYYY-MM-" of that month as a little-endian word; 0 when empty (no date's is 0)
	first int64  // days from 1970-01-01 to the month's first day
	days  int    // the month's length
}

// day returns the day number (days since 1970-01-01) of the YYYY-MM-DD at the start of s, or false where
// civil refuses it. A month civil accepted is remembered in m (when not nil); a date of the remembered
// month is checked and counted from it (its first eight bytes are those civil accepted, so only the day
// is left to check). TestFastMemo and FuzzFastMemo hold it to civil and daysFromCivil.
func (m *FastMemo) day(s string) (int64, bool) {
	if len(s) < 10 {
		return 0, false
	}
	k := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	if m != nil && k == m.ym {
		if d := digits2(s, 8); d >= 1 && d <= m.days {
			return m.first + int64(d-1), true
		}
		return 0, false
	}
	y, mo, d, err := civil(s)
	if err != nil {
		return 0, false
	}
	first := daysFromCivil(y, mo, 1)
	if m != nil {
		m.ym, m.first, m.days = k, first, daysIn(time.Month(mo), y)
	}
	return first + int64(d-1), true
}

// appendFast is AppendCoerced's fast path: ok is false when it does not decide (the value may still be
// acceptable), and dst is then unchanged and *v unspecified.
func (c *Column) appendFast(dst []byte, r Raw, v *Value, m *FastMemo) ([]byte, bool) {
	if !c.compiled {
		return dst, false
	}
	text := r.Text
	switch r.Kind {
	case RawMissing:
		if c.Required {
			return dst, false
		}
		*v = Value{}
		return append(dst, "null"...), true
	case RawNull:
		if !c.Nullable {
			return dst, false
		}
		*v = Value{}
		return append(dst, "null"...), true
	case RawText:
		if text == "" {
			if !c.Nullable {
				return dst, false
			}
			*v = Value{}
			return append(dst, "null"...), true
		}
		if a, z := text[0], text[len(text)-1]; a <= ' ' || a >= utf8.RuneSelf || z <= ' ' || z >= utf8.RuneSelf {
			text = strings.TrimSpace(text)
			if text == "" {
				if !c.Nullable {
					return dst, false
				}
				*v = Value{}
				return append(dst, "null"...), true
			}
		}
	case RawNumber:
		if c.kind != KindInteger && c.kind != KindNumber {
			return dst, false
		}
	case RawBool:
		if c.kind != KindBoolean {
			return dst, false
		}
	default:
		return dst, false
	}
	if c.kind == KindString {
		if r.Kind != RawText || (c.MaxLength > 0 && !runeCountAtMost(text, c.MaxLength)) ||
			(c.re != nil && !c.re.MatchString(text)) || (c.enum != nil && !c.inEnum(text)) {
			return dst, false
		}
		// Printable ASCII without quote or backslash (as every text the column's pattern or enum admits
		// is, when c.plain): valid UTF-8, nothing to escape.
		if c.plain || plainJSON(text) {
			dst = append(append(append(dst, '"'), text...), '"')
		} else {
			if !utf8.ValidString(text) {
				return dst, false
			}
			dst = AppendJSONString(dst, text)
		}
		*v = Value{Kind: KindString, Str: text}
		return dst, true
	}
	// constrain applies a length limit, a pattern and an enum to any kind: leave those to Coerce.
	if c.MaxLength > 0 || c.re != nil || c.enum != nil {
		return dst, false
	}
	// Each kind is decided, checked against min and max, and written in its own case, the value set
	// straight into *v (unspecified when the fast path does not decide).
	inRange := func() bool { return (c.min == nil && c.max == nil) || c.within(v) }
	switch c.kind {
	case KindInteger:
		n, ok := plainInteger(text)
		if !ok {
			return dst, false
		}
		*v = Value{Kind: KindInteger, Int: n}
		if !inRange() {
			return dst, false
		}
		return appendInt(dst, n), true
	case KindNumber:
		out, f, ok := appendDecimal(dst, text)
		if !ok {
			return dst, false
		}
		*v = Value{Kind: KindNumber, Float: f}
		if !inRange() {
			return dst, false
		}
		return out, true
	case KindBoolean:
		switch {
		case len(text) == 4 && strings.EqualFold(text, "true"):
			*v = Value{Kind: KindBoolean, Bool: true}
		case len(text) == 5 && strings.EqualFold(text, "false"):
			*v = Value{Kind: KindBoolean}
		default:
			return dst, false
		}
		if !inRange() {
			return dst, false
		}
		return strconv.AppendBool(dst, v.Bool), true
	case KindDate:
		if r.Kind != RawText {
			return dst, false
		}
		// parseDate, the day taken through m.
		if len(text) != 10 {
			return dst, false
		}
		day, ok := m.day(text)
		if !ok {
			return dst, false
		}
		*v = Value{Kind: KindDate, Str: text, Int: day}
		if !inRange() {
			return dst, false
		}
		return append(append(append(dst, '"'), text...), '"'), true // digits and dashes: nothing to escape
	case KindTimestamp:
		if r.Kind != RawText {
			return dst, false
		}
		// parseTimestamp (scanTimestamp's date taken through m), keeping the fields: the normalised text
		// is written from them below.
		day, ok := m.day(text)
		if !ok {
			return dst, false
		}
		var t civilTime
		if scanClock(text, &t) != nil {
			return dst, false
		}
		clock := t.h*3600 + t.mi*60 + t.sec - t.offset // seconds from midnight of its own date to the instant, in UTC
		unix := day*86400 + int64(clock)
		if unix < minUnix || unix > maxUnix {
			return dst, false
		}
		*v = Value{Kind: KindTimestamp, Int: unix, Nano: int32(t.nano)}
		if !inRange() {
			return dst, false
		}
		dst = append(dst, '"')
		if clock >= 0 && clock < 86400 { // the same date in UTC: its text is the source's YYYY-MM-DD
			dst = appendClock(append(append(dst, text[:10]...), 'T'), clock, v.Nano)
		} else {
			dst = appendTimestamp(dst, v.Int, v.Nano)
		}
		return append(dst, '"'), true
	}
	return dst, false
}

// appendInt is strconv.AppendInt(dst, n, 10), writing the digits of 0 to 9999 straight into dst
// (AppendInt has a table only below 100 and formats larger ones in a buffer of its own first).
func appendInt(dst []byte, n int64) []byte {
	switch {
	case n < 100 || n > 9999:
		return strconv.AppendInt(dst, n, 10)
	case n < 1000:
		return append(dst, byte('0'+n/100), byte('0'+n/10%10), byte('0'+n%10))
	}
	return append(dst, byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}

// appendDecimal is plainDecimal and appendPlainDecimal (the reference, in the tests) in one pass: when plainDecimal accepts s, it
// returns dst with what appendPlainDecimal appends, the float64, and true; otherwise false, and the
// caller keeps its dst (the bytes appendDecimal may have written lie beyond the caller's length).
// FuzzAppendDecimal holds it to the two.
func appendDecimal(dst []byte, s string) ([]byte, float64, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
		if neg {
			dst = append(dst, '-')
		}
	}
	var mant uint64
	digits, frac := 0, -1 // frac: digits after the point, -1 before it
	intStart := len(dst)  // where the integer digits go; leading zeros are not written
	keep := len(dst)      // the end of what is kept: after the last integer digit or non-zero fraction digit
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			digits++
			switch {
			case frac >= 0:
				frac++
				dst = append(dst, c)
				if c != '0' {
					keep = len(dst)
				}
			case c != '0' || len(dst) > intStart:
				dst = append(dst, c)
				keep = len(dst)
			}
		case c == '.' && frac < 0:
			frac = 0
			if len(dst) == intStart { // no integer digit but zeros: the integer part is 0
				dst = append(dst, '0')
				keep = len(dst)
			}
			dst = append(dst, '.')
		default:
			return dst, 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return dst, 0, false
	}
	if frac < 0 && len(dst) == intStart {
		dst = append(dst, '0')
		keep = len(dst)
	}
	f := float64(mant)
	if frac > 0 {
		f /= exactPow10[frac]
	}
	if neg {
		f = -f
	}
	return dst[:keep], f, true
}

// within reports whether v, of the column's kind, is within its min and max, as constrain decides it
// with Compare.
func (c *Column) within(v *Value) bool {
	if (c.min != nil && c.min.Kind != v.Kind) || (c.max != nil && c.max.Kind != v.Kind) {
		return (c.min == nil || Compare(*v, *c.min) >= 0) && (c.max == nil || Compare(*v, *c.max) <= 0)
	}
	switch v.Kind {
	case KindInteger, KindDate:
		return (c.min == nil || v.Int >= c.min.Int) && (c.max == nil || v.Int <= c.max.Int)
	case KindNumber: // never NaN: parsed from a decimal literal
		return (c.min == nil || v.Float >= c.min.Float) && (c.max == nil || v.Float <= c.max.Float)
	case KindTimestamp:
		return (c.min == nil || v.Int > c.min.Int || (v.Int == c.min.Int && v.Nano >= c.min.Nano)) &&
			(c.max == nil || v.Int < c.max.Int || (v.Int == c.max.Int && v.Nano <= c.max.Nano))
	}
	return (c.min == nil || Compare(*v, *c.min) >= 0) && (c.max == nil || Compare(*v, *c.max) <= 0)
}

// plainJSON reports whether s is printable ASCII without a quote or a backslash: a JSON string's text
// as it is, which AppendJSONString would copy unchanged.
//
// It looks at eight bytes at a time (the last word overlapping the one before when the length is not a
// multiple of eight): a word is plain when no byte has its high bit set, none is below 0x20, and none is
// a quote or a backslash. FuzzPlainJSON holds it to plainJSONBytes, the byte by byte test.
func plainJSON(s string) bool {
	if len(s) < 8 {
		return plainJSONBytes(s)
	}
	for i := 0; i < len(s); i += 8 {
		if i > len(s)-8 {
			i = len(s) - 8
		}
		if !plainWord(loadWord(s, i)) {
			return false
		}
	}
	return true
}

// plainJSONBytes is plainJSON, a byte at a time.
func plainJSONBytes(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plainWord reports whether none of the eight bytes of x is 0x80 or above, below 0x20, a quote or a
// backslash. (x - n×ones) &^ x & highs is non-zero exactly when some byte of x is below n (n ≤ 0x80): a
// byte below n borrows and keeps its high bit clear, and the lowest such byte is always flagged; a
// byte equal to c is a zero byte of x ^ c×ones.
func plainWord(x uint64) bool {
	below := (x - 0x20*ones) &^ x
	quote := x ^ '"'*ones
	slash := x ^ '\\'*ones
	return (x|below|(quote-ones)&^quote|(slash-ones)&^slash)&highs == 0
}

// loadWord reads s[i:i+8] as a little-endian word.
func loadWord(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
