package jsonata

import (
	"regexp"
	"strconv"
	"strings"
)

// signature is a parsed function signature such as "<s-nn?:s>".
type signature struct {
	params []sigParam
	re     *regexp.Regexp
}

type sigParam struct {
	set      string // the type symbols it accepts
	plus     bool
	typ      byte   // b n s l a o f j x, or '(' for a choice
	choice   string // the types of a choice
	subtype  string // a<n>
	regex    string
	context  bool // '-': the context value stands in for a missing argument
	optional bool
	ctxRe    *regexp.Regexp
}

var arrayTypeNames = map[string]string{"a": "arrays", "b": "booleans", "f": "functions", "n": "numbers", "o": "objects", "s": "strings"}

func parseSignature(text string, pos int) (*signature, error) {
	sig := &signature{}
	src := text
	i := 0
	var last *sigParam
	for i < len(src) {
		c := src[i]
		switch c {
		case 's', 'n', 'b', 'l', 'o':
			sig.params = append(sig.params, sigParam{typ: c, regex: "[" + string(c) + "m]"})
			last = &sig.params[len(sig.params)-1]
		case 'a':
			sig.params = append(sig.params, sigParam{typ: c, regex: "[asnblfom]"})
			last = &sig.params[len(sig.params)-1]
		case 'x':
			sig.params = append(sig.params, sigParam{typ: c, regex: "[asnblfom]"})
			last = &sig.params[len(sig.params)-1]
		case 'j':
			sig.params = append(sig.params, sigParam{typ: c, regex: "[asnblom]"})
			last = &sig.params[len(sig.params)-1]
		case 'f':
			sig.params = append(sig.params, sigParam{typ: c, regex: "f"})
			last = &sig.params[len(sig.params)-1]
		case '(':
			end := strings.IndexByte(src[i:], ')')
			if end < 0 {
				return nil, newError("S0401", pos, "", text)
			}
			choice := src[i+1 : i+end]
			if strings.Contains(choice, "<") {
				return nil, newError("S0402", pos, "", text)
			}
			sig.params = append(sig.params, sigParam{typ: '(', choice: choice, regex: "[" + choice + "m]"})
			last = &sig.params[len(sig.params)-1]
			i += end
		case '<':
			if last == nil || (last.typ != 'a' && last.typ != 'f') {
				return nil, newError("S0401", pos, "", text)
			}
			depth := 1
			j := i + 1
			for ; j < len(src) && depth > 0; j++ {
				switch src[j] {
				case '<':
					depth++
				case '>':
					depth--
				}
			}
			last.subtype = src[i+1 : j-1]
			i = j - 1
		case '?', '+':
			if last != nil {
				last.regex += string(c)
				if c == '?' {
					last.optional = true
				}
			}
		case '-':
			if last != nil {
				last.context = true
				last.ctxRe = regexp.MustCompile("^" + last.regex + "$")
				last.regex += "?"
			}
		case ':':
			// the return type is not checked
			i = len(src)
			continue
		}
		i++
	}
	for i := range sig.params {
		p := &sig.params[i]
		p.set = strings.Trim(strings.TrimRight(p.regex, "?+"), "[]")
		p.plus = strings.Contains(p.regex, "+")
		p.optional = p.optional || p.context || strings.HasSuffix(p.regex, "?")
	}
	var b strings.Builder
	b.WriteString("^")
	for _, p := range sig.params {
		b.WriteString("(" + p.regex + ")")
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, newError("S0401", pos, "", text)
	}
	sig.re = re
	return sig, nil
}

func mustSignature(s string) *signature {
	sig, err := parseSignature(strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">"), 0)
	if err != nil {
		panic(err)
	}
	return sig
}

func typeSymbol(v any) byte {
	switch v.(type) {
	case string:
		return 's'
	case float64:
		return 'n'
	case bool:
		return 'b'
	case nil:
		return 'l'
	case []any, *arr:
		return 'a'
	case *Object, map[string]any:
		return 'o'
	case undefinedType:
		return 'm'
	}
	if isFunction(v) {
		return 'f'
	}
	return 'm'
}

func sigError(code string, index int, value any, extra map[string]string) *Error {
	if extra == nil {
		extra = map[string]string{}
	}
	extra["index"] = strconv.Itoa(index)
	e := errorWith(code, 0, "", value, extra)
	e.Message = strings.ReplaceAll(e.Message, "{{token}}", "")
	e.index = index
	e.extra = extra
	return e
}

// fillMessageFor refreshes the message after the token was set.
func fillMessageFor(e *Error) string {
	return fillMessage(e.Code, e.Token, e.Value, e.extra)
}

// validate checks args against the signature and returns them with the
// context value inserted and single values wrapped where arrays are due.
func (s *signature) validate(args []any, context any) ([]any, error) {
	if a, ok := context.(*arr); ok && a.outer && len(a.items) > 0 {
		context = a.items[0]
	}
	var symBuf [8]byte
	var countBuf [8]int
	sym := symBuf[:0]
	for _, a := range args {
		sym = append(sym, typeSymbol(a))
	}
	counts := countBuf[:0]
	for range s.params {
		counts = append(counts, 0)
	}
	if !s.match(sym, counts, 0, 0) {
		// find the first argument that does not fit
		pattern := "^"
		good := 0
		for _, p := range s.params {
			pattern += p.regex
			loc := regexp.MustCompile(pattern).FindString(string(sym))
			if loc == "" && !regexp.MustCompile(pattern).MatchString(string(sym)) {
				break
			}
			good = len(loc)
		}
		var bad any = Undefined
		if good < len(args) {
			bad = args[good]
		}
		return nil, sigError("T0410", good+1, bad, nil)
	}
	out := make([]any, 0, len(s.params))
	ai := 0
	for pi, p := range s.params {
		match := sym[ai : ai+counts[pi]]
		if len(match) == 0 {
			if p.context {
				cs := string(typeSymbol(context))
				if p.ctxRe.MatchString(cs) {
					out = append(out, context)
				} else {
					return nil, sigError("T0411", ai+1, context, nil)
				}
			} else {
				if ai < len(args) {
					out = append(out, args[ai])
				} else {
					out = append(out, Undefined)
				}
				ai++
			}
			continue
		}
		for k := 0; k < len(match); k++ {
			single := match[k]
			var arg any = Undefined
			if ai < len(args) {
				arg = args[ai]
			}
			if p.typ == 'a' {
				if single == 'm' {
					arg = Undefined
				} else {
					ok := true
					if p.subtype != "" {
						if single != 'a' && string(single) != p.subtype {
							ok = false
						} else if single == 'a' {
							items, _ := asArray(arg)
							if len(items) > 0 {
								first := typeSymbol(items[0])
								if first != p.subtype[0] {
									ok = false
								} else {
									for _, it := range items {
										if typeSymbol(it) != first {
											ok = false
											break
										}
									}
								}
							}
						}
					}
					if !ok {
						return nil, sigError("T0412", ai+1, arg, map[string]string{"type": arrayTypeNames[p.subtype]})
					}
					if single != 'a' {
						arg = []any{arg}
					}
				}
			}
			out = append(out, arg)
			ai++
		}
	}
	return out, nil
}

// match assigns the argument type symbols sym[si:] to the parameters
// params[pi:], greedily with backtracking as the signature's regular
// expression would, recording how many each takes in counts.
func (s *signature) match(sym []byte, counts []int, pi, si int) bool {
	if pi == len(s.params) {
		return si == len(sym)
	}
	p := &s.params[pi]
	n := 0
	for si+n < len(sym) && strings.IndexByte(p.set, sym[si+n]) >= 0 && (p.plus || n < 1) {
		n++
	}
	for k := n; k >= 1; k-- {
		counts[pi] = k
		if s.match(sym, counts, pi+1, si+k) {
			return true
		}
	}
	if p.optional {
		counts[pi] = 0
		return s.match(sym, counts, pi+1, si)
	}
	return false
}
