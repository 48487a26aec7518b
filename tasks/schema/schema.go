package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	Boolean   Type = "boolean"
	Date      Type = "date"
	Timestamp Type = "timestamp"
)

// Formats a schema may accept (the object's format itself comes from its key's extension).
const (
	FormatCSV   = "csv"
	FormatJSONL = "jsonl"
	FormatJSON  = "json"
)

var kindOf = map[Type]Kind{String: KindString, Integer: KindInteger, Number: KindNumber, Boolean: KindBoolean, Date: KindDate, Timestamp: KindTimestamp}

// maxEnumScan is the most enum values looked up by a scan rather than a hash.
const maxEnumScan = 8

// MaxColumns bounds the number of columns of a schema.
const MaxColumns = 1024

// maxNameLen bounds a column or dataset name, in bytes.
const maxNameLen = 128

// Schema is a parsed, checked dataset schema. It is immutable after Parse and safe for concurrent use.
type Schema struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Formats     []string `json:"formats,omitempty"`
	CSV         CSV      `json:"csv"`
	Limits      Limits   `json:"limits"`
	Columns     []Column `json:"columns"`

	index map[string]int
}

// CSV holds the CSV settings of a dataset.
type CSV struct {
	// Delimiter is the field separator, one character (default ","). It may not be a quote, a line break
	// or the Unicode replacement character.
	Delimiter string `json:"delimiter,omitempty"`
}

// Limits bounds one object of the dataset. Zero means no limit.
type Limits struct {
	MaxBytes int64 `json:"maxBytes,omitempty"` // bytes as stored (compressed size for .gz objects)
	MaxRows  int64 `json:"maxRows,omitempty"`  // data rows (not counting a CSV header)
}

// Column describes one column. See the package documentation for the meaning of each member. Only a
// Column of a Schema made by Parse can check values: Parse compiles its constraints.
type Column struct {
	Name      string            `json:"name"`
	Type      Type              `json:"type"`
	Required  bool              `json:"required,omitempty"`
	Nullable  bool              `json:"nullable,omitempty"`
	Enum      []json.RawMessage `json:"enum,omitempty"`
	Min       json.RawMessage   `json:"min,omitempty"`
	Max       json.RawMessage   `json:"max,omitempty"`
	Pattern   string            `json:"pattern,omitempty"`
	MaxLength int               `json:"maxLength,omitempty"`

	kind     Kind                // the Kind of the column's non-null values, for a fast switch
	enum     map[string]struct{} // canonical texts of the enum values
	enumList []string            // the same, when there are few: a scan is cheaper than hashing
	min, max *Value
	re       *pattern
	compiled bool // set by Parse: the fields above are ready
}

// ParseError is a problem in a schema document. Path locates it (e.g. "columns[2].min"); Line and Col
// locate a JSON syntax error (both 0 otherwise).
type ParseError struct {
	Path      string
	Line, Col int
	Msg       string
}

func (e *ParseError) Error() string {
	switch {
	case e.Line > 0:
		return fmt.Sprintf("schema: line %d column %d: %s", e.Line, e.Col, e.Msg)
	case e.Path != "":
		return "schema: " + e.Path + ": " + e.Msg
	}
	return "schema: " + e.Msg
}

// Read parses a schema document from r, reading at most maxBytes bytes (a schema is small).
func Read(r io.Reader, maxBytes int64) (*Schema, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, &ParseError{Msg: fmt.Sprintf("document is larger than %d bytes", maxBytes)}
	}
	return Parse(data)
}

// Parse parses and checks a schema document. Every error it returns is a *ParseError.
func Parse(data []byte) (*Schema, error) {
	if !utf8.Valid(data) {
		return nil, &ParseError{Msg: "document is not valid UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Schema
	if err := dec.Decode(&s); err != nil {
		return nil, decodeError(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		line, col := position(data, int(dec.InputOffset())-1) // the offending byte was just read
		return nil, &ParseError{Line: line, Col: col, Msg: "unexpected data after the schema object"}
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return &s, nil
}

func decodeError(data []byte, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		line, col := position(data, int(syn.Offset)-1) // Offset counts the offending byte
		return &ParseError{Line: line, Col: col, Msg: syn.Error()}
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return &ParseError{Path: typ.Field, Msg: fmt.Sprintf("want %s, got JSON %s", typ.Type, typ.Value)}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &ParseError{Msg: "document is empty or truncated"}
	}
	// DisallowUnknownFields reports `json: unknown field "x"`; keep its words.
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

func (s *Schema) check() error {
	if err := checkName(s.Name); err != nil {
		return &ParseError{Path: "name", Msg: err.Error()}
	}
	for i, f := range s.Formats {
		if f != FormatCSV && f != FormatJSONL && f != FormatJSON {
			return &ParseError{Path: fmt.Sprintf("formats[%d]", i), Msg: fmt.Sprintf("unknown format %q (want csv, jsonl or json)", f)}
		}
	}
	if d := s.CSV.Delimiter; d != "" {
		r, size := utf8.DecodeRuneInString(d)
		if size != len(d) || r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError {
			return &ParseError{Path: "csv.delimiter", Msg: fmt.Sprintf("%q is not a usable delimiter (one character, not a quote or line break)", d)}
		}
	}
	if s.Limits.MaxBytes < 0 {
		return &ParseError{Path: "limits.maxBytes", Msg: "must not be negative"}
	}
	if s.Limits.MaxRows < 0 {
		return &ParseError{Path: "limits.maxRows", Msg: "must not be negative"}
	}
	if len(s.Columns) == 0 {
		return &ParseError{Path: "columns", Msg: "a schema needs at least one column"}
	}
	if len(s.Columns) > MaxColumns {
		return &ParseError{Path: "columns", Msg: fmt.Sprintf("more than %d columns", MaxColumns)}
	}
	s.index = make(map[string]int, len(s.Columns))
	for i := range s.Columns {
		c := &s.Columns[i]
		path := fmt.Sprintf("columns[%d]", i)
		if err := c.check(path); err != nil {
			return err
		}
		if _, dup := s.index[c.Name]; dup {
			return &ParseError{Path: path + ".name", Msg: fmt.Sprintf("duplicate column %q", c.Name)}
		}
		s.index[c.Name] = i
	}
	return nil
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

func (c *Column) check(path string) error {
	if err := checkName(c.Name); err != nil {
		return &ParseError{Path: path + ".name", Msg: err.Error()}
	}
	switch c.Type {
	case String, Integer, Number, Boolean, Date, Timestamp:
		c.kind = kindOf[c.Type]
	case "":
		return &ParseError{Path: path + ".type", Msg: "missing"}
	default:
		return &ParseError{Path: path + ".type", Msg: fmt.Sprintf("unknown type %q (want string, integer, number, boolean, date or timestamp)", c.Type)}
	}
	if c.Pattern != "" {
		if c.Type != String {
			return &ParseError{Path: path + ".pattern", Msg: "only string columns take a pattern"}
		}
		re, err := compilePattern(c.Pattern)
		if err != nil {
			return &ParseError{Path: path + ".pattern", Msg: err.Error()}
		}
		c.re = re
	}
	if c.MaxLength != 0 {
		if c.Type != String {
			return &ParseError{Path: path + ".maxLength", Msg: "only string columns take a maxLength"}
		}
		if c.MaxLength < 0 {
			return &ParseError{Path: path + ".maxLength", Msg: "must not be negative"}
		}
	}
	bound := func(member string, raw json.RawMessage) (*Value, error) {
		if raw == nil {
			return nil, nil
		}
		p := path + "." + member
		if c.Type == String || c.Type == Boolean {
			return nil, &ParseError{Path: p, Msg: fmt.Sprintf("%s columns take no %s", c.Type, member)}
		}
		v, err := c.literal(raw)
		if err != nil {
			return nil, &ParseError{Path: p, Msg: err.Error()}
		}
		return &v, nil
	}
	var err error
	if c.min, err = bound("min", c.Min); err != nil {
		return err
	}
	if c.max, err = bound("max", c.Max); err != nil {
		return err
	}
	if c.min != nil && c.max != nil && Compare(*c.min, *c.max) > 0 {
		return &ParseError{Path: path + ".max", Msg: "is less than min"}
	}
	if c.Enum != nil {
		p := path + ".enum"
		if c.Type == Boolean {
			return &ParseError{Path: p, Msg: "boolean columns take no enum"}
		}
		if len(c.Enum) == 0 {
			return &ParseError{Path: p, Msg: "must list at least one value"}
		}
		c.enum = make(map[string]struct{}, len(c.Enum))
		for i, raw := range c.Enum {
			v, err := c.literal(raw)
			if err != nil {
				return &ParseError{Path: fmt.Sprintf("%s[%d]", p, i), Msg: err.Error()}
			}
			c.enum[v.Text()] = struct{}{}
		}
		if len(c.enum) <= maxEnumScan {
			for t := range c.enum {
				c.enumList = append(c.enumList, t)
			}
		}
	}
	c.compiled = true
	return nil
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
	plain := Column{Name: c.Name, Type: c.Type, kind: c.kind}
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
