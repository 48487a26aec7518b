package asl

import (
	"errors"
	"strings"
)

// The syntax checks Validate applies to paths and intrinsic function calls.
// They accept what AWS accepts at CreateStateMachine time; evaluation (and
// its stricter runtime errors) belongs to asl/jsonpath.

var errSyntax = errors.New("invalid syntax")

// checkPath checks a JSONPath: "$" (the input), "$$" (the context object)
// or "$name" (a variable), followed by dot, bracket, wildcard, slice and
// filter segments.
// https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html
func checkPath(expr string) error {
	return scanPath(expr, false)
}

// checkReferencePath checks a reference path: a JSONPath that selects a
// single node, so without wildcards, deep scan, filters, unions or slices.
// https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html#amazon-states-language-reference-paths
func checkReferencePath(expr string) error {
	return scanPath(expr, true)
}

func scanPath(expr string, reference bool) error {
	if !strings.HasPrefix(expr, "$") {
		return errSyntax
	}
	i := 1
	switch {
	case strings.HasPrefix(expr, "$$"):
		i = 2
	case len(expr) > 1 && isIdentStart(expr[1]):
		for i < len(expr) && isIdentPart(expr[i]) {
			i++
		}
	}
	for i < len(expr) {
		switch expr[i] {
		case '.':
			i++
			if i < len(expr) && expr[i] == '.' {
				if reference {
					return errSyntax
				}
				i++
			}
			if i < len(expr) && expr[i] == '*' {
				if reference {
					return errSyntax
				}
				i++
				continue
			}
			start := i
			for i < len(expr) && expr[i] != '.' && expr[i] != '[' {
				if strings.IndexByte(" ()'\"", expr[i]) >= 0 && !isNameRune(expr[i]) {
					return errSyntax
				}
				i++
			}
			if i == start {
				return errSyntax
			}
		case '[':
			end, err := scanBracket(expr, i, reference)
			if err != nil {
				return err
			}
			i = end
		default:
			return errSyntax
		}
	}
	return nil
}

func isNameRune(c byte) bool { return c != ' ' && c != '(' && c != ')' && c != '\'' && c != '"' }

// scanBracket checks the bracket segment starting at expr[i] == '[' and
// returns the index after its closing ']'.
func scanBracket(expr string, i int, reference bool) (int, error) {
	j := i + 1
	if j < len(expr) && (expr[j] == '\'' || expr[j] == '"') {
		q := expr[j]
		j++
		for j < len(expr) && expr[j] != q {
			if expr[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(expr) {
			return 0, errSyntax
		}
		j++
		if j < len(expr) && expr[j] == ',' {
			if reference {
				return 0, errSyntax
			}
			k := strings.IndexByte(expr[j:], ']')
			if k < 0 {
				return 0, errSyntax
			}
			return j + k + 1, nil
		}
		if j >= len(expr) || expr[j] != ']' {
			return 0, errSyntax
		}
		return j + 1, nil
	}
	if j < len(expr) && expr[j] == '?' {
		if reference {
			return 0, errSyntax
		}
		depth := 0
		for k := j; k < len(expr); k++ {
			switch expr[k] {
			case '(':
				depth++
			case ')':
				depth--
			case ']':
				if depth == 0 {
					return k + 1, nil
				}
			case '\'', '"':
				q := expr[k]
				k++
				for k < len(expr) && expr[k] != q {
					k++
				}
			}
		}
		return 0, errSyntax
	}
	k := strings.IndexByte(expr[j:], ']')
	if k <= 0 {
		return 0, errSyntax
	}
	body := expr[j : j+k]
	if body == "*" {
		if reference {
			return 0, errSyntax
		}
		return j + k + 1, nil
	}
	for p := 0; p < len(body); p++ {
		c := body[p]
		switch {
		case c >= '0' && c <= '9', c == '-', c == ' ':
		case c == ',' || c == ':':
			if reference {
				return 0, errSyntax
			}
		default:
			return 0, errSyntax
		}
	}
	return j + k + 1, nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// intrinsicNames are the 18 intrinsic functions.
// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
func isIntrinsicName(name string) bool {
	switch name {
	case "States.Format", "States.StringToJson", "States.JsonToString",
		"States.Array", "States.ArrayPartition", "States.ArrayContains",
		"States.ArrayRange", "States.ArrayGetItem", "States.ArrayLength",
		"States.ArrayUnique", "States.Base64Encode", "States.Base64Decode",
		"States.Hash", "States.JsonMerge", "States.MathRandom", "States.MathAdd",
		"States.StringSplit", "States.UUID":
		return true
	}
	return false
}

// checkIntrinsic checks an intrinsic function call: a known function name
// and a parenthesised argument list of string literals (in single quotes,
// where only \' \{ \} and \\ are escapes), numbers, booleans, null, paths
// and nested calls.
// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
func checkIntrinsic(expr string) error {
	p := intrinsicScanner{s: expr}
	if err := p.call(); err != nil {
		return err
	}
	p.space()
	if p.i != len(p.s) {
		return errSyntax
	}
	return nil
}

type intrinsicScanner struct {
	s     string
	i     int
	depth int
}

func (p *intrinsicScanner) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *intrinsicScanner) call() error {
	p.depth++
	if p.depth > 64 {
		return errSyntax
	}
	start := p.i
	for p.i < len(p.s) && (isIdentPart(p.s[p.i]) || p.s[p.i] == '.') {
		p.i++
	}
	if !isIntrinsicName(p.s[start:p.i]) || p.i >= len(p.s) || p.s[p.i] != '(' {
		return errSyntax
	}
	p.i++
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
		p.depth--
		return nil
	}
	for {
		p.space()
		if err := p.arg(); err != nil {
			return err
		}
		p.space()
		if p.i >= len(p.s) {
			return errSyntax
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ')':
			p.i++
			p.depth--
			return nil
		default:
			return errSyntax
		}
	}
}

func (p *intrinsicScanner) arg() error {
	if p.i >= len(p.s) {
		return errSyntax
	}
	switch c := p.s[p.i]; {
	case c == '\'':
		p.i++
		for p.i < len(p.s) {
			switch p.s[p.i] {
			case '\\':
				if p.i+1 >= len(p.s) || strings.IndexByte(`'{}\`, p.s[p.i+1]) < 0 {
					return errSyntax
				}
				p.i += 2
			case '\'':
				p.i++
				return nil
			default:
				p.i++
			}
		}
		return errSyntax
	case c == '$':
		start := p.i
		depth := 0
		for p.i < len(p.s) {
			c := p.s[p.i]
			if depth == 0 && (c == ',' || c == ')') {
				break
			}
			switch c {
			case '[', '(':
				depth++
			case ']', ')':
				depth--
			case '\'', '"':
				p.i++
				for p.i < len(p.s) && p.s[p.i] != c {
					p.i++
				}
			}
			p.i++
		}
		return checkPath(strings.TrimRight(p.s[start:p.i], " "))
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		p.i++
		for p.i < len(p.s) && strings.IndexByte("0123456789.eE+-", p.s[p.i]) >= 0 {
			p.i++
		}
		if p.s[start:p.i] == "-" {
			return errSyntax
		}
		return nil
	case strings.HasPrefix(p.s[p.i:], "States."):
		return p.call()
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if strings.HasPrefix(p.s[p.i:], lit) {
				p.i += len(lit)
				return nil
			}
		}
		return errSyntax
	}
}
