package schema

import (
	"math/bits"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
)

// pattern is a compiled column pattern: the anchored regular expression, and, when the pattern is
// simple enough, an equivalent matcher that needs no regexp machine (most dataset patterns are codes
// such as "ORD-[0-9]{8}"). Both always agree: the simple matcher is built only when it is exact.
type pattern struct {
	re     *regexp.Regexp
	simple simplePattern // nil: use re
}

func compilePattern(p string) (*pattern, error) {
	expr := `^(?:` + p + `)$`
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	simple, _ := compileSimple(expr)
	return &pattern{re: re, simple: simple}, nil
}

func (p *pattern) MatchString(s string) bool {
	if p.simple != nil {
		return p.simple.match(s)
	}
	return p.re.MatchString(s)
}

// simplePattern is a sequence of steps; each step matches between min and max (-1: no limit) bytes of an
// ASCII set. It matches a whole string greedily, step by step, without backtracking. compileSimple makes
// one only where greed is exact: every step whose count may vary is disjoint from the bytes that can
// follow it (the sets of the next steps up to and including the first one that must match something).
// Then in any match, the step stops exactly where greed stops it, so greed finds a match if one exists.
type simplePattern []patternStep

type patternStep struct {
	lit      string // when set: the step is this literal text (runs of one-byte steps merged)
	set      asciiSet
	min, max int
}

// asciiSet is a set of ASCII bytes; bytes >= 0x80 are never members, as no ASCII class matches a
// non-ASCII rune (nor the U+FFFD that regexp reads an invalid byte as).
type asciiSet [2]uint64

func (s *asciiSet) add(c rune)              { s[c>>6] |= 1 << (c & 63) }
func (s *asciiSet) has(c byte) bool         { return c < 0x80 && s[c>>6]&(1<<(c&63)) != 0 }
func (s asciiSet) overlaps(t asciiSet) bool { return s[0]&t[0] != 0 || s[1]&t[1] != 0 }

// single returns the set's member when it has exactly one.
func (s asciiSet) single() (byte, bool) {
	switch {
	case s[0] != 0 && s[1] == 0 && s[0]&(s[0]-1) == 0:
		return byte(bits.TrailingZeros64(s[0])), true
	case s[1] != 0 && s[0] == 0 && s[1]&(s[1]-1) == 0:
		return byte(64 + bits.TrailingZeros64(s[1])), true
	}
	return 0, false
}

// plainOnly reports whether every string the pattern matches is plain JSON text (plainJSON): the
// pattern is simple and its literals and sets hold printable ASCII only, without a quote or a backslash.
func (p *pattern) plainOnly() bool {
	if p.simple == nil {
		return false
	}
	for _, st := range p.simple {
		if st.lit != "" {
			if !plainJSON(st.lit) {
				return false
			}
			continue
		}
		for c := range 128 {
			if st.set.has(byte(c)) && !plainJSON(string(rune(c))) {
				return false
			}
		}
	}
	return true
}

func (p simplePattern) match(s string) bool {
	i := 0
	for k := range p {
		st := &p[k]
		if st.lit != "" {
			if !strings.HasPrefix(s[i:], st.lit) {
				return false
			}
			i += len(st.lit)
			continue
		}
		n := 0
		for (st.max < 0 || n < st.max) && i < len(s) && st.set.has(s[i]) {
			i++
			n++
		}
		if n < st.min {
			return false
		}
	}
	return i == len(s)
}

// compileSimple turns an anchored expression (as compilePattern writes it) into a simplePattern, or
// reports that it cannot.
func compileSimple(expr string) (simplePattern, bool) {
	re, err := syntax.Parse(expr, syntax.Perl) // the flags regexp.Compile uses
	if err != nil {
		return nil, false
	}
	c := simpleCompiler{}
	if !c.walk(re) || !c.ended {
		return nil, false
	}
	p := c.steps
	for i, st := range p {
		if st.min == st.max {
			continue
		}
		var follow asciiSet
		for _, next := range p[i+1:] {
			follow[0] |= next.set[0]
			follow[1] |= next.set[1]
			if next.min > 0 {
				break
			}
		}
		if st.set.overlaps(follow) {
			return nil, false
		}
	}
	return mergeLiterals(p), true
}

// mergeLiterals turns each run of steps that match exactly one given byte into one literal step.
func mergeLiterals(p simplePattern) simplePattern {
	var out simplePattern
	for _, st := range p {
		c, single := st.set.single()
		if !single || st.min != 1 || st.max != 1 {
			out = append(out, st)
			continue
		}
		if n := len(out); n > 0 && out[n-1].lit != "" {
			out[n-1].lit += string(rune(c))
			continue
		}
		out = append(out, patternStep{lit: string(rune(c)), min: 1, max: 1})
	}
	return out
}

type simpleCompiler struct {
	steps []patternStep
	ended bool // $ seen: nothing may follow
}

func (c *simpleCompiler) walk(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !c.walk(sub) {
				return false
			}
		}
		return true
	case syntax.OpCapture:
		return c.walk(re.Sub[0])
	case syntax.OpEmptyMatch:
		return true
	case syntax.OpBeginText:
		return len(c.steps) == 0 && !c.ended // matches only at the start
	case syntax.OpEndText:
		c.ended = true
		return true
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			set, ok := literalSet(r, re.Flags)
			if !ok {
				return false
			}
			if !c.add(patternStep{set: set, min: 1, max: 1}) {
				return false
			}
		}
		return true
	case syntax.OpCharClass:
		set, ok := classSet(re)
		return ok && c.add(patternStep{set: set, min: 1, max: 1})
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		set, ok := singleSet(re.Sub[0])
		if !ok {
			return false
		}
		st := patternStep{set: set}
		switch re.Op {
		case syntax.OpStar:
			st.min, st.max = 0, -1
		case syntax.OpPlus:
			st.min, st.max = 1, -1
		case syntax.OpQuest:
			st.min, st.max = 0, 1
		default:
			st.min, st.max = re.Min, re.Max
		}
		if st.max == 0 {
			return true // x{0} matches the empty string
		}
		return c.add(st)
	}
	return false
}

func (c *simpleCompiler) add(st patternStep) bool {
	if c.ended {
		return false
	}
	c.steps = append(c.steps, st)
	return true
}

// singleSet returns the set of a node that matches exactly one ASCII character.
func singleSet(re *syntax.Regexp) (asciiSet, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 1 {
			return literalSet(re.Rune[0], re.Flags)
		}
	case syntax.OpCharClass:
		return classSet(re)
	case syntax.OpCapture:
		return singleSet(re.Sub[0])
	}
	return asciiSet{}, false
}

func literalSet(r rune, flags syntax.Flags) (asciiSet, bool) {
	var set asciiSet
	if r >= 0x80 {
		return set, false
	}
	set.add(r)
	if flags&syntax.FoldCase != 0 {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f >= 0x80 { // e.g. k also matches the Kelvin sign
				return set, false
			}
			set.add(f)
		}
	}
	return set, true
}

// classSet returns the set of a character class whose members are all ASCII.
func classSet(re *syntax.Regexp) (asciiSet, bool) {
	var set asciiSet
	for i := 0; i+1 < len(re.Rune); i += 2 {
		lo, hi := re.Rune[i], re.Rune[i+1]
		if hi >= 0x80 {
			return set, false
		}
		for r := lo; r <= hi; r++ {
			set.add(r)
		}
	}
	return set, true
}
