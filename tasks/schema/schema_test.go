package schema

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want ParseError
	}{
		{"syntax", "{\n  \"name\": \"x\",\n  \"columns\": [}\n", ParseError{Line: 3, Col: 15, Msg: "invalid character '}' looking for beginning of value"}},
		{"empty", "", ParseError{Msg: "document is empty or truncated"}},
		{"trailing", `{"name":"x","columns":[{"name":"a","type":"string"}]} {}`, ParseError{Line: 1, Col: 55, Msg: "unexpected data after the schema object"}},
		{"unknown member", `{"name":"x","colums":[]}`, ParseError{Msg: `unknown field "colums"`}},
		{"wrong json type", `{"name":"x","columns":[{"name":"a","type":"string","required":"yes"}]}`, ParseError{Path: "columns.required", Msg: "want bool, got JSON string"}},
		{"no name", `{"columns":[{"name":"a","type":"string"}]}`, ParseError{Path: "name", Msg: "must not be empty"}},
		{"no columns", `{"name":"x","columns":[]}`, ParseError{Path: "columns", Msg: "a schema needs at least one column"}},
		{"unknown type", `{"name":"x","columns":[{"name":"a","type":"text"}]}`, ParseError{Path: "columns[0].type", Msg: `unknown type "text" (want string, integer, number, boolean, date or timestamp)`}},
		{"missing type", `{"name":"x","columns":[{"name":"a"}]}`, ParseError{Path: "columns[0].type", Msg: "missing"}},
		{"duplicate", `{"name":"x","columns":[{"name":"a","type":"string"},{"name":"a","type":"integer"}]}`, ParseError{Path: "columns[1].name", Msg: `duplicate column "a"`}},
		{"bad pattern", `{"name":"x","columns":[{"name":"a","type":"string","pattern":"("}]}`, ParseError{Path: "columns[0].pattern", Msg: "error parsing regexp: missing closing ): `^(?:()$`"}},
		{"pattern on integer", `{"name":"x","columns":[{"name":"a","type":"integer","pattern":"1"}]}`, ParseError{Path: "columns[0].pattern", Msg: "only string columns take a pattern"}},
		{"min on string", `{"name":"x","columns":[{"name":"a","type":"string","min":1}]}`, ParseError{Path: "columns[0].min", Msg: "string columns take no min"}},
		{"bad min", `{"name":"x","columns":[{"name":"a","type":"integer","min":1.5}]}`, ParseError{Path: "columns[0].min", Msg: `JSON number "1.5" is not a valid integer (want decimal digits with an optional sign)`}},
		{"date min as number", `{"name":"x","columns":[{"name":"a","type":"date","min":2020}]}`, ParseError{Path: "columns[0].min", Msg: "a date is written as a JSON string"}},
		{"max below min", `{"name":"x","columns":[{"name":"a","type":"number","min":2,"max":1}]}`, ParseError{Path: "columns[0].max", Msg: "is less than min"}},
		{"bad enum value", `{"name":"x","columns":[{"name":"a","type":"date","enum":["2024-02-30"]}]}`, ParseError{Path: "columns[0].enum[0]", Msg: `"2024-02-30" is not a valid date (a field is out of range)`}},
		{"empty enum", `{"name":"x","columns":[{"name":"a","type":"string","enum":[]}]}`, ParseError{Path: "columns[0].enum", Msg: "must list at least one value"}},
		{"unknown format", `{"name":"x","formats":["xml"],"columns":[{"name":"a","type":"string"}]}`, ParseError{Path: "formats[0]", Msg: `unknown format "xml" (want csv, jsonl or json)`}},
		{"bad delimiter", `{"name":"x","csv":{"delimiter":"\""},"columns":[{"name":"a","type":"string"}]}`, ParseError{Path: "csv.delimiter", Msg: `"\"" is not a usable delimiter (one character, not a quote or line break)`}},
		{"negative limit", `{"name":"x","limits":{"maxRows":-1},"columns":[{"name":"a","type":"string"}]}`, ParseError{Path: "limits.maxRows", Msg: "must not be negative"}},
		{"bad utf8", "{\"name\":\"\xff\"}", ParseError{Msg: "document is not valid UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			var got *ParseError
			if !errors.As(err, &got) {
				t.Fatalf("Parse: got %v, want a *ParseError", err)
			}
			if diff := cmp.Diff(*got, tt.want); diff != "" {
				t.Errorf("Parse error (-got +want):\n%s", diff)
			}
		})
	}
}

func TestParseValid(t *testing.T) {
	s, err := Parse([]byte(`{"name":"orders","formats":["csv"],"csv":{"delimiter":";"},"limits":{"maxBytes":10,"maxRows":2},
		"columns":[{"name":"id","type":"string","required":true},{"name":"n","type":"integer","enum":["007", 8]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got := struct {
		Index         [3]int
		CSV, JSON     bool
		Delim         rune
		Limits        Limits
		EnumCanonical bool
	}{
		Index:  [3]int{s.Index("id"), s.Index("n"), s.Index("zz")},
		CSV:    s.Accepts(FormatCSV),
		JSON:   s.Accepts(FormatJSON),
		Delim:  s.Delimiter(),
		Limits: s.Limits,
	}
	_, err = s.Columns[1].Coerce(Raw{Kind: RawText, Text: "7"})
	got.EnumCanonical = err == nil
	want := struct {
		Index         [3]int
		CSV, JSON     bool
		Delim         rune
		Limits        Limits
		EnumCanonical bool
	}{[3]int{0, 1, -1}, true, false, ';', Limits{MaxBytes: 10, MaxRows: 2}, true}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("parsed schema (-got +want):\n%s", diff)
	}
}
