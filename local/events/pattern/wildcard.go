package pattern

import (
	"slices"
	"strconv"
	"strings"
)

// MaxWildcardComplexity bounds how many wildcard pattern states an input can
// keep alive at once on one field, the measure event-ruler uses to reject
// rules that would be slow to match (its MachineComplexityEvaluator, which
// counts "wildcard" patterns and not anything-but wildcards). AWS does not
// publish its limit; this package rejects a field whose worst case exceeds 10.
const MaxWildcardComplexity = 10

// errTooComplex is AWS's reason for a wildcard rule over the complexity limit.
const errTooComplex = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"

// wildcard is a parsed wildcard pattern: literal segments between stars.
// A pattern without a star has a single segment.
type wildcard struct {
	segments []string
}

// parseWildcard applies event-ruler's wildcard syntax: "*" is any run of
// characters, "\*" and "\\" are literal, any other backslash is an error, and
// "**" is rejected. Positions in reasons count the opening quote event-ruler
// sees before the value, hence the +1.
func parseWildcard(s string) (wildcard, error) {
	var w wildcard
	var seg strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*':
			if i+1 < len(s) && s[i+1] == '*' {
				return wildcard{}, invalid("Consecutive wildcard characters at pos " + strconv.Itoa(i+1))
			}
			w.segments = append(w.segments, seg.String())
			seg.Reset()
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '\\') {
				seg.WriteByte(s[i+1])
				i++
				continue
			}
			return wildcard{}, invalid("Invalid escape character at pos " + strconv.Itoa(i+1))
		default:
			seg.WriteByte(c)
		}
	}
	w.segments = append(w.segments, seg.String())
	return w, nil
}

// match reports whether s matches the whole wildcard pattern. Greedy
// leftmost placement of the middle segments is enough for "*"-only globs.
func (w wildcard) match(s string) bool {
	segs := w.segments
	if len(segs) == 1 {
		return s == segs[0]
	}
	first, last := segs[0], segs[len(segs)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	rest := s[len(first) : len(s)-len(last)]
	for _, seg := range segs[1 : len(segs)-1] {
		i := strings.Index(rest, seg)
		if i < 0 {
			return false
		}
		rest = rest[i+len(seg):]
	}
	return true
}

// wildcardComplexity is the largest number of states of the combined
// non-deterministic automaton of the given patterns that one input can keep
// active at the same time, explored over the patterns' own bytes plus one byte
// they do not use. It stops early once the result exceeds limit.
func wildcardComplexity(patterns []wildcard, limit int) int {
	// Positions: pattern p, token t. A token is a literal byte or a star.
	type token struct {
		star bool
		b    byte
	}
	var toks [][]token
	alphabet := map[byte]bool{}
	for _, w := range patterns {
		var ts []token
		for i, seg := range w.segments {
			if i > 0 {
				ts = append(ts, token{star: true})
			}
			for j := 0; j < len(seg); j++ {
				ts = append(ts, token{b: seg[j]})
				alphabet[seg[j]] = true
			}
		}
		toks = append(toks, ts)
	}
	type state struct{ p, t int }
	// closure adds the states reachable without consuming input (a star may
	// match nothing).
	closure := func(set map[state]bool) {
		for s := range set {
			for t := s.t; t < len(toks[s.p]) && toks[s.p][t].star; t++ {
				set[state{s.p, t + 1}] = true
			}
		}
	}
	key := func(set map[state]bool) string {
		list := make([]state, 0, len(set))
		for s := range set {
			list = append(list, s)
		}
		slices.SortFunc(list, func(a, b state) int {
			if a.p != b.p {
				return a.p - b.p
			}
			return a.t - b.t
		})
		var b strings.Builder
		for _, s := range list {
			b.WriteString(strconv.Itoa(s.p))
			b.WriteByte('.')
			b.WriteString(strconv.Itoa(s.t))
			b.WriteByte(',')
		}
		return b.String()
	}
	start := map[state]bool{}
	for p := range toks {
		start[state{p, 0}] = true
	}
	closure(start)
	var inputs []int
	for b := range alphabet {
		inputs = append(inputs, int(b))
	}
	inputs = append(inputs, -1) // any byte no pattern names
	seen := map[string]bool{key(start): true}
	queue := []map[state]bool{start}
	worst := 0
	const maxSets = 2000
	for len(queue) > 0 && len(seen) < maxSets {
		cur := queue[0]
		queue = queue[1:]
		for _, in := range inputs {
			next := map[state]bool{}
			for s := range cur {
				if s.t >= len(toks[s.p]) {
					continue
				}
				tk := toks[s.p][s.t]
				switch {
				case tk.star:
					next[s] = true
				case in >= 0 && tk.b == byte(in):
					next[state{s.p, s.t + 1}] = true
				}
			}
			if len(next) == 0 {
				continue
			}
			closure(next)
			n := 0
			for s := range next {
				if s.t > 0 { // a state past the start of its pattern
					n++
				}
			}
			worst = max(worst, n)
			if worst > limit {
				return worst
			}
			if k := key(next); !seen[k] {
				seen[k] = true
				queue = append(queue, next)
			}
		}
	}
	return worst
}
