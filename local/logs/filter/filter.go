// Package filter is the CloudWatch Logs filter pattern language for the forms the local runtime serves:
// terms and quoted phrases (with ?term for "any of" and -term for "none of"), and JSON patterns such as
// { $.level = "ERROR" && $.latency > 50 }.
//
// Syntax and semantics follow
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-events.html and
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html:
//
//   - An empty pattern matches every event.
//   - Terms are case sensitive and match where the message contains them. Every plain term must match;
//     when ?terms are present at least one of them must match; no -term may match. A term with spaces or
//     punctuation is written in double quotes; \" and \\ escape inside quotes.
//   - A JSON pattern is { selector op value } joined with && and || and grouped with parentheses (&& binds
//     tighter). Selectors start at $ and name fields with .name or array elements with [n]. op is = or !=
//     for strings (quoted or bare, * is a wildcard), numbers, or %regular expression% values, and
//     =, !=, <, <=, >, >= for numbers. "IS TRUE", "IS FALSE", "IS NULL" and "NOT EXISTS" test a field
//     without a value. A message that is not a JSON object matches no JSON pattern.
//
// Not served: space-delimited patterns ([ip, user, ...]); Parse answers them with an error.
package filter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxLength is the longest filter pattern the API accepts (FilterLogEvents filterPattern, 0..1024).
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
const MaxLength = 1024

// ErrSyntax is wrapped by every error Parse returns.
var ErrSyntax = errors.New("invalid filter pattern")

// Pattern is a parsed filter pattern. It is immutable and safe for concurrent use.
type Pattern struct {
	text  string
	terms *termPattern
	json  node
}

// String returns the pattern's text.
func (p *Pattern) String() string { return p.text }

// Parse parses a filter pattern.
func Parse(text string) (*Pattern, error) {
	if len(text) > MaxLength {
		return nil, fmt.Errorf("%w: longer than %d characters", ErrSyntax, MaxLength)
	}
	if !utf8.ValidString(text) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrSyntax)
	}
	p := &Pattern{text: text}
	t := strings.TrimSpace(text)
	switch {
	case t == "":
		p.terms = &termPattern{}
	case t[0] == '{':
		n, err := parseJSONPattern(t)
		if err != nil {
			return nil, err
		}
		p.json = n
	case t[0] == '[':
		return nil, fmt.Errorf("%w: space-delimited patterns are not supported locally", ErrSyntax)
	default:
		tp, err := parseTerms(t)
		if err != nil {
			return nil, err
		}
		p.terms = tp
	}
	return p, nil
}

// Match reports whether a log event's message matches the pattern.
func (p *Pattern) Match(message string) bool {
	if p.terms != nil {
		return p.terms.match(message)
	}
	doc, ok := decodeObject(message)
	if !ok {
		return false
	}
	return p.json.eval(doc)
}

// termPattern is the unstructured form.
type termPattern struct {
	all, any, none []string
}

func (t *termPattern) match(msg string) bool {
	for _, s := range t.all {
		if !strings.Contains(msg, s) {
			return false
		}
	}
	for _, s := range t.none {
		if strings.Contains(msg, s) {
			return false
		}
	}
	if len(t.any) == 0 {
		return true
	}
	for _, s := range t.any {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func parseTerms(s string) (*termPattern, error) {
	tp := &termPattern{}
	for i := 0; i < len(s); {
		if isSpace(s[i]) {
			i++
			continue
		}
		list := &tp.all
		switch s[i] {
		case '?':
			list = &tp.any
			i++
		case '-':
			list = &tp.none
			i++
		}
		if i >= len(s) || isSpace(s[i]) {
			return nil, fmt.Errorf("%w: an operator without a term at offset %d", ErrSyntax, i)
		}
		var term string
		if s[i] == '"' {
			q, n, err := quoted(s[i:])
			if err != nil {
				return nil, err
			}
			term, i = q, i+n
			if i < len(s) && !isSpace(s[i]) {
				return nil, fmt.Errorf("%w: text after a quoted term at offset %d", ErrSyntax, i)
			}
		} else {
			j := i
			for j < len(s) && !isSpace(s[j]) {
				if s[j] == '"' {
					return nil, fmt.Errorf("%w: a quote inside a term at offset %d", ErrSyntax, j)
				}
				j++
			}
			term, i = s[i:j], j
		}
		if term == "" {
			continue // "" matches everything: no constraint
		}
		*list = append(*list, term)
	}
	return tp, nil
}

// quoted reads a double-quoted string at the start of s and returns its value and the bytes consumed.
func quoted(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), i + 1, nil
		case '\\':
			if i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
				i++
				b.WriteByte(s[i])
				continue
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("%w: unterminated quote", ErrSyntax)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// decodeObject parses a message as a JSON object, numbers kept exact.
func decodeObject(msg string) (any, bool) {
	t := strings.TrimSpace(msg)
	if len(t) < 2 || t[0] != '{' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(t)))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.More() {
		return nil, false
	}
	return v, true
}

// node is a JSON pattern expression.
type node interface{ eval(doc any) bool }

type andNode struct{ l, r node }
type orNode struct{ l, r node }

func (n andNode) eval(doc any) bool { return n.l.eval(doc) && n.r.eval(doc) }
func (n orNode) eval(doc any) bool  { return n.l.eval(doc) || n.r.eval(doc) }

// step is one selector element: a field name or an array index.
type step struct {
	name  string
	index int // -1 for a field
}

type comparison struct {
	path []step
	op   string // = != < <= > >= or the keyword tests: TRUE FALSE NULL NOTEXISTS
	// the value, one of:
	str    string         // string compare (with wildcards when wild)
	wild   *regexp.Regexp // compiled wildcard or %regex%
	num    *float64       // numeric literal
	rawNum string         // its text, for a string field compared with a bare number
}

func (c comparison) eval(doc any) bool {
	v, ok := lookup(doc, c.path)
	switch c.op {
	case "NOTEXISTS":
		return !ok
	case "NULL":
		return ok && v == nil
	case "TRUE":
		return ok && v == true
	case "FALSE":
		return ok && v == false
	}
	if !ok {
		return false
	}
	switch c.op {
	case "=", "!=":
		eq := c.equal(v)
		if c.op == "=" {
			return eq
		}
		return !eq
	}
	n, isNum := v.(json.Number)
	if !isNum || c.num == nil {
		return false
	}
	f, err := n.Float64()
	if err != nil {
		return false
	}
	switch c.op {
	case "<":
		return f < *c.num
	case "<=":
		return f <= *c.num
	case ">":
		return f > *c.num
	case ">=":
		return f >= *c.num
	}
	return false
}

// equal compares a field's value with the literal.
func (c comparison) equal(v any) bool {
	var text string
	switch x := v.(type) {
	case json.Number:
		if c.num != nil {
			f, err := x.Float64()
			return err == nil && f == *c.num
		}
		text = x.String()
	case string:
		text = x
	case bool:
		text = strconv.FormatBool(x)
	default:
		return false // objects, arrays and null equal no literal
	}
	if c.wild != nil {
		return c.wild.MatchString(text)
	}
	if c.num != nil {
		return text == c.rawNum
	}
	return text == c.str
}

func lookup(doc any, path []step) (any, bool) {
	v := doc
	for _, s := range path {
		if s.index >= 0 {
			arr, ok := v.([]any)
			if !ok || s.index >= len(arr) {
				return nil, false
			}
			v = arr[s.index]
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[s.name]; !ok {
			return nil, false
		}
	}
	return v, true
}
