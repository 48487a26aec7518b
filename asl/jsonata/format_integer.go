package jsonata

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

func fnFormatBase(ev *evaluator, c call, a []any) (any, error) {
	v, ok := a[0].(float64)
	if !ok {
		return Undefined, nil
	}
	v = roundHalfEven(v, 0)
	radix := 10.0
	if r, ok := arg(a, 1).(float64); ok {
		radix = roundHalfEven(r, 0)
	}
	if radix < 2 || radix > 36 {
		return nil, newError("D3100", c.pos, "formatBase", radix)
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return formatNumber(v), nil
	}
	neg := v < 0
	var s string
	if math.Abs(v) < 1<<63 {
		s = strconv.FormatUint(uint64(math.Abs(v)), int(radix))
	} else {
		// every digit of the double's exact value, as JavaScript's
		// toString(radix) writes it
		n, _ := new(big.Float).SetFloat64(math.Abs(v)).Int(nil)
		s = n.Text(int(radix))
	}
	if neg {
		s = "-" + s
	}
	return s, nil
}

// integerPicture is a parsed fn:format-integer picture.
type integerPicture struct {
	kind     byte // '0' decimal digits, 'a'/'A' letters, 'i'/'I' roman, 'w'/'W'/'T' words
	ordinal  bool
	zero     rune // the digit family's zero
	mand     int  // mandatory digits
	digits   int  // mandatory and optional digits
	groups   []groupSep
	regular  int
	hasDigit bool
}

type groupSep struct {
	pos int // digits to its right
	sep string
}

// digitZero returns the zero of the decimal digit family of r, or -1.
func digitZero(r rune) rune {
	if !unicode.Is(unicode.Nd, r) {
		return -1
	}
	s := r
	for unicode.Is(unicode.Nd, s-1) {
		s--
	}
	return s + (r-s)/10*10
}

func parseIntegerPicture(picture string, fname string, pos int) (*integerPicture, error) {
	p := &integerPicture{}
	primary := picture
	if i := strings.LastIndexByte(picture, ';'); i >= 0 {
		primary = picture[:i]
		mods := picture[i+1:]
		if strings.HasPrefix(mods, "o") {
			p.ordinal = true
		}
	}
	switch primary {
	case "A", "a", "I", "i", "W", "w":
		p.kind = primary[0]
		return p, nil
	case "Ww":
		p.kind = 'T'
		return p, nil
	}
	// a decimal digit pattern
	p.kind = '0'
	p.zero = -1
	rs := []rune(primary)
	digits := 0
	var seps []groupSep
	for i := len(rs) - 1; i >= 0; i-- {
		r := rs[i]
		if z := digitZero(r); z >= 0 {
			if p.zero >= 0 && z != p.zero {
				return nil, newError("D3131", pos, fname, nil)
			}
			p.zero = z
			p.mand++
			p.digits++
			digits++
			p.hasDigit = true
			continue
		}
		if r == '#' {
			digits++
			p.digits++
			continue
		}
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return nil, newError("D3130", pos, fname, string(rs))
		}
		seps = append(seps, groupSep{pos: digits, sep: string(r)})
	}
	if !p.hasDigit {
		return nil, newError("D3130", pos, fname, primary)
	}
	p.groups = seps
	p.regular = regularGrouping(seps)
	return p, nil
}

// regularGrouping returns the interval of regular grouping separators, or
// 0 when they are irregular.
func regularGrouping(seps []groupSep) int {
	if len(seps) == 0 {
		return 0
	}
	g := 0
	for _, s := range seps {
		if s.sep != seps[0].sep {
			return 0
		}
		g = gcd(g, s.pos)
	}
	if g == 0 {
		return 0
	}
	for k := 1; k <= len(seps); k++ {
		found := false
		for _, s := range seps {
			if s.pos == k*g {
				found = true
			}
		}
		if !found {
			return 0
		}
	}
	return g
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func fnFormatInteger(ev *evaluator, c call, a []any) (any, error) {
	v, ok := a[0].(float64)
	if !ok {
		return Undefined, nil
	}
	if p, _ := a[1].(string); (strings.HasPrefix(p, "I") || strings.HasPrefix(p, "i")) && math.Abs(v) >= 1e4 {
		// thousands are repeated Ms: bound the string first
		if err := ev.chargeString(int(min(math.Abs(v)/1000, 1e12)), c.pos); err != nil {
			return nil, err
		}
	}
	picture, ok := a[1].(string)
	if !ok {
		return Undefined, nil
	}
	pic, err := parseIntegerPicture(picture, "formatInteger", c.pos)
	if err != nil {
		return nil, err
	}
	return formatIntegerWith(v, pic), nil
}

func formatIntegerWith(v float64, p *integerPicture) string {
	v = math.Floor(v)
	neg := v < 0
	v = math.Abs(v)
	var s string
	switch p.kind {
	case 'A', 'a':
		s = toLetters(v, p.kind == 'A')
	case 'I', 'i':
		s = toRoman(v)
		if p.kind == 'i' {
			s = strings.ToLower(s)
		}
	case 'W', 'w', 'T':
		s = numberWords(v, p.ordinal)
		switch p.kind {
		case 'W':
			s = strings.ToUpper(s)
		case 'T':
			s = titleWords(s)
		}
	default:
		s = formatDigits(v, p)
		if p.ordinal {
			// from the digits as written (JavaScript's, for large values)
			n, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', -1, 64), 64)
			if d := strconv.FormatFloat(v, 'f', -1, 64); len(d) > 2 {
				n, _ = strconv.ParseFloat(d[len(d)-2:], 64)
			}
			s += ordinalSuffix(n)
		}
	}
	if neg {
		s = "-" + s
	}
	return s
}

func formatDigits(v float64, p *integerPicture) string {
	// the digits JavaScript writes: the shortest that read back as v
	ds := strconv.FormatFloat(v, 'f', -1, 64)
	for len(ds) < p.mand {
		ds = "0" + ds
	}
	rs := []rune(ds)
	for i, r := range rs {
		rs[i] = p.zero + (r - '0')
	}
	if len(p.groups) == 0 {
		return string(rs)
	}
	var out []rune
	n := len(rs)
	for i := 0; i < n; i++ {
		fromRight := n - i
		if i > 0 {
			if p.regular > 0 {
				if fromRight%p.regular == 0 {
					out = append(out, []rune(p.groups[0].sep)...)
				}
			} else {
				for _, g := range p.groups {
					if g.pos == fromRight {
						out = append(out, []rune(g.sep)...)
					}
				}
			}
		}
		out = append(out, rs[i])
	}
	return string(out)
}

func ordinalSuffix(v float64) string {
	n := int64(math.Mod(v, 100))
	if n >= 11 && n <= 13 {
		return "th"
	}
	switch n % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}

func toLetters(v float64, upper bool) string {
	base := 'a'
	if upper {
		base = 'A'
	}
	// in doubles, as JavaScript computes it
	n := v
	var out []rune
	for n > 0 {
		n--
		out = append([]rune{base + rune(math.Mod(n, 26))}, out...)
		n = math.Floor(n / 26)
	}
	return string(out)
}

func fromLetters(s string, upper bool) float64 {
	base := 'a'
	if upper {
		base = 'A'
	}
	n := 0.0
	for _, r := range s {
		n = n*26 + float64(r-base+1)
	}
	return n
}

var romanTable = []struct {
	v int64
	s string
}{{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"}, {50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}}

func toRoman(v float64) string {
	n := int64(v)
	var b strings.Builder
	for _, r := range romanTable {
		for n >= r.v {
			b.WriteString(r.s)
			n -= r.v
		}
	}
	return b.String()
}

func fromRoman(s string) float64 {
	vals := map[rune]int{'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}
	rs := []rune(strings.ToUpper(s))
	total := 0
	for i, r := range rs {
		v := vals[r]
		if i+1 < len(rs) && vals[rs[i+1]] > v {
			total -= v
		} else {
			total += v
		}
	}
	return float64(total)
}

var (
	smallWords = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	tensWords  = []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
	scaleWords = []struct {
		v float64
		s string
	}{{1e12, "trillion"}, {1e9, "billion"}, {1e6, "million"}, {1e3, "thousand"}}
	ordinalWords = map[string]string{"one": "first", "two": "second", "three": "third", "five": "fifth",
		"eight": "eighth", "nine": "ninth", "twelve": "twelfth"}
)

func numberWords(v float64, ordinal bool) string {
	s := cardinalWords(v)
	if !ordinal {
		return s
	}
	// the last word becomes ordinal
	cut := strings.LastIndexAny(s, " -")
	head, last := s[:cut+1], s[cut+1:]
	switch {
	case ordinalWords[last] != "":
		last = ordinalWords[last]
	case strings.HasSuffix(last, "y"):
		last = last[:len(last)-1] + "ieth"
	default:
		last += "th"
	}
	return head + last
}

func cardinalWords(v float64) string {
	switch {
	case v < 20:
		return smallWords[int(v)]
	case v < 100:
		s := tensWords[int(v)/10]
		if r := int(v) % 10; r > 0 {
			s += "-" + smallWords[r]
		}
		return s
	case v < 1000:
		s := smallWords[int(v)/100] + " hundred"
		if r := int(v) % 100; r > 0 {
			s += " and " + cardinalWords(float64(r))
		}
		return s
	}
	for _, sc := range scaleWords {
		if v >= sc.v {
			q := math.Floor(v / sc.v)
			r := v - q*sc.v
			s := cardinalWords(q) + " " + sc.s
			if r >= 1 {
				if r < 100 {
					s += " and "
				} else {
					s += ", "
				}
				s += cardinalWords(r)
			}
			return s
		}
	}
	return ""
}

func titleWords(s string) string {
	words := strings.Split(s, " ")
	for i, w := range words {
		if w == "and" {
			continue
		}
		parts := strings.Split(w, "-")
		for j, p := range parts {
			if p != "" {
				parts[j] = strings.ToUpper(p[:1]) + p[1:]
			}
		}
		words[i] = strings.Join(parts, "-")
	}
	return strings.Join(words, " ")
}

var wordValues = func() map[string]float64 {
	m := map[string]float64{}
	for i, w := range smallWords {
		m[w] = float64(i)
	}
	for i, w := range tensWords {
		if w != "" {
			m[w] = float64(i * 10)
			m[w[:len(w)-1]+"ieth"] = float64(i * 10)
		}
	}
	for w, o := range ordinalWords {
		m[o] = m[w]
	}
	for i, w := range smallWords {
		if _, ok := m[w+"th"]; !ok {
			m[w+"th"] = float64(i)
		}
	}
	return m
}()

var scaleValues = map[string]float64{"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
	"hundredth": 100, "thousandth": 1e3, "millionth": 1e6, "billionth": 1e9, "trillionth": 1e12}

func wordsValue(s string) float64 {
	s = strings.ToLower(s)
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '-' })
	var words []string
	for _, w := range f {
		if w != "and" {
			words = append(words, w)
		}
	}
	return wordsList(words)
}

func wordsList(words []string) float64 {
	if len(words) == 0 {
		return 0
	}
	best, at := 0.0, -1
	for i, w := range words {
		if v, ok := scaleValues[w]; ok && v >= best {
			best, at = v, i
		}
	}
	if at < 0 {
		t := 0.0
		for _, w := range words {
			t += wordValues[w]
		}
		return t
	}
	q := wordsList(words[:at])
	if at == 0 {
		q = 1
	}
	return q*best + wordsList(words[at+1:])
}

func fnParseInteger(ev *evaluator, c call, a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return Undefined, nil
	}
	picture, ok := a[1].(string)
	if !ok {
		return Undefined, nil
	}
	pic, err := parseIntegerPicture(picture, "parseInteger", c.pos)
	if err != nil {
		return nil, err
	}
	switch pic.kind {
	case 'A', 'a':
		return fromLetters(s, pic.kind == 'A'), nil
	case 'I', 'i':
		return fromRoman(s), nil
	case 'W', 'w', 'T':
		return wordsValue(s), nil
	}
	var b strings.Builder
	for _, r := range s {
		if z := digitZero(r); z >= 0 {
			b.WriteRune('0' + (r - z))
		}
	}
	if b.Len() == 0 {
		return Undefined, nil
	}
	f, err := strconv.ParseFloat(b.String(), 64)
	if err != nil {
		return Undefined, nil
	}
	return f, nil
}
