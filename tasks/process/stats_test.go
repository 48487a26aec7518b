package process

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/schema"
)

// wantStats works out what the statistics of a string column must be from the whole values: the prefix
// of the true least and greatest value, flagged when cut.
func wantStats(values []string) tasks.ColumnStats {
	out := tasks.ColumnStats{Name: "c", Count: int64(len(values))}
	if len(values) == 0 {
		return out
	}
	lo, hi := slices.Min(values), slices.Max(values)
	var p string
	p, out.MinTruncated = prefix(lo, tasks.MaxStatStringBytes)
	out.Min = schema.Value{Kind: schema.KindString, Str: p}.AppendJSON(nil)
	p, out.MaxTruncated = prefix(hi, tasks.MaxStatStringBytes)
	out.Max = schema.Value{Kind: schema.KindString, Str: p}.AppendJSON(nil)
	return out
}

func statsOf(values []string) tasks.ColumnStats {
	var s columnStats
	for _, v := range values {
		addOne(&s, schema.Value{Kind: schema.KindString, Str: v})
	}
	return s.result("c")
}

func TestStringStatsAreBounded(t *testing.T) {
	long := strings.Repeat("a", 1<<20)
	tests := []struct {
		name   string
		values []string
	}{
		{"short", []string{"b", "a", "c"}},
		{"one long value", []string{long}},
		{"long and its prefix", []string{long, long[:tasks.MaxStatStringBytes]}},
		{"prefix then long", []string{long[:tasks.MaxStatStringBytes], long, "b"}},
		{"equal prefixes, different tails", []string{long + "z", long + "b", long}},
		{"cut inside a character", []string{strings.Repeat("a", tasks.MaxStatStringBytes-1) + "é" + long}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := statsOf(tt.values)
			if diff := cmp.Diff(got, wantStats(tt.values)); diff != "" {
				t.Errorf("stats (-got +want):\n%s", diff)
			}
			if len(got.Min) > tasks.MaxStatStringBytes*6+2 || len(got.Max) > tasks.MaxStatStringBytes*6+2 {
				t.Errorf("min/max of %d and %d bytes, want at most the escaped bound", len(got.Min), len(got.Max))
			}
		})
	}
}

// FuzzStringStats checks the kept prefixes give exactly the prefixes of the true least and greatest
// value, whatever the values and their order.
func FuzzStringStats(f *testing.F) {
	f.Add("a\x00b\x00c")
	f.Add(strings.Repeat("x", 100) + "\x00" + strings.Repeat("x", 64) + "\x00" + strings.Repeat("x", 63) + "é")
	f.Add(strings.Repeat("é", 40) + "\x00" + strings.Repeat("é", 33))
	f.Fuzz(func(t *testing.T, joined string) {
		if !utf8.ValidString(joined) {
			return
		}
		values := strings.Split(joined, "\x00")
		if diff := cmp.Diff(statsOf(values), wantStats(values)); diff != "" {
			t.Errorf("stats of %q (-got +want):\n%s", values, diff)
		}
	})
}

func TestBoundColumns(t *testing.T) {
	cols := make([]tasks.ColumnStats, 1024)
	for i := range cols {
		cols[i] = statsOf([]string{strings.Repeat("v", 1<<10), strings.Repeat("w", 1<<10)})
		cols[i].Name = strings.Repeat("n", 128)
	}
	kept, omitted := boundColumns(cols, tasks.MaxColumnStatsBytes)
	if omitted == 0 || len(kept)+omitted != len(cols) {
		t.Fatalf("kept %d, omitted %d of %d, want some omitted and the rest kept", len(kept), omitted, len(cols))
	}
	b, _ := json.Marshal(kept)
	if len(b) > tasks.MaxColumnStatsBytes {
		t.Errorf("kept columns encode to %d bytes, over the %d budget", len(b), tasks.MaxColumnStatsBytes)
	}
	// One more column would not have fitted.
	more, _ := json.Marshal(cols[:len(kept)+1])
	if len(more) <= tasks.MaxColumnStatsBytes {
		t.Errorf("%d columns encode to %d bytes, within the budget, yet were cut", len(kept)+1, len(more))
	}
	small := cols[:3]
	if got, n := boundColumns(small, tasks.MaxColumnStatsBytes); n != 0 || len(got) != 3 {
		t.Errorf("3 small columns: kept %d, omitted %d, want all kept", len(got), n)
	}
}

// prefix is the reference: it returns the longest prefix of s of at most n bytes that ends at a character boundary, and
// whether it is shorter than s.
func prefix(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i], true
}

// addByCompare is add as it is written for every kind, with schema.Compare: the oracle of addOrdered.
func addByCompare(s *columnStats, v schema.Value) {
	if v.Kind == schema.KindNull {
		s.nulls++
		return
	}
	s.count++
	switch {
	case s.count == 1:
		s.min, s.max = v, v
	case schema.Compare(v, s.min) < 0:
		s.min = v
	case schema.Compare(v, s.max) > 0:
		s.max = v
	}
}

// addOne adds one value to s with addValues.
func addOne(s *columnStats, v schema.Value) {
	one := []columnStats{*s}
	addValues(one, []schema.Value{v})
	*s = one[0]
}

// addGeneric is addValues without its fast path: the generic comparison of kept, possibly cut, values
// (schema.Compare), the oracle for strings and the reference encoder's.
func addGeneric(s *columnStats, v schema.Value) {
	if v.Kind == schema.KindNull {
		s.nulls++
		return
	}
	s.count++
	cut := false
	if v.Kind == schema.KindString && len(v.Str) > tasks.MaxStatStringBytes {
		v.Str, cut = v.Str[:tasks.MaxStatStringBytes], true
	}
	switch {
	case s.count == 1:
		s.min, s.max = v, v
		s.minCut, s.maxCut = cut, cut
	case compareCut(v, cut, s.min, s.minCut) < 0:
		s.min, s.minCut = v, cut
	case compareCut(v, cut, s.max, s.maxCut) > 0:
		s.max, s.maxCut = v, cut
	}
}

// TestOrderedStatsMatchCompare feeds columns of integers, dates, numbers, timestamps, booleans, decimals
// and strings (some longer than the kept prefix), with many equal values and nulls, to addValues (whose fast path compares the
// numbers or bytes directly) and to the generic comparison (for strings, addValues' own without the fast path),
// and checks that both keep the same least and greatest values, down to their texts and flags.
func TestOrderedStatsMatchCompare(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for kind, next := range statValues(rng) {
		t.Run(kind, func(t *testing.T) {
			for run := range 200 {
				var fast, oracle columnStats
				for range rng.IntN(30) {
					v := next()
					if rng.IntN(5) == 0 {
						v = schema.Value{}
					}
					addOne(&fast, v)
					if strings.HasPrefix(kind, "string") {
						addGeneric(&oracle, v)
					} else {
						addByCompare(&oracle, v)
					}
				}
				if diff := cmp.Diff(fast, oracle, cmp.AllowUnexported(columnStats{})); diff != "" {
					t.Fatalf("run %d (-add +compare):\n%s", run, diff)
				}
			}
		})
	}
}

// TestStatsMergeMatchesAdd cuts columns of every kind (many equal values, nulls, strings longer than
// the kept prefix) into runs at random places, as the pipeline cuts records into chunks, and checks that
// merging the runs' statistics in order gives exactly what adding every value in order gives, down to
// which of equal values is kept (texts and flags), and that the merged strings share no memory with the
// values.
func TestStatsMergeMatchesAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for kind, next := range statValues(rng) {
		t.Run(kind, func(t *testing.T) {
			for run := range 300 {
				var whole, merged columnStats
				var part columnStats
				for range rng.IntN(40) {
					v := next()
					if rng.IntN(5) == 0 {
						v = schema.Value{}
					}
					addOne(&whole, v)
					addOne(&part, v)
					if rng.IntN(4) == 0 {
						merged.merge(&part)
						part = columnStats{}
					}
				}
				merged.merge(&part)
				if diff := cmp.Diff(merged, whole, cmp.AllowUnexported(columnStats{})); diff != "" {
					t.Fatalf("run %d (-merged +whole):\n%s", run, diff)
				}
				if sharesMemory(merged.min.Str, whole.min.Str) || sharesMemory(merged.max.Str, whole.max.Str) {
					t.Fatalf("run %d: a merged string shares memory with an added value", run)
				}
			}
		})
	}
}

// sharesMemory reports whether two non-empty strings start at the same byte in memory.
func sharesMemory(a, b string) bool { return a != "" && unsafe.StringData(a) == unsafe.StringData(b) }

// statValues returns generators of values of each kind for the statistics' tests.
func statValues(rng *rand.Rand) map[string]func() schema.Value {
	return map[string]func() schema.Value{
		"integer": func() schema.Value { return schema.Value{Kind: schema.KindInteger, Int: rng.Int64N(21) - 10} },
		"date": func() schema.Value {
			d := rng.Int64N(40)
			return schema.Value{Kind: schema.KindDate, Int: d, Str: time.Unix(d*86400, 0).UTC().Format(time.DateOnly)}
		},
		"number": func() schema.Value {
			f := float64(rng.Int64N(21)-10) / 4
			if rng.IntN(10) == 0 {
				f = math.Copysign(0, -1)
			}
			return schema.Value{Kind: schema.KindNumber, Float: f, Exp: rng.IntN(2) == 0}
		},
		"string": func() schema.Value { // short ones and, now and then, one longer than the kept prefix
			n := rng.IntN(4)
			if rng.IntN(8) == 0 {
				n = tasks.MaxStatStringBytes - 1 + rng.IntN(3)
			}
			b := make([]byte, n)
			for i := range b {
				b[i] = "ab"[rng.IntN(2)]
			}
			return schema.Value{Kind: schema.KindString, Str: string(b)}
		},
		"string words": func() schema.Value { // around eight bytes, with the least and greatest bytes
			b := make([]byte, 6+rng.IntN(7))
			for i := range b {
				b[i] = "a\x00\xffb"[rng.IntN(4)]
			}
			if rng.IntN(2) == 0 {
				copy(b, "SKU-")
			}
			return schema.Value{Kind: schema.KindString, Str: string(b)}
		},
		"boolean": func() schema.Value { return schema.Value{Kind: schema.KindBoolean, Bool: rng.IntN(2) == 0} },
		"decimal": func() schema.Value { // canonical texts, negative ones and zero among them
			return schema.Value{Kind: schema.KindDecimal, Str: [...]string{"0", "-1.5", "-0.25", "0.25", "1.5", "10", "2.05", "-10"}[rng.IntN(8)]}
		},
		"timestamp": func() schema.Value {
			sec, nano := rng.Int64N(5), int32(rng.Int64N(3))*1000
			return schema.Value{Kind: schema.KindTimestamp, Int: sec, Nano: nano, Str: time.Unix(sec, int64(nano)).UTC().Format(time.RFC3339Nano) + strconv.Itoa(rng.IntN(3))}
		},
	}
}

// TestAddValuesRecords adds records of several columns of every kind at once, as the encoder does, and
// checks each column against the generic comparison fed the same values one at a time.
func TestAddValuesRecords(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	gens := statValues(rng)
	var kinds []string
	for k := range gens {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for run := range 100 {
		stats, oracle := make([]columnStats, len(kinds)), make([]columnStats, len(kinds))
		vals := make([]schema.Value, len(kinds))
		for range rng.IntN(50) {
			for i, k := range kinds {
				vals[i] = gens[k]()
				if rng.IntN(6) == 0 {
					vals[i] = schema.Value{}
				}
				addGeneric(&oracle[i], vals[i])
			}
			addValues(stats, vals)
		}
		for i, k := range kinds {
			if diff := cmp.Diff(stats[i], oracle[i], cmp.AllowUnexported(columnStats{})); diff != "" {
				t.Fatalf("run %d, %s (-addValues +generic):\n%s", run, k, diff)
			}
		}
	}
}
