package pattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// MaxLength is the longest event pattern EventBridge accepts, in characters
// (PutRule EventPattern, https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html).
const MaxLength = 4096

// MaxCombinations is the most branches "$or" may expand a pattern into
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-complex-example-or).
const MaxCombinations = 1000

// errOrTooLarge is the reason given for a pattern whose "$or" expands too far.
const errOrTooLarge = "The total number of combinations created by the $or operator exceeds 1000"

// reserved are the names event-ruler refuses as field names inside "$or".
var reserved = map[string]bool{
	"exactly": true, "equals-ignore-case": true, "prefix": true, "suffix": true, "anything-but": true,
	"exists": true, "wildcard": true, "numeric": true, "cidr": true,
	"=": true, "<": true, "<=": true, ">": true, ">=": true,
	"regex": true, "not-wildcard": true, "not-equals-ignore-case": true,
	"date-after": true, "date-on-or-after": true, "date-before": true, "date-on-or-before": true,
	"in-date-range": true, "ip-address-in-range": true, "ip-address-not-in-range": true,
}

// Pattern is a compiled event pattern. It is immutable and safe for
// concurrent use.
type Pattern struct {
	source   string
	branches []branch
	paths    []string
	// steps maps every path the pattern names, and every dot-boundary prefix
	// of one, to what the event scanner should do there.
	steps map[string]step
	// pool recycles per-match scratch space (a cache, not state).
	pool sync.Pool
}

// step tells the event scanner what a path means: leaf >= 0 is the index of
// a path the pattern matches values at; inner means deeper paths are named.
type step struct {
	leaf  int
	inner bool
}

// branch is one alternative of the pattern after "$or" expansion: every field
// must match.
type branch struct {
	fields []field
}

// field is the operators on one path; any of them may match.
type field struct {
	path     int
	ops      []op
	positive bool // some operator matches a value
	absent   bool // {"exists": false} is among the operators
}

// String returns the pattern's source text.
func (p *Pattern) String() string { return p.source }

// Paths returns the dotted paths the pattern matches values at, sorted.
func (p *Pattern) Paths() []string { return slices.Clone(p.paths) }

// Compile validates an event pattern as EventBridge does and compiles it.
// An invalid pattern yields an [*Error]; a pattern over [MaxLength]
// characters yields [ErrTooLong].
func Compile(src []byte) (*Pattern, error) {
	if utf8.RuneCount(src) > MaxLength {
		return nil, ErrTooLong
	}
	c := &compiler{dec: json.NewDecoder(bytes.NewReader(src))}
	c.dec.UseNumber()
	rules, err := c.compile()
	if err != nil {
		return nil, err
	}
	return build(string(src), rules)
}

// MustCompile is Compile for patterns known to be valid; it panics otherwise.
func MustCompile(src string) *Pattern {
	p, err := Compile([]byte(src))
	if err != nil {
		panic("pattern: " + err.Error())
	}
	return p
}

// rule is one branch during compilation: path -> operators.
type rule map[string][]op

type compiler struct {
	dec  *json.Decoder
	path []string
}

// next reads one token; syntax errors become pattern errors.
func (c *compiler) next() (json.Token, error) {
	t, err := c.dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, invalid("Unexpected end-of-input")
		}
		return nil, invalid("Malformed JSON: " + err.Error())
	}
	return t, nil
}

func isDelim(t json.Token, d byte) bool {
	x, ok := t.(json.Delim)
	return ok && byte(x) == d
}

// text renders a token the way a message quotes it.
func text(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		return string(v)
	case string:
		return v
	case json.Number:
		return string(v)
	case bool:
		if v {
			return "true"
		}
		return "false"
	case nil:
		return "null"
	}
	return ""
}

func (c *compiler) compile() ([]rule, error) {
	t, err := c.next()
	if err != nil {
		return nil, err
	}
	if !isDelim(t, '{') {
		return nil, invalid("Filter is not an object")
	}
	var rules []rule
	if err := c.object(&rules, false); err != nil {
		return nil, err
	}
	if _, err := c.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, invalid("Unexpected content after the end of the pattern")
	}
	return rules, nil
}

func (c *compiler) name(field string) string {
	if len(c.path) == 0 {
		return field
	}
	return strings.Join(c.path, ".") + "." + field
}

// object reads the members of an object whose '{' has been consumed.
func (c *compiler) object(rules *[]rule, inOr bool) error {
	present := false
	for {
		t, err := c.next()
		if err != nil {
			return err
		}
		if isDelim(t, '}') {
			break
		}
		present = true
		key := t.(string) // the decoder only yields strings as keys
		if key == "$or" {
			if err := c.or(rules); err != nil {
				return err
			}
			continue
		}
		if inOr && reserved[key] {
			return invalid(key + " is Ruler reserved fieldName which cannot be used inside $or.")
		}
		v, err := c.next()
		if err != nil {
			return err
		}
		switch {
		case isDelim(v, '{'):
			c.path = append(c.path, key)
			err := c.object(rules, inOr)
			c.path = c.path[:len(c.path)-1]
			if err != nil {
				return err
			}
		case isDelim(v, '['):
			if err := c.values(rules, c.name(key)); err != nil {
				return err
			}
		default:
			return invalid(`"` + key + `" must be an object or an array`)
		}
	}
	if !present {
		return invalid("Empty objects are not allowed")
	}
	return nil
}

// or expands a "$or" array: every branch so far is copied once per object.
func (c *compiler) or(rules *[]rule) error {
	current := *rules
	t, err := c.next()
	if err != nil {
		return err
	}
	if !isDelim(t, '[') {
		return invalid("It must be an Array followed with $or.")
	}
	var out []rule
	n := 0
	for {
		t, err := c.next()
		if err != nil {
			return err
		}
		if isDelim(t, ']') {
			break
		}
		n++
		if !isDelim(t, '{') {
			return invalid("Only JSON object is allowed in array of $or relationship.")
		}
		fork := make([]rule, 0, max(len(current), 1))
		for _, r := range current {
			fork = append(fork, cloneRule(r))
		}
		if len(fork) == 0 {
			fork = append(fork, rule{})
		}
		if err := c.object(&fork, true); err != nil {
			return err
		}
		out = append(out, fork...)
		if len(out) > MaxCombinations {
			return invalid(errOrTooLarge)
		}
	}
	if n < 2 {
		return invalid("There must have at least 2 Objects in $or relationship.")
	}
	*rules = out
	return nil
}

func cloneRule(r rule) rule {
	out := make(rule, len(r))
	for k, v := range r {
		out[k] = v
	}
	return out
}

// values reads a field's array of values (the '[' is consumed) and sets the
// field on every branch; a later mention of the same path replaces an earlier.
func (c *compiler) values(rules *[]rule, name string) error {
	var ops []op
	for {
		t, err := c.next()
		if err != nil {
			return err
		}
		if isDelim(t, ']') {
			break
		}
		switch v := t.(type) {
		case json.Delim:
			if v != '{' {
				return invalid("Match value must be String, number, true, false, or null")
			}
			o, err := c.expression()
			if err != nil {
				return err
			}
			ops = append(ops, o)
		case string:
			if r, ok := exactIP(v); ok {
				ops = append(ops, op{kind: opExactIP, str: v, ip: r})
			} else {
				ops = append(ops, op{kind: opExactString, str: v})
			}
		case json.Number:
			m, ok := comparable(string(v))
			ops = append(ops, op{kind: opExactNumber, str: string(v), micro: m, numOK: ok})
		case bool:
			if v {
				ops = append(ops, op{kind: opTrue})
			} else {
				ops = append(ops, op{kind: opFalse})
			}
		case nil:
			ops = append(ops, op{kind: opNull})
		}
	}
	if len(ops) == 0 {
		return invalid("Empty arrays are not allowed")
	}
	if len(*rules) == 0 {
		*rules = append(*rules, rule{})
	}
	for _, r := range *rules {
		r[name] = ops
	}
	return nil
}

// end expects the '}' closing a match expression.
func (c *compiler) end(reason string) error {
	t, err := c.next()
	if err != nil {
		return err
	}
	if !isDelim(t, '}') {
		return invalid(reason)
	}
	return nil
}

const (
	errOneKey   = "Only one key allowed in match expression"
	errTooMany  = "Too many elements in numeric expression"
	errABValue  = "Value of anything-but must be an array or single string/number value."
	errABFold   = "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
	errABAffix  = "prefix/suffix match pattern must be a string"
	errABNull   = "Null prefix/suffix not allowed"
	errWCString = "wildcard match pattern must be a string"
)

// expression reads one match expression object (the '{' is consumed).
func (c *compiler) expression() (op, error) {
	t, err := c.next()
	if err != nil {
		return op{}, err
	}
	name, ok := t.(string)
	if !ok || isDelim(t, '}') {
		return op{}, invalid("Match expression name not found")
	}
	v, err := c.next()
	if err != nil {
		return op{}, err
	}
	str, isStr := v.(string)
	switch name {
	case "exactly":
		if !isStr {
			return op{}, invalid("exact match pattern must be a string")
		}
		return op{kind: opExactString, str: str}, c.end(errOneKey)
	case "prefix", "suffix":
		if isDelim(v, '{') {
			return c.affixFold(name)
		}
		if !isStr {
			return op{}, invalid(name + " match pattern must be a string")
		}
		k := opPrefix
		if name == "suffix" {
			k = opSuffix
		}
		return op{kind: k, str: str}, c.end(errOneKey)
	case "numeric":
		if !isDelim(v, '[') {
			return op{}, invalid("Value of numeric must be an array.")
		}
		r, err := c.numeric()
		if err != nil {
			return op{}, err
		}
		return op{kind: opNumeric, rng: r}, c.end(errTooMany)
	case "anything-but":
		return c.anythingBut(v)
	case "exists":
		b, ok := v.(bool)
		if !ok {
			return op{}, invalid("exists match pattern must be either true or false.")
		}
		k := opExists
		if !b {
			k = opAbsent
		}
		return op{kind: k}, c.end(errOneKey)
	case "cidr":
		if !isStr {
			return op{}, invalid("prefix match pattern must be a string")
		}
		r, err := parseCIDR(str)
		if err != nil {
			return op{}, err
		}
		return op{kind: opCIDR, str: str, ip: r}, c.end(errOneKey)
	case "equals-ignore-case":
		if !isStr {
			return op{}, invalid("equals-ignore-case match pattern must be a string")
		}
		return op{kind: opEqualsFold, str: str}, c.end(errOneKey)
	case "wildcard":
		if !isStr {
			return op{}, invalid(errWCString)
		}
		w, err := parseWildcard(str)
		if err != nil {
			return op{}, err
		}
		return op{kind: opWildcard, str: str, wc: w}, c.end(errOneKey)
	}
	return op{}, invalid("Unrecognized match type " + name)
}

// affixFold reads {"equals-ignore-case": "x"} inside prefix or suffix.
func (c *compiler) affixFold(name string) (op, error) {
	t, err := c.next()
	if err != nil {
		return op{}, err
	}
	title := strings.ToUpper(name[:1]) + name[1:]
	inner, ok := t.(string)
	if !ok {
		return op{}, invalid(title + " expression name not found")
	}
	if inner != "equals-ignore-case" {
		return op{}, invalid("Unsupported " + name + " pattern: " + inner)
	}
	v, err := c.next()
	if err != nil {
		return op{}, err
	}
	s, ok := v.(string)
	if !ok {
		return op{}, invalid("equals-ignore-case match pattern must be a string")
	}
	if err := c.end(errOneKey); err != nil {
		return op{}, err
	}
	k := opPrefixFold
	if name == "suffix" {
		k = opSuffixFold
	}
	return op{kind: k, str: s}, c.end(errOneKey)
}

// anythingBut reads the operand of "anything-but"; v is its first token.
func (c *compiler) anythingBut(v json.Token) (op, error) {
	sub := ""
	if isDelim(v, '{') {
		t, err := c.next()
		if err != nil {
			return op{}, err
		}
		s, ok := t.(string)
		if !ok {
			return op{}, invalid("Anything-But expression name not found")
		}
		switch s {
		case "equals-ignore-case", "prefix", "suffix", "wildcard":
			sub = s
		default:
			return op{}, invalid("Unsupported anything-but pattern: " + s)
		}
		if v, err = c.next(); err != nil {
			return op{}, err
		}
	}
	_, isStr := v.(string)
	_, isNum := v.(json.Number)
	if !isDelim(v, '[') && !isStr && !isNum {
		return op{}, invalid(errABValue)
	}
	var o op
	var err error
	switch {
	case sub == "" && isDelim(v, '['):
		o, err = c.notList()
	case sub == "":
		o, err = notValues([]json.Token{v})
	default:
		items := []json.Token{v}
		if isDelim(v, '[') {
			items = nil
			for {
				t, err := c.next()
				if err != nil {
					return op{}, err
				}
				if isDelim(t, ']') {
					break
				}
				if _, ok := t.(string); !ok {
					return op{}, invalid(notSetTypeReason(sub))
				}
				if err := checkAffix(sub, t.(string)); err != nil {
					return op{}, err
				}
				items = append(items, t)
			}
		} else {
			if !isStr {
				return op{}, invalid(notSetTypeReason(sub))
			}
			if err := checkAffix(sub, v.(string)); err != nil {
				return op{}, err
			}
		}
		o, err = notSet(sub, items)
	}
	if err != nil {
		return op{}, err
	}
	if err := c.end(errTooMany); err != nil {
		return op{}, err
	}
	if sub != "" {
		if err := c.end(errTooMany); err != nil {
			return op{}, err
		}
	}
	return o, nil
}

func notSetTypeReason(sub string) string {
	switch sub {
	case "equals-ignore-case":
		return errABFold
	case "wildcard":
		return errWCString
	}
	return errABAffix
}

func checkAffix(sub, s string) error {
	if (sub == "prefix" || sub == "suffix") && s == "" {
		return invalid(errABNull)
	}
	return nil
}

// notList reads an anything-but list of plain values (the '[' is consumed).
func (c *compiler) notList() (op, error) {
	var items []json.Token
	hasNum, hasStr := false, false
	for {
		t, err := c.next()
		if err != nil {
			return op{}, err
		}
		if isDelim(t, ']') {
			break
		}
		switch t.(type) {
		case string:
			hasStr = true
		case json.Number:
			hasNum = true
		default:
			return op{}, invalid("Inside anything but list, start|null|boolean is not supported.")
		}
		items = append(items, t)
	}
	if hasNum == hasStr {
		return op{}, invalid("Inside anything but list, either all values are number or string, mixed type is not supported")
	}
	return notValues(items)
}

// notValues builds anything-but over strings or over numbers.
func notValues(items []json.Token) (op, error) {
	if _, ok := items[0].(json.Number); ok {
		o := op{kind: opNotNumbers}
		for _, t := range items {
			m, ok := comparable(string(t.(json.Number)))
			if !ok {
				return op{}, invalid(errNumberRange)
			}
			o.nums = append(o.nums, m)
		}
		return o, nil
	}
	o := op{kind: opNotStrings, set: map[string]struct{}{}}
	for _, t := range items {
		o.set[t.(string)] = struct{}{}
	}
	return o, nil
}

// notSet builds anything-but over equals-ignore-case, prefix, suffix or
// wildcard strings.
func notSet(sub string, items []json.Token) (op, error) {
	var o op
	switch sub {
	case "equals-ignore-case":
		o.kind = opNotFold
	case "prefix":
		o.kind = opNotPrefix
	case "suffix":
		o.kind = opNotSuffix
	case "wildcard":
		o.kind = opNotWildcard
	}
	for _, t := range items {
		s := t.(string)
		o.strs = append(o.strs, s)
		if sub == "wildcard" {
			w, err := parseWildcard(s)
			if err != nil {
				return op{}, err
			}
			o.wcs = append(o.wcs, w)
		}
	}
	return o, nil
}

// numeric reads the array of a "numeric" expression (the '[' is consumed).
func (c *compiler) numeric() (numRange, error) {
	t, err := c.next()
	if err != nil {
		return numRange{}, err
	}
	operator, ok := t.(string)
	if !ok {
		return numRange{}, invalid("Invalid member in numeric match: " + text(t))
	}
	t, err = c.next()
	if err != nil {
		return numRange{}, err
	}
	operand := func(name string, t json.Token) (int64, error) {
		n, ok := t.(json.Number)
		if !ok {
			return 0, invalid("Value of " + name + " must be numeric")
		}
		m, ok := comparable(string(n))
		if !ok {
			return 0, invalid(errNumberRange)
		}
		return m, nil
	}
	closeArray := func(reason string) error {
		t, err := c.next()
		if err != nil {
			return err
		}
		if !isDelim(t, ']') {
			return invalid(reason)
		}
		return nil
	}
	switch operator {
	case "=":
		m, err := operand("equals", t)
		if err != nil {
			return numRange{}, err
		}
		return numRange{lo: m, hi: m, hasLo: true, hasHi: true}, closeArray(errTooMany)
	case ">", ">=":
		m, err := operand(operator, t)
		if err != nil {
			return numRange{}, err
		}
		r := numRange{lo: m, hasLo: true, loOpen: operator == ">"}
		t, err := c.next()
		if err != nil {
			return numRange{}, err
		}
		if isDelim(t, ']') {
			return r, nil
		}
		top, ok := t.(string)
		if !ok {
			return numRange{}, invalid("Bad value in numeric range: " + text(t))
		}
		if top != "<" && top != "<=" {
			return numRange{}, invalid("Bad numeric range operator: " + top)
		}
		t, err = c.next()
		if err != nil {
			return numRange{}, err
		}
		hi, err := operand(top, t)
		if err != nil {
			return numRange{}, err
		}
		r.hi, r.hasHi, r.hiOpen = hi, true, top == "<"
		return r, closeArray("Too many terms in numeric range expression")
	case "<", "<=":
		m, err := operand(operator, t)
		if err != nil {
			return numRange{}, err
		}
		return numRange{hi: m, hasHi: true, hiOpen: operator == "<"}, closeArray(errTooMany)
	}
	return numRange{}, invalid("Unrecognized numeric range operator: " + operator)
}

// build turns the compiled rules into the matcher's form and applies the
// checks that need the whole pattern.
func build(src string, rules []rule) (*Pattern, error) {
	p := &Pattern{source: src, steps: map[string]step{}}
	index := map[string]int{}
	for _, r := range rules {
		for name := range r {
			if _, ok := index[name]; !ok {
				index[name] = 0
				p.paths = append(p.paths, name)
			}
		}
	}
	slices.Sort(p.paths)
	for i, name := range p.paths {
		index[name] = i
	}
	for i, name := range p.paths {
		s, ok := p.steps[name]
		if !ok {
			s.leaf = -1
		}
		s.leaf = i
		p.steps[name] = s
		for j := 0; j < len(name); j++ {
			if name[j] != '.' {
				continue
			}
			pre := name[:j]
			s, ok := p.steps[pre]
			if !ok {
				s.leaf = -1
			}
			s.inner = true
			p.steps[pre] = s
		}
	}
	wildcards := map[string]map[string]wildcard{} // path -> distinct patterns
	addWildcard := func(name, text string, w wildcard) {
		if wildcards[name] == nil {
			wildcards[name] = map[string]wildcard{}
		}
		wildcards[name][text] = w
	}
	for _, r := range rules {
		var b branch
		for name, ops := range r {
			f := field{path: index[name], ops: ops}
			for _, o := range ops {
				switch o.kind {
				case opAbsent:
					f.absent = true
				case opWildcard:
					addWildcard(name, o.str, o.wc)
					f.positive = true
				default:
					f.positive = true
				}
			}
			b.fields = append(b.fields, f)
		}
		slices.SortFunc(b.fields, func(x, y field) int { return x.path - y.path })
		p.branches = append(p.branches, b)
	}
	for _, set := range wildcards {
		ws := make([]wildcard, 0, len(set))
		for _, text := range slices.Sorted(maps.Keys(set)) {
			ws = append(ws, set[text])
		}
		if wildcardComplexity(ws, MaxWildcardComplexity) > MaxWildcardComplexity {
			return nil, invalid(errTooComplex)
		}
	}
	return p, nil
}
