package jsonata

import "strconv"

type parser struct {
	lex  lexer
	tok  token
	src  []rune
	prev token
	// ancestors counts % operators, to label them.
	ancestors int
	depth     int
}

// maxParseDepth bounds the nesting of an expression, so that parsing and
// evaluating it cannot exhaust the stack.
const maxParseDepth = 1000

// parse parses and processes an expression.
func parse(expr string) (*node, error) {
	p := &parser{src: []rune(expr)}
	p.lex = lexer{src: p.src}
	if err := p.read(true); err != nil {
		return nil, err
	}
	n, err := p.expression(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEnd {
		return nil, newError("S0201", p.tok.pos, p.tokText(), nil)
	}
	return p.process(n)
}

func (p *parser) tokText() string {
	t := p.tok
	switch t.kind {
	case tokEnd:
		return "(end)"
	case tokNumber:
		return strconv.FormatFloat(t.num, 'g', -1, 64)
	case tokValue:
		return stringify(t.val, false)
	case tokRegex:
		return t.re.source
	case tokVariable:
		return "$" + t.str
	}
	return t.str
}

// read lexes the next token; prefix says an operand is expected.
func (p *parser) read(prefix bool) error {
	p.prev = p.tok
	t, err := p.lex.next(prefix)
	if err != nil {
		return err
	}
	if t.kind == tokOperator && (t.str == "!" || t.str == "~") {
		return newError("S0204", t.pos, t.str, nil)
	}
	p.tok = t
	return nil
}

// advance consumes the current token, which must be the operator op when
// op is not "", and reads the next one.
func (p *parser) advance(op string) error {
	if op != "" {
		if p.tok.kind == tokEnd {
			return newError("S0203", p.tok.pos, "", op)
		}
		if p.tok.kind != tokOperator || p.tok.str != op {
			return newError("S0202", p.tok.pos, p.tokText(), op)
		}
	}
	prefix := false
	if p.tok.kind == tokOperator {
		switch p.tok.str {
		case ")", "]", "}":
		default:
			prefix = true
		}
	}
	return p.read(prefix)
}

func (p *parser) isOp(op string) bool { return p.tok.kind == tokOperator && p.tok.str == op }

// lbp is the left binding power of the current token.
func (p *parser) lbp() int {
	if p.tok.kind != tokOperator {
		return 0
	}
	switch p.tok.str {
	case ".", "[", "{", "(", "@", "#", "?", "+", "-", "*", "/", "%", "=", "<", ">", "^",
		":=", "!=", "<=", ">=", "~>", "?:", "??", "and", "or", "in", "&":
		return operators[p.tok.str]
	}
	return 0
}

func (p *parser) expression(rbp int) (*node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxParseDepth {
		return nil, &Error{Code: "U1001", Position: p.tok.pos, Message: "Expression nested too deeply"}
	}
	t := p.tok
	// the token after an operand position is lexed as an operator, as in
	// jsonata-js: a '/' there divides, even after '(', '[' or '-'
	if err := p.read(false); err != nil {
		return nil, err
	}
	left, err := p.nud(t)
	if err != nil {
		return nil, err
	}
	for rbp < p.lbp() {
		t = p.tok
		if err := p.advance(""); err != nil {
			return nil, err
		}
		left, err = p.led(t, left)
		if err != nil {
			return nil, err
		}
	}
	return left, nil
}

func (p *parser) nud(t token) (*node, error) {
	switch t.kind {
	case tokEnd:
		return nil, newError("S0207", t.pos, "", nil)
	case tokName:
		return &node{kind: kName, op: t.str, pos: t.pos}, nil
	case tokVariable:
		return &node{kind: kVariable, op: t.str, pos: t.pos}, nil
	case tokString:
		return &node{kind: kString, op: t.str, val: t.str, pos: t.pos}, nil
	case tokNumber:
		return &node{kind: kNumber, num: t.num, val: t.num, pos: t.pos}, nil
	case tokValue:
		return &node{kind: kValue, val: t.val, pos: t.pos}, nil
	case tokRegex:
		return &node{kind: kRegex, re: t.re, pos: t.pos}, nil
	}
	switch t.str {
	case "and", "or", "in":
		return &node{kind: kName, op: t.str, pos: t.pos}, nil
	case "-":
		e, err := p.expression(70)
		if err != nil {
			return nil, err
		}
		return &node{kind: kNegate, lhs: e, pos: t.pos}, nil
	case "*":
		return &node{kind: kWildcard, op: "*", pos: t.pos}, nil
	case "**":
		return &node{kind: kDescendant, op: "**", pos: t.pos}, nil
	case "%":
		return &node{kind: kParent, op: "%", pos: t.pos}, nil
	case "(":
		n := &node{kind: kBlock, pos: t.pos}
		for !p.isOp(")") {
			e, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, e)
			if !p.isOp(";") {
				break
			}
			if err := p.advance(";"); err != nil {
				return nil, err
			}
		}
		if err := p.advance(")"); err != nil {
			return nil, err
		}
		return n, nil
	case "[":
		n := &node{kind: kArray, pos: t.pos}
		if !p.isOp("]") {
			for {
				e, err := p.expression(0)
				if err != nil {
					return nil, err
				}
				if p.isOp("..") {
					pos := p.tok.pos
					if err := p.advance(".."); err != nil {
						return nil, err
					}
					r, err := p.expression(0)
					if err != nil {
						return nil, err
					}
					e = &node{kind: kBinary, op: "..", lhs: e, rhs: r, pos: pos}
				}
				n.items = append(n.items, e)
				if !p.isOp(",") {
					break
				}
				if err := p.advance(","); err != nil {
					return nil, err
				}
			}
		}
		if err := p.advance("]"); err != nil {
			return nil, err
		}
		return n, nil
	case "{":
		pairs, err := p.pairs()
		if err != nil {
			return nil, err
		}
		return &node{kind: kObject, pairs: pairs, pos: t.pos}, nil
	case "|":
		n := &node{kind: kTransform, pos: t.pos}
		var err error
		if n.lhs, err = p.expression(0); err != nil {
			return nil, err
		}
		if err := p.advance("|"); err != nil {
			return nil, err
		}
		if n.rhs, err = p.expression(0); err != nil {
			return nil, err
		}
		if p.isOp(",") {
			if err := p.advance(","); err != nil {
				return nil, err
			}
			if n.els, err = p.expression(0); err != nil {
				return nil, err
			}
		}
		if err := p.advance("|"); err != nil {
			return nil, err
		}
		return n, nil
	}
	return nil, newError("S0211", t.pos, t.str, nil)
}

func (p *parser) pairs() ([]pair, error) {
	var pairs []pair
	if !p.isOp("}") {
		for {
			k, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			if err := p.advance(":"); err != nil {
				return nil, err
			}
			v, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, pair{k, v})
			if !p.isOp(",") {
				break
			}
			if err := p.advance(","); err != nil {
				return nil, err
			}
		}
	}
	if err := p.advance("}"); err != nil {
		return nil, err
	}
	return pairs, nil
}

func (p *parser) led(t token, left *node) (*node, error) {
	bp := operators[t.str]
	switch t.str {
	case ".", "+", "-", "*", "/", "%", "=", "<", ">", "!=", "<=", ">=", "&", "and", "or", "in", "??", "?:", "~>":
		if t.str == "??" || t.str == "?:" {
			// as in jsonata-js, these are conditions: everything to
			// their right is the alternative
			bp = 0
		}
		r, err := p.expression(bp)
		if err != nil {
			return nil, err
		}
		k := kBinary
		switch t.str {
		case ".":
			k = kDot
		case "~>":
			k = kApply
		}
		return &node{kind: k, op: t.str, lhs: left, rhs: r, pos: t.pos}, nil
	case ":=":
		if left.kind != kVariable {
			return nil, newError("S0212", t.pos, t.str, nil)
		}
		r, err := p.expression(bp - 1)
		if err != nil {
			return nil, err
		}
		return &node{kind: kBind, lhs: left, rhs: r, pos: t.pos}, nil
	case "?":
		n := &node{kind: kCondition, lhs: left, pos: t.pos}
		var err error
		if n.rhs, err = p.expression(0); err != nil {
			return nil, err
		}
		if p.isOp(":") {
			if err := p.advance(":"); err != nil {
				return nil, err
			}
			if n.els, err = p.expression(0); err != nil {
				return nil, err
			}
		}
		return n, nil
	case "(":
		n := &node{kind: kCall, lhs: left, pos: t.pos}
		for !p.isOp(")") {
			if p.isOp("?") {
				n.kind = kPartial
				n.items = append(n.items, &node{kind: kPlaceholder, pos: p.tok.pos})
				if err := p.advance("?"); err != nil {
					return nil, err
				}
			} else {
				e, err := p.expression(0)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, e)
			}
			if !p.isOp(",") {
				break
			}
			if err := p.advance(","); err != nil {
				return nil, err
			}
		}
		if err := p.advance(")"); err != nil {
			return nil, err
		}
		if left.kind == kName && (left.op == "function" || left.op == "λ") {
			lam := &node{kind: kLambda, pos: t.pos}
			for _, a := range n.items {
				if a.kind != kVariable {
					return nil, newError("S0208", a.pos, "", strconv.Itoa(len(lam.params)+1))
				}
				lam.params = append(lam.params, a.op)
			}
			if p.isOp("<") {
				// the signature is read as raw text up to the matching '>'
				src := p.lex.src
				start := p.lex.pos
				depth := 1
				i := start
				for ; i < len(src) && depth > 0; i++ {
					switch src[i] {
					case '<':
						depth++
					case '>':
						depth--
					}
				}
				if depth > 0 {
					return nil, newError("S0203", len(src), "", ">")
				}
				text := string(src[start : i-1])
				sig, err := parseSignature(text, p.tok.pos)
				if err != nil {
					return nil, err
				}
				lam.sig = sig
				p.lex.pos = i
				if err := p.read(true); err != nil {
					return nil, err
				}
			}
			if err := p.advance("{"); err != nil {
				return nil, err
			}
			body, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			lam.rhs = body
			if err := p.advance("}"); err != nil {
				return nil, err
			}
			return lam, nil
		}
		return n, nil
	case "[":
		if p.isOp("]") {
			step := left
			for step.kind == kPredicate {
				step = step.lhs
			}
			step.keepArray = true
			// jsonata-js lexes the token after the ']' of '[]' as an
			// operand: a '/' there starts a regular expression
			if err := p.advance("]"); err != nil {
				return nil, err
			}
			if err := p.relexRegex(); err != nil {
				return nil, err
			}
			return left, nil
		}
		r, err := p.expression(0)
		if err != nil {
			return nil, err
		}
		if err := p.advance("]"); err != nil {
			return nil, err
		}
		return &node{kind: kPredicate, lhs: left, rhs: r, pos: t.pos}, nil
	case "{":
		pairs, err := p.pairs()
		if err != nil {
			return nil, err
		}
		return &node{kind: kGroupBy, lhs: left, pairs: pairs, pos: t.pos}, nil
	case "^":
		if err := p.advance("("); err != nil {
			return nil, err
		}
		n := &node{kind: kOrderBy, lhs: left, pos: t.pos}
		for {
			desc := false
			if p.isOp("<") {
				if err := p.advance("<"); err != nil {
					return nil, err
				}
			} else if p.isOp(">") {
				desc = true
				if err := p.advance(">"); err != nil {
					return nil, err
				}
			}
			e, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			n.terms = append(n.terms, sortTerm{expr: e, desc: desc})
			if !p.isOp(",") {
				break
			}
			if err := p.advance(","); err != nil {
				return nil, err
			}
		}
		if err := p.advance(")"); err != nil {
			return nil, err
		}
		if err := p.relexRegex(); err != nil {
			return nil, err
		}
		return n, nil
	case "@", "#":
		r, err := p.expression(bp)
		if err != nil {
			return nil, err
		}
		if r.kind != kVariable {
			return nil, newError("S0214", r.pos, t.str, nil)
		}
		k := kFocus
		if t.str == "#" {
			k = kIndexBind
		}
		return &node{kind: k, lhs: left, op: r.op, pos: t.pos}, nil
	}
	return nil, newError("S0204", t.pos, t.str, nil)
}

// relexRegex reads a '/' just lexed as an operator again as the start of
// a regular expression: jsonata-js lexes the token after the ']' of '[]'
// and after the ')' of an order-by in operand position.
func (p *parser) relexRegex() error {
	if p.tok.kind == tokOperator && p.tok.str == "/" {
		p.lex.pos = p.tok.pos - 1
		return p.read(true)
	}
	return nil
}
