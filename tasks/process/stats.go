package process

import (
	"cmp"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/schema"
)

// columnStats accumulates the statistics of one output column: how many values are not null (count) and
// null (nulls), and the least and greatest value in the column's own order (schema.Compare: numbers by
// value, dates and timestamps in time order, strings by bytes, false before true).
//
// A string is kept as its first tasks.MaxStatStringBytes bytes, so memory stays bounded whatever the
// values (addValues keeps a slice of the value's string, which may share the reader's buffer: the statistics
// of a chunk live no longer than its values; merge copies what it keeps), and the result is exact for
// what it reports: a fixed-length byte prefix preserves byte order (a < b implies a[:n] <= b[:n]), and when two kept prefixes are equal a whole string is less than a cut
// one, since it is a proper prefix of the cut one's value. So the kept least and greatest are the
// prefixes of the true ones; the result then ends them at a character boundary.
type columnStats struct {
	count, nulls   int64
	min, max       schema.Value
	minCut, maxCut bool
}

// addValues adds vals[i] to stats[i] for each i: one record's values, in one loop without a call for
// the common cases. After a column's first value, every kind but strings that are or were cut is ordered
// in place, the same result as the generic comparison (compareCut), which a column of a large object
// would pay twice a value. Since the least value is never greater than the greatest, a value beyond
// the greatest cannot be below the least, and the other way round, so it looks at the greatest first
// (a column that grows, such as an id or a time, then costs one comparison) and at the least only when
// that fails. What it leaves (a first value, cut strings, decimals) goes to addKept.
func addValues(stats []columnStats, vals []schema.Value) {
	stats = stats[:len(vals)]
	for i := range vals {
		s, v := &stats[i], &vals[i]
		if v.Kind == schema.KindNull {
			s.nulls++
			continue
		}
		s.count++
		if s.count == 1 || v.Kind != s.min.Kind {
			s.addKept(v)
			continue
		}
		switch v.Kind {
		case schema.KindInteger, schema.KindDate:
			if v.Int > s.max.Int {
				s.max = *v
			} else if v.Int < s.min.Int {
				s.min = *v
			}
		case schema.KindString: // ordered by bytes, as long as no kept value is cut
			if s.minCut || s.maxCut || len(v.Str) > tasks.MaxStatStringBytes {
				s.addKept(v)
				continue
			}
			// One three-way comparison with the greatest decides the values beyond it and those equal
			// to it (which cannot be below the least); only the others are compared with the least.
			if c := strings.Compare(v.Str, s.max.Str); c > 0 {
				s.max = *v
			} else if c < 0 && v.Str < s.min.Str {
				s.min = *v
			}
		case schema.KindNumber:
			if cmp.Compare(v.Float, s.max.Float) > 0 {
				s.max = *v
			} else if cmp.Compare(v.Float, s.min.Float) < 0 {
				s.min = *v
			}
		case schema.KindTimestamp:
			if v.Int > s.max.Int || v.Int == s.max.Int && v.Nano > s.max.Nano {
				s.max = *v
			} else if v.Int < s.min.Int || v.Int == s.min.Int && v.Nano < s.min.Nano {
				s.min = *v
			}
		case schema.KindBoolean: // false before true
			if v.Bool && !s.max.Bool {
				s.max = *v
			} else if !v.Bool && s.min.Bool {
				s.min = *v
			}
		default: // decimals: never cut, so schema.Compare alone orders them
			s.addKept(v)
		}
	}
}

// addKept is addValues for one counted, non-null value by the generic comparison of kept values: a
// string is kept as its first tasks.MaxStatStringBytes bytes, and compareCut orders kept values.
func (s *columnStats) addKept(v *schema.Value) {
	kept, cut := *v, false
	if kept.Kind == schema.KindString && len(kept.Str) > tasks.MaxStatStringBytes {
		kept.Str, cut = kept.Str[:tasks.MaxStatStringBytes], true
	}
	switch {
	case s.count == 1:
		s.min, s.max = kept, kept
		s.minCut, s.maxCut = cut, cut
	case compareCut(kept, cut, s.min, s.minCut) < 0:
		s.min, s.minCut = kept, cut
	case compareCut(kept, cut, s.max, s.maxCut) > 0:
		s.max, s.maxCut = kept, cut
	}
}

// merge adds the statistics o of the values that follow those of s: the result is what addValues would have
// made of all the values in order (addValues). A minimum or maximum changes only for a value strictly beyond it, so
// each side's is the first of its least (greatest) values, and taking o's only when it is strictly
// beyond s's keeps the first overall. The kept values get strings of their own: o's may share the
// reader's buffers, which s outlives.
func (s *columnStats) merge(o *columnStats) {
	s.nulls += o.nulls
	switch {
	case o.count == 0:
		return
	case s.count == 0:
		s.min, s.max = own(o.min), own(o.max)
		s.minCut, s.maxCut = o.minCut, o.maxCut
	default:
		if compareCut(o.min, o.minCut, s.min, s.minCut) < 0 {
			s.min, s.minCut = own(o.min), o.minCut
		}
		if compareCut(o.max, o.maxCut, s.max, s.maxCut) > 0 {
			s.max, s.maxCut = own(o.max), o.maxCut
		}
	}
	s.count += o.count
}

// compareCut orders kept values: by schema.Compare, then an equal prefix of a longer string after the
// whole string.
func compareCut(a schema.Value, aCut bool, b schema.Value, bCut bool) int {
	if c := schema.Compare(a, b); c != 0 {
		return c
	}
	switch {
	case aCut == bCut:
		return 0
	case aCut:
		return 1
	}
	return -1
}

// wholeRunes drops an incomplete character from the end of a byte prefix of a valid UTF-8 string.
func wholeRunes(s string) string {
	for i := 0; i < utf8.UTFMax && len(s) > 0 && !utf8.ValidString(s); i++ {
		s = s[:len(s)-1]
	}
	return s
}

// own returns v with a string of its own, so that a kept minimum or maximum never pins a reader's buffer
// beyond its chunk.
func own(v schema.Value) schema.Value {
	v.Str = strings.Clone(v.Str)
	return v
}

// result is the contract's form: Min and Max as JSON values of the column's type, absent when every value
// is null.
func (s *columnStats) result(name string) tasks.ColumnStats {
	out := tasks.ColumnStats{Name: name, Count: s.count, Nulls: s.nulls}
	if s.count > 0 {
		lo, hi := s.min, s.max
		if s.minCut {
			lo.Str = wholeRunes(s.min.Str)
		}
		if s.maxCut {
			hi.Str = wholeRunes(s.max.Str)
		}
		out.Min, out.Max = lo.AppendJSON(nil), hi.AppendJSON(nil)
		out.MinTruncated, out.MaxTruncated = s.minCut, s.maxCut
	}
	return out
}

// boundColumns keeps the first columns whose JSON encoding (with the separating commas and the array's
// brackets) fits in budget bytes, and returns how many it left out.
func boundColumns(cols []tasks.ColumnStats, budget int) ([]tasks.ColumnStats, int) {
	used := len("[]")
	for i, c := range cols {
		b, err := json.Marshal(c)
		if err != nil {
			return cols[:i], len(cols) - i
		}
		n := len(b)
		if i > 0 {
			n++ // the comma
		}
		if used+n > budget {
			return cols[:i], len(cols) - i
		}
		used += n
	}
	return cols, 0
}
