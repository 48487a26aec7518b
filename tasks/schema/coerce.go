package schema

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Problem codes of a ValueError; they become tasks.Problem codes in a validation report.
const (
	CodeRequired  = "required"  // a required column is absent from a record
	CodeNull      = "null"      // null or empty where the column is not nullable
	CodeType      = "type"      // the value does not parse as the column's type
	CodeEnum      = "enum"      // not one of the enum values
	CodeMin       = "min"       // below min
	CodeMax       = "max"       // above max
	CodePattern   = "pattern"   // does not match the pattern
	CodeMaxLength = "maxLength" // longer than maxLength
)

// ValueError is why a value is not acceptable for a column.
type ValueError struct {
	Code string // one of the Code* constants
	Msg  string
}

func (e *ValueError) Error() string { return e.Msg }

// maxQuoted bounds how much of an offending value an error message repeats.
const maxQuoted = 64

func quote(s string) string {
	if len(s) > maxQuoted {
		cut := maxQuoted
		for cut > 0 && s[cut]&0xc0 == 0x80 { // do not split a UTF-8 sequence
			cut--
		}
		return strconv.Quote(s[:cut]) + "..."
	}
	return strconv.Quote(s)
}

func (c *Column) typeError(r Raw, why string) *ValueError {
	var what string
	switch r.Kind {
	case RawComposite:
		what = "a JSON object or array"
	case RawNumber:
		what = "JSON number " + quote(r.Text)
	case RawBool:
		what = "JSON " + r.Text
	default:
		what = quote(r.Text)
	}
	msg := fmt.Sprintf("%s is not a valid %s", what, c.Type)
	if c.kind == KindDecimal && c.Scale != nil && c.Precision > 0 {
		msg = fmt.Sprintf("%s is not a valid decimal(%d,%d)", what, c.Precision, *c.Scale)
	}
	if why != "" {
		msg += " (" + why + ")"
	}
	return &ValueError{Code: CodeType, Msg: msg}
}

// Coerce checks one raw value against the column and returns its coerced value. It is the single
// definition of what the pipeline accepts: see the package documentation. A null result (KindNull) is
// returned for an absent optional column and for an empty or null value of a nullable column.
func (c *Column) Coerce(r Raw) (Value, error) {
	return c.coerce(r, true)
}

// Check reports whether Coerce would accept the value, returning the same error. It is Coerce without
// the work of building a normalised timestamp text, for a caller that only needs the verdict.
func (c *Column) Check(r Raw) error {
	if c.accepts(r, false) {
		return nil
	}
	_, err := c.coerce(r, c.enum != nil) // an enum compares normalised texts
	return err
}

// CheckUTF8 is Check for a value whose text is known to be valid UTF-8, as every value a records reader
// yields is (the readers check the encoding of the whole object): it does not check the encoding of an
// accepted string a second time. Given text that is not valid UTF-8 it may accept what Check rejects.
func (c *Column) CheckUTF8(r Raw) error {
	if c.accepts(r, true) {
		return nil
	}
	_, err := c.coerce(r, c.enum != nil) // an enum compares normalised texts
	return err
}

func (c *Column) coerce(r Raw, normalise bool) (Value, error) {
	var text string
	switch r.Kind {
	case RawMissing:
		if c.Required {
			return Value{}, &ValueError{Code: CodeRequired, Msg: fmt.Sprintf("required column %q is missing", c.Name)}
		}
		return Value{}, nil
	case RawNull:
		return c.null()
	case RawComposite:
		return Value{}, c.typeError(r, "")
	case RawText:
		text = strings.TrimSpace(r.Text)
		if text == "" {
			return c.null()
		}
	default:
		text = r.Text
	}
	v, err := c.parse(r.Kind, text, normalise)
	if err != nil {
		return Value{}, c.typeError(r, err.Error())
	}
	if err := c.constrain(v); err != nil {
		return Value{}, err
	}
	return v, nil
}

func (c *Column) null() (Value, error) {
	if c.Nullable {
		return Value{}, nil
	}
	return Value{}, &ValueError{Code: CodeNull, Msg: fmt.Sprintf("column %q is not nullable, the value is null or empty", c.Name)}
}

// errType marks a value of the wrong JSON kind; its text is not shown (typeError says what the value is).
var errType = fmt.Errorf("")

func (c *Column) parse(kind RawKind, text string, normalise bool) (Value, error) {
	switch c.kind {
	case KindString:
		if kind != RawText {
			return Value{}, errType
		}
		if !utf8.ValidString(text) { // the readers check UTF-8 already; this keeps Coerce safe on its own
			return Value{}, fmt.Errorf("not valid UTF-8")
		}
		return Value{Kind: KindString, Str: text}, nil
	case KindInteger:
		if kind != RawText && kind != RawNumber {
			return Value{}, errType
		}
		n, err := parseInteger(text)
		return Value{Kind: KindInteger, Int: n}, err
	case KindNumber:
		if kind != RawText && kind != RawNumber {
			return Value{}, errType
		}
		f, exp, err := parseNumber(text)
		return Value{Kind: KindNumber, Float: f, Exp: exp}, err
	case KindDecimal:
		if kind != RawText && kind != RawNumber {
			return Value{}, errType
		}
		d, err := parseDecimal(text, c.Precision, c.Scale)
		return Value{Kind: KindDecimal, Str: d}, err
	case KindBoolean:
		if kind != RawText && kind != RawBool {
			return Value{}, errType
		}
		switch {
		case strings.EqualFold(text, "true"):
			return Value{Kind: KindBoolean, Bool: true}, nil
		case strings.EqualFold(text, "false"):
			return Value{Kind: KindBoolean}, nil
		}
		return Value{}, fmt.Errorf("want true or false")
	case KindDate:
		if kind != RawText {
			return Value{}, errType
		}
		return parseDate(text)
	case KindTimestamp:
		if kind != RawText {
			return Value{}, errType
		}
		return parseTimestamp(text, normalise)
	}
	return Value{}, fmt.Errorf("unknown type %q", c.Type)
}

func (c *Column) constrain(v Value) error {
	if c.min != nil && Compare(v, *c.min) < 0 {
		return &ValueError{Code: CodeMin, Msg: fmt.Sprintf("%s is less than the minimum %s", v.Text(), c.min.Text())}
	}
	if c.max != nil && Compare(v, *c.max) > 0 {
		return &ValueError{Code: CodeMax, Msg: fmt.Sprintf("%s is greater than the maximum %s", v.Text(), c.max.Text())}
	}
	if c.MaxLength > 0 && !runeCountAtMost(v.Str, c.MaxLength) {
		return &ValueError{Code: CodeMaxLength, Msg: fmt.Sprintf("%s is longer than %d characters", quote(v.Str), c.MaxLength)}
	}
	if c.re != nil && !c.re.MatchString(v.Str) {
		return &ValueError{Code: CodePattern, Msg: fmt.Sprintf("%s does not match the pattern %s", quote(v.Str), quote(c.Pattern))}
	}
	if c.enum != nil {
		text := v.Str
		if v.Kind != KindString {
			text = v.Text()
		}
		if _, ok := c.enum[text]; !ok {
			return &ValueError{Code: CodeEnum, Msg: fmt.Sprintf("%s is not one of: %s", quote(text), c.enumText)}
		}
	}
	return nil
}

// parseInteger accepts an optional sign and ASCII decimal digits.
func parseInteger(s string) (int64, error) {
	digits := s
	if digits != "" && (digits[0] == '+' || digits[0] == '-') {
		digits = digits[1:]
	}
	if digits == "" || !allDigits(digits) {
		return 0, fmt.Errorf("want decimal digits with an optional sign")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("out of the 64-bit integer range")
	}
	return n, nil
}

// parseNumber accepts [sign] (digits [. digits] | . digits) [(e|E) [sign] digits], and reports whether
// the literal has an exponent. A plain decimal of at most 15 digits is converted by plainDecimal, which
// gives strconv.ParseFloat's result without its cost.
func parseNumber(s string) (f float64, exp bool, err error) {
	if f, ok := plainDecimal(s); ok {
		return f, false, nil
	}
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	intDigits := countDigits(s[i:])
	i += intDigits
	fracDigits := 0
	if i < len(s) && s[i] == '.' {
		i++
		fracDigits = countDigits(s[i:])
		i += fracDigits
	}
	if intDigits == 0 && fracDigits == 0 {
		return 0, false, fmt.Errorf("want a decimal number")
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		exp = true
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		n := countDigits(s[i:])
		if n == 0 {
			return 0, false, fmt.Errorf("want digits after the exponent")
		}
		i += n
	}
	if i != len(s) {
		return 0, false, fmt.Errorf("want a decimal number")
	}
	f, err = strconv.ParseFloat(s, 64)
	if math.IsInf(f, 0) {
		return 0, false, fmt.Errorf("out of the float64 range")
	}
	if err != nil {
		return 0, false, fmt.Errorf("want a decimal number")
	}
	return f, exp, nil
}

func countDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

func allDigits(s string) bool { return countDigits(s) == len(s) }
