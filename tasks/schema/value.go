package schema

import (
	"cmp"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// RawKind says how a value appeared in the source object.
type RawKind uint8

// Raw value kinds.
const (
	RawMissing   RawKind = iota // the column is absent: not in the CSV header, or not a member of the JSON record
	RawNull                     // JSON null
	RawText                     // a CSV field or a JSON string (Text is the decoded string)
	RawNumber                   // a JSON number (Text is its literal)
	RawBool                     // a JSON true or false (Text is "true" or "false")
	RawComposite                // a JSON object or array (Text is empty: never acceptable)
)

// Raw is one value as read from an object, before coercion.
type Raw struct {
	Kind RawKind
	Text string
}

// Kind is the kind of a coerced value: null or the column's type.
type Kind uint8

// Value kinds.
const (
	KindNull Kind = iota
	KindString
	KindInteger
	KindNumber
	KindBoolean
	KindDate
	KindTimestamp
	KindDecimal
)

// Value is a coerced value. Only the fields of its Kind are set.
type Value struct {
	Kind Kind
	// Str is the trimmed text of a KindString, the normalised text of a KindDate or KindTimestamp, and
	// the canonical decimal text of a KindDecimal (no exponent, see the package documentation).
	Str   string
	Int   int64   // KindInteger: the value; KindDate: days since 1970-01-01; KindTimestamp: Unix seconds
	Nano  int32   // KindTimestamp: nanoseconds within the second
	Float float64 // KindNumber
	// Exp is set on a KindNumber whose source literal had an exponent ("6.02e23"): only such a number is
	// written with one. Any other is written in plain decimal notation, however large or small.
	Exp  bool
	Bool bool // KindBoolean
}

// appendFloat writes a number: in plain notation unless its source had an exponent, and then in the
// shortest form that reads back to the same float64.
func appendFloat(dst []byte, f float64, exp bool) []byte {
	if exp {
		return strconv.AppendFloat(dst, f, 'g', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

// Text returns the value's canonical text: the string itself, the shortest decimal form of a number,
// "true" or "false", the normalised date or timestamp, and "" for null.
func (v Value) Text() string {
	switch v.Kind {
	case KindTimestamp:
		if v.Str == "" { // Check leaves it out
			if v.Int < minUnix || v.Int > maxUnix || v.Nano < 0 || v.Nano > 999999999 { // not made by Coerce
				return time.Unix(v.Int, int64(v.Nano)).UTC().Format(time.RFC3339Nano)
			}
			return string(appendTimestamp(nil, v.Int, v.Nano))
		}
		return v.Str
	case KindString, KindDate:
		return v.Str
	case KindInteger:
		return strconv.FormatInt(v.Int, 10)
	case KindNumber:
		return string(appendFloat(nil, v.Float, v.Exp))
	case KindDecimal:
		return v.Str
	case KindBoolean:
		return strconv.FormatBool(v.Bool)
	}
	return ""
}

// Any returns the value as a Go value that encoding/json writes as the same JSON value AppendJSON does:
// nil, string, int64, json.Number (number and decimal, in the text AppendJSON writes) or bool.
func (v Value) Any() any {
	switch v.Kind {
	case KindString, KindDate:
		return v.Str
	case KindTimestamp:
		return v.Text()
	case KindInteger:
		return v.Int
	case KindNumber, KindDecimal:
		return json.Number(v.Text())
	case KindBoolean:
		return v.Bool
	}
	return nil
}

// AppendJSON appends the value as a JSON value: null, a string (string, date, timestamp), a number or a
// boolean. A number is written in plain decimal notation (the shortest that reads back to the same
// float64) unless its source had an exponent; a decimal is written as its canonical text, exactly. A
// timestamp without its normalised text (from Check or AppendCoerced) is written as Text makes it.
func (v Value) AppendJSON(dst []byte) []byte {
	switch v.Kind {
	case KindString, KindDate:
		return AppendJSONString(dst, v.Str)
	case KindTimestamp:
		if v.Str == "" {
			return AppendJSONString(dst, v.Text())
		}
		return AppendJSONString(dst, v.Str)
	case KindInteger:
		return strconv.AppendInt(dst, v.Int, 10)
	case KindNumber:
		return appendFloat(dst, v.Float, v.Exp)
	case KindDecimal:
		return append(dst, v.Str...)
	case KindBoolean:
		return strconv.AppendBool(dst, v.Bool)
	}
	return append(dst, "null"...)
}

// AppendJSONString appends s as a JSON string, escaped as the engine's JSON writer escapes it (no HTML
// escaping; invalid UTF-8, which the readers never yield, as U+FFFD).
func AppendJSONString(dst []byte, s string) []byte { return jsonvalue.AppendString(dst, s) }

// Compare orders two values of the same column: null first, then by value (false before true; dates and
// timestamps in time order; strings by bytes).
func Compare(a, b Value) int {
	if a.Kind != b.Kind {
		return cmp.Compare(a.Kind, b.Kind)
	}
	switch a.Kind {
	case KindString:
		return strings.Compare(a.Str, b.Str)
	case KindInteger, KindDate:
		return cmp.Compare(a.Int, b.Int)
	case KindNumber:
		return cmp.Compare(a.Float, b.Float)
	case KindDecimal:
		return compareDecimal(a.Str, b.Str)
	case KindBoolean:
		switch {
		case a.Bool == b.Bool:
			return 0
		case a.Bool:
			return 1
		}
		return -1
	case KindTimestamp:
		if c := cmp.Compare(a.Int, b.Int); c != 0 {
			return c
		}
		return cmp.Compare(a.Nano, b.Nano)
	}
	return 0
}

// runeCountAtMost reports whether s has at most n code points, without counting past n.
func runeCountAtMost(s string, n int) bool {
	if len(s) <= n {
		return true
	}
	return utf8.RuneCountInString(s) <= n
}
