package jsonata

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

type tokenKind uint8

const (
	tokEnd tokenKind = iota
	tokOperator
	tokString
	tokNumber
	tokValue // true, false, null
	tokName
	tokVariable
	tokRegex
)

type token struct {
	kind tokenKind
	str  string  // operator, string, name, variable (without $)
	num  float64 // number
	val  any     // value: true, false, nil
	re   *regexLit
	pos  int // offset just after the token, as jsonata-js reports
}

// regexLit is a compiled regular expression literal.
type regexLit struct {
	source string
	flags  string
	re     *regexp.Regexp
}

// operators maps each operator to its binding power.
var operators = map[string]int{
	".": 75, "[": 80, "]": 0, "{": 70, "}": 0, "(": 80, ")": 0, ",": 0, "@": 80, "#": 80, ";": 80,
	":": 80, "?": 20, "+": 50, "-": 50, "*": 60, "/": 60, "%": 60, "|": 20, "=": 40, "<": 40, ">": 40,
	"^": 40, "**": 60, "..": 20, ":=": 10, "!=": 40, "<=": 40, ">=": 40, "~>": 40, "?:": 40, "??": 40,
	"and": 30, "or": 25, "in": 40, "&": 50, "!": 0, "~": 0,
}

type lexer struct {
	src []rune
	pos int
}

func isOpChar(c rune) bool {
	switch c {
	case '.', '[', ']', '{', '}', '(', ')', ',', '@', '#', ';', ':', '?', '+', '-', '*', '/', '%', '|', '=', '<', '>', '^', '&', '!', '~':
		return true
	}
	return false
}

func isSpace(c rune) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0xa0 || c == 0xfeff || c == 0x2028 || c == 0x2029 || (c >= 0x2000 && c <= 0x200a) || c == 0x1680 || c == 0x202f || c == 0x205f || c == 0x3000
}

// next returns the next token. prefix says the parser expects an operand,
// where '/' starts a regular expression.
func (l *lexer) next(prefix bool) (token, error) {
	src := l.src
	for {
		for l.pos < len(src) && isSpace(src[l.pos]) {
			l.pos++
		}
		if l.pos+1 < len(src) && src[l.pos] == '/' && src[l.pos+1] == '*' {
			start := l.pos
			l.pos += 2
			for {
				if l.pos+1 >= len(src) {
					return token{}, newError("S0106", start, "", nil)
				}
				if src[l.pos] == '*' && src[l.pos+1] == '/' {
					l.pos += 2
					break
				}
				l.pos++
			}
			continue
		}
		break
	}
	if l.pos >= len(src) {
		return token{kind: tokEnd, pos: l.pos}, nil
	}
	c := src[l.pos]
	if prefix && c == '/' {
		l.pos++
		return l.regex()
	}
	two := ""
	if l.pos+1 < len(src) {
		two = string(src[l.pos : l.pos+2])
	}
	switch two {
	case "..", ":=", "!=", ">=", "<=", "**", "~>", "?:", "??":
		l.pos += 2
		return token{kind: tokOperator, str: two, pos: l.pos}, nil
	}
	if isOpChar(c) {
		l.pos++
		return token{kind: tokOperator, str: string(c), pos: l.pos}, nil
	}
	if c == '"' || c == '\'' {
		return l.string(c)
	}
	if c >= '0' && c <= '9' {
		start := l.pos
		i := l.pos
		if src[i] == '0' {
			i++
		} else {
			for i < len(src) && src[i] >= '0' && src[i] <= '9' {
				i++
			}
		}
		if i+1 < len(src) && src[i] == '.' && src[i+1] >= '0' && src[i+1] <= '9' {
			i++
			for i < len(src) && src[i] >= '0' && src[i] <= '9' {
				i++
			}
		}
		if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
			j := i + 1
			if j < len(src) && (src[j] == '+' || src[j] == '-') {
				j++
			}
			if j < len(src) && src[j] >= '0' && src[j] <= '9' {
				for j < len(src) && src[j] >= '0' && src[j] <= '9' {
					j++
				}
				i = j
			}
		}
		text := string(src[start:i])
		f, err := strconv.ParseFloat(text, 64)
		l.pos = i
		if err != nil || math.IsInf(f, 0) {
			return token{}, newError("S0102", l.pos, text, nil)
		}
		return token{kind: tokNumber, num: f, pos: l.pos}, nil
	}
	if c == '`' {
		end := -1
		for i := l.pos + 1; i < len(src); i++ {
			if src[i] == '`' {
				end = i
				break
			}
		}
		if end < 0 {
			return token{}, newError("S0105", l.pos, "", nil)
		}
		name := string(src[l.pos+1 : end])
		l.pos = end + 1
		return token{kind: tokName, str: name, pos: l.pos}, nil
	}
	start := l.pos
	i := l.pos
	for i < len(src) && !isSpace(src[i]) && !isOpChar(src[i]) {
		i++
	}
	word := string(src[start:i])
	l.pos = i
	if c == '$' {
		return token{kind: tokVariable, str: word[1:], pos: l.pos}, nil
	}
	switch word {
	case "and", "or", "in":
		return token{kind: tokOperator, str: word, pos: l.pos}, nil
	case "true":
		return token{kind: tokValue, val: true, pos: l.pos}, nil
	case "false":
		return token{kind: tokValue, val: false, pos: l.pos}, nil
	case "null":
		return token{kind: tokValue, val: nil, pos: l.pos}, nil
	}
	return token{kind: tokName, str: word, pos: l.pos}, nil
}

func (l *lexer) string(quote rune) (token, error) {
	src := l.src
	start := l.pos
	l.pos++
	var b strings.Builder
	for l.pos < len(src) {
		c := src[l.pos]
		if c == '\\' {
			l.pos++
			if l.pos >= len(src) {
				break
			}
			e := src[l.pos]
			switch e {
			case '"', '\\', '/', '\'':
				b.WriteRune(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if l.pos+4 >= len(src) {
					return token{}, newError("S0104", l.pos, "", nil)
				}
				hex := string(src[l.pos+1 : min(l.pos+5, len(src))])
				n, err := strconv.ParseUint(hex, 16, 32)
				if err != nil || len(hex) != 4 {
					return token{}, newError("S0104", l.pos, "", nil)
				}
				r := rune(n)
				l.pos += 4
				if utf16.IsSurrogate(r) && l.pos+6 < len(src) && src[l.pos+1] == '\\' && src[l.pos+2] == 'u' {
					if n2, err := strconv.ParseUint(string(src[l.pos+3:l.pos+7]), 16, 32); err == nil {
						if d := utf16.DecodeRune(r, rune(n2)); d != utf8.RuneError {
							r = d
							l.pos += 6
						}
					}
				}
				b.WriteRune(r)
			default:
				return token{}, newError("S0103", l.pos, string(e), nil)
			}
		} else if c == quote {
			l.pos++
			return token{kind: tokString, str: b.String(), pos: l.pos}, nil
		} else {
			b.WriteRune(c)
		}
		l.pos++
	}
	return token{}, newError("S0101", start, "", nil)
}

func (l *lexer) regex() (token, error) {
	src := l.src
	start := l.pos
	depth := 0
	for l.pos < len(src) {
		c := src[l.pos]
		if c == '/' && (l.pos == start || src[l.pos-1] != '\\') && depth == 0 {
			pattern := string(src[start:l.pos])
			if pattern == "" {
				return token{}, newError("S0301", l.pos, "", nil)
			}
			l.pos++
			fstart := l.pos
			for l.pos < len(src) && strings.ContainsRune("gimsuy", src[l.pos]) {
				l.pos++
			}
			flags := string(src[fstart:l.pos])
			re, err := compileRegex(pattern, flags)
			if err != nil {
				return token{}, newError("S0303", l.pos, "", pattern)
			}
			return token{kind: tokRegex, re: &regexLit{source: pattern, flags: flags, re: re}, pos: l.pos}, nil
		}
		if (c == '(' || c == '[' || c == '{') && (l.pos == start || src[l.pos-1] != '\\') {
			depth++
		}
		if (c == ')' || c == ']' || c == '}') && (l.pos == start || src[l.pos-1] != '\\') {
			depth--
		}
		l.pos++
	}
	return token{}, newError("S0302", l.pos, "", nil)
}
