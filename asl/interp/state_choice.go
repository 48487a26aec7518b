package interp

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/jsonpath"
)

// choiceRule is a compiled Choice rule (top-level or nested).
// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
type choiceRule struct {
	op        asl.Operator
	variable  *jsonpath.Path
	varExpr   string
	value     any            // literal operand
	valuePath *jsonpath.Path // operand of a ...Path operator
	valueExpr string
	ts        time.Time // a literal Timestamp operand, parsed
	and, or   []*choiceRule
	not       *choiceRule
	next      string
	assign    *jsonpath.Template
}

func (c *compiler) choices(rules []asl.ChoiceRule) ([]*choiceRule, error) {
	out := make([]*choiceRule, 0, len(rules))
	for i := range rules {
		c.loc = append(c.loc, "Choices", fmt.Sprint(i))
		r, err := c.choiceRule(&rules[i])
		c.loc = c.loc[:len(c.loc)-2]
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (c *compiler) choiceRule(r *asl.ChoiceRule) (*choiceRule, error) {
	cr := &choiceRule{op: r.Operator, next: r.Next, value: r.Value}
	var err error
	if cr.assign, err = c.assign(r.Assign); err != nil {
		return nil, err
	}
	switch {
	case r.And != nil:
		cr.and, err = c.choices(r.And)
		return cr, err
	case r.Or != nil:
		cr.or, err = c.choices(r.Or)
		return cr, err
	case r.Not != nil:
		cr.not, err = c.choiceRule(r.Not)
		return cr, err
	case r.Condition != nil:
		return nil, c.errorf("Condition (JSONata) is not supported")
	}
	if cr.variable, err = c.path("Variable", r.Variable); err != nil {
		return nil, err
	}
	cr.varExpr = r.Variable
	if r.Operator.IsPath() {
		s, _ := r.Value.(string)
		cr.valueExpr = s
		if cr.valuePath, err = c.path(string(r.Operator), s); err != nil {
			return nil, err
		}
	} else if r.Operator.Operand() == asl.OperandTimestamp {
		s, _ := r.Value.(string)
		if cr.ts, err = parseTimestamp(s); err != nil {
			return nil, c.errorf("%s: %w", r.Operator, err)
		}
	}
	return cr, nil
}

func (th *thread) runChoice(n *node, input any) (any, string, map[string]any, *Failure) {
	eff, f := th.inputPath(n, input)
	if f != nil {
		return nil, "", nil, f
	}
	s := th.scope(eff)
	next := ""
	var assigned map[string]any
	for _, r := range n.choices {
		ok, f := th.evalRule(r, s)
		if f != nil {
			return nil, "", nil, f
		}
		if ok {
			next = r.next
			if assigned, f = th.evalAssign(r.assign, eff, nil); f != nil {
				return nil, "", nil, f
			}
			break
		}
	}
	if next == "" {
		if n.def == "" {
			return nil, "", nil, &Failure{Error: "States.NoChoiceMatched", Cause: fmt.Sprintf(
				"No Matches! and no default in %q", n.name)}
		}
		next = n.def
	}
	if assigned, f = th.evalAssign(n.assign, eff, assigned); f != nil {
		return nil, "", nil, f
	}
	out, f := th.outputPath(n, eff)
	return out, next, assigned, f
}

func (th *thread) evalRule(r *choiceRule, s *jsonpath.Scope) (bool, *Failure) {
	switch {
	case r.and != nil:
		for _, x := range r.and {
			ok, f := th.evalRule(x, s)
			if f != nil || !ok {
				return false, f
			}
		}
		return true, nil
	case r.or != nil:
		for _, x := range r.or {
			ok, f := th.evalRule(x, s)
			if f != nil || ok {
				return ok, f
			}
		}
		return false, nil
	case r.not != nil:
		ok, f := th.evalRule(r.not, s)
		return !ok, f
	}
	v, err := r.variable.Eval(s)
	present := err == nil
	if r.op == asl.IsPresent {
		want, _ := r.value.(bool)
		return present == want, nil
	}
	if !present {
		return false, th.runtimeError("Invalid path '%s': The choice state's condition path references an invalid value.", r.varExpr)
	}
	operand := r.value
	if r.valuePath != nil {
		operand, err = r.valuePath.Eval(s)
		if err != nil {
			return false, th.runtimeError("Invalid path '%s': The choice state's condition path references an invalid value.", r.valueExpr)
		}
	}
	return compare(r, v, operand), nil
}

// compare applies a comparison operator. A value of the wrong type never
// matches: comparing a string with a number is false, not an error.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
func compare(r *choiceRule, v, operand any) bool {
	switch r.op {
	case asl.IsNull:
		return (v == nil) == truthy(operand)
	case asl.IsNumeric:
		_, ok := v.(json.Number)
		if !ok {
			_, ok = numberRat(v)
		}
		return ok == truthy(operand)
	case asl.IsString:
		_, ok := v.(string)
		return ok == truthy(operand)
	case asl.IsBoolean:
		_, ok := v.(bool)
		return ok == truthy(operand)
	case asl.IsTimestamp:
		s, ok := v.(string)
		if ok {
			_, err := parseTimestamp(s)
			ok = err == nil
		}
		return ok == truthy(operand)
	case asl.StringMatches:
		s, ok := v.(string)
		p, pok := operand.(string)
		return ok && pok && wildcardMatch(p, s)
	}
	switch r.op.Compares() {
	case asl.OperandString:
		a, ok := v.(string)
		b, ok2 := operand.(string)
		if !ok || !ok2 {
			return false
		}
		return ordered(r.op, strings.Compare(a, b))
	case asl.OperandNumber:
		a, ok := numberRat(v)
		b, ok2 := numberRat(operand)
		if !ok || !ok2 {
			return false
		}
		return ordered(r.op, a.Cmp(b))
	case asl.OperandBoolean:
		a, ok := v.(bool)
		b, ok2 := operand.(bool)
		return ok && ok2 && a == b
	case asl.OperandTimestamp:
		s, ok := v.(string)
		if !ok {
			return false
		}
		a, err := parseTimestamp(s)
		if err != nil {
			return false
		}
		b := r.ts
		if r.valuePath != nil {
			bs, ok := operand.(string)
			if !ok {
				return false
			}
			if b, err = parseTimestamp(bs); err != nil {
				return false
			}
		}
		return ordered(r.op, a.Compare(b))
	}
	return false
}

// ordered maps a comparison result onto the operator's relation, read from
// its name (Equals, LessThan, GreaterThan, LessThanEquals, GreaterThanEquals).
func ordered(op asl.Operator, c int) bool {
	name := strings.TrimSuffix(string(op), "Path")
	switch {
	case strings.HasSuffix(name, "LessThanEquals"):
		return c <= 0
	case strings.HasSuffix(name, "GreaterThanEquals"):
		return c >= 0
	case strings.HasSuffix(name, "LessThan"):
		return c < 0
	case strings.HasSuffix(name, "GreaterThan"):
		return c > 0
	case strings.HasSuffix(name, "Equals"):
		return c == 0
	}
	return false
}

func truthy(v any) bool { b, _ := v.(bool); return b }

func numberRat(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case json.Number:
		return new(big.Rat).SetString(string(x))
	case float64:
		r := new(big.Rat)
		if r.SetFloat64(x) == nil {
			return nil, false
		}
		return r, true
	case int:
		return new(big.Rat).SetInt64(int64(x)), true
	case int64:
		return new(big.Rat).SetInt64(x), true
	}
	return nil, false
}

// wildcardMatch matches s against a StringMatches pattern: * matches any
// run of characters, \* a literal star and \\ a literal backslash.
func wildcardMatch(pattern, s string) bool {
	type tok struct {
		lit  string
		star bool
	}
	var toks []tok
	var cur strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern):
			i++
			cur.WriteByte(pattern[i])
		case c == '*':
			toks = append(toks, tok{lit: cur.String()}, tok{star: true})
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	toks = append(toks, tok{lit: cur.String()})
	// toks alternates literal, star, literal, ...: the first literal is a
	// prefix, the last a suffix, and the middle ones are found leftmost
	// first, which is optimal for * wildcards.
	lits := make([]string, 0, len(toks))
	for _, t := range toks {
		if !t.star {
			lits = append(lits, t.lit)
		}
	}
	if len(lits) == 1 {
		return s == lits[0]
	}
	first, last := lits[0], lits[len(lits)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	mid := s[len(first) : len(s)-len(last)]
	for _, l := range lits[1 : len(lits)-1] {
		i := strings.Index(mid, l)
		if i < 0 {
			return false
		}
		mid = mid[i+len(l):]
	}
	return true
}
