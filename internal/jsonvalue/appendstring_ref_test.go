package jsonvalue

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// appendStringByAppend is appendString as it was written before it wrote by index (an append per run of
// plain bytes and per escape): FuzzAppendStringByIndex holds the two to the same bytes.
func appendStringByAppend(b []byte, s string, safe *[256]bool, e escapes) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if safe[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\b' && e&escapeHTML != 0:
				b = append(b, '\\', 'b')
			case c == '\f' && e&escapeHTML != 0:
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case (r == '\u2028' || r == '\u2029') && e&escapeLineSeparators != 0:
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// FuzzAppendStringByIndex: the three string writers write exactly what they wrote by append, after any
// prefix (the room appendString makes is counted from the end of what b holds).
func FuzzAppendStringByIndex(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\s`, "\b\f\n\r\t\x00\x1f\x7f", "<a href='x'>&</a>", "\u2028\u2029", "\xff\xfe", "é中😀", "a\xc3",
		`{"acc":{"const":"s0","execName":"e1","nested":{"who":"ada"}},"tags":["a","b","c"]}`, strings.Repeat("\x01", 40), strings.Repeat("\xff", 40)} {
		f.Add(s, 0)
		f.Add(s, 7)
	}
	f.Fuzz(func(t *testing.T, s string, prefix int) {
		b := make([]byte, prefix&63, prefix&63+(prefix>>6&63))
		for _, w := range []struct {
			name string
			safe *[256]bool
			e    escapes
		}{{"AppendString", &plainSafe, 0}, {"AppendStringJS", &plainSafe, escapeLineSeparators}, {"AppendStringHTML", &htmlSafe, escapeLineSeparators | escapeHTML}} {
			got := appendString(b, s, w.safe, w.e)
			want := appendStringByAppend(b[:len(b):len(b)], s, w.safe, w.e)
			if string(got) != string(want) {
				t.Errorf("%s(%q) after %d bytes = %q, want %q", w.name, s, len(b), got, want)
			}
		}
	})
}

var chainPayload = `{"acc":{"const":"s19","execName":"e1","id":"order-1","nested":{"who":"ada"},"prev":18,"step":19,"tags":["a","b","c"]},"id":"order-1","tags":["a","b","c"],"user":{"name":"ada"}}`

func BenchmarkAppendStringPayload(b *testing.B) {
	for _, w := range []struct {
		name string
		f    func([]byte, string, *[256]bool, escapes) []byte
	}{{"index", appendString}, {"append", appendStringByAppend}} {
		b.Run(w.name, func(b *testing.B) {
			buf := make([]byte, 0, 4096)
			b.SetBytes(int64(len(chainPayload)))
			for b.Loop() {
				buf = w.f(buf[:0], chainPayload, &plainSafe, escapeLineSeparators)
			}
		})
	}
}

func BenchmarkAppendStringPlain(b *testing.B) {
	plain := strings.Repeat("abcdefghij", 1000)
	for _, w := range []struct {
		name string
		f    func([]byte, string, *[256]bool, escapes) []byte
	}{{"index", appendString}, {"append", appendStringByAppend}} {
		b.Run(w.name, func(b *testing.B) {
			buf := make([]byte, 0, 16384)
			b.SetBytes(int64(len(plain)))
			for b.Loop() {
				buf = w.f(buf[:0], plain, &plainSafe, escapeLineSeparators)
			}
		})
	}
}
