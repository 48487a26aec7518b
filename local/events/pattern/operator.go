package pattern

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// opKind names one matching operator of the pattern language.
type opKind uint8

const (
	opExactString opKind = iota // "x", or {"exactly": "x"}
	opExactIP                   // "10.0.0.1": an exact value that is an IP address
	opExactNumber               // 300 (also matches 300.0)
	opTrue                      // true
	opFalse                     // false
	opNull                      // null
	opPrefix                    // {"prefix": "x"}
	opPrefixFold                // {"prefix": {"equals-ignore-case": "x"}}
	opSuffix                    // {"suffix": "x"}
	opSuffixFold                // {"suffix": {"equals-ignore-case": "x"}}
	opEqualsFold                // {"equals-ignore-case": "x"}
	opWildcard                  // {"wildcard": "x*y"}
	opNumeric                   // {"numeric": [">", 0, "<=", 5]}
	opCIDR                      // {"cidr": "10.0.0.0/24"}
	opExists                    // {"exists": true}
	opAbsent                    // {"exists": false}: handled by the matcher, never by match
	opNotStrings                // {"anything-but": "x" | ["x", "y"]}
	opNotNumbers                // {"anything-but": 1 | [1, 2]}
	opNotFold                   // {"anything-but": {"equals-ignore-case": ...}}
	opNotPrefix                 // {"anything-but": {"prefix": ...}}
	opNotSuffix                 // {"anything-but": {"suffix": ...}}
	opNotWildcard               // {"anything-but": {"wildcard": ...}}
)

// op is one compiled operator. Only the fields its kind uses are set.
type op struct {
	kind  opKind
	str   string
	strs  []string
	set   map[string]struct{}
	micro int64
	numOK bool
	nums  []int64
	rng   numRange
	ip    ipRange
	wc    wildcard
	wcs   []wildcard
}

// numRange is a numeric interval in millionths; a missing bound is open-ended.
type numRange struct {
	lo, hi         int64
	hasLo, hasHi   bool
	loOpen, hiOpen bool
}

func (r numRange) contains(v int64) bool {
	if r.hasLo && (v < r.lo || r.loOpen && v == r.lo) {
		return false
	}
	if r.hasHi && (v > r.hi || r.hiOpen && v == r.hi) {
		return false
	}
	return true
}

// match reports whether the operator accepts the leaf value.
func (o *op) match(l *leaf) bool {
	str := l.kind == kindString
	switch o.kind {
	case opExactString:
		return str && l.text == o.str
	case opExactIP:
		return str && o.ip.contains(l.text)
	case opExactNumber:
		return l.kind == kindNumber && (l.text == o.str || o.numOK && l.inRange && l.micro == o.micro)
	case opTrue:
		return l.kind == kindTrue
	case opFalse:
		return l.kind == kindFalse
	case opNull:
		return l.kind == kindNull
	case opPrefix:
		return str && strings.HasPrefix(l.text, o.str)
	case opPrefixFold:
		return str && hasPrefixFold(l.text, o.str)
	case opSuffix:
		return str && strings.HasSuffix(l.text, o.str)
	case opSuffixFold:
		return str && hasSuffixFold(l.text, o.str)
	case opEqualsFold:
		return str && strings.EqualFold(l.text, o.str)
	case opWildcard:
		return str && o.wc.match(l.text)
	case opNumeric:
		return l.kind == kindNumber && l.inRange && o.rng.contains(l.micro)
	case opCIDR:
		return str && o.ip.contains(l.text)
	case opExists:
		return true
	case opNotStrings:
		if !str {
			return true
		}
		_, hit := o.set[l.text]
		return !hit
	case opNotNumbers:
		if l.kind != kindNumber || !l.inRange {
			return true
		}
		for _, n := range o.nums {
			if n == l.micro {
				return false
			}
		}
		return true
	case opNotFold:
		if !str {
			return true
		}
		for _, s := range o.strs {
			if strings.EqualFold(l.text, s) {
				return false
			}
		}
		return true
	case opNotPrefix:
		if !str {
			return true
		}
		for _, s := range o.strs {
			if strings.HasPrefix(l.text, s) {
				return false
			}
		}
		return true
	case opNotSuffix:
		if !str {
			return true
		}
		for _, s := range o.strs {
			if strings.HasSuffix(l.text, s) {
				return false
			}
		}
		return true
	case opNotWildcard:
		if !str {
			return true
		}
		for _, w := range o.wcs {
			if w.match(l.text) {
				return false
			}
		}
		return true
	}
	return false
}

// equalFoldRune reports whether two runes are equal under Unicode simple case
// folding.
func equalFoldRune(a, b rune) bool {
	if a == b {
		return true
	}
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}

func hasPrefixFold(s, prefix string) bool {
	for prefix != "" {
		if s == "" {
			return false
		}
		pr, pn := utf8.DecodeRuneInString(prefix)
		sr, sn := utf8.DecodeRuneInString(s)
		if !equalFoldRune(sr, pr) {
			return false
		}
		prefix, s = prefix[pn:], s[sn:]
	}
	return true
}

func hasSuffixFold(s, suffix string) bool {
	for suffix != "" {
		if s == "" {
			return false
		}
		pr, pn := utf8.DecodeLastRuneInString(suffix)
		sr, sn := utf8.DecodeLastRuneInString(s)
		if !equalFoldRune(sr, pr) {
			return false
		}
		suffix, s = suffix[:len(suffix)-pn], s[:len(s)-sn]
	}
	return true
}
