package jsonpath

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash"
	"math"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/internal/jsonvalue"

	"github.com/sluicehq/sluice/internal/uuid"
)

// function describes one intrinsic: its argument count and implementation.
// The rules come from
// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
// and, where AWS behaves differently from its documentation, from
// executions recorded against AWS.
type function struct {
	name    string
	minArgs int
	maxArgs int // -1: unbounded
	impl    func(c *call, args []any, s *Scope) (any, error)
}

// javaLength is the length of s as Java counts it (UTF-16 code units),
// which is what AWS's 10,000-character limits measure.
func javaLength(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// Limits from the intrinsic functions page.
const (
	maxArrayRange   = 1000  // States.ArrayRange items
	maxEncodeLength = 10000 // States.Base64Encode/Decode and States.Hash input characters
)

// functions is the read-only table of the 18 intrinsic functions.
var functions = func() map[string]*function {
	m := make(map[string]*function)
	for _, f := range []*function{
		{"States.Format", 1, -1, fnFormat},
		{"States.StringToJson", 1, 1, fnStringToJSON},
		{"States.JsonToString", 1, 1, fnJSONToString},
		{"States.Array", 0, -1, fnArray},
		{"States.ArrayPartition", 2, 2, fnArrayPartition},
		{"States.ArrayContains", 2, 2, fnArrayContains},
		{"States.ArrayRange", 3, 3, fnArrayRange},
		{"States.ArrayGetItem", 2, 2, fnArrayGetItem},
		{"States.ArrayLength", 1, 1, fnArrayLength},
		{"States.ArrayUnique", 1, 1, fnArrayUnique},
		{"States.Base64Encode", 1, 1, fnBase64Encode},
		{"States.Base64Decode", 1, 1, fnBase64Decode},
		{"States.Hash", 2, 2, fnHash},
		{"States.JsonMerge", 3, 3, fnJSONMerge},
		{"States.MathRandom", 2, 3, fnMathRandom},
		{"States.MathAdd", 2, 2, fnMathAdd},
		{"States.StringSplit", 2, 2, fnStringSplit},
		{"States.UUID", 0, 0, fnUUID},
	} {
		m[f.name] = f
	}
	return m
}()

// truncInt converts a JSON number to an integer by dropping its fraction,
// which is what AWS does for ArrayPartition, ArrayRange, ArrayGetItem and
// MathRandom (recorded: ArrayRange(1.4, 5.6, 2.2) is [1,3,5]; a chunk
// size of 2.6 behaves as 2).
func truncInt(v any) (int64, bool) {
	f, ok := toFloat(v)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > math.MaxInt32 {
		return 0, false
	}
	return int64(math.Trunc(f)), true
}

func fnFormat(c *call, args []any, _ *Scope) (any, error) {
	var t *formatTemplate
	if a := &c.args[0]; a.tmpl != nil {
		t = a.tmpl
	} else {
		s, ok := args[0].(string)
		if !ok {
			return nil, c.invalid()
		}
		t = parseFormatTemplate(s)
	}
	if t.bad || t.placeholders != len(args)-1 {
		return nil, c.invalid()
	}
	var b []byte
	for i, part := range t.parts {
		b = append(b, part...)
		if i < t.placeholders {
			var err error
			if b, err = appendFormatArg(b, args[i+1]); err != nil {
				return nil, c.invalid()
			}
		}
	}
	return string(b), nil
}

// appendFormatArg appends the text States.Format puts in place of a {} for
// v. AWS does not write JSON there: a string goes in as it is, without
// quotes, and an object as {key=value, key=value}, its keys and nested
// strings unquoted and its members separated by ", " (recorded on AWS:
// {"Arg1": 1, "Arg2": []} formats as {Arg1=1, Arg2=[]}, and $$.StateMachine as
// {Id=arn:..., Name=...}). An array is written the same way, as
// [item, item]. null, booleans and numbers are written as in JSON (recorded:
// null, 1 and 1.1). Keys are sorted: the engine does not keep the input's key
// order, and the recorded objects' keys were in sorted order.
func appendFormatArg(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		return append(b, x...), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(append(b, k...), '=')
			var err error
			if b, err = appendFormatArg(b, x[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ", "...)
			}
			var err error
			if b, err = appendFormatArg(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	return appendJSON(b, v)
}

func fnStringToJSON(c *call, args []any, _ *Scope) (any, error) {
	s, ok := args[0].(string)
	if !ok {
		return nil, c.invalid()
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil // recorded: " " parses to null
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, c.invalid()
	}
	if _, err := dec.Token(); err == nil {
		return nil, c.invalid() // trailing data
	}
	return v, nil
}

func fnJSONToString(c *call, args []any, _ *Scope) (any, error) {
	b, err := appendJSON(nil, args[0])
	if err != nil {
		return nil, c.invalid()
	}
	return string(b), nil
}

func fnArray(_ *call, args []any, _ *Scope) (any, error) {
	out := make([]any, len(args))
	copy(out, args)
	return out, nil
}

func fnArrayPartition(c *call, args []any, _ *Scope) (any, error) {
	a, ok := args[0].([]any)
	n, ok2 := truncInt(args[1])
	if !ok || !ok2 || n <= 0 {
		return nil, c.invalid()
	}
	out := make([]any, 0, (len(a)+int(n)-1)/int(n))
	for i := 0; i < len(a); i += int(n) {
		end := min(i+int(n), len(a))
		chunk := make([]any, end-i)
		copy(chunk, a[i:end])
		out = append(out, chunk)
	}
	return out, nil
}

func fnArrayContains(c *call, args []any, _ *Scope) (any, error) {
	a, ok := args[0].([]any)
	if !ok {
		return nil, c.invalid()
	}
	target := args[1]
	for _, e := range a {
		if containsEqual(e, target) {
			return true, nil
		}
	}
	return false, nil
}

// containsEqual is the membership test of States.ArrayContains. AWS
// compares the text of the values (recorded: true matches "true",
// 9007199254740991 matches "9007199254740991", and objects only match
// with the same key order); two numbers still compare by value.
func containsEqual(a, b any) bool {
	if isNumber(a) && isNumber(b) {
		return equal(a, b)
	}
	return valueText(a) == valueText(b)
}

// valueText is a string's own text and any other value's JSON text.
func valueText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return jsonText(v)
}

func fnArrayRange(c *call, args []any, _ *Scope) (any, error) {
	start, ok1 := truncInt(args[0])
	end, ok2 := truncInt(args[1])
	step, ok3 := truncInt(args[2])
	if !ok1 || !ok2 || !ok3 || step == 0 {
		return nil, c.invalid()
	}
	var n int64
	if (step > 0 && end >= start) || (step < 0 && end <= start) {
		n = (end-start)/step + 1
	}
	if n > maxArrayRange {
		return nil, c.invalid()
	}
	out := make([]any, n)
	for i := range out {
		out[i] = json.Number(strconv.FormatInt(start+int64(i)*step, 10))
	}
	return out, nil
}

func fnArrayGetItem(c *call, args []any, _ *Scope) (any, error) {
	a, ok := args[0].([]any)
	idx, ok2 := truncInt(args[1])
	if !ok || !ok2 {
		return nil, c.invalid()
	}
	if len(a) == 0 {
		return nil, nil // recorded: AWS answers null for any index of []
	}
	if idx < 0 || idx >= int64(len(a)) {
		return nil, c.invalid()
	}
	return a[idx], nil
}

func fnArrayLength(c *call, args []any, _ *Scope) (any, error) {
	a, ok := args[0].([]any)
	if !ok {
		return nil, c.invalid()
	}
	return jsonInt(len(a)), nil
}

func fnArrayUnique(c *call, args []any, _ *Scope) (any, error) {
	a, ok := args[0].([]any)
	if !ok {
		return nil, c.invalid()
	}
	seen := make(map[string]struct{}, len(a))
	out := make([]any, 0, len(a))
	var key []byte
	for _, e := range a {
		key = appendCanonical(key[:0], e)
		if _, dup := seen[string(key)]; dup {
			continue
		}
		seen[string(key)] = struct{}{}
		out = append(out, e)
	}
	javaOrder(out, len(a))
	return out, nil
}

// appendCanonical is appendJSON with numbers normalized, so that values
// equal by value have equal keys.
func appendCanonical(b []byte, v any) []byte {
	switch x := v.(type) {
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCanonical(b, e)
		}
		return append(b, ']')
	case map[string]any:
		b = append(b, '{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonvalue.AppendString(b, k)
			b = append(b, ':')
			b = appendCanonical(b, x[k])
		}
		return append(b, '}')
	}
	if r, ok := toRat(v); ok && isNumber(v) {
		return append(b, r.RatString()...)
	}
	return append(b, jsonText(v)...)
}

func fnBase64Encode(c *call, args []any, _ *Scope) (any, error) {
	s, ok := args[0].(string)
	if !ok || javaLength(s) > maxEncodeLength {
		return nil, c.invalid()
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func fnBase64Decode(c *call, args []any, _ *Scope) (any, error) {
	s, ok := args[0].(string)
	if !ok || javaLength(s) > maxEncodeLength {
		return nil, c.invalid()
	}
	return strings.ToValidUTF8(string(decodeBase64Lenient(s)), "\uFFFD"), nil
}

// decodeBase64Lenient decodes like AWS does: characters outside the
// Base64 alphabet are skipped, the first '=' ends the data and missing
// padding is tolerated (recorded: '!!!invalid!!!', 'abc', 'ab==cd' and
// ' YWJjZA== ' all decode instead of failing).
func decodeBase64Lenient(s string) []byte {
	out := make([]byte, 0, len(s)*3/4)
	var acc uint32
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			break
		}
		v := strings.IndexByte(base64Alphabet, c)
		if v < 0 {
			continue
		}
		acc = acc<<6 | uint32(v)
		n++
		if n == 4 {
			out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	switch n {
	case 2:
		out = append(out, byte(acc>>4))
	case 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	return out
}

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func fnHash(c *call, args []any, _ *Scope) (any, error) {
	data, ok := args[0].(string)
	if !ok {
		// AWS hashes other values through their JSON text (recorded:
		// numbers and objects are accepted).
		b, err := appendJSON(nil, args[0])
		if args[0] == nil || err != nil {
			return nil, c.invalid()
		}
		data = string(b)
	}
	alg, ok := args[1].(string)
	if !ok || javaLength(data) > maxEncodeLength {
		return nil, c.invalid()
	}
	var h hash.Hash
	switch alg {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, c.invalid()
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fnJSONMerge(c *call, args []any, _ *Scope) (any, error) {
	a, ok1 := args[0].(map[string]any)
	b, ok2 := args[1].(map[string]any)
	// Only the shallow mode exists: true is refused; AWS treats any other
	// value (even the string 'false') as false.
	if deep, _ := args[2].(bool); !ok1 || !ok2 || deep {
		return nil, c.invalid()
	}
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out, nil
}

// randomSource adapts Scope.Random (or crypto/rand) to math/rand/v2.
type randomSource struct{ s *Scope }

func (r randomSource) Uint64() uint64 {
	if r.s != nil && r.s.Random != nil {
		return r.s.Random()
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

func fnMathRandom(c *call, args []any, s *Scope) (any, error) {
	start, ok1 := truncInt(args[0])
	end, ok2 := truncInt(args[1])
	if !ok1 || !ok2 || start >= end {
		return nil, c.invalid()
	}
	var r *mrand.Rand
	if len(args) == 3 {
		seed, ok := truncInt(args[2])
		if !ok {
			return nil, c.invalid()
		}
		r = mrand.New(mrand.NewPCG(uint64(seed), 0))
	} else {
		r = mrand.New(randomSource{s})
	}
	// The start is inclusive and the end exclusive.
	return json.Number(strconv.FormatInt(start+r.Int64N(end-start), 10)), nil
}

func fnMathAdd(c *call, args []any, _ *Scope) (any, error) {
	var sum int64
	for _, a := range args {
		f, ok := toFloat(a)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, c.invalid()
		}
		// Non-integers are rounded to the nearest integer, halves up
		// (recorded: 1.49 + 1.5 = 3, -1.5 + 0 = -1, -2.5 + 0 = -2).
		n := math.Floor(f + 0.5)
		if n < math.MinInt32 || n > math.MaxInt32 {
			return nil, c.invalid()
		}
		sum += int64(n)
	}
	// Operands and sum are 32-bit integers (recorded: 2147483647 + 1 fails).
	if sum < math.MinInt32 || sum > math.MaxInt32 {
		return nil, c.invalid()
	}
	return json.Number(strconv.FormatInt(sum, 10)), nil
}

// fnStringSplit splits on any character of the delimiter and drops empty
// tokens, which is what AWS does (recorded: ",,,," gives [] and
// "1+2,3.4" split on ".+," gives ["1","2","3","4"]).
func fnStringSplit(c *call, args []any, _ *Scope) (any, error) {
	str, ok1 := args[0].(string)
	delim, ok2 := args[1].(string)
	if !ok1 || !ok2 {
		return nil, c.invalid()
	}
	out := []any{}
	if delim == "" {
		if str != "" {
			out = append(out, str)
		}
		return out, nil
	}
	for _, tok := range strings.FieldsFunc(str, func(r rune) bool { return strings.ContainsRune(delim, r) }) {
		out = append(out, tok)
	}
	return out, nil
}

func fnUUID(_ *call, _ []any, s *Scope) (any, error) {
	src := randomSource{s}
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], src.Uint64())
	binary.BigEndian.PutUint64(u[8:], src.Uint64())
	return uuid.From(u), nil
}
