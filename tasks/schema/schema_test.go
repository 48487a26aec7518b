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
		{"not an object", `[1]`, ParseError{Line: 1, Col: 1, Msg: "want a JSON object, got a JSON array"}},
		{"unknown member", `{"name":"x","columns":[{"name":"a","type":"string"}],"colums":[]}`, ParseError{Path: "colums", Line: 1, Col: 54, Msg: `unknown member "colums" (allowed: $schema, name, description, formats, csv, limits, columns)`}},
		{"wrong json type", `{"name":"x","columns":[{"name":"a","type":"string","required":"yes"}]}`, ParseError{Path: "columns[0].required", Line: 1, Col: 63, Msg: "want true or false, got a JSON string"}},
		{"not an integer", `{"name":"x","limits":{"maxRows":1.5},"columns":[{"name":"a","type":"string"}]}`, ParseError{Path: "limits.maxRows", Line: 1, Col: 33, Msg: "want an integer, got 1.5"}},
		{"no name", `{"columns":[{"name":"a","type":"string"}]}`, ParseError{Path: "name", Line: 1, Col: 1, Msg: "must not be empty"}},
		{"no columns", `{"name":"x","columns":[]}`, ParseError{Path: "columns", Line: 1, Col: 23, Msg: "a schema needs at least one column"}},
		{"unknown type", `{"name":"x","columns":[{"name":"a","type":"text"}]}`, ParseError{Path: "columns[0].type", Line: 1, Col: 43, Msg: `"text" is not one of: string, integer, number, decimal, boolean, date, timestamp`}},
		{"missing type", `{"name":"x","columns":[{"name":"a"}]}`, ParseError{Path: "columns[0].type", Line: 1, Col: 24, Msg: "missing: want one of: string, integer, number, decimal, boolean, date, timestamp"}},
		{"duplicate", `{"name":"x","columns":[{"name":"a","type":"string"},{"name":"a","type":"integer"}]}`, ParseError{Path: "columns[1].name", Line: 1, Col: 61, Msg: `duplicate column "a" (also columns[0])`}},
		{"duplicate member", `{"name":"x","name":"y","columns":[{"name":"a","type":"string"}]}`, ParseError{Path: "name", Line: 1, Col: 13, Msg: `member "name" appears more than once`}},
		{"bad pattern", `{"name":"x","columns":[{"name":"a","type":"string","pattern":"("}]}`, ParseError{Path: "columns[0].pattern", Line: 1, Col: 62, Msg: "error parsing regexp: missing closing ): `^(?:()$`"}},
		{"pattern on integer", `{"name":"x","columns":[{"name":"a","type":"integer","pattern":"1"}]}`, ParseError{Path: "columns[0].pattern", Line: 1, Col: 63, Msg: "only string columns take a pattern"}},
		{"min on string", `{"name":"x","columns":[{"name":"a","type":"string","min":1}]}`, ParseError{Path: "columns[0].min", Line: 1, Col: 58, Msg: "string columns take no min"}},
		{"bad min", `{"name":"x","columns":[{"name":"a","type":"integer","min":1.5}]}`, ParseError{Path: "columns[0].min", Line: 1, Col: 59, Msg: `JSON number "1.5" is not a valid integer (want decimal digits with an optional sign)`}},
		{"integer min out of range", `{"name":"x","columns":[{"name":"a","type":"integer","min":99999999999999999999}]}`, ParseError{Path: "columns[0].min", Line: 1, Col: 59, Msg: `JSON number "99999999999999999999" is not a valid integer (out of the 64-bit integer range)`}},
		{"date min as number", `{"name":"x","columns":[{"name":"a","type":"date","min":2020}]}`, ParseError{Path: "columns[0].min", Line: 1, Col: 56, Msg: "a date is written as a JSON string"}},
		{"max below min", `{"name":"x","columns":[{"name":"a","type":"number","min":2,"max":1}]}`, ParseError{Path: "columns[0].max", Line: 1, Col: 66, Msg: "1 is less than min (2)"}},
		{"bad enum value", `{"name":"x","columns":[{"name":"a","type":"date","enum":["2024-02-30"]}]}`, ParseError{Path: "columns[0].enum[0]", Line: 1, Col: 58, Msg: `"2024-02-30" is not a valid date (a field is out of range)`}},
		{"empty enum", `{"name":"x","columns":[{"name":"a","type":"string","enum":[]}]}`, ParseError{Path: "columns[0].enum", Line: 1, Col: 59, Msg: "must list at least one value"}},
		{"unknown format", `{"name":"x","formats":["xml"],"columns":[{"name":"a","type":"string"}]}`, ParseError{Path: "formats[0]", Line: 1, Col: 24, Msg: `"xml" is not one of: csv, jsonl, json`}},
		{"bad delimiter", `{"name":"x","csv":{"delimiter":"\""},"columns":[{"name":"a","type":"string"}]}`, ParseError{Path: "csv.delimiter", Line: 1, Col: 32, Msg: `"\"" is not a usable delimiter (one character, not a quote or line break)`}},
		{"negative limit", `{"name":"x","limits":{"maxRows":-1},"columns":[{"name":"a","type":"string"}]}`, ParseError{Path: "limits.maxRows", Line: 1, Col: 33, Msg: "must not be negative"}},
		{"precision on number", `{"name":"x","columns":[{"name":"a","type":"number","precision":3}]}`, ParseError{Path: "columns[0].precision", Line: 1, Col: 64, Msg: "only decimal columns take a precision"}},
		{"scale above precision", `{"name":"x","columns":[{"name":"a","type":"decimal","precision":3,"scale":4}]}`, ParseError{Path: "columns[0].scale", Line: 1, Col: 75, Msg: "must not be greater than the precision (3)"}},
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

// TestParseEveryProblem: one pass reports every problem of a document, in document order, each with the
// line and column of the value or member it is about.
func TestParseEveryProblem(t *testing.T) {
	doc := `{
 "name": "",
 "formats": ["csv", "xml"],
 "columns": [
  {"name": "a", "type": "strin", "nulable": true},
  {"name": "b", "type": "integer", "enum": [1, "x"], "pattern": "["},
  {"name": "c", "type": "decimal", "precision": 5, "scale": 7},
  "oops"
 ]
}
`
	_, err := Parse([]byte(doc))
	var got Problems
	if !errors.As(err, &got) {
		t.Fatalf("Parse: got %v, want Problems", err)
	}
	want := Problems{
		{Path: "name", Line: 2, Col: 10, Msg: "must not be empty"},
		{Path: "formats[1]", Line: 3, Col: 21, Msg: `"xml" is not one of: csv, jsonl, json`},
		{Path: "columns[0].type", Line: 5, Col: 25, Msg: `"strin" is not one of: string, integer, number, decimal, boolean, date, timestamp`},
		{Path: "columns[0].nulable", Line: 5, Col: 34, Msg: `unknown member "nulable" (allowed: name, type, required, nullable, enum, min, max, pattern, maxLength, precision, scale)`},
		{Path: "columns[1].enum[1]", Line: 6, Col: 48, Msg: `"x" is not a valid integer (want decimal digits with an optional sign)`},
		{Path: "columns[1].pattern", Line: 6, Col: 65, Msg: "only string columns take a pattern"},
		{Path: "columns[2].scale", Line: 7, Col: 61, Msg: "must not be greater than the precision (5)"},
		{Path: "columns[3]", Line: 8, Col: 3, Msg: "want a JSON object, got a JSON string"},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("problems (-got +want):\n%s", diff)
	}
	if got, want := err.Error(), `schema: line 2 column 10: name: must not be empty (and 7 more)`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
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
