package jsonata

import (
	"math"
	"strconv"
	"strings"
)

// decimalFormat holds the properties of an XPath decimal format.
type decimalFormat struct {
	decimal, group, exponent, percent, permille, minus, pattern string
	zero                                                        rune
	digit                                                       string
	infinity, nan                                               string
}

func defaultDecimalFormat() decimalFormat {
	return decimalFormat{decimal: ".", group: ",", exponent: "e", percent: "%", permille: "\u2030", minus: "-",
		pattern: ";", zero: '0', digit: "#", infinity: "Infinity", nan: "NaN"}
}

type numberPicture struct {
	prefix, suffix    string
	integer, fraction string
	exponent          string
	hasExponent       bool
	intGroups         []groupSep
	regular           int
	fracGroups        []int
	minInt, scaling   int
	minFrac, maxFrac  int
	minExp            int
	percent, permille bool
}

func fnFormatNumber(ev *evaluator, c call, a []any) (any, error) {
	v, ok := a[0].(float64)
	if !ok {
		return Undefined, nil
	}
	df := defaultDecimalFormat()
	if opts := arg(a, 2); isObject(opts) {
		forEachKey(opts, func(k string, val any) error {
			s, _ := val.(string)
			switch k {
			case "decimal-separator":
				df.decimal = s
			case "grouping-separator":
				df.group = s
			case "exponent-separator":
				df.exponent = s
			case "percent":
				df.percent = s
			case "per-mille":
				df.permille = s
			case "minus-sign":
				df.minus = s
			case "pattern-separator":
				df.pattern = s
			case "zero-digit":
				if r := []rune(s); len(r) > 0 {
					df.zero = r[0]
				}
			case "digit":
				df.digit = s
			case "infinity":
				df.infinity = s
			case "NaN":
				df.nan = s
			}
			return nil
		})
	}
	picture, ok := a[1].(string)
	if !ok {
		return Undefined, nil
	}
	subs := strings.Split(picture, df.pattern)
	if len(subs) > 2 {
		return nil, newError("D3080", c.pos, "formatNumber", nil)
	}
	pics := make([]*numberPicture, len(subs))
	for i, s := range subs {
		p, err := analyseNumberPicture(s, &df, c.pos)
		if err != nil {
			return nil, err
		}
		pics[i] = p
	}
	if math.IsNaN(v) {
		return df.nan, nil
	}
	pic := pics[0]
	prefix := pic.prefix
	if v < 0 {
		if len(pics) > 1 {
			pic = pics[1]
			prefix = pic.prefix
		} else {
			prefix = df.minus + prefix
		}
	}
	if math.IsInf(v, 0) {
		return prefix + df.infinity + pic.suffix, nil
	}
	x := math.Abs(v)
	if pic.percent {
		x *= 100
	} else if pic.permille {
		x *= 1000
	}
	exp := 0
	if pic.hasExponent && x != 0 {
		maxM := math.Pow(10, float64(pic.scaling))
		minM := math.Pow(10, float64(pic.scaling-1))
		for x < minM {
			x *= 10
			exp--
		}
		for x > maxM {
			x /= 10
			exp++
		}
	}
	x = roundHalfEven(x, pic.maxFrac)
	// as toFixed writes them: the double's exact digits (from 1e21,
	// where toFixed turns to exponent form, the shortest digits)
	digits := strconv.FormatFloat(x, 'f', pic.maxFrac, 64)
	if x >= 1e21 {
		digits = strconv.FormatFloat(x, 'f', -1, 64)
	}
	intPart, fracPart, _ := strings.Cut(digits, ".")
	if intPart == "0" {
		intPart = ""
	}
	for len(intPart) < pic.minInt {
		intPart = "0" + intPart
	}
	for len(fracPart) < pic.minFrac {
		fracPart += "0"
	}
	for len(fracPart) > pic.minFrac && strings.HasSuffix(fracPart, "0") {
		fracPart = fracPart[:len(fracPart)-1]
	}
	mapDigits := func(s string) []rune {
		rs := []rune(s)
		for i, r := range rs {
			rs[i] = df.zero + (r - '0')
		}
		return rs
	}
	ir := mapDigits(intPart)
	var ib []rune
	for i, r := range ir {
		fromRight := len(ir) - i
		if i > 0 {
			if pic.regular > 0 {
				if fromRight%pic.regular == 0 {
					ib = append(ib, []rune(df.group)...)
				}
			} else {
				for _, g := range pic.intGroups {
					if g.pos == fromRight {
						ib = append(ib, []rune(g.sep)...)
					}
				}
			}
		}
		ib = append(ib, r)
	}
	fr := mapDigits(fracPart)
	var fb []rune
	for i, r := range fr {
		for _, g := range pic.fracGroups {
			if g == i && i > 0 {
				fb = append(fb, []rune(df.group)...)
			}
		}
		fb = append(fb, r)
	}
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteString(string(ib))
	if len(fb) > 0 {
		b.WriteString(df.decimal)
		b.WriteString(string(fb))
	}
	if pic.hasExponent {
		b.WriteString(df.exponent)
		if exp < 0 {
			b.WriteString(df.minus)
		}
		es := strconv.Itoa(abs(exp))
		for len(es) < pic.minExp {
			es = "0" + es
		}
		b.WriteString(string(mapDigits(es)))
	}
	b.WriteString(pic.suffix)
	return b.String(), nil
}

func analyseNumberPicture(sub string, df *decimalFormat, pos int) (*numberPicture, error) {
	rs := []rune(sub)
	isDigit := func(r rune) bool { return r >= df.zero && r <= df.zero+9 }
	isActive := func(r rune) bool {
		s := string(r)
		return isDigit(r) || s == df.decimal || s == df.group || s == df.digit || s == df.pattern || s == df.exponent
	}
	pre := 0
	for pre < len(rs) && !(isActive(rs[pre]) && string(rs[pre]) != df.exponent) {
		pre++
	}
	suf := len(rs)
	for suf > 0 && !(isActive(rs[suf-1]) && string(rs[suf-1]) != df.exponent) {
		suf--
	}
	p := &numberPicture{prefix: string(rs[:pre])}
	var active []rune
	if pre <= suf {
		active = rs[pre:suf]
		p.suffix = string(rs[suf:])
	} else {
		active = rs // no active character: as jsonata-js, the whole sub-picture
		p.suffix = ""
	}
	count := func(s string) int { return strings.Count(sub, s) }
	for _, r := range active {
		if !isActive(r) {
			return nil, newError("D3086", pos, "formatNumber", nil)
		}
	}
	if count(df.decimal) > 1 {
		return nil, newError("D3081", pos, "formatNumber", nil)
	}
	if count(df.percent) > 1 {
		return nil, newError("D3082", pos, "formatNumber", nil)
	}
	if count(df.permille) > 1 {
		return nil, newError("D3083", pos, "formatNumber", nil)
	}
	if count(df.percent) > 0 && count(df.permille) > 0 {
		return nil, newError("D3084", pos, "formatNumber", nil)
	}
	p.percent = count(df.percent) > 0
	p.permille = count(df.permille) > 0
	act := string(active)
	mantissa := act
	if i := strings.Index(act, df.exponent); i >= 0 {
		mantissa = act[:i]
		p.exponent = act[i+len(df.exponent):]
		p.hasExponent = true
	}
	hasDigitIn := func(s string) bool {
		for _, r := range s {
			if isDigit(r) || string(r) == df.digit {
				return true
			}
		}
		return false
	}
	if !hasDigitIn(mantissa) {
		return nil, newError("D3085", pos, "formatNumber", nil)
	}
	for _, r := range active {
		if !isActive(r) {
			return nil, newError("D3086", pos, "formatNumber", nil)
		}
	}
	intPart, fracPart, hasDec := strings.Cut(mantissa, df.decimal)
	if hasDec && (strings.HasSuffix(intPart, df.group) || strings.HasPrefix(fracPart, df.group)) {
		return nil, newError("D3087", pos, "formatNumber", nil)
	}
	if strings.HasSuffix(intPart, df.group) {
		return nil, newError("D3088", pos, "formatNumber", nil)
	}
	if strings.Contains(mantissa, df.group+df.group) {
		return nil, newError("D3089", pos, "formatNumber", nil)
	}
	seenDigit := false
	for _, r := range intPart {
		if isDigit(r) {
			seenDigit = true
		} else if string(r) == df.digit && seenDigit {
			return nil, newError("D3090", pos, "formatNumber", nil)
		}
	}
	seenOpt := false
	for _, r := range fracPart {
		if string(r) == df.digit {
			seenOpt = true
		} else if isDigit(r) && seenOpt {
			return nil, newError("D3091", pos, "formatNumber", nil)
		}
	}
	if p.hasExponent && (p.percent || p.permille) {
		return nil, newError("D3092", pos, "formatNumber", nil)
	}
	if p.hasExponent {
		for _, r := range p.exponent {
			if !isDigit(r) {
				return nil, newError("D3093", pos, "formatNumber", nil)
			}
		}
	}
	// grouping positions
	ir := []rune(intPart)
	n := 0
	for i := len(ir) - 1; i >= 0; i-- {
		if string(ir[i]) == df.group {
			p.intGroups = append(p.intGroups, groupSep{pos: n, sep: df.group})
		} else {
			n++
		}
	}
	p.regular = regularGrouping(p.intGroups)
	n = 0
	for _, r := range fracPart {
		if string(r) == df.group {
			p.fracGroups = append(p.fracGroups, n)
		} else {
			n++
		}
	}
	for _, r := range intPart {
		if isDigit(r) {
			p.minInt++
		}
	}
	p.scaling = p.minInt
	for _, r := range fracPart {
		if isDigit(r) {
			p.minFrac++
			p.maxFrac++
		} else if string(r) == df.digit {
			p.maxFrac++
		}
	}
	for _, r := range p.exponent {
		if isDigit(r) {
			p.minExp++
		}
	}
	if p.minInt == 0 && p.maxFrac == 0 {
		if p.hasExponent {
			p.minFrac, p.maxFrac = 1, 1
		} else {
			p.minInt = 1
		}
	}
	if p.hasExponent && p.minInt == 0 && strings.Contains(intPart, df.digit) {
		p.minInt = 1
	}
	if p.minInt == 0 && p.minFrac == 0 {
		p.minFrac = 1
	}
	return p, nil
}
