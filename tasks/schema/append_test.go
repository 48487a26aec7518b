package schema

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// appendSchema has a column of every type, with and without the constraints AppendCoerced decides on
// its own or leaves to Coerce.
const appendSchema = `{"name":"a","columns":[
	{"name":"s","type":"string","nullable":true},
	{"name":"sr","type":"string","required":true,"pattern":"ORD-[0-9]{4}","maxLength":8},
	{"name":"se","type":"string","enum":["EUR","USD","żółw"]},
	{"name":"i","type":"integer","nullable":true},
	{"name":"ir","type":"integer","required":true,"min":-5,"max":999},
	{"name":"ie","type":"integer","enum":[1,2,3]},
	{"name":"n","type":"number","nullable":true},
	{"name":"nr","type":"number","min":0,"max":1000.5},
	{"name":"b","type":"boolean","nullable":true},
	{"name":"br","type":"boolean","required":true},
	{"name":"d","type":"date","nullable":true},
	{"name":"dr","type":"date","min":"2024-01-01","max":"2024-12-31"},
	{"name":"t","type":"timestamp","nullable":true},
	{"name":"tr","type":"timestamp","required":true,"min":"2024-01-01T00:00:00Z","max":"2024-12-31T23:59:59.5+01:00"},
	{"name":"dc","type":"decimal","nullable":true},
	{"name":"ds","type":"decimal","precision":6,"scale":2}]}`

// coerceAppend is what AppendCoerced replaces: Coerce, then AppendJSON.
func coerceAppend(c *Column, dst []byte, r Raw) ([]byte, Value, error) {
	v, err := c.Coerce(r)
	if err != nil {
		return dst, Value{}, err
	}
	return v.AppendJSON(dst), v, nil
}

// checkAppendCoerced compares AppendCoerced with Coerce and AppendJSON on one value: the same bytes,
// the same value (but a timestamp's text, which AppendCoerced leaves out) and the same error.
func checkAppendCoerced(t *testing.T, c *Column, r Raw) {
	t.Helper()
	prefix := []byte("x:")
	var gotV Value
	got, gotErr := c.AppendCoerced(bytes.Clone(prefix), r, &gotV)
	want, wantV, wantErr := coerceAppend(c, bytes.Clone(prefix), r)
	if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && (gotErr.Error() != wantErr.Error() || gotErr.(*ValueError).Code != wantErr.(*ValueError).Code)) {
		t.Fatalf("%s (%s): AppendCoerced(%+v) error %v, Coerce gives %v", c.Name, c.Type, r, gotErr, wantErr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s (%s): AppendCoerced(%+v) = %q, Coerce and AppendJSON give %q", c.Name, c.Type, r, got, want)
	}
	if gotErr != nil { // *v is unspecified
		gotV = wantV
	}
	if gotV.Kind == KindTimestamp {
		if gotV.Str != "" || gotV.Text() != wantV.Str {
			t.Fatalf("%s: AppendCoerced(%+v) value %+v, Coerce gives %+v", c.Name, r, gotV, wantV)
		}
		gotV.Str = wantV.Str
	}
	if gotV != wantV && !(gotV.Kind == KindNumber && math.IsNaN(gotV.Float)) {
		t.Fatalf("%s (%s): AppendCoerced(%+v) value %+v, Coerce gives %+v", c.Name, c.Type, r, gotV, wantV)
	}
	if !bytes.Equal(gotV.AppendJSON(nil), wantV.AppendJSON(nil)) || gotV.Text() != wantV.Text() {
		t.Fatalf("%s: AppendJSON or Text of %+v differs from %+v", c.Name, gotV, wantV)
	}
	// AppendFast, when it decides, appends and sets what AppendCoerced does; when it does not, it leaves
	// dst as it was.
	var fastV Value
	fast, ok := c.AppendFast(bytes.Clone(prefix), r, &fastV, nil)
	switch {
	case !ok && !bytes.Equal(fast, prefix):
		t.Fatalf("%s: AppendFast(%+v) did not decide but changed dst to %q", c.Name, r, fast)
	case ok && gotErr != nil:
		t.Fatalf("%s: AppendFast(%+v) accepted %q, AppendCoerced refuses it: %v", c.Name, r, fast, gotErr)
	case ok && (!bytes.Equal(fast, got) || fastV.Kind != gotV.Kind || !bytes.Equal(fastV.AppendJSON(nil), gotV.AppendJSON(nil))):
		t.Fatalf("%s: AppendFast(%+v) = %q, %+v; AppendCoerced gives %q, %+v", c.Name, r, fast, fastV, got, gotV)
	}
}

// genValue makes a field text of the kinds a CSV or JSON object holds, valid and invalid, near the
// edges of what the parsers accept.
func genValue(rng *rand.Rand) string {
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		return b.String()
	}
	two := func(max int) string { return strconv.Itoa(100 + rng.IntN(max+2))[1:] }
	var s string
	switch rng.IntN(10) {
	case 0:
		s = [...]string{"", "-", "+"}[rng.IntN(3)] + digits(rng.IntN(21))
	case 1:
		s = [...]string{"", "-", "+"}[rng.IntN(3)] + digits(rng.IntN(10)) + "." + digits(rng.IntN(10))
		if rng.IntN(5) == 0 {
			s += [...]string{"e", "E"}[rng.IntN(2)] + [...]string{"", "-", "+"}[rng.IntN(3)] + digits(rng.IntN(4))
		}
	case 2:
		s = [...]string{"true", "false", "TRUE", "False", "tru", "yes", "falsey"}[rng.IntN(7)]
	case 3:
		s = [...]string{"2024", "0000", "9999", "1970", "2023"}[rng.IntN(5)] + "-" + two(12) + "-" + two(31)
	case 4, 5:
		s = [...]string{"2024", "0000", "9999", "1970", "2023"}[rng.IntN(5)] + "-" + two(12) + "-" + two(29) +
			[...]string{"T", "t", " ", "x"}[rng.IntN(4)] + two(24) + ":" + two(59)
		if rng.IntN(4) > 0 {
			s += ":" + two(60)
			if rng.IntN(2) == 0 {
				s += [...]string{".", ","}[rng.IntN(2)] + digits(rng.IntN(11))
			}
		}
		s += [...]string{"", "Z", "z", "+01:00", "-05:30", "+0100", "-23", "+24:00", "+1:00", "Q"}[rng.IntN(10)]
	case 6:
		s = "ORD-" + digits(rng.IntN(6))
	case 7:
		s = [...]string{"EUR", "USD", "GBP", "żółw", "eur", "\xff", "a\"b\\c\n", "\u2028", "null", "del\x7f", "a\x1fb", "tab\tx"}[rng.IntN(12)]
	case 8:
		s = digits(rng.IntN(7)) + "." + digits(rng.IntN(4))
	default:
		s = strings.Repeat("x", rng.IntN(12))
	}
	if rng.IntN(6) == 0 {
		s = [...]string{" ", "\t", "  ", "\u00a0"}[rng.IntN(4)] + s + [...]string{"", " ", "\r"}[rng.IntN(3)]
	}
	return s
}

// TestAppendCoercedMatchesCoerce compares AppendCoerced with Coerce and AppendJSON on many generated
// values of every raw kind, for every column of appendSchema.
func TestAppendCoercedMatchesCoerce(t *testing.T) {
	s, err := Parse([]byte(appendSchema))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	raws := []Raw{{Kind: RawMissing}, {Kind: RawNull}, {Kind: RawComposite}, {Kind: RawBool, Text: "true"}, {Kind: RawBool, Text: "false"},
		{Kind: RawText}, {Kind: RawText, Text: "   "}, {Kind: RawNumber, Text: "-0"}, {Kind: RawNumber, Text: "1e3"}}
	for range 30000 {
		kind := RawText
		if rng.IntN(5) == 0 {
			kind = RawNumber
		}
		raws = append(raws, Raw{Kind: kind, Text: genValue(rng)})
	}
	for i := range s.Columns {
		for _, r := range raws {
			checkAppendCoerced(t, &s.Columns[i], r)
		}
	}
}

// FuzzAppendCoerced holds AppendCoerced to Coerce and AppendJSON for every column of appendSchema.
func FuzzAppendCoerced(f *testing.F) {
	for _, seed := range []string{"", " x ", "0", "-0", "-0.00", "+007.50", "123456789012345", "1234567890123456", "1.5e3", ".5", "5.",
		"true", "FALSE", "2024-02-29", "2023-02-29", "2024-03-01T09:30:00Z", "2024-03-01 10:30:00.123+01:00",
		"2024-03-01t04:00-0530", "0000-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "ORD-1234", "EUR", "\x00\"\\", "żółw"} {
		f.Add(seed, uint8(RawText))
		f.Add(seed, uint8(RawNumber))
	}
	s, err := Parse([]byte(appendSchema))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string, kind uint8) {
		r := Raw{Kind: RawKind(kind % 6), Text: in}
		for i := range s.Columns {
			checkAppendCoerced(t, &s.Columns[i], r)
		}
	})
}

// FuzzAppendPlainDecimal holds appendPlainDecimal to strconv.AppendFloat(f, 'f', -1, 64) on every
// literal plainDecimal accepts.
func FuzzAppendPlainDecimal(f *testing.F) {
	for _, seed := range []string{"0", "-0", "+0", "-0.000", "000", "5.", ".5", "-.5", "0.1", "00100.0100", "123456789012345",
		"999999999999999", "0.000000000000001", "-99999999999999.9", "1234567890123456", "", ".", "-", "1e5"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fl, ok := plainDecimal(s)
		if !ok {
			return
		}
		got := string(appendPlainDecimal(nil, s))
		want := string(strconv.AppendFloat(nil, fl, 'f', -1, 64))
		if got != want {
			t.Fatalf("appendPlainDecimal(%q) = %q, strconv.AppendFloat gives %q", s, got, want)
		}
	})
}

// TestAppendPlainDecimalMatchesAppendFloat compares appendPlainDecimal with strconv.AppendFloat on many
// random literals of up to 15 digits, placed anywhere around the point.
func TestAppendPlainDecimalMatchesAppendFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 100000 {
		n := 1 + rng.IntN(15)
		var b []byte
		b = append(b, [...]string{"", "-", "+"}[rng.IntN(3)]...)
		point := rng.IntN(n + 1)
		for i := range n {
			if i == point {
				b = append(b, '.')
			}
			d := byte('0' + rng.IntN(10))
			if rng.IntN(4) == 0 {
				d = '0'
			}
			b = append(b, d)
		}
		s := string(b)
		fl, ok := plainDecimal(s)
		if !ok {
			t.Fatalf("plainDecimal(%q) refused", s)
		}
		if got, want := string(appendPlainDecimal(nil, s)), string(strconv.AppendFloat(nil, fl, 'f', -1, 64)); got != want {
			t.Fatalf("appendPlainDecimal(%q) = %q, strconv.AppendFloat gives %q", s, got, want)
		}
	}
}

// TestAppendCoercedAllocations pins the point of AppendCoerced: a value of any type but decimal is
// coerced and written without allocating.
func TestAppendCoercedAllocations(t *testing.T) {
	s, err := Parse([]byte(appendSchema))
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{"s": " a note ", "sr": "ORD-1234", "se": "USD", "i": "-42", "ir": "7", "ie": "2", "n": "12.50",
		"nr": "3", "b": "TRUE ", "br": "false", "d": "2024-03-01", "dr": "2024-06-30", "t": "2024-03-01 10:30:00.120+01:00",
		"tr": "2024-05-01T00:00:00Z"}
	buf := make([]byte, 0, 256)
	for i := range s.Columns {
		c := &s.Columns[i]
		text, ok := values[c.Name]
		if !ok {
			continue
		}
		r := Raw{Kind: RawText, Text: text}
		var v Value
		if _, err := c.AppendCoerced(buf[:0], r, &v); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if n := testing.AllocsPerRun(100, func() { _, _ = c.AppendCoerced(buf[:0], r, &v) }); n != 0 {
			t.Errorf("%s (%s): %v allocations per value, want 0", c.Name, c.Type, n)
		}
	}
}

func TestPlainJSON(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"", true}, {"a", true}, {"ORD-00001234", true}, {"a note about the order", true}, {"~\x7f !#[]", true},
		{"12345678", true}, {"1234567\"", false}, {"\\2345678", false}, {"1234567890\x1f", false},
		{"é", false}, {"abcdefgh\x80", false}, {"abc\tdef", false}, {"abcdefghijklmno\"", false},
		{"abcdefghijklmnop\\", false}, {"\x00bcdefghijklmnop", false}, {" ", true}, {"\x20\x20\x20\x20\x20\x20\x20\x20\x1f", false},
	}
	for _, tt := range tests {
		if got := plainJSON(tt.s); got != tt.want {
			t.Errorf("plainJSON(%q) = %v, want %v", tt.s, got, tt.want)
		}
		if got := plainJSONBytes(tt.s); got != tt.want {
			t.Errorf("plainJSONBytes(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
	// Every byte value at every position of a word and of the overlapping last word.
	for n := 8; n <= 17; n++ {
		for pos := range n {
			for c := range 256 {
				b := []byte(strings.Repeat("x", n))
				b[pos] = byte(c)
				if got, want := plainJSON(string(b)), plainJSONBytes(string(b)); got != want {
					t.Fatalf("plainJSON(%q) = %v, plainJSONBytes gives %v", b, got, want)
				}
			}
		}
	}
}

// FuzzPlainJSON holds plainJSON, eight bytes at a time, to the byte by byte test.
func FuzzPlainJSON(f *testing.F) {
	f.Add("a note about the order")
	f.Add("abcdefgh\"")
	f.Add("é€\\\x00\x1f\x20\x7f\x80\xff")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := plainJSON(s), plainJSONBytes(s); got != want {
			t.Errorf("plainJSON(%q) = %v, plainJSONBytes gives %v", s, got, want)
		}
	})
}

// TestAppendInt holds appendInt to strconv.AppendInt around the ranges it writes itself.
func TestAppendInt(t *testing.T) {
	for _, n := range []int64{math.MinInt64, -10000, -1000, -100, -1, 0, 1, 9, 10, 99, 100, 101, 999, 1000, 1001, 9999, 10000, math.MaxInt64} {
		for _, m := range []int64{n, n + 7} {
			if got, want := string(appendInt([]byte("x"), m)), string(strconv.AppendInt([]byte("x"), m, 10)); got != want {
				t.Errorf("appendInt(%d) = %q, want %q", m, got, want)
			}
		}
	}
	for n := int64(-20); n < 12000; n++ {
		if got, want := string(appendInt(nil, n)), strconv.FormatInt(n, 10); got != want {
			t.Fatalf("appendInt(%d) = %q, want %q", n, got, want)
		}
	}
}

// checkAppendDecimal holds appendDecimal to plainDecimal followed by appendPlainDecimal.
func checkAppendDecimal(t *testing.T, s string) {
	t.Helper()
	prefix := []byte("x:")
	got, gotF, gotOK := appendDecimal(bytes.Clone(prefix), s)
	wantF, wantOK := plainDecimal(s)
	if gotOK != wantOK {
		t.Fatalf("appendDecimal(%q) ok %v, plainDecimal gives %v", s, gotOK, wantOK)
	}
	if !wantOK {
		return
	}
	if want := appendPlainDecimal(bytes.Clone(prefix), s); !bytes.Equal(got, want) || math.Float64bits(gotF) != math.Float64bits(wantF) {
		t.Fatalf("appendDecimal(%q) = %q, %v; plainDecimal and appendPlainDecimal give %q, %v", s, got, gotF, want, wantF)
	}
}

func TestAppendDecimal(t *testing.T) {
	for _, s := range []string{"", "+", "-", ".", "0", "00", "-0", "+0", "-0.0", "0.50", ".5", "5.", "0123.45", "100", "100.000", "1.2.3",
		"123456789012345", "1234567890123456", "000000000000001", "0000000000000001", "1e5", "12a", "-.25", "+007.50", "9.000000000000001"} {
		checkAppendDecimal(t, s)
	}
	rng := rand.New(rand.NewPCG(8, 9))
	for range 20000 {
		checkAppendDecimal(t, genValue(rng))
	}
}

// FuzzAppendDecimal holds appendDecimal, one pass, to plainDecimal and appendPlainDecimal.
func FuzzAppendDecimal(f *testing.F) {
	for _, s := range []string{"0123.45", "-0.0", ".5", "5.", "100", "0.50", "+007.50", "1234567890123456"} {
		f.Add(s)
	}
	f.Fuzz(checkAppendDecimal)
}

// appendPlainDecimal is the straightforward form of appendDecimal's writing, the reference its tests hold
// appendDecimal to. It appends a literal plainDecimal accepts as strconv.AppendFloat(dst, f, 'f', -1, 64)
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
