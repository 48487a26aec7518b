package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"
)

// Type is a column's type.
type Type string

// Column types.
const (
	String    Type = "string"
	Integer   Type = "integer"
	Number    Type = "number"
	Decimal   Type = "decimal"
	Boolean   Type = "boolean"
	Date      Type = "date"
	Timestamp Type = "timestamp"
)

// Types lists every column type, in the order the documentation gives them.
func Types() []Type { return []Type{String, Integer, Number, Decimal, Boolean, Date, Timestamp} }

// Formats a schema may accept (the object's format itself comes from its key's extension).
const (
	FormatCSV   = "csv"
	FormatJSONL = "jsonl"
	FormatJSON  = "json"
)

// Formats lists the formats a schema may name.
func Formats() []string { return []string{FormatCSV, FormatJSONL, FormatJSON} }

var kindOf = map[Type]Kind{String: KindString, Integer: KindInteger, Number: KindNumber, Decimal: KindDecimal, Boolean: KindBoolean, Date: KindDate, Timestamp: KindTimestamp}

// maxEnumScan is the most enum values looked up by a scan rather than a hash.
const maxEnumScan = 8

// MaxColumns bounds the number of columns of a schema.
const MaxColumns = 1024

// maxNameLen bounds a column or dataset name, in bytes.
const maxNameLen = 128

// Schema is a parsed, checked dataset schema. It is immutable after Parse and safe for concurrent use.
// The doc tags are the descriptions of the published JSON Schema of the format ([JSONSchema]).
type Schema struct {
	SchemaRef   string   `json:"$schema,omitempty" doc:"The JSON Schema of this format, for editors (ignored by the pipeline)."`
	Name        string   `json:"name" required:"true" doc:"The dataset: must equal <dataset> in schemas/<dataset>.json and incoming/<dataset>/. 1 to 128 bytes."`
	Description string   `json:"description,omitempty" doc:"Free text."`
	Formats     []string `json:"formats,omitempty" doc:"The object formats the dataset accepts (default: all three). The format of an object comes from its key's extension."`
	CSV         CSV      `json:"csv" doc:"CSV settings."`
	Limits      Limits   `json:"limits" doc:"Limits on one object (0 or absent: none)."`
	Columns     []Column `json:"columns" required:"true" doc:"The columns, in output order: 1 to 1024."`

	index map[string]int
}

// CSV holds the CSV settings of a dataset.
type CSV struct {
	// Delimiter is the field separator, one character (default ","). It may not be a quote, a line break
	// or the Unicode replacement character.
	Delimiter string `json:"delimiter,omitempty" doc:"The field separator: one character, not a quote or a line break (default \",\")."`
}

// Limits bounds one object of the dataset. Zero means no limit.
type Limits struct {
	MaxBytes int64 `json:"maxBytes,omitempty" doc:"The most bytes an object may have as stored (compressed size for .gz objects)."` // bytes as stored (compressed size for .gz objects)
	MaxRows  int64 `json:"maxRows,omitempty" doc:"The most data rows an object may have (a CSV header is not counted)."`            // data rows (not counting a CSV header)
}

// Column describes one column. See the package documentation for the meaning of each member. Only a
// Column of a Schema made by Parse can check values: Parse compiles its constraints.
type Column struct {
	Name      string            `json:"name" required:"true" doc:"The column's name: the CSV header field or the JSON member. 1 to 128 bytes, unique in the schema."`
	Type      Type              `json:"type" required:"true" doc:"The type of the column's values."`
	Required  bool              `json:"required,omitempty" doc:"The column must be present: in the CSV header, and as a member of every JSON record."`
	Nullable  bool              `json:"nullable,omitempty" doc:"The value may be null: JSON null, or empty after trimming white space."`
	Enum      []json.RawMessage `json:"enum,omitempty" doc:"The allowed values (not for boolean columns), compared after coercion."`
	Min       json.RawMessage   `json:"min,omitempty" doc:"Inclusive lower bound: a JSON number for integer, number and decimal columns, a JSON string for date and timestamp columns."`
	Max       json.RawMessage   `json:"max,omitempty" doc:"Inclusive upper bound: a JSON number for integer, number and decimal columns, a JSON string for date and timestamp columns."`
	Pattern   string            `json:"pattern,omitempty" doc:"An RE2 regular expression the whole trimmed value must match (string columns)."`
	MaxLength int               `json:"maxLength,omitempty" doc:"The most Unicode code points a value may have (string columns)."`
	Precision int               `json:"precision,omitempty" doc:"The most significant digits a value may have, 1 to 1000 (decimal columns; default 1000)."`
	Scale     *int              `json:"scale,omitempty" doc:"The digits after the decimal point: values are written with exactly this many, and a value with more is refused, never rounded (decimal columns; default: as many as the value has)."`

	kind     Kind                // the Kind of the column's non-null values, for a fast switch
	enum     map[string]struct{} // canonical texts of the enum values
	enumList []string            // the same, when there are few: a scan is cheaper than hashing
	enumText string              // the enum values for messages: "a, b, c"
	min, max *Value
	re       *pattern
	plain    bool // every text the pattern or the enum admits is plain JSON (plainJSON): written as it is
	compiled bool // set by Parse: the fields above are ready
}

// ParseError is one problem in a schema document. Path locates it as a JSON path (e.g.
// "columns[2].min"); Line and Col (1-based, Col in bytes) locate the value or member it is about, or the
// JSON syntax error. Both are 0 for a problem of the whole document (empty, not UTF-8).
type ParseError struct {
	Path      string
	Line, Col int
	Msg       string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("schema: ")
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d column %d: ", e.Line, e.Col)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Problems is every problem Parse found in a document, in document order (at least one). errors.As
// finds the first as a *ParseError.
type Problems []*ParseError

func (p Problems) Error() string {
	if len(p) == 0 {
		return "schema: no problems"
	}
	msg := p[0].Error()
	if len(p) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(p)-1)
	}
	return msg
}

// Messages returns each problem's text without the "schema: " prefix, at most limit of them (all when
// limit is 0), the last saying how many more there are.
func (p Problems) Messages(limit int) []string {
	var out []string
	for i, e := range p {
		if limit > 0 && i == limit {
			out = append(out, fmt.Sprintf("(%d more)", len(p)-limit))
			break
		}
		out = append(out, strings.TrimPrefix(e.Error(), "schema: "))
	}
	return out
}

// Unwrap returns the problems as errors.
func (p Problems) Unwrap() []error {
	out := make([]error, len(p))
	for i, e := range p {
		out[i] = e
	}
	return out
}

// Read parses a schema document from r, reading at most maxBytes bytes (a schema is small).
func Read(r io.Reader, maxBytes int64) (*Schema, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, Problems{{Msg: fmt.Sprintf("document is larger than %d bytes", maxBytes)}}
	}
	return Parse(data)
}

// Parse parses and checks a schema document. Its error is [Problems]: every problem found, each with its
// location. A JSON syntax error stops the reading, so it comes alone.
func Parse(data []byte) (*Schema, error) {
	if !utf8.Valid(data) {
		return nil, Problems{{Msg: "document is not valid UTF-8"}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, Problems{decodeError(data, err)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		line, col := position(data, int(dec.InputOffset())-1) // the offending byte was just read
		return nil, Problems{{Line: line, Col: col, Msg: "unexpected data after the schema object"}}
	}
	ps := &problems{data: data, root: readNodes(data)}
	ps.checkShape(ps.root, reflect.TypeFor[Schema](), "")
	if ps.root.kind != '{' {
		return nil, ps.err()
	}
	var s Schema
	_ = json.Unmarshal(data, &s) // what does not fit the types was reported by checkShape
	s.check(ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return &s, nil
}

func decodeError(data []byte, err error) *ParseError {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		line, col := position(data, int(syn.Offset)-1) // Offset counts the offending byte
		return &ParseError{Line: line, Col: col, Msg: syn.Error()}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &ParseError{Msg: "document is empty or truncated"}
	}
	return &ParseError{Msg: strings.TrimPrefix(err.Error(), "json: ")}
}

// position turns the 0-based index of a byte into its 1-based line and column (in bytes).
func position(data []byte, i int) (line, col int) {
	i = min(max(i, 0), len(data))
	before := data[:i]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = i - bytes.LastIndexByte(before, '\n')
	return line, col
}

func (s *Schema) check(ps *problems) {
	if err := checkName(s.Name); err != nil {
		ps.add("name", err.Error())
	}
	for i, f := range s.Formats {
		if !slices.Contains(Formats(), f) {
			ps.add(fmt.Sprintf("formats[%d]", i), fmt.Sprintf("%q is not one of: %s", f, oneOf(Formats())))
		}
	}
	if d := s.CSV.Delimiter; d != "" {
		r, size := utf8.DecodeRuneInString(d)
		if size != len(d) || r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError {
			ps.add("csv.delimiter", fmt.Sprintf("%q is not a usable delimiter (one character, not a quote or line break)", d))
		}
	}
	if s.Limits.MaxBytes < 0 {
		ps.add("limits.maxBytes", "must not be negative")
	}
	if s.Limits.MaxRows < 0 {
		ps.add("limits.maxRows", "must not be negative")
	}
	if len(s.Columns) == 0 {
		ps.add("columns", "a schema needs at least one column")
	}
	if len(s.Columns) > MaxColumns {
		ps.add("columns", fmt.Sprintf("more than %d columns", MaxColumns))
	}
	s.index = make(map[string]int, len(s.Columns))
	for i := range s.Columns {
		c := &s.Columns[i]
		path := fmt.Sprintf("columns[%d]", i)
		c.check(path, ps)
		if c.Name == "" {
			continue
		}
		if first, dup := s.index[c.Name]; dup {
			ps.add(path+".name", fmt.Sprintf("duplicate column %q (also columns[%d])", c.Name, first))
			continue
		}
		s.index[c.Name] = i
	}
}

func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("must not be empty")
	case len(name) > maxNameLen:
		return fmt.Errorf("longer than %d bytes", maxNameLen)
	case strings.TrimSpace(name) != name:
		return errors.New("must not start or end with white space")
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return errors.New("must not contain control characters")
	}
	return nil
}

// maxDecimalDigits bounds the digits of a decimal value (and a decimal column's precision).
const maxDecimalDigits = 1000

func (c *Column) check(path string, ps *problems) {
	if err := checkName(c.Name); err != nil {
		ps.add(path+".name", err.Error())
	}
	switch {
	case c.Type == "":
		ps.add(path+".type", "missing: want one of: "+oneOf(Types()))
		return
	case !slices.Contains(Types(), c.Type):
		ps.add(path+".type", fmt.Sprintf("%q is not one of: %s", c.Type, oneOf(Types())))
		return
	}
	c.kind = kindOf[c.Type]
	if c.Pattern != "" {
		if c.Type != String {
			ps.add(path+".pattern", "only string columns take a pattern")
		} else if re, err := compilePattern(c.Pattern); err != nil {
			ps.add(path+".pattern", err.Error())
		} else {
			c.re = re
		}
	}
	if c.MaxLength != 0 {
		if c.Type != String {
			ps.add(path+".maxLength", "only string columns take a maxLength")
		} else if c.MaxLength < 0 {
			ps.add(path+".maxLength", "must not be negative")
		}
	}
	if c.Precision != 0 {
		if c.Type != Decimal {
			ps.add(path+".precision", "only decimal columns take a precision")
		} else if c.Precision < 1 || c.Precision > maxDecimalDigits {
			ps.add(path+".precision", fmt.Sprintf("must be 1 to %d", maxDecimalDigits))
		}
	}
	if c.Scale != nil {
		switch {
		case c.Type != Decimal:
			ps.add(path+".scale", "only decimal columns take a scale")
		case *c.Scale < 0 || *c.Scale > maxDecimalDigits:
			ps.add(path+".scale", fmt.Sprintf("must be 0 to %d", maxDecimalDigits))
		case c.Precision > 0 && *c.Scale > c.Precision:
			ps.add(path+".scale", fmt.Sprintf("must not be greater than the precision (%d)", c.Precision))
		}
	}
	bound := func(member string, raw json.RawMessage) *Value {
		if raw == nil {
			return nil
		}
		p := path + "." + member
		if c.Type == String || c.Type == Boolean {
			ps.add(p, fmt.Sprintf("%s columns take no %s", c.Type, member))
			return nil
		}
		v, err := c.literal(raw)
		if err != nil {
			ps.add(p, err.Error())
			return nil
		}
		return &v
	}
	c.min = bound("min", c.Min)
	c.max = bound("max", c.Max)
	if c.min != nil && c.max != nil && Compare(*c.min, *c.max) > 0 {
		ps.add(path+".max", fmt.Sprintf("%s is less than min (%s)", c.max.Text(), c.min.Text()))
	}
	if c.Enum != nil {
		p := path + ".enum"
		switch {
		case c.Type == Boolean:
			ps.add(p, "boolean columns take no enum")
		case len(c.Enum) == 0:
			ps.add(p, "must list at least one value")
		default:
			c.enum = make(map[string]struct{}, len(c.Enum))
			var texts []string
			for i, raw := range c.Enum {
				v, err := c.literal(raw)
				if err != nil {
					ps.add(fmt.Sprintf("%s[%d]", p, i), err.Error())
					continue
				}
				if _, dup := c.enum[v.Text()]; !dup {
					texts = append(texts, v.Text())
				}
				c.enum[v.Text()] = struct{}{}
			}
			c.enumText = enumText(texts)
			if len(c.enum) <= maxEnumScan {
				c.enumList = texts
			}
		}
	}
	c.plain = c.re != nil && c.re.plainOnly()
	if c.kind == KindString && len(c.enum) > 0 && !c.plain {
		c.plain = true
		for t := range c.enum {
			c.plain = c.plain && plainJSON(t)
		}
	}
	c.compiled = true
}

// maxEnumShown bounds how many enum values a message lists.
const maxEnumShown = 20

func enumText(texts []string) string {
	shown := texts[:min(len(texts), maxEnumShown)]
	q := make([]string, len(shown))
	for i, t := range shown {
		q[i] = quote(t)
	}
	s := strings.Join(q, ", ")
	if len(texts) > len(shown) {
		s += fmt.Sprintf(", ... (%d more)", len(texts)-len(shown))
	}
	return s
}

// literal coerces a value written in the schema itself (enum, min, max) with the column's type, ignoring
// the column's own constraints.
func (c *Column) literal(raw json.RawMessage) (Value, error) {
	var r Raw
	switch {
	case len(raw) > 0 && raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return Value{}, err
		}
		r = Raw{Kind: RawText, Text: s}
	case len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')):
		r = Raw{Kind: RawNumber, Text: string(raw)}
	default:
		return Value{}, fmt.Errorf("want a JSON string or number, got %s", raw)
	}
	if (c.Type == Date || c.Type == Timestamp) && r.Kind != RawText {
		return Value{}, fmt.Errorf("a %s is written as a JSON string", c.Type)
	}
	plain := Column{Name: c.Name, Type: c.Type, kind: c.kind, Scale: c.Scale}
	v, err := plain.Coerce(r)
	if err != nil {
		return Value{}, err
	}
	if v.Kind == KindNull {
		return Value{}, errors.New("must not be empty")
	}
	return v, nil
}

// Index returns the position of the named column in Columns, or -1.
func (s *Schema) Index(name string) int {
	if i, ok := s.index[name]; ok {
		return i
	}
	return -1
}

// Accepts reports whether the schema accepts objects of the given format ("csv", "jsonl" or "json").
func (s *Schema) Accepts(format string) bool {
	return len(s.Formats) == 0 || slices.Contains(s.Formats, format)
}

// Delimiter returns the CSV field separator.
func (s *Schema) Delimiter() rune {
	if s.CSV.Delimiter == "" {
		return ','
	}
	r, _ := utf8.DecodeRuneInString(s.CSV.Delimiter)
	return r
}
