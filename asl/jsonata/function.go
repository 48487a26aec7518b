package jsonata

import (
	"regexp"
	"unicode/utf16"
	"unicode/utf8"
)

// lambda is a closure: a function definition with the context value and
// variables in scope where it was defined. A thunk is a pending tail call.
type lambda struct {
	node  *node
	input any
	env   *scope
}

// call is what a built-in function sees of its caller.
type call struct {
	input any
	env   *scope
	pos   int
}

type builtinFn func(ev *evaluator, c call, args []any) (any, error)

// builtin is a built-in or host function.
type builtin struct {
	name  string
	sig   *signature
	fn    builtinFn
	arity int
}

// partialFn is a partially applied function; placeholder arguments are
// filled in order by the call.
type partialFn struct {
	fn   any
	args []any
}

// composed is f ~> g: g(f(x)).
type composed struct {
	f, g any
}

// regexFn is a regular expression literal's value.
type regexFn struct {
	lit *regexLit
}

type transformFn struct {
	node *node
	env  *scope
}

func isFunction(v any) bool {
	switch v.(type) {
	case *lambda, *builtin, *partialFn, *composed, *regexFn, *transformFn:
		return true
	}
	return false
}

// arity returns how many arguments a function value takes.
func arity(f any) int {
	switch x := f.(type) {
	case *lambda:
		return len(x.node.params)
	case *builtin:
		if x.sig != nil {
			n := 0
			for _, p := range x.sig.params {
				if !p.optional {
					n++
				}
			}
			return n
		}
		return x.arity
	case *partialFn:
		n := 0
		for _, a := range x.args {
			if _, ok := a.(placeholder); ok {
				n++
			}
		}
		return n
	case *composed:
		return 1
	case *regexFn, *transformFn:
		return 1
	}
	return 0
}

// matchAt runs the regular expression on s from the UTF-16 offset from
// and returns JSONata's match object, or Undefined.
func (r *regexFn) matchAt(s string, from int) any {
	return r.matchFrom(s, utf16ToByte(s, from), from)
}

// matchFrom matches from byte offset b, which is UTF-16 offset u.
func (r *regexFn) matchFrom(s string, b, u int) any {
	if b > len(s) {
		return Undefined
	}
	loc := r.lit.re.FindStringSubmatchIndex(s[b:])
	if loc == nil {
		return Undefined
	}
	for i := range loc {
		if loc[i] >= 0 {
			loc[i] += b
		}
	}
	us := u + utf16Len(s[b:loc[0]])
	return r.matchObject(s, loc, us, us+utf16Len(s[loc[0]:loc[1]]))
}

// matchObject builds the match object of loc (byte offsets; us and ue are
// the UTF-16 offsets of its start and end).
func (r *regexFn) matchObject(s string, loc []int, us, ue int) *Object {
	o := NewObject(5)
	o.Set("match", s[loc[0]:loc[1]])
	o.Set("start", float64(us))
	o.Set("end", float64(ue))
	groups := make([]any, 0, len(loc)/2-1)
	for i := 2; i < len(loc); i += 2 {
		if loc[i] < 0 {
			groups = append(groups, "")
		} else {
			groups = append(groups, s[loc[i]:loc[i+1]])
		}
	}
	o.Set("groups", groups)
	o.Set("next", &builtin{name: "next", arity: 0, fn: func(ev *evaluator, c call, args []any) (any, error) {
		nb, nu := loc[1], ue
		if loc[0] == loc[1] {
			// an empty match: the next search starts one character on
			if nb >= len(s) {
				return Undefined, nil
			}
			_, size := utf8.DecodeRuneInString(s[nb:])
			nu += utf16Len(s[nb : nb+size])
			nb += size
		}
		return r.matchFrom(s, nb, nu), nil
	}})
	return o
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			n = 0
			for _, r := range s {
				if r >= 0x10000 {
					n += 2
				} else {
					n++
				}
			}
			return n
		}
		n++
	}
	return n
}

func toUTF16(s string) []uint16 { return utf16.Encode([]rune(s)) }

func byteToUTF16(s string, b int) int {
	n := 0
	for _, r := range s[:b] {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func utf16ToByte(s string, u int) int {
	n := 0
	for i, r := range s {
		if n >= u {
			return i
		}
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return len(s)
}

// compileRegex translates a JavaScript regular expression to RE2 syntax.
// RE2 has no lookaround and no backreferences; such patterns fail to
// compile (S0303).
func compileRegex(pattern, flags string) (*regexp.Regexp, error) {
	prefix := ""
	for _, f := range flags {
		switch f {
		case 'i':
			prefix += "i"
		case 'm':
			prefix += "m"
		case 's':
			prefix += "s"
		}
	}
	var b []rune
	src := []rune(pattern)
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\\' && i+1 < len(src) {
			n := src[i+1]
			switch {
			case n == 'u' && i+5 < len(src):
				b = append(b, []rune(`\x{`+string(src[i+2:i+6])+`}`)...)
				i += 5
				continue
			case n == '/':
				b = append(b, '/')
				i++
				continue
			case n == 'd' || n == 'D' || n == 'w' || n == 'W' || n == 's' || n == 'S' || n == 'b' || n == 'B':
			case n >= '1' && n <= '9':
				// backreference: not in RE2
			}
			b = append(b, c, n)
			i++
			continue
		}
		if c == '(' && i+2 < len(src) && src[i+1] == '?' && src[i+2] == '<' && i+3 < len(src) && src[i+3] != '=' && src[i+3] != '!' {
			b = append(b, '(', '?', 'P', '<')
			i += 2
			continue
		}
		b = append(b, c)
	}
	p := string(b)
	if prefix != "" {
		p = "(?" + prefix + ")" + p
	}
	return regexp.Compile(p)
}
