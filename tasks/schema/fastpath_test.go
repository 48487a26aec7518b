package schema

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestAppendTimestampMatchesTimeFormat pins appendTimestamp to time.Time.Format(time.RFC3339Nano), the
// formatter it replaces, on the edges of the range and on random instants across it.
func TestAppendTimestampMatchesTimeFormat(t *testing.T) {
	type instant struct {
		unix int64
		nano int32
	}
	cases := []instant{{minUnix, 0}, {maxUnix, 999999999}, {0, 0}, {-1, 1}, {86399, 100}, {951782400, 0}, {-62135596800, 5}}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		in := instant{minUnix + rng.Int64N(maxUnix-minUnix+1), 0}
		switch rng.IntN(4) {
		case 1:
			in.nano = rng.Int32N(1e9)
		case 2:
			in.nano = rng.Int32N(1000) * 1e6
		case 3:
			in.nano = rng.Int32N(10) * 1e8
		}
		cases = append(cases, in)
	}
	for _, c := range cases {
		got := string(appendTimestamp(nil, c.unix, c.nano))
		want := time.Unix(c.unix, int64(c.nano)).UTC().Format(time.RFC3339Nano)
		if got != want {
			t.Fatalf("appendTimestamp(%d, %d) = %q, want %q", c.unix, c.nano, got, want)
		}
		if v := (Value{Kind: KindTimestamp, Int: c.unix, Nano: c.nano}); v.Text() != want {
			t.Fatalf("Text() of %+v = %q, want %q", v, v.Text(), want)
		}
	}
}

// TestParseNumberMatchesParseFloat pins parseNumber's fast path (plainDecimal) to strconv.ParseFloat and
// its exponent flag to the presence of e or E, on random literals of the accepted syntax.
func TestParseNumberMatchesParseFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		return b.String()
	}
	lits := []string{"0", "-0", "+0", "5.", ".5", "-.5", "0.1", "123456789012345", "1234567890123456", "9007199254740993", "1e5", "1E-5", ".", "-", ""}
	for range 200000 {
		s := [...]string{"", "-", "+"}[rng.IntN(3)] + digits(rng.IntN(12))
		if rng.IntN(2) == 0 {
			s += "." + digits(rng.IntN(12))
		}
		if rng.IntN(8) == 0 {
			s += [...]string{"e", "E"}[rng.IntN(2)] + [...]string{"", "-", "+"}[rng.IntN(3)] + digits(rng.IntN(4))
		}
		lits = append(lits, s)
	}
	for _, s := range lits {
		got, exp, err := parseNumber(s)
		want, werr := strconv.ParseFloat(s, 64)
		if err != nil {
			if werr == nil && !strings.HasSuffix(s, ".") && !strings.ContainsAny(s, "eE") && s != "" {
				t.Errorf("parseNumber(%q): %v, strconv.ParseFloat accepts it", s, err)
			}
			continue
		}
		if werr != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("parseNumber(%q) = %v, want %v (%v)", s, got, want, werr)
		}
		if exp != strings.ContainsAny(s, "eE") {
			t.Errorf("parseNumber(%q) exponent %v", s, exp)
		}
	}
}
