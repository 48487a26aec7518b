package jsonata

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// dateMarker is one [component presentation,width] of a date/time picture.
type dateMarker struct {
	literal   string
	component byte
	pres      string // presentation, e.g. "0001", "Nn", "w"
	ordinal   bool
	tradition bool
	minW      int
	maxW      int
	// explicitMax: the width gave a maximum ("2-2"), not one number
	explicitMax bool
}

var defaultPresentation = map[byte]string{'Y': "1", 'M': "1", 'D': "1", 'd': "1", 'F': "n", 'W': "1", 'w': "1",
	'X': "1", 'x': "1", 'H': "1", 'h': "1", 'P': "n", 'm': "01", 's': "01", 'f': "1", 'Z': "01:01", 'z': "01:01", 'C': "n", 'E': "n"}

func parseDatePicture(picture string, pos int) ([]dateMarker, error) {
	var out []dateMarker
	var lit strings.Builder
	rs := []rune(picture)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '[' {
			if i+1 < len(rs) && rs[i+1] == '[' {
				i++
				continue
			}
			j := i + 1
			for j < len(rs) && rs[j] != ']' {
				j++
			}
			if j >= len(rs) {
				return nil, newError("D3135", pos, "", nil)
			}
			i = j
		}
	}
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == ']' && i+1 < len(rs) && rs[i+1] == ']' {
			lit.WriteRune(']')
			i++
			continue
		}
		if r != '[' {
			lit.WriteRune(r)
			continue
		}
		if i+1 < len(rs) && rs[i+1] == '[' {
			lit.WriteRune('[')
			i++
			continue
		}
		end := -1
		for j := i + 1; j < len(rs); j++ {
			if rs[j] == ']' {
				end = j
				break
			}
		}
		if end < 0 {
			return nil, newError("D3135", pos, "", nil)
		}
		if lit.Len() > 0 {
			out = append(out, dateMarker{literal: lit.String()})
			lit.Reset()
		}
		var body []rune
		for _, c := range rs[i+1 : end] {
			if !unicode.IsSpace(c) {
				body = append(body, c)
			}
		}
		i = end
		if len(body) == 0 {
			return nil, newError("D3132", pos, "", "")
		}
		m := dateMarker{component: byte(body[0])}
		if _, ok := defaultPresentation[m.component]; !ok || body[0] > 127 {
			return nil, newError("D3132", pos, "", string(body[0]))
		}
		rest := string(body[1:])
		width := ""
		if c := strings.LastIndexByte(rest, ','); c >= 0 {
			width = rest[c+1:]
			rest = rest[:c]
		}
		if rest == "" {
			rest = defaultPresentation[m.component]
		}
		if len(rest) > 1 && (strings.HasSuffix(rest, "o") || strings.HasSuffix(rest, "t")) && rest != "Nn" {
			if rest[len(rest)-1] == 'o' {
				m.ordinal = true
			} else {
				m.tradition = true
			}
			rest = rest[:len(rest)-1]
		}
		m.pres = rest
		m.minW, m.maxW = -1, -1
		if width != "" {
			lo, hi, _ := strings.Cut(width, "-")
			if n, err := strconv.Atoi(lo); err == nil {
				m.minW = n
			}
			// one number is the minimum width; a maximum needs "-"
			if n, err := strconv.Atoi(hi); err == nil {
				m.maxW = n
				m.explicitMax = true
			}
		}
		if m.component == 'Z' || m.component == 'z' {
			// a time zone takes only digits (with a separator)
			for _, r := range m.pres {
				if unicode.IsLetter(r) {
					return nil, newError("D3134", pos, "", nil)
				}
			}
		}
		if (m.pres == "N" || m.pres == "n" || m.pres == "Nn") && !strings.ContainsRune("MFxPCE", rune(m.component)) {
			return nil, newError("D3133", pos, "", string(m.component))
		}
		out = append(out, m)
	}
	if lit.Len() > 0 {
		out = append(out, dateMarker{literal: lit.String()})
	}
	return out, nil
}

var (
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	dayNames   = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
)

func parseOffset(tz string) (int, bool) {
	if len(tz) != 5 || (tz[0] != '+' && tz[0] != '-') {
		return 0, false
	}
	h, err1 := strconv.Atoi(tz[1:3])
	m, err2 := strconv.Atoi(tz[3:5])
	if err1 != nil || err2 != nil {
		return 0, false
	}
	off := h*60 + m
	if tz[0] == '-' {
		off = -off
	}
	return off, true
}

func fnFromMillis(ev *evaluator, c call, a []any) (any, error) {
	ms, ok := a[0].(float64)
	if !ok {
		return Undefined, nil
	}
	picture, hasPic := arg(a, 1).(string)
	offset := 0
	if tz, ok := arg(a, 2).(string); ok {
		offset, _ = parseOffset(tz)
	}
	if !hasPic {
		if _, ok := arg(a, 2).(string); !ok {
			t := time.UnixMilli(int64(math.Floor(ms))).UTC()
			return t.Format("2006-01-02T15:04:05.000Z"), nil
		}
		picture = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]"
	}
	markers, err := parseDatePicture(picture, c.pos)
	if err != nil {
		return nil, err
	}
	t := time.UnixMilli(int64(math.Floor(ms))).In(time.FixedZone("", offset*60))
	var b strings.Builder
	for _, m := range markers {
		if m.component == 0 {
			b.WriteString(m.literal)
			continue
		}
		s, err := formatComponent(t, m, offset, c.pos)
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// weekOfMonth returns the week of the month (weeks from Monday, the month
// being that of the week's Thursday) and that month.
func weekOfMonth(t time.Time) (int, time.Month) {
	wd := (int(t.Weekday()) + 6) % 7 // Monday 0
	thu := t.AddDate(0, 0, 3-wd)
	return (thu.Day()-1)/7 + 1, thu.Month()
}

func formatComponent(t time.Time, m dateMarker, offset int, pos int) (string, error) {
	var v int
	name := ""
	switch m.component {
	case 'Y':
		v = t.Year()
	case 'M':
		v = int(t.Month())
		name = monthNames[v-1]
	case 'D':
		v = t.Day()
	case 'd':
		v = t.YearDay()
	case 'F':
		v = (int(t.Weekday())+6)%7 + 1
		name = dayNames[v-1]
	case 'W':
		_, v = t.ISOWeek()
	case 'X':
		v, _ = t.ISOWeek()
	case 'w':
		v, _ = weekOfMonth(t)
	case 'x':
		_, mo := weekOfMonth(t)
		v = int(mo)
		name = monthNames[v-1]
	case 'H':
		v = t.Hour()
	case 'h':
		v = t.Hour() % 12
		if v == 0 {
			v = 12
		}
	case 'P':
		name = "am"
		if t.Hour() >= 12 {
			name = "pm"
		}
	case 'm':
		v = t.Minute()
	case 's':
		v = t.Second()
	case 'f':
		// milliseconds, formatted as an integer as jsonata-js does
		v = t.Nanosecond() / 1e6
	case 'Z', 'z':
		digits := 0
		for _, r := range m.pres {
			if unicode.IsDigit(r) {
				digits++
			}
		}
		if digits > 4 {
			return "", newError("D3134", pos, "", nil)
		}
		return formatOffset(m, offset), nil
	case 'C', 'E':
		return "ISO", nil
	}
	if name != "" && (m.pres == "N" || m.pres == "n" || m.pres == "Nn") {
		if m.maxW > 0 && len(name) > m.maxW {
			name = name[:m.maxW]
		}
		switch m.pres {
		case "N":
			return strings.ToUpper(name), nil
		case "n":
			return strings.ToLower(name), nil
		}
		return name, nil
	}
	if m.component == 'P' {
		return name, nil
	}
	pic, err := parseIntegerPicture(presentationPicture(m.pres, m), "fromMillis", pos)
	if err != nil {
		return "", err
	}
	if m.component == 'Y' && m.maxW > 0 && pic.kind != '0' && m.maxW < 19 {
		// a maximum width keeps the year's last digits whatever the
		// presentation
		v %= int(math.Pow10(m.maxW))
	}
	if pic.kind == '0' {
		if m.component == 'Y' {
			// a year keeps its last n digits: n is the maximum width,
			// else the larger of the minimum width and the picture's
			// digits (mandatory and optional), when that is 2 or more
			n := m.maxW
			if n <= 0 {
				n = max(m.minW, pic.digits)
				if n < 2 {
					n = 0
				}
			}
			if n > 0 && n < 19 {
				v %= int(math.Pow10(n))
				if m.maxW > 0 && pic.mand != n {
					// a maximum width is also the year's digits
					p := *pic
					p.mand = n
					pic = &p
				}
			}
		}
		if m.minW > pic.mand {
			// the minimum width pads
			p := *pic
			p.mand = m.minW
			pic = &p
		}
	}
	return formatIntegerWith(float64(v), pic), nil
}

// presentationPicture turns a date component presentation into a
// $formatInteger picture.
func presentationPicture(pres string, m dateMarker) string {
	p := pres
	if m.ordinal {
		p += ";o"
	}
	return p
}

func fmt3(ms int) string {
	s := strconv.Itoa(ms)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

func formatOffset(m dateMarker, offset int) string {
	if m.tradition && offset == 0 {
		return "Z"
	}
	sign := "+"
	if offset < 0 {
		sign = "-"
	}
	h, mi := abs(offset)/60, abs(offset)%60
	pres := m.pres
	prefix := ""
	if m.component == 'z' {
		prefix = "GMT"
	}
	digits := 0
	sep := ""
	for _, r := range pres {
		if unicode.IsDigit(r) {
			digits++
		} else if r != '#' && sep == "" {
			sep = string(r)
		}
	}
	switch {
	case digits <= 2 && sep == "":
		s := prefix + sign + strconv.Itoa(h)
		if digits == 2 {
			s = prefix + sign + pad2(h)
		}
		if mi != 0 {
			s += ":" + pad2(mi)
		}
		return s
	case sep != "":
		return prefix + sign + pad2(h) + sep + pad2(mi)
	case digits == 3:
		return prefix + sign + strconv.Itoa(h) + pad2(mi)
	}
	return prefix + sign + pad2(h) + pad2(mi)
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func fnNow(ev *evaluator, c call, a []any) (any, error) {
	ms := float64(ev.now().UnixMilli())
	args := []any{ms}
	if p, ok := arg(a, 0).(string); ok {
		args = append(args, p)
		if tz, ok := arg(a, 1).(string); ok {
			args = append(args, tz)
		}
	}
	for len(args) < 3 {
		args = append(args, Undefined)
	}
	return fnFromMillis(ev, c, args)
}

var isoRe = regexp.MustCompile(`^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$`)

func fnToMillis(ev *evaluator, c call, a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return Undefined, nil
	}
	if p, ok := arg(a, 1).(string); ok {
		return parseWithPicture(s, p, ev, c)
	}
	m := isoRe.FindStringSubmatch(s)
	if m == nil {
		return nil, newError("D3110", c.pos, "toMillis", s)
	}
	num := func(x string, def int) int {
		if x == "" {
			return def
		}
		n, _ := strconv.Atoi(x)
		return n
	}
	ms := 0
	if m[7] != "" {
		f := (m[7] + "00")[:3]
		ms, _ = strconv.Atoi(f)
	}
	off := 0
	if tz := m[8]; tz != "" && tz != "Z" {
		off, _ = parseOffset(strings.Replace(tz, ":", "", 1))
	}
	t := time.Date(num(m[1], 0), time.Month(num(m[2], 1)), num(m[3], 1), num(m[4], 0), num(m[5], 0), num(m[6], 0), ms*1e6, time.UTC)
	return float64(t.UnixMilli() - int64(off)*60000), nil
}

// parseWithPicture parses s by a date/time picture.
func parseWithPicture(s, picture string, ev *evaluator, c call) (any, error) {
	markers, err := parseDatePicture(picture, c.pos)
	if err != nil {
		return nil, err
	}
	var re strings.Builder
	re.WriteString("^")
	var comps []dateMarker
	for i, m := range markers {
		if m.component == 0 {
			re.WriteString(regexp.QuoteMeta(m.literal))
			continue
		}
		comps = append(comps, m)
		// digits take their picture's fixed width only when the next
		// component follows with no literal between
		adjacent := i+1 < len(markers) && markers[i+1].component != 0
		re.WriteString("(" + componentPattern(m, adjacent) + ")")
	}
	re.WriteString("$")
	if len(comps) == 0 {
		return Undefined, nil
	}
	rx, err := regexp.Compile(re.String())
	if err != nil {
		return Undefined, nil
	}
	match := rx.FindStringSubmatch(s)
	if match == nil {
		return Undefined, nil
	}
	vals := map[byte]int{}
	pm := -1
	off := 0
	for i, m := range comps {
		text := match[i+1]
		switch m.component {
		case 'P':
			if strings.EqualFold(text, "pm") {
				pm = 1
			} else {
				pm = 0
			}
			continue
		case 'Z', 'z':
			off = parseOffsetText(text)
			continue
		case 'F', 'C', 'E':
			continue
		case 'f':
			f := (text + "00")[:3]
			n, _ := strconv.Atoi(f)
			vals['f'] = n
			continue
		}
		if m.pres == "N" || m.pres == "n" || m.pres == "Nn" {
			// the name as the picture writes it: its case, its width
			for k, nm := range monthNames {
				if m.maxW > 0 && len(nm) > m.maxW {
					nm = nm[:m.maxW]
				}
				switch m.pres {
				case "N":
					nm = strings.ToUpper(nm)
				case "n":
					nm = strings.ToLower(nm)
				}
				if nm == text {
					vals[m.component] = k + 1
				}
			}
			continue
		}
		pic, err := parseIntegerPicture(presentationPicture(m.pres, m), "toMillis", c.pos)
		if err != nil {
			return nil, err
		}
		var v float64
		switch pic.kind {
		case 'A', 'a':
			v = fromLetters(text, pic.kind == 'A')
		case 'I', 'i':
			v = fromRoman(text)
		case 'W', 'w', 'T':
			v = wordsValue(text)
		default:
			var b strings.Builder
			for _, r := range text {
				if z := digitZero(r); z >= 0 {
					b.WriteRune('0' + (r - z))
				}
			}
			v, _ = strconv.ParseFloat(b.String(), 64)
		}
		vals[m.component] = int(v)
	}
	if pm >= 0 {
		h := vals['h'] % 12
		if pm == 1 {
			h += 12
		}
		vals['H'] = h
		delete(vals, 'h')
	}
	// the components given must be contiguous from the most significant
	_, hasD := vals['d']
	order := []byte{'Y', 'M', 'D', 'H', 'm', 's', 'f'}
	if hasD {
		order = []byte{'Y', 'd', 'H', 'm', 's', 'f'}
	}
	if _, ok := vals['X']; ok {
		return nil, newError("D3136", c.pos, "toMillis", nil)
	}
	if _, ok := vals['W']; ok {
		return nil, newError("D3136", c.pos, "toMillis", nil)
	}
	first, last := -1, -1
	for i, k := range order {
		if _, ok := vals[k]; ok {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	for i := first; i >= 0 && i <= last; i++ {
		if _, ok := vals[order[i]]; !ok {
			return nil, newError("D3136", c.pos, "toMillis", nil)
		}
	}
	now := ev.now().UTC()
	get := func(k byte, def int) int {
		if v, ok := vals[k]; ok {
			return v
		}
		return def
	}
	defY, defM, defD := 0, 1, 1
	if first > 0 {
		defY, defM, defD = now.Year(), int(now.Month()), now.Day()
		if hasD {
			defD = now.YearDay()
		}
	}
	if y, ok := vals['Y']; ok && y >= 0 && y <= 99 {
		// jsonata-js builds the instant with Date.UTC, which reads years
		// 0 to 99 as 1900 to 1999
		vals['Y'] = y + 1900
	}
	var t time.Time
	if hasD {
		t = time.Date(get('Y', defY), 1, 1, get('H', 0), get('m', 0), get('s', 0), get('f', 0)*1e6, time.UTC).AddDate(0, 0, get('d', defD)-1)
	} else {
		t = time.Date(get('Y', defY), time.Month(get('M', defM)), get('D', defD), get('H', 0), get('m', 0), get('s', 0), get('f', 0)*1e6, time.UTC)
	}
	return float64(t.UnixMilli() - int64(off)*60000), nil
}

func parseOffsetText(s string) int {
	s = strings.TrimPrefix(s, "GMT")
	if s == "Z" || s == "" {
		return 0
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	s = s[1:]
	h, mi := 0, 0
	if i := strings.IndexByte(s, ':'); i >= 0 {
		h, _ = strconv.Atoi(s[:i])
		mi, _ = strconv.Atoi(s[i+1:])
	} else if len(s) > 2 {
		h, _ = strconv.Atoi(s[:len(s)-2])
		mi, _ = strconv.Atoi(s[len(s)-2:])
	} else {
		h, _ = strconv.Atoi(s)
	}
	return sign * (h*60 + mi)
}

func componentPattern(m dateMarker, adjacent bool) string {
	switch m.component {
	case 'P':
		return `[aApP][mM]`
	case 'Z', 'z':
		digits, sep := 0, ""
		for _, r := range m.pres {
			if unicode.IsDigit(r) {
				digits++
			} else if r != '#' && sep == "" {
				sep = string(r)
			}
		}
		var p string
		switch {
		case sep != "":
			p = `[+-]\d{2}` + regexp.QuoteMeta(sep) + `\d{2}`
		case digits <= 2:
			p = `[+-]\d{1,2}(?::\d{2})?`
		case digits == 3:
			p = `[+-]\d{3}`
		default:
			p = `[+-]\d{4}`
		}
		if m.component == 'z' {
			p = `GMT` + p
		}
		if m.tradition {
			p += `|Z`
		}
		return p
	}
	switch m.pres {
	case "N", "n", "Nn":
		return `[A-Za-z]+`
	case "I", "i":
		return `[IVXLCDMivxlcdm]+`
	case "A", "a":
		return `[A-Za-z]+`
	case "W", "w", "Ww":
		return numberWordsPattern
	}
	digits := 0
	for _, r := range m.pres {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	p := `\d+`
	if adjacent && m.component != 'f' {
		if digits > 1 {
			p = `\d{` + strconv.Itoa(digits) + `}`
		} else if m.maxW > 0 {
			p = `\d{1,` + strconv.Itoa(m.maxW) + `}`
		}
	}
	if m.ordinal {
		p += `(?:st|nd|rd|th)`
	}
	return p
}

// numberWordsPattern matches English number words (cardinal or ordinal).
var numberWordsPattern = func() string {
	var words []string
	for w := range wordValues {
		words = append(words, w)
	}
	for w := range scaleValues {
		words = append(words, w)
	}
	words = append(words, "and")
	sort.Slice(words, func(i, j int) bool { return len(words[i]) > len(words[j]) })
	alt := strings.Join(words, "|")
	return `(?i:(?:` + alt + `)(?:[ ,-]+(?:` + alt + `))*)`
}()
