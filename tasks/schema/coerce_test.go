package schema

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func column(t *testing.T, js string) *Column {
	t.Helper()
	s, err := Parse([]byte(`{"name":"t","columns":[` + js + `]}`))
	if err != nil {
		t.Fatalf("schema %s: %v", js, err)
	}
	return &s.Columns[0]
}

func text(s string) Raw { return Raw{Kind: RawText, Text: s} }

func TestCoerce(t *testing.T) {
	const (
		str     = `{"name":"c","type":"string"}`
		integer = `{"name":"c","type":"integer"}`
		number  = `{"name":"c","type":"number"}`
		boolean = `{"name":"c","type":"boolean"}`
		date    = `{"name":"c","type":"date"}`
		ts      = `{"name":"c","type":"timestamp"}`
	)
	tests := []struct {
		name     string
		column   string
		raw      Raw
		want     Value
		wantCode string
	}{
		{"string trimmed", str, text("  hi there \t"), Value{Kind: KindString, Str: "hi there"}, ""},
		{"string unicode", str, text("żółw"), Value{Kind: KindString, Str: "żółw"}, ""},
		{"string from json number", str, Raw{Kind: RawNumber, Text: "1"}, Value{}, CodeType},
		{"composite", str, Raw{Kind: RawComposite}, Value{}, CodeType},
		{"empty not nullable", str, text("   "), Value{}, CodeNull},
		{"null not nullable", integer, Raw{Kind: RawNull}, Value{}, CodeNull},
		{"empty nullable", `{"name":"c","type":"integer","nullable":true}`, text(""), Value{}, ""},
		{"missing optional", str, Raw{Kind: RawMissing}, Value{}, ""},
		{"missing required", `{"name":"c","type":"string","required":true,"nullable":true}`, Raw{Kind: RawMissing}, Value{}, CodeRequired},
		{"integer", integer, text(" -0042 "), Value{Kind: KindInteger, Int: -42}, ""},
		{"integer plus", integer, text("+7"), Value{Kind: KindInteger, Int: 7}, ""},
		{"integer max", integer, text("9223372036854775807"), Value{Kind: KindInteger, Int: 9223372036854775807}, ""},
		{"integer overflow", integer, text("9223372036854775808"), Value{}, CodeType},
		{"integer json", integer, Raw{Kind: RawNumber, Text: "12"}, Value{Kind: KindInteger, Int: 12}, ""},
		{"integer fraction", integer, Raw{Kind: RawNumber, Text: "1.0"}, Value{}, CodeType},
		{"integer underscore", integer, text("1_000"), Value{}, CodeType},
		{"integer bare sign", integer, text("-"), Value{}, CodeType},
		{"integer bool", integer, Raw{Kind: RawBool, Text: "true"}, Value{}, CodeType},
		{"number", number, text("-2.50"), Value{Kind: KindNumber, Float: -2.5}, ""},
		{"number leading dot", number, text(".5"), Value{Kind: KindNumber, Float: 0.5}, ""},
		{"number exponent", number, Raw{Kind: RawNumber, Text: "6.02e23"}, Value{Kind: KindNumber, Float: 6.02e23, Exp: true}, ""},
		{"number nan", number, text("NaN"), Value{}, CodeType},
		{"number inf", number, text("Inf"), Value{}, CodeType},
		{"number hex", number, text("0x10"), Value{}, CodeType},
		{"number overflow", number, text("1e400"), Value{}, CodeType},
		{"number bad exponent", number, text("1e"), Value{}, CodeType},
		{"number dot only", number, text("."), Value{}, CodeType},
		{"boolean", boolean, text("TRUE"), Value{Kind: KindBoolean, Bool: true}, ""},
		{"boolean json false", boolean, Raw{Kind: RawBool, Text: "false"}, Value{Kind: KindBoolean}, ""},
		{"boolean yes", boolean, text("yes"), Value{}, CodeType},
		{"boolean one", boolean, Raw{Kind: RawNumber, Text: "1"}, Value{}, CodeType},
		{"date", date, text("2024-02-29"), Value{Kind: KindDate, Str: "2024-02-29", Int: 19782}, ""},
		{"date not leap", date, text("2023-02-29"), Value{}, CodeType},
		{"date short", date, text("2024-2-9"), Value{}, CodeType},
		{"date with time", date, text("2024-02-09T00:00:00Z"), Value{}, CodeType},
		{"timestamp utc", ts, text("2024-03-01T09:30:00Z"), Value{Kind: KindTimestamp, Str: "2024-03-01T09:30:00Z", Int: 1709285400}, ""},
		{"timestamp offset", ts, text("2024-03-01 10:30:00+01:00"), Value{Kind: KindTimestamp, Str: "2024-03-01T09:30:00Z", Int: 1709285400}, ""},
		{"timestamp basic offset", ts, text("2024-03-01t04:00:00-0530"), Value{Kind: KindTimestamp, Str: "2024-03-01T09:30:00Z", Int: 1709285400}, ""},
		{"timestamp hour offset", ts, text("2024-03-01T11:30:00+02"), Value{Kind: KindTimestamp, Str: "2024-03-01T09:30:00Z", Int: 1709285400}, ""},
		{"timestamp no zone", ts, text("2024-03-01T09:30"), Value{Kind: KindTimestamp, Str: "2024-03-01T09:30:00Z", Int: 1709285400}, ""},
		{"timestamp fraction", ts, text("2024-03-01T09:30:00,120Z"), Value{Kind: KindTimestamp, Str: "2024-03-01T09:30:00.12Z", Int: 1709285400, Nano: 120000000}, ""},
		{"timestamp day change", ts, text("2024-01-01T00:30:00+01:00"), Value{Kind: KindTimestamp, Str: "2023-12-31T23:30:00Z", Int: 1704065400}, ""},
		{"timestamp ten digits", ts, text("2024-03-01T09:30:00.1234567890Z"), Value{}, CodeType},
		{"timestamp hour 24", ts, text("2024-03-01T24:00:00Z"), Value{}, CodeType},
		{"timestamp bad zone", ts, text("2024-03-01T09:30:00+1"), Value{}, CodeType},
		{"timestamp date only", ts, text("2024-03-01"), Value{}, CodeType},
		{"timestamp year overflow", ts, text("9999-12-31T23:00:00-02:00"), Value{}, CodeType},
		{"enum", `{"name":"c","type":"string","enum":["a","b"]}`, text("c"), Value{}, CodeEnum},
		{"enum ok", `{"name":"c","type":"string","enum":["a","b"]}`, text(" b"), Value{Kind: KindString, Str: "b"}, ""},
		{"min", `{"name":"c","type":"integer","min":1}`, text("0"), Value{}, CodeMin},
		{"max", `{"name":"c","type":"number","max":1.5}`, text("1.50001"), Value{}, CodeMax},
		{"max equal", `{"name":"c","type":"number","max":1.5}`, text("1.5"), Value{Kind: KindNumber, Float: 1.5}, ""},
		{"date min", `{"name":"c","type":"date","min":"2020-01-01"}`, text("2019-12-31"), Value{}, CodeMin},
		{"timestamp max", `{"name":"c","type":"timestamp","max":"2024-01-01T00:00:00Z"}`, text("2024-01-01T00:00:00.000000001Z"), Value{}, CodeMax},
		{"timestamp max across zone", `{"name":"c","type":"timestamp","max":"2024-01-01T00:00:00Z"}`, text("2024-01-01T00:30:00+01:00"), Value{Kind: KindTimestamp, Str: "2023-12-31T23:30:00Z", Int: 1704065400}, ""},
		{"pattern anchored", `{"name":"c","type":"string","pattern":"[A-Z]+"}`, text("ABc"), Value{}, CodePattern},
		{"pattern", `{"name":"c","type":"string","pattern":"[A-Z]+"}`, text("ABC"), Value{Kind: KindString, Str: "ABC"}, ""},
		{"max length runes", `{"name":"c","type":"string","maxLength":4}`, text("żółw"), Value{Kind: KindString, Str: "żółw"}, ""},
		{"max length", `{"name":"c","type":"string","maxLength":3}`, text("żółw"), Value{}, CodeMaxLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			col := column(t, tt.column)
			checkErr := col.Check(tt.raw)
			got, err := col.Coerce(tt.raw)
			if (checkErr == nil) != (err == nil) || (err != nil && checkErr.Error() != err.Error()) {
				t.Errorf("Check(%+v) = %v, Coerce gives %v: they must agree", tt.raw, checkErr, err)
			}
			var gotCode string
			if err != nil {
				var ve *ValueError
				if !errors.As(err, &ve) {
					t.Fatalf("Coerce(%+v): error %v is not a *ValueError", tt.raw, err)
				}
				gotCode = ve.Code
			}
			if gotCode != tt.wantCode {
				t.Fatalf("Coerce(%+v): got code %q (%v), want %q", tt.raw, gotCode, err, tt.wantCode)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("Coerce(%+v) (-got +want):\n%s", tt.raw, diff)
			}
		})
	}
}

func TestAppendJSON(t *testing.T) {
	tests := []struct {
		v    Value
		want string
	}{
		{Value{}, `null`},
		{Value{Kind: KindString, Str: "a\"b\\c\n\x01ż"}, `"a\"b\\c\n\u0001ż"`},
		{Value{Kind: KindInteger, Int: -9223372036854775808}, `-9223372036854775808`},
		{Value{Kind: KindNumber, Float: 1e21, Exp: true}, `1e+21`},
		{Value{Kind: KindNumber, Float: 1e21}, `1000000000000000000000`},
		{Value{Kind: KindNumber, Float: 1234567890.123456789}, `1234567890.1234567`},
		{Value{Kind: KindNumber, Float: 1e-7}, `0.0000001`},
		{Value{Kind: KindDecimal, Str: "-1234567890.123456789"}, `-1234567890.123456789`},
		{Value{Kind: KindNumber, Float: 0.1}, `0.1`},
		{Value{Kind: KindBoolean, Bool: true}, `true`},
		{Value{Kind: KindDate, Str: "2024-01-02"}, `"2024-01-02"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := string(tt.v.AppendJSON(nil)); got != tt.want {
				t.Errorf("AppendJSON: got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	ts := column(t, `{"name":"c","type":"timestamp"}`)
	a, _ := ts.Coerce(text("2024-01-01T00:00:00.5Z"))
	b, _ := ts.Coerce(text("2024-01-01T00:00:00.25Z"))
	got := []int{Compare(a, b), Compare(b, a), Compare(a, a), Compare(Value{}, a),
		Compare(Value{Kind: KindBoolean}, Value{Kind: KindBoolean, Bool: true})}
	want := []int{1, -1, 0, -1, -1}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("Compare (-got +want):\n%s", diff)
	}
}

// TestCheckAllocations pins the fast path: checking ordinary accepted values allocates nothing.
func TestCheckAllocations(t *testing.T) {
	tests := []struct{ column, value string }{
		{`{"name":"c","type":"string","pattern":"ORD-[0-9]{8}"}`, "ORD-12345678"},
		{`{"name":"c","type":"string","maxLength":16}`, " TEA-0042 "},
		{`{"name":"c","type":"string","enum":["EUR","USD"]}`, "USD"},
		{`{"name":"c","type":"integer","min":1,"max":999}`, "042"},
		{`{"name":"c","type":"number","min":0}`, "1234.56"},
		{`{"name":"c","type":"boolean"}`, "True"},
		{`{"name":"c","type":"date","min":"2020-01-01"}`, "2024-03-01"},
		{`{"name":"c","type":"timestamp"}`, "2024-03-01T09:30:00Z"},
		{`{"name":"c","type":"string","nullable":true}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			c := column(t, tt.column)
			var err error
			got := testing.AllocsPerRun(10, func() { err = c.Check(text(tt.value)) })
			if err != nil {
				t.Fatal(err)
			}
			if got != 0 {
				t.Errorf("Check(%q) allocates %v times, want 0", tt.value, got)
			}
		})
	}
}

// TestNumberNoExponent: a number written without an exponent is never written with one (issue: a number
// column turned 1234567890.123456789 into 1.2345678901234567e+09 and 99999999999999999 into 1e+17).
func TestNumberNoExponent(t *testing.T) {
	col := column(t, `{"name":"c","type":"number"}`)
	for _, tt := range []struct{ in, want string }{
		{"1234567890.123456789", "1234567890.1234567"},
		{"99999999999999999", "100000000000000000"},
		{"0.000000123", "0.000000123"},
		{"6.02e23", "6.02e+23"},
		{"1E-9", "1e-09"},
	} {
		for _, raw := range []Raw{text(tt.in), {Kind: RawNumber, Text: tt.in}} {
			v, err := col.Coerce(raw)
			if err != nil {
				t.Fatalf("Coerce(%+v): %v", raw, err)
			}
			if got := string(v.AppendJSON(nil)); got != tt.want {
				t.Errorf("Coerce(%+v).AppendJSON: got %s, want %s", raw, got, tt.want)
			}
			if got := v.Text(); got != tt.want {
				t.Errorf("Coerce(%+v).Text: got %s, want %s", raw, got, tt.want)
			}
		}
	}
}

func TestDecimal(t *testing.T) {
	tests := []struct {
		column, in string
		want       string // the JSON written, or "" when refused
		code       string
	}{
		{`{"name":"c","type":"decimal"}`, "1234567890.123456789", "1234567890.123456789", ""},
		{`{"name":"c","type":"decimal"}`, "99999999999999999", "99999999999999999", ""},
		{`{"name":"c","type":"decimal"}`, "123456789012345678901234567890.5", "123456789012345678901234567890.5", ""},
		{`{"name":"c","type":"decimal"}`, "-000012.3400", "-12.34", ""},
		{`{"name":"c","type":"decimal"}`, "-0.000", "0", ""},
		{`{"name":"c","type":"decimal"}`, ".5", "0.5", ""},
		{`{"name":"c","type":"decimal"}`, "+7.", "7", ""},
		{`{"name":"c","type":"decimal"}`, "1.5e3", "1500", ""},
		{`{"name":"c","type":"decimal"}`, "15E-4", "0.0015", ""},
		{`{"name":"c","type":"decimal"}`, "0e999999", "", CodeType},
		{`{"name":"c","type":"decimal"}`, "1e2000", "", CodeType},
		{`{"name":"c","type":"decimal"}`, "NaN", "", CodeType},
		{`{"name":"c","type":"decimal"}`, "1,5", "", CodeType},
		{`{"name":"c","type":"decimal","scale":2}`, "3", "3.00", ""},
		{`{"name":"c","type":"decimal","scale":2}`, "3.1", "3.10", ""},
		{`{"name":"c","type":"decimal","scale":2}`, "3.100", "3.10", ""},
		{`{"name":"c","type":"decimal","scale":2}`, "3.105", "", CodeType},
		{`{"name":"c","type":"decimal","scale":0}`, "42.0", "42", ""},
		{`{"name":"c","type":"decimal","precision":5,"scale":2}`, "999.99", "999.99", ""},
		{`{"name":"c","type":"decimal","precision":5,"scale":2}`, "1000", "", CodeType},
		{`{"name":"c","type":"decimal","precision":3}`, "0.00123", "", CodeType}, // 5 digits after the point
		{`{"name":"c","type":"decimal","precision":3}`, "0.123", "0.123", ""},
		{`{"name":"c","type":"decimal","precision":3}`, "12.34", "", CodeType},
		{`{"name":"c","type":"decimal","min":"0.1","max":10}`, "0.10", "0.1", ""},
		{`{"name":"c","type":"decimal","min":"0.1","max":10}`, "0.0999999999999999999999", "", CodeMin},
		{`{"name":"c","type":"decimal","min":"0.1","max":10}`, "10.000000000000000000001", "", CodeMax},
		{`{"name":"c","type":"decimal","min":-5}`, "-4.99", "-4.99", ""},
		{`{"name":"c","type":"decimal","min":-5}`, "-5.01", "", CodeMin},
		{`{"name":"c","type":"decimal","enum":["1.50", 2]}`, "1.5", "1.5", ""},
		{`{"name":"c","type":"decimal","enum":["1.50", 2]}`, "2.00", "2", ""},
		{`{"name":"c","type":"decimal","enum":["1.50", 2]}`, "2.01", "", CodeEnum},
	}
	for _, tt := range tests {
		col := column(t, tt.column)
		for _, raw := range []Raw{text(tt.in), {Kind: RawNumber, Text: tt.in}} {
			v, err := col.Coerce(raw)
			checkErr := col.Check(raw)
			if (err == nil) != (checkErr == nil) {
				t.Errorf("%s: Coerce(%+v) = %v but Check = %v", tt.column, raw, err, checkErr)
			}
			var code string
			var ve *ValueError
			if errors.As(err, &ve) {
				code = ve.Code
			}
			got := ""
			if err == nil {
				got = string(v.AppendJSON(nil))
			}
			if got != tt.want || code != tt.code {
				t.Errorf("%s: Coerce(%+v): got %q code %q (%v), want %q code %q", tt.column, raw, got, code, err, tt.want, tt.code)
			}
		}
	}
}

func TestCompareDecimal(t *testing.T) {
	ordered := []string{"-100", "-99.5", "-1", "-0.5", "-0.05", "0", "0.000001", "0.5", "0.55", "1", "1.5", "9.99", "10", "100.25"}
	for i, a := range ordered {
		for j, b := range ordered {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if got := compareDecimal(a, b); got != want {
				t.Errorf("compareDecimal(%s, %s) = %d, want %d", a, b, got, want)
			}
		}
	}
	if got := compareDecimal("1.50", "1.5"); got != 0 {
		t.Errorf("compareDecimal(1.50, 1.5) = %d, want 0", got)
	}
}

// TestEnumMessageNamesValues: a value outside an enum is reported with the allowed values.
func TestEnumMessageNamesValues(t *testing.T) {
	col := column(t, `{"name":"kind","type":"string","enum":["purchase","return"]}`)
	err := col.Check(text("refund"))
	if got, want := fmt.Sprint(err), `"refund" is not one of: "purchase", "return"`; got != want {
		t.Errorf("Check: got %q, want %q", got, want)
	}
}
