package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCoerce checks, for every type, that Coerce never panics, that what it accepts is stable (the
// canonical text of a value coerces back to the same value), and that AppendJSON writes valid JSON that
// encoding/json reads back as the same value.
func FuzzCoerce(f *testing.F) {
	for _, seed := range []string{"", " x ", "0", "-12", "+7", "9223372036854775808", "1.5e3", ".5", "1e400", "NaN",
		"true", "FALSE", "2024-02-29", "2023-02-29", "2024-03-01T09:30:00Z", "2024-03-01 10:30:00.123+01:00",
		"2024-03-01t04:00-0530", "0000-01-01T00:00:00+01:00", "\x00\"\\", "żółw"} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	s, err := Parse([]byte(`{"name":"f","columns":[
		{"name":"s","type":"string","nullable":true},{"name":"i","type":"integer"},{"name":"n","type":"number"},
		{"name":"b","type":"boolean"},{"name":"d","type":"date"},{"name":"t","type":"timestamp"},
		{"name":"dc","type":"decimal"},{"name":"ds","type":"decimal","precision":6,"scale":2}]}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Add("1234567890.123456789", true)
	f.Add("-000.0100e-3", false)
	f.Fuzz(func(t *testing.T, in string, asNumber bool) {
		raw := Raw{Kind: RawText, Text: in}
		if asNumber {
			raw.Kind = RawNumber
		}
		for i := range s.Columns {
			c := &s.Columns[i]
			v, err := c.Coerce(raw)
			if checkErr := c.Check(raw); (checkErr == nil) != (err == nil) || (err != nil && checkErr.Error() != err.Error()) {
				t.Fatalf("%s: Check(%q) = %v, Coerce gives %v", c.Type, in, checkErr, err)
			}
			if err != nil {
				if _, ok := err.(*ValueError); !ok {
					t.Fatalf("%s: Coerce(%q) error %T is not a *ValueError", c.Type, in, err)
				}
				continue
			}
			if v.Kind == KindNull {
				continue
			}
			again, err := c.Coerce(Raw{Kind: RawText, Text: v.Text()})
			if err != nil || Compare(again, v) != 0 || (!v.Exp && again.Text() != v.Text()) {
				t.Fatalf("%s: Coerce(%q) = %+v, but its text %q coerces to %+v, %v", c.Type, in, v, v.Text(), again, err)
			}
			js := v.AppendJSON(nil)
			var back any
			dec := json.NewDecoder(bytes.NewReader(js))
			dec.UseNumber()
			if err := dec.Decode(&back); err != nil {
				t.Fatalf("%s: AppendJSON(%+v) = %s: %v", c.Type, v, js, err)
			}
			want, _ := json.Marshal(v.Any())
			if got, _ := json.Marshal(back); v.Kind != KindInteger && v.Kind != KindNumber && v.Kind != KindDecimal && string(got) != string(want) {
				t.Fatalf("%s: AppendJSON(%+v) = %s reads back as %s, want %s", c.Type, v, js, got, want)
			}
			if v.Kind == KindNumber || v.Kind == KindDecimal {
				if string(js) != string(want) || string(js) != v.Text() {
					t.Fatalf("%s: AppendJSON(%+v) = %s, Any gives %s, Text %s: they must be the same", c.Type, v, js, want, v.Text())
				}
				if !v.Exp && strings.ContainsAny(string(js), "eE") {
					t.Fatalf("%s: Coerce(%q) is written %s: an exponent the value did not have", c.Type, in, js)
				}
			}
		}
	})
}

// FuzzCheck holds Check (with its fast path) to the full coercion path it shortcuts: the same verdict
// and the same error, for columns with every kind of constraint.
func FuzzCheck(f *testing.F) {
	for _, seed := range []string{"", " ", "7", "-0", "+000", "999", "1000", "123456789012345678", "1234567890123456789",
		"0.5", "-0.0", "1.", ".", "-.25", "123456789012345", "1234567890.12345", "1e3", "0x1", "9999.99", "10000.01",
		"true", "TRUE ", "False", "yes", "EUR", " USD", "eur", "ORD-12345678", "ORD-1234567", "ORD-123456789", "ord-12345678",
		"2024-03-01", "2019-12-31", "2031-01-01", "2024-02-30", "2024-03-01T09:30:00Z", "2024-03-01 10:30:00.5+01:00",
		"0000-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00", "9999-12-31T23:30:00+01:00", "2024-03-01T24:00:00Z",
		"\u00a0ab\u00a0", "ab\u2028", "\xff", "żółw", "abcdefghijklmnopq"} {
		f.Add(seed, uint8(0))
		f.Add(seed, uint8(1))
		f.Add(seed, uint8(2))
	}
	s, err := Parse([]byte(`{"name":"f","columns":[
		{"name":"s","type":"string","nullable":true,"maxLength":16},
		{"name":"p","type":"string","required":true,"pattern":"ORD-[0-9]{8}"},
		{"name":"e","type":"string","enum":["EUR","USD"]},
		{"name":"i","type":"integer","min":1,"max":999},
		{"name":"ie","type":"integer","enum":[7, "8"]},
		{"name":"n","type":"number","min":0,"max":9999.99},
		{"name":"ne","type":"number","nullable":true,"min":-0.5},
		{"name":"b","type":"boolean","nullable":true},
		{"name":"d","type":"date","min":"2020-01-01","max":"2030-12-31"},
		{"name":"t","type":"timestamp","required":true,"min":"2024-01-01T00:00:00+01:00"},
		{"name":"te","type":"timestamp","enum":["2024-03-01T09:30:00Z"]},
		{"name":"d0","type":"date"},
		{"name":"t0","type":"timestamp","nullable":true}]}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string, kind uint8) {
		raw := Raw{Kind: []RawKind{RawText, RawNumber, RawBool, RawNull, RawMissing, RawComposite}[int(kind)%6], Text: in}
		for i := range s.Columns {
			c := &s.Columns[i]
			_, want := c.coerce(raw, true)
			got := c.Check(raw)
			if (got == nil) != (want == nil) || (got != nil && got.Error() != want.Error()) {
				t.Fatalf("%s: Check(%+v) = %v, the full path gives %v", c.Name, raw, got, want)
			}
			if !utf8.ValidString(in) {
				continue
			}
			if got := c.CheckUTF8(raw); (got == nil) != (want == nil) || (got != nil && got.Error() != want.Error()) {
				t.Fatalf("%s: CheckUTF8(%+v) = %v, the full path gives %v", c.Name, raw, got, want)
			}
		}
	})
}

// FuzzPattern holds the simple pattern matcher to regexp, for the patterns it compiles.
func FuzzPattern(f *testing.F) {
	for _, seed := range [][2]string{{"ORD-[0-9]{8}", "ORD-12345678"}, {"[A-Z]{3}", "EUR"}, {"a+b", "aab"}, {"[0-9]*[a-z]?[0-9]", "12"},
		{"(?i)k", "\u212a"}, {"(?i)ab", "aB"}, {"x{2,4}y?", "xxx"}, {"^a$", "a"}, {"a|b", "b"}, {"[^a]", "é"}, {"a?^b", "b"},
		{"[a-c]+-[0-9]+", "abc-1"}, {"(ab)+", "abab"}, {".*", "\xff"}, {"\\d{2}", "12"}, {"a*a", "aaa"}, {"[ab]*c*b", "ab"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pat, in string) {
		expr := `^(?:` + pat + `)$`
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		p, ok := compileSimple(expr)
		if !ok {
			return
		}
		if got, want := p.match(in), re.MatchString(in); got != want {
			t.Fatalf("pattern %q on %q: simple matcher %v, regexp %v (steps %+v)", pat, in, got, want, p)
		}
		// A pattern said to admit only plain JSON text admits nothing else.
		if (&pattern{re: re, simple: p}).plainOnly() && re.MatchString(in) && !plainJSON(in) {
			t.Fatalf("pattern %q is plainOnly but matches %q", pat, in)
		}
	})
}

// FuzzParse: any document gives a schema or Problems, each problem located inside the document.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"name":"x","columns":[{"name":"a","type":"string"}]}`,
		`{"name":"","formats":["xml"],"columns":[{"name":"a","type":"strin","nulable":1},"x",{"name":"b","type":"decimal","precision":3,"scale":9,"min":"1e2"}]}`,
		`{"name":"x","name":"y","columns":[{"name":"a","type":"integer","enum":[1,"2",1.5],"min":99999999999999999999}]}`,
		"{\n \"columns\": [}\n", `[]`, `"x"`, `{"limits":{"maxRows":1.5e3},"csv":[]}`, "",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		s, err := Parse([]byte(doc))
		if err == nil {
			if s == nil || len(s.Columns) == 0 {
				t.Fatalf("Parse(%q) gave no error and schema %+v", doc, s)
			}
			return
		}
		var ps Problems
		if !errors.As(err, &ps) || len(ps) == 0 {
			t.Fatalf("Parse(%q): error %T %v is not Problems", doc, err, err)
		}
		lines := strings.Count(doc, "\n") + 1
		for _, p := range ps {
			if p.Line < 0 || p.Line > lines || (p.Line > 0 && p.Col < 1) || p.Msg == "" {
				t.Fatalf("Parse(%q): problem %+v is not located in the document", doc, *p)
			}
		}
	})
}
