package jsonata

import (
	"encoding/base64"
	"math"
	"math/big"
	"math/rand/v2"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

var builtins map[string]*builtin

func init() {
	builtins = map[string]*builtin{}
	def := func(name, sig string, fn builtinFn) {
		builtins[name] = &builtin{name: name, sig: mustSignature(sig), fn: fn}
	}
	def("sum", "<a<n>:n>", fnSum)
	def("count", "<a:n>", fnCount)
	def("max", "<a<n>:n>", func(ev *evaluator, c call, a []any) (any, error) { return extremum(a[0], 1) })
	def("min", "<a<n>:n>", func(ev *evaluator, c call, a []any) (any, error) { return extremum(a[0], -1) })
	def("average", "<a<n>:n>", fnAverage)
	def("string", "<x-b?:s>", fnString)
	def("substring", "<s-nn?:s>", fnSubstring)
	def("substringBefore", "<s-s:s>", fnSubstringBefore)
	def("substringAfter", "<s-s:s>", fnSubstringAfter)
	def("lowercase", "<s-:s>", strFn(strings.ToLower))
	def("uppercase", "<s-:s>", strFn(strings.ToUpper))
	def("length", "<s-:n>", func(ev *evaluator, c call, a []any) (any, error) {
		s, ok := a[0].(string)
		if !ok {
			return Undefined, nil
		}
		return float64(utf8.RuneCountInString(s)), nil
	})
	def("trim", "<s-:s>", strFn(trimJSONata))
	def("pad", "<s-ns?:s>", fnPad)
	def("match", "<s-f<s:o>n?:a<o>>", fnMatch)
	def("contains", "<s-(sf):b>", fnContains)
	def("replace", "<s-(sf)(sf)n?:s>", fnReplace)
	def("split", "<s-(sf)n?:a<s>>", fnSplit)
	def("join", "<a<s>s?:s>", fnJoin)
	def("formatNumber", "<n-so?:s>", fnFormatNumber)
	def("formatBase", "<n-n?:s>", fnFormatBase)
	def("formatInteger", "<n-s:s>", fnFormatInteger)
	def("parseInteger", "<s-s:n>", fnParseInteger)
	def("number", "<(nsb)-:n>", fnNumber)
	def("floor", "<n-:n>", numFn(math.Floor))
	def("ceil", "<n-:n>", numFn(math.Ceil))
	def("round", "<n-n?:n>", fnRound)
	def("abs", "<n-:n>", numFn(math.Abs))
	def("sqrt", "<n-:n>", func(ev *evaluator, c call, a []any) (any, error) {
		f, ok := a[0].(float64)
		if !ok {
			return Undefined, nil
		}
		if f < 0 {
			return nil, newError("D3060", c.pos, "sqrt", f)
		}
		return math.Sqrt(f), nil
	})
	def("power", "<n-n:n>", func(ev *evaluator, c call, a []any) (any, error) {
		b, ok := a[0].(float64)
		if !ok {
			return Undefined, nil
		}
		e, _ := a[1].(float64)
		r := pow(b, e)
		if math.IsInf(r, 0) || math.IsNaN(r) {
			return nil, errorWith("D3061", c.pos, "power", b, map[string]string{"exp": formatNumber(e)})
		}
		return r, nil
	})
	def("random", "<:n>", func(ev *evaluator, c call, a []any) (any, error) { return rand.Float64(), nil })
	def("boolean", "<x-:b>", func(ev *evaluator, c call, a []any) (any, error) {
		if IsUndefined(a[0]) {
			return Undefined, nil
		}
		return boolOf(a[0], c.pos)
	})
	def("not", "<x-:b>", func(ev *evaluator, c call, a []any) (any, error) {
		if IsUndefined(a[0]) {
			return Undefined, nil
		}
		b, err := boolOf(a[0], c.pos)
		return !b, err
	})
	def("map", "<af>", fnMap)
	def("zip", "<a+>", fnZip)
	def("filter", "<af>", fnFilter)
	def("single", "<af?>", fnSingle)
	def("reduce", "<afj?:j>", fnReduce)
	def("sift", "<o-f?:o>", fnSift)
	def("keys", "<x-:a<s>>", fnKeys)
	def("lookup", "<x-s:x>", func(ev *evaluator, c call, a []any) (any, error) {
		s, _ := a[1].(string)
		return lookupField(a[0], s), nil
	})
	def("append", "<xx:a>", func(ev *evaluator, c call, a []any) (any, error) {
		r := appendValues(a[0], a[1])
		if items, ok := asArray(r); ok {
			if err := ev.charge(len(items), c.pos); err != nil {
				return nil, err
			}
		}
		return r, nil
	})
	def("exists", "<x:b>", func(ev *evaluator, c call, a []any) (any, error) { return !IsUndefined(a[0]), nil })
	def("spread", "<x-:a<o>>", fnSpread)
	def("merge", "<a<o>:o>", fnMerge)
	def("reverse", "<a:a>", func(ev *evaluator, c call, a []any) (any, error) {
		items, ok := asArray(a[0])
		if !ok {
			return Undefined, nil
		}
		out := make([]any, len(items))
		for i, it := range items {
			out[len(items)-1-i] = it
		}
		return out, nil
	})
	def("each", "<o-f:a>", fnEach)
	def("error", "<s?:x>", func(ev *evaluator, c call, a []any) (any, error) {
		msg, ok := a[0].(string)
		if !ok {
			msg = "$error() function evaluated"
		}
		return nil, errorWith("D3137", c.pos, "error", nil, map[string]string{"message": msg})
	})
	def("assert", "<bs?:x>", func(ev *evaluator, c call, a []any) (any, error) {
		b, _ := a[0].(bool)
		if !b {
			msg, ok := a[1].(string)
			if !ok {
				msg = "$assert() statement failed"
			}
			return nil, errorWith("D3141", c.pos, "assert", nil, map[string]string{"message": msg})
		}
		return Undefined, nil
	})
	def("type", "<x:s>", func(ev *evaluator, c call, a []any) (any, error) { return typeName(a[0]), nil })
	def("sort", "<af?:a>", fnSort)
	def("shuffle", "<a:a>", func(ev *evaluator, c call, a []any) (any, error) {
		items, ok := asArray(a[0])
		if !ok {
			return Undefined, nil
		}
		out := append([]any(nil), items...)
		rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out, nil
	})
	def("distinct", "<x:x>", fnDistinct)
	def("base64encode", "<s-:s>", strFn(func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }))
	def("base64decode", "<s-:s>", func(ev *evaluator, c call, a []any) (any, error) {
		s, ok := a[0].(string)
		if !ok {
			return Undefined, nil
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
			if err != nil {
				return Undefined, nil
			}
		}
		return string(b), nil
	})
	def("encodeUrlComponent", "<s-:s>", urlFn("encodeUrlComponent", func(s string) (string, bool) { return encodeURI(s, uriUnreservedComponent), true }))
	def("encodeUrl", "<s-:s>", urlFn("encodeUrl", func(s string) (string, bool) { return encodeURI(s, uriUnreservedFull), true }))
	def("decodeUrlComponent", "<s-:s>", urlFn("decodeUrlComponent", func(s string) (string, bool) {
		r, err := url.PathUnescape(s)
		return r, err == nil
	}))
	def("decodeUrl", "<s-:s>", urlFn("decodeUrl", func(s string) (string, bool) { return decodeURI(s) }))
	def("eval", "<sx?:x>", fnEval)
	def("toMillis", "<s-s?:n>", fnToMillis)
	def("fromMillis", "<n-s?s?:s>", fnFromMillis)
	def("clone", "<(oa)-:o>", func(ev *evaluator, c call, a []any) (any, error) { return deepClone(a[0]), nil })
	def("now", "<s?s?:s>", fnNow)
	def("millis", "<:n>", func(ev *evaluator, c call, a []any) (any, error) {
		return float64(ev.now().UnixMilli()), nil
	})
}

func arg(a []any, i int) any {
	if i < len(a) {
		return a[i]
	}
	return Undefined
}

func strFn(f func(string) string) builtinFn {
	return func(ev *evaluator, c call, a []any) (any, error) {
		s, ok := a[0].(string)
		if !ok {
			return Undefined, nil
		}
		return f(s), nil
	}
}

func numFn(f func(float64) float64) builtinFn {
	return func(ev *evaluator, c call, a []any) (any, error) {
		x, ok := a[0].(float64)
		if !ok {
			return Undefined, nil
		}
		return f(x), nil
	}
}

func urlFn(name string, f func(string) (string, bool)) builtinFn {
	return func(ev *evaluator, c call, a []any) (any, error) {
		s, ok := a[0].(string)
		if !ok {
			return Undefined, nil
		}
		r, ok := f(s)
		if !ok || strings.ContainsRune(s, utf8.RuneError) {
			e := errorWith("D3140", c.pos, "", s, map[string]string{"functionName": name})
			e.Message = "Malformed URL passed to $" + name + "(): \"" + s + "\""
			e.FunctionName = name
			e.Token = name
			return nil, e
		}
		return r, nil
	}
}

const uriUnreservedComponent = "-_.!~*'()"
const uriUnreservedFull = "-_.!~*'();/?:@&=+$,#"

func encodeURI(s, keep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(c)|0x100, 16)[1:]))
		}
	}
	return b.String()
}

// decodeURI decodes escapes except those of reserved characters, as
// JavaScript's decodeURI does.
func decodeURI(s string) (string, bool) {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", false
		}
		if v < 0x80 && strings.IndexByte(";/?:@&=+$,#", byte(v)) >= 0 {
			b = append(b, s[i:i+3]...)
		} else {
			b = append(b, byte(v))
		}
		i += 2
	}
	if !utf8.Valid(b) {
		return "", false
	}
	return string(b), true
}

func fnSum(ev *evaluator, c call, a []any) (any, error) {
	if IsUndefined(a[0]) {
		return Undefined, nil
	}
	items, _ := asArray(a[0])
	t := 0.0
	for _, it := range items {
		t += it.(float64)
	}
	return t, nil
}

func fnCount(ev *evaluator, c call, a []any) (any, error) {
	if IsUndefined(a[0]) {
		return 0.0, nil
	}
	items, _ := asArray(a[0])
	return float64(len(items)), nil
}

func extremum(v any, sign float64) (any, error) {
	items, ok := asArray(v)
	if !ok || len(items) == 0 {
		return Undefined, nil
	}
	best := items[0].(float64)
	for _, it := range items[1:] {
		f := it.(float64)
		if (f-best)*sign > 0 {
			best = f
		}
	}
	return best, nil
}

func fnAverage(ev *evaluator, c call, a []any) (any, error) {
	items, ok := asArray(a[0])
	if !ok || len(items) == 0 {
		return Undefined, nil
	}
	t := 0.0
	for _, it := range items {
		t += it.(float64)
	}
	return t / float64(len(items)), nil
}

func fnString(ev *evaluator, c call, a []any) (any, error) {
	v := a[0]
	if IsUndefined(v) {
		return Undefined, nil
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	pretty, _ := arg(a, 1).(bool)
	if f, ok := v.(float64); ok {
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, newError("D3001", c.pos, "string", v)
		}
	}
	if isFunction(v) {
		return "", nil
	}
	if f, ok := v.(float64); ok {
		return formatNumber(precision15(f)), nil
	}
	if bad, ok := nonFinite(v); ok {
		return nil, newError("D1001", c.pos, "string", bad)
	}
	s := stringify(v, pretty)
	if err := ev.chargeString(len(s), c.pos); err != nil {
		return nil, err
	}
	return s, nil
}

func runes(s string) []rune { return []rune(s) }

func fnSubstring(ev *evaluator, c call, a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return Undefined, nil
	}
	start, ok := a[1].(float64)
	if !ok {
		return Undefined, nil
	}
	r := runes(s)
	n := float64(len(r))
	if n+start < 0 {
		start = 0
	}
	// JavaScript's Array.prototype.slice: offsets truncated toward zero,
	// negative ones counted from the end, both clamped to the string
	clamp := func(f float64) int {
		f = math.Trunc(f)
		if f < 0 {
			f = max(n+f, 0)
		}
		return int(min(f, n))
	}
	if l, ok := arg(a, 2).(float64); ok {
		if l <= 0 {
			return "", nil
		}
		end := n + start + l
		if start >= 0 {
			end = start + l
		}
		st, en := clamp(start), clamp(end)
		if en <= st {
			return "", nil
		}
		return string(r[st:en]), nil
	}
	return string(r[clamp(start):]), nil
}

func fnSubstringBefore(ev *evaluator, c call, a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return Undefined, nil
	}
	sep, _ := a[1].(string)
	if i := strings.Index(s, sep); i >= 0 {
		return s[:i], nil
	}
	return s, nil
}

func fnSubstringAfter(ev *evaluator, c call, a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return Undefined, nil
	}
	sep, _ := a[1].(string)
	if i := strings.Index(s, sep); i >= 0 {
		return s[i+len(sep):], nil
	}
	return s, nil
}

var wsRun = regexp.MustCompile(`[ \t\n\r]+`)

func trimJSONata(s string) string {
	s = wsRun.ReplaceAllString(s, " ")
	return strings.Trim(s, " ")
}

func fnPad(ev *evaluator, c call, a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return Undefined, nil
	}
	wf, ok := a[1].(float64)
	if !ok {
		return Undefined, nil
	}
	w := int(math.Trunc(wf))
	ch, ok := arg(a, 2).(string)
	if !ok || ch == "" {
		ch = " "
	}
	n := abs(w) - utf8.RuneCountInString(s)
	if n <= 0 {
		return s, nil
	}
	if err := ev.chargeString(n*len(ch), c.pos); err != nil {
		return nil, err
	}
	pad := []rune(strings.Repeat(ch, n))[:n]
	if w > 0 {
		return s + string(pad), nil
	}
	return string(pad) + s, nil
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// match is one match of a matcher: its match object and byte offsets.
type match struct {
	obj        *Object
	start, end int
}

// matches runs a matcher (a regex or a function behaving like one) over
// s, up to limit matches (negative: no limit).
func (ev *evaluator) matches(c call, fname string, m any, s string, limit int) ([]match, error) {
	var out []match
	if r, ok := m.(*regexFn); ok {
		locs := r.lit.re.FindAllStringSubmatchIndex(s, limit)
		bpos, upos := 0, 0
		for _, loc := range locs {
			if loc[0] == loc[1] {
				return nil, newError("D1004", c.pos, fname, r.lit.source)
			}
			us := upos + utf16Len(s[bpos:loc[0]])
			ue := us + utf16Len(s[loc[0]:loc[1]])
			bpos, upos = loc[1], ue
			out = append(out, match{obj: r.matchObject(s, loc, us, ue), start: loc[0], end: loc[1]})
		}
		return out, ev.charge(len(out), c.pos)
	}
	res, err := ev.apply(m, []any{s}, c.input, c.env, c.pos)
	if err != nil {
		return nil, err
	}
	for !IsUndefined(res) && (limit < 0 || len(out) < limit) {
		o, ok := res.(*Object)
		if !ok {
			return nil, newError("T1010", c.pos, fname, nil)
		}
		mv, _ := o.Get("match")
		sv, _ := o.Get("start")
		ms, okm := mv.(string)
		st, oks := sv.(float64)
		if !okm || !oks {
			return nil, newError("T1010", c.pos, fname, nil)
		}
		b := utf16ToByte(s, int(st))
		e := min(b+len(ms), len(s))
		if len(out) > 0 && b < out[len(out)-1].end {
			// a matcher going backwards would never end
			return nil, newError("T1010", c.pos, fname, nil)
		}
		out = append(out, match{obj: o, start: b, end: e})
		if err := ev.charge(1, c.pos); err != nil {
			return nil, err
		}
		next, _ := o.Get("next")
		if !isFunction(next) {
			break
		}
		if res, err = ev.apply(next, nil, c.input, c.env, c.pos); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func limitArg(v any, code string, c call) (int, error) {
	f, ok := v.(float64)
	if !ok {
		return -1, nil
	}
	if f < 0 {
		return 0, newError(code, c.pos, "", f)
	}
	return int(f), nil
}

func fnMatch(ev *evaluator, c call, a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return Undefined, nil
	}
	limit, err := limitArg(arg(a, 2), "D3040", c)
	if err != nil {
		return nil, err
	}
	ms, err := ev.matches(c, "match", a[1], s, limit)
	if err != nil {
		return nil, err
	}
	out := &arr{seq: true}
	for _, m := range ms {
		o := NewObject(3)
		v, _ := m.obj.Get("match")
		o.Set("match", v)
		v, _ = m.obj.Get("start")
		o.Set("index", v)
		v, _ = m.obj.Get("groups")
		o.Set("groups", v)
		out.items = append(out.items, o)
	}
	return out, nil
}

func fnContains(ev *evaluator, c call, a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return Undefined, nil
	}
	if t, ok := a[1].(string); ok {
		return strings.Contains(s, t), nil
	}
	if IsUndefined(a[1]) {
		return Undefined, nil
	}
	ms, err := ev.matches(c, "contains", a[1], s, 1)
	if err != nil {
		return nil, err
	}
	return len(ms) > 0, nil
}

func fnReplace(ev *evaluator, c call, a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return Undefined, nil
	}
	if p, ok := a[1].(string); ok && p == "" {
		return nil, newError("D3010", c.pos, "replace", nil)
	}
	limit, err := limitArg(arg(a, 3), "D3011", c)
	if err != nil {
		return nil, err
	}
	repl := a[2]
	if p, ok := a[1].(string); ok {
		rs, isStr := repl.(string)
		var b strings.Builder
		rest := s
		n := 0
		for limit < 0 || n < limit {
			i := strings.Index(rest, p)
			if i < 0 {
				break
			}
			b.WriteString(rest[:i])
			if isStr {
				b.WriteString(rs)
			} else {
				mo := NewObject(4)
				mo.Set("match", p)
				mo.Set("start", float64(byteToUTF16(s, len(s)-len(rest)+i)))
				mo.Set("end", float64(byteToUTF16(s, len(s)-len(rest)+i+len(p))))
				mo.Set("groups", []any{})
				r, err := ev.apply(repl, []any{mo}, c.input, c.env, c.pos)
				if err != nil {
					return nil, err
				}
				str, ok := r.(string)
				if !ok {
					return nil, newError("D3012", c.pos, "replace", r)
				}
				b.WriteString(str)
			}
			rest = rest[i+len(p):]
			n++
		}
		b.WriteString(rest)
		return b.String(), nil
	}
	ms, err := ev.matches(c, "replace", a[1], s, limit)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	charged := 0
	pos := 0 // byte offset
	for _, m := range ms {
		start := m.start
		mstr := s[m.start:m.end]
		if start < pos {
			continue
		}
		b.WriteString(s[pos:start])
		if rs, ok := repl.(string); ok {
			g, _ := m.obj.Get("groups")
			groups, _ := asArray(g)
			b.WriteString(substitute(rs, mstr, groups))
		} else {
			r, err := ev.apply(repl, []any{m.obj}, c.input, c.env, c.pos)
			if err != nil {
				return nil, err
			}
			str, ok := r.(string)
			if !ok {
				return nil, newError("D3012", c.pos, "replace", r)
			}
			b.WriteString(str)
		}
		pos = m.end
		if err := ev.chargeString(b.Len()-charged, c.pos); err != nil {
			return nil, err
		}
		charged = b.Len()
	}
	b.WriteString(s[pos:])
	return b.String(), nil
}

// substitute expands $0, $n and $$ in a replacement string.
func substitute(repl, match string, groups []any) string {
	var b strings.Builder
	i := 0
	for i < len(repl) {
		j := strings.IndexByte(repl[i:], '$')
		if j < 0 {
			break
		}
		b.WriteString(repl[i : i+j])
		i += j + 1
		if i >= len(repl) {
			b.WriteByte('$')
			continue
		}
		switch c := repl[i]; {
		case c == '$':
			b.WriteByte('$')
			i++
		case c == '0':
			b.WriteString(match)
			i++
		default:
			maxDigits := 1
			if len(groups) > 0 {
				maxDigits = int(math.Floor(math.Log10(float64(len(groups))))) + 1
			}
			end := min(i+maxDigits, len(repl))
			numStr := leadingDigits(repl[i:end])
			idx, err := strconv.Atoi(numStr)
			if err == nil && maxDigits > 1 && idx > len(groups) {
				numStr = leadingDigits(repl[i : end-1])
				idx, err = strconv.Atoi(numStr)
			}
			if err != nil {
				b.WriteByte('$')
				continue
			}
			if len(groups) > 0 && idx >= 1 && idx <= len(groups) {
				if g, ok := groups[idx-1].(string); ok {
					b.WriteString(g)
				}
			}
			i += len(strconv.Itoa(idx))
		}
	}
	if i < len(repl) {
		b.WriteString(repl[i:])
	}
	return b.String()
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

func fnSplit(ev *evaluator, c call, a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return Undefined, nil
	}
	limit, err := limitArg(arg(a, 2), "D3020", c)
	if err != nil {
		return nil, err
	}
	var parts []string
	if sep, ok := a[1].(string); ok {
		if sep == "" {
			for _, r := range s {
				parts = append(parts, string(r))
			}
		} else {
			parts = strings.Split(s, sep)
		}
	} else {
		ms, err := ev.matches(c, "split", a[1], s, -1)
		if err != nil {
			return nil, err
		}
		pos := 0
		for _, m := range ms {
			if m.start < pos {
				continue
			}
			parts = append(parts, s[pos:m.start])
			pos = m.end
		}
		parts = append(parts, s[pos:])
	}
	if limit >= 0 && len(parts) > limit {
		parts = parts[:limit]
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func fnJoin(ev *evaluator, c call, a []any) (any, error) {
	items, ok := asArray(a[0])
	if !ok {
		return Undefined, nil
	}
	sep, _ := arg(a, 1).(string)
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(it.(string))
		if err := ev.chargeString(len(it.(string))+len(sep), c.pos); err != nil {
			return nil, err
		}
	}
	return b.String(), nil
}

var numberRe = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$`)

func fnNumber(ev *evaluator, c call, a []any) (any, error) {
	switch v := a[0].(type) {
	case undefinedType:
		return Undefined, nil
	case float64:
		return v, nil
	case bool:
		if v {
			return 1.0, nil
		}
		return 0.0, nil
	case string:
		if numberRe.MatchString(v) {
			f, err := strconv.ParseFloat(v, 64)
			if err == nil && !math.IsInf(f, 0) {
				return f, nil
			}
		}
		if len(v) > 2 && v[0] == '0' {
			base := 0
			switch v[1] {
			case 'x', 'X':
				base = 16
			case 'o', 'O':
				base = 8
			case 'b', 'B':
				base = 2
			}
			if base != 0 {
				if n, err := strconv.ParseUint(v[2:], base, 64); err == nil {
					return float64(n), nil
				}
			}
		}
		return nil, newError("D3030", c.pos, "number", v)
	}
	return nil, newError("D3030", c.pos, "number", a[0])
}

func fnRound(ev *evaluator, c call, a []any) (any, error) {
	x, ok := a[0].(float64)
	if !ok {
		return Undefined, nil
	}
	prec := 0.0
	if p, ok := arg(a, 1).(float64); ok {
		prec = p
	}
	return roundHalfEven(x, int(prec)), nil
}

func roundHalfEven(x float64, prec int) float64 {
	// shift by decimal digits through the string form, as exact as the
	// decimal representation allows
	shifted, err := strconv.ParseFloat(shiftDecimal(x, prec), 64)
	if err != nil {
		return x
	}
	r := math.Round(shifted)
	diff := shifted - math.Trunc(shifted)
	if math.Abs(diff) == 0.5 {
		r = 2 * math.Round(shifted/2)
	}
	out, err := strconv.ParseFloat(shiftDecimal(r, -prec), 64)
	if err != nil {
		return r
	}
	if out == 0 {
		return 0
	}
	return out
}

// shiftDecimal multiplies x by 10^n exactly in decimal notation.
func shiftDecimal(x float64, n int) string {
	s := strconv.FormatFloat(x, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	e, _ := strconv.Atoi(exp)
	return mant + "e" + strconv.Itoa(e+n)
}

func typeName(v any) any {
	switch v.(type) {
	case undefinedType:
		return Undefined
	case nil:
		return "null"
	case float64:
		return "number"
	case string:
		return "string"
	case bool:
		return "boolean"
	case []any, *arr:
		return "array"
	case *Object, map[string]any:
		return "object"
	}
	if isFunction(v) {
		return "function"
	}
	return Undefined
}

// hofArgs trims (value, index, array) to the function's arity; the index
// is made a number only when the function takes it.
func hofArgs(f any, v any, i int, a any) []any {
	switch n := arity(f); {
	case n <= 1:
		return []any{v}
	case n == 2:
		return []any{v, float64(i)}
	}
	return []any{v, float64(i), a}
}

// hofKeyArgs trims (value, key, object) to the function's arity.
func hofKeyArgs(f any, v any, k string, o any) []any {
	switch n := arity(f); {
	case n <= 1:
		return []any{v}
	case n == 2:
		return []any{v, k}
	}
	return []any{v, k, o}
}

func fnMap(ev *evaluator, c call, a []any) (any, error) {
	items, ok := asArray(a[0])
	if !ok {
		return Undefined, nil
	}
	out := &arr{seq: true}
	arrv := a[0]
	for i, it := range items {
		r, err := ev.apply(a[1], hofArgs(a[1], it, i, arrv), c.input, c.env, c.pos)
		if err != nil {
			return nil, err
		}
		if !IsUndefined(r) {
			out.items = append(out.items, r)
		}
	}
	return out, ev.charge(len(out.items), c.pos)
}

func fnFilter(ev *evaluator, c call, a []any) (any, error) {
	items, ok := asArray(a[0])
	if !ok {
		return Undefined, nil
	}
	out := &arr{seq: true}
	for i, it := range items {
		r, err := ev.apply(a[1], hofArgs(a[1], it, i, a[0]), c.input, c.env, c.pos)
		if err != nil {
			return nil, err
		}
		if truthy(r) {
			out.items = append(out.items, it)
		}
	}
	return out, nil
}

func fnSingle(ev *evaluator, c call, a []any) (any, error) {
	items, ok := asArray(a[0])
	if !ok {
		return Undefined, nil
	}
	var found any
	n := 0
	for i, it := range items {
		keep := true
		if f := arg(a, 1); isFunction(f) {
			r, err := ev.apply(f, hofArgs(f, it, i, a[0]), c.input, c.env, c.pos)
			if err != nil {
				return nil, err
			}
			keep = truthy(r)
		}
		if keep {
			if n > 0 {
				return nil, newError("D3138", c.pos, "single", nil)
			}
			found = it
			n++
		}
	}
	if n == 0 {
		return nil, newError("D3139", c.pos, "single", nil)
	}
	return found, nil
}

func fnReduce(ev *evaluator, c call, a []any) (any, error) {
	items, ok := asArray(a[0])
	if !ok {
		return Undefined, nil
	}
	f := a[1]
	n := arity(f)
	if n < 2 {
		return nil, newError("D3050", c.pos, "reduce", nil)
	}
	var acc any
	i := 0
	if init := arg(a, 2); IsUndefined(init) {
		if len(items) == 0 {
			return Undefined, nil
		}
		acc = items[0]
		i = 1
	} else {
		acc = init
	}
	for ; i < len(items); i++ {
		args := []any{acc, items[i]}
		if n >= 3 {
			args = append(args, float64(i))
		}
		if n >= 4 {
			args = append(args, a[0])
		}
		r, err := ev.apply(f, args, c.input, c.env, c.pos)
		if err != nil {
			return nil, err
		}
		acc = r
	}
	return acc, nil
}

func forEachKey(v any, f func(k string, val any) error) error {
	switch o := v.(type) {
	case *Object:
		for i, k := range o.keys {
			if err := f(k, o.vals[i]); err != nil {
				return err
			}
		}
	case map[string]any:
		for _, k := range sortedKeys(o) {
			if err := f(k, o[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

func fnSift(ev *evaluator, c call, a []any) (any, error) {
	if !isObject(a[0]) {
		return Undefined, nil
	}
	out := NewObject(0)
	fn := a[1]
	err := forEachKey(a[0], func(k string, v any) error {
		r, err := ev.apply(fn, hofKeyArgs(fn, v, k, a[0]), c.input, c.env, c.pos)
		if err != nil {
			return err
		}
		if truthy(r) {
			out.Set(k, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out.Len() == 0 {
		return Undefined, nil
	}
	return out, nil
}

func fnEach(ev *evaluator, c call, a []any) (any, error) {
	if !isObject(a[0]) {
		return Undefined, nil
	}
	out := &arr{seq: true}
	fn := a[1]
	err := forEachKey(a[0], func(k string, v any) error {
		r, err := ev.apply(fn, hofKeyArgs(fn, v, k, a[0]), c.input, c.env, c.pos)
		if err != nil {
			return err
		}
		if !IsUndefined(r) {
			out.items = append(out.items, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func fnKeys(ev *evaluator, c call, a []any) (any, error) {
	out := &arr{seq: true}
	seen := map[string]bool{}
	add := func(v any) {
		for _, k := range objectKeys(v) {
			if !seen[k] {
				seen[k] = true
				out.items = append(out.items, k)
			}
		}
	}
	if items, ok := asArray(a[0]); ok {
		for _, it := range items {
			add(it)
		}
	} else {
		add(a[0])
	}
	if len(out.items) == 0 {
		return Undefined, nil
	}
	return out, nil
}

func fnSpread(ev *evaluator, c call, a []any) (any, error) {
	var out []any
	var rec func(v any)
	rec = func(v any) {
		if items, ok := asArray(v); ok {
			for _, it := range items {
				rec(it)
			}
			return
		}
		if isObject(v) {
			forEachKey(v, func(k string, val any) error {
				o := NewObject(1)
				o.Set(k, val)
				out = append(out, o)
				return nil
			})
			return
		}
		out = append(out, v)
	}
	if _, ok := asArray(a[0]); !ok && !isObject(a[0]) {
		return a[0], nil
	}
	rec(a[0])
	if items, isArr := asArray(a[0]); isArr && len(items) > 0 {
		// jsonata-js appends the items' spreads: a plain array
		return out, nil
	}
	return &arr{items: out, seq: true}, nil
}

func fnMerge(ev *evaluator, c call, a []any) (any, error) {
	items, ok := asArray(a[0])
	if !ok {
		return Undefined, nil
	}
	out := NewObject(0)
	for _, it := range items {
		forEachKey(it, func(k string, v any) error {
			out.Set(k, v)
			return nil
		})
	}
	return out, nil
}

func fnSort(ev *evaluator, c call, a []any) (any, error) {
	items, ok := asArray(a[0])
	if !ok {
		return Undefined, nil
	}
	if len(items) <= 1 {
		return a[0], nil
	}
	fn := arg(a, 1)
	var greater func(x, y any) (bool, error)
	if isFunction(fn) {
		greater = func(x, y any) (bool, error) {
			r, err := ev.apply(fn, []any{x, y}, c.input, c.env, c.pos)
			if err != nil {
				return false, err
			}
			return truthy(r), nil
		}
	} else {
		allNum, allStr := true, true
		for _, it := range items {
			if _, ok := it.(float64); !ok {
				allNum = false
			}
			if _, ok := it.(string); !ok {
				allStr = false
			}
		}
		if !allNum && !allStr {
			return nil, newError("D3070", c.pos, "sort", nil)
		}
		greater = func(x, y any) (bool, error) {
			if allNum {
				return x.(float64) > y.(float64), nil
			}
			return compareUTF16(x.(string), y.(string)) > 0, nil
		}
	}
	return mergeSort(append([]any(nil), items...), greater)
}

func mergeSort(items []any, greater func(x, y any) (bool, error)) ([]any, error) {
	if len(items) <= 1 {
		return items, nil
	}
	mid := len(items) / 2
	l, err := mergeSort(items[:mid:mid], greater)
	if err != nil {
		return nil, err
	}
	r, err := mergeSort(items[mid:], greater)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(items))
	i, j := 0, 0
	for i < len(l) && j < len(r) {
		g, err := greater(l[i], r[j])
		if err != nil {
			return nil, err
		}
		if g {
			out = append(out, r[j])
			j++
		} else {
			out = append(out, l[i])
			i++
		}
	}
	out = append(out, l[i:]...)
	out = append(out, r[j:]...)
	return out, nil
}

func fnDistinct(ev *evaluator, c call, a []any) (any, error) {
	items, ok := asArray(a[0])
	if !ok {
		return a[0], nil
	}
	if len(items) <= 1 {
		return a[0], nil
	}
	out := &arr{seq: isSequence(a[0])}
	for _, it := range items {
		dup := false
		for _, o := range out.items {
			if deepEqual(o, it) {
				dup = true
				break
			}
		}
		if !dup {
			out.items = append(out.items, it)
		}
	}
	if !out.seq {
		return out.items, nil
	}
	return out, nil
}

func fnZip(ev *evaluator, c call, a []any) (any, error) {
	if len(a) == 0 {
		return []any{}, nil
	}
	n := -1
	lists := make([][]any, len(a))
	for i, x := range a {
		items, ok := asArray(x)
		if !ok {
			if IsUndefined(x) {
				return []any{}, nil
			}
			items = []any{x}
		}
		lists[i] = items
		if n < 0 || len(items) < n {
			n = len(items)
		}
	}
	if err := ev.charge(n*(len(lists)+1), c.pos); err != nil {
		return nil, err
	}
	out := make([]any, n)
	for i := 0; i < n; i++ {
		t := make([]any, len(lists))
		for j := range lists {
			t[j] = lists[j][i]
		}
		out[i] = t
	}
	return out, nil
}

func fnEval(ev *evaluator, c call, a []any) (any, error) {
	src, ok := a[0].(string)
	if !ok {
		return Undefined, nil
	}
	root, err := parse(src)
	if err != nil {
		msg := err.Error()
		if e, ok := err.(*Error); ok {
			msg = e.Message
		}
		return nil, newError("D3120", c.pos, "eval", msg)
	}
	ctx := c.input
	if v := arg(a, 1); !IsUndefined(v) {
		ctx = v
		if arr2, ok := v.([]any); ok {
			ctx = &arr{items: []any{arr2}, seq: true, outer: true}
		}
	}
	r, err := ev.eval(root, ctx, c.env)
	if err != nil {
		msg := err.Error()
		if e, ok := err.(*Error); ok {
			msg = e.Message
		}
		return nil, newError("D3121", c.pos, "eval", msg)
	}
	return r, nil
}

// nonFinite finds an infinite or NaN number inside v.
func nonFinite(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return x, true
		}
	case *Object:
		for _, it := range x.vals {
			if f, ok := nonFinite(it); ok {
				return f, true
			}
		}
	case map[string]any:
		for _, it := range x {
			if f, ok := nonFinite(it); ok {
				return f, true
			}
		}
	default:
		if items, ok := asArray(v); ok {
			for _, it := range items {
				if f, ok := nonFinite(it); ok {
					return f, true
				}
			}
		}
	}
	return 0, false
}

// pow is x**y. Integer and half-integer powers are computed to ample
// precision and rounded once (Go's math.Pow is often an ulp off:
// (1/3)**3); other powers are math.Pow's. JavaScript engines' pow is
// not correctly rounded either, so the last digit can still differ from
// jsonata-js's.
func pow(x, y float64) float64 {
	half := y-math.Trunc(y) == 0.5 || y-math.Trunc(y) == -0.5
	if (y != math.Trunc(y) && !(half && x > 0)) || math.Abs(y) > 64 || x == 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return math.Pow(x, y)
	}
	n := int(math.Abs(math.Trunc(y)))
	prec := uint(53*max(n, 1) + 64)
	b := new(big.Float).SetPrec(prec).SetFloat64(x)
	r := new(big.Float).SetPrec(prec).SetInt64(1)
	for i := 0; i < n; i++ {
		r.Mul(r, b)
	}
	if half {
		// x**(n+1/2) = x**n * sqrt(x), the root to ample precision
		r.Mul(r, new(big.Float).SetPrec(prec).Sqrt(b))
	}
	if y < 0 {
		r = new(big.Float).SetPrec(53).Quo(new(big.Float).SetInt64(1), r)
	}
	f, _ := r.Float64()
	return f
}
