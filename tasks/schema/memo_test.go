package schema

import (
	"bytes"
	"fmt"
	"testing"
)

// civilDay is what FastMemo.day stands for: civil and daysFromCivil.
func civilDay(s string) (int64, bool) {
	if len(s) < 10 {
		return 0, false
	}
	y, m, d, err := civil(s)
	if err != nil {
		return 0, false
	}
	return daysFromCivil(y, m, d), true
}

// checkMemoDay compares m.day(s) with civilDay(s).
func checkMemoDay(t *testing.T, m *FastMemo, s string) {
	t.Helper()
	got, gotOK := m.day(s)
	want, wantOK := civilDay(s)
	if gotOK != wantOK || (wantOK && got != want) {
		t.Fatalf("day(%q) with memo %+v = %d, %v; want %d, %v", s, *m, got, gotOK, want, wantOK)
	}
}

// TestFastMemo walks the days of leap and common years (and the calendar's ends) in order with one
// memo, with invalid days of each month between, as a column of dates in order would, and holds the
// day numbers to civil and daysFromCivil.
func TestFastMemo(t *testing.T) {
	tests := []struct {
		name  string
		years []int
	}{
		{name: "common and leap years", years: []int{1969, 1970, 2023, 2024}},
		{name: "centuries", years: []int{1900, 2000, 2100}},
		{name: "the calendar's ends", years: []int{0, 1, 9999}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m FastMemo
			for _, y := range tt.years {
				for mo := 0; mo <= 13; mo++ {
					for d := 0; d <= 32; d++ {
						s := fmt.Sprintf("%04d-%02d-%02d", y, mo, d)
						checkMemoDay(t, &m, s)
						checkMemoDay(t, &m, s+"T12:00:00Z")
						// Not a day: the month stays remembered and the text is refused.
						checkMemoDay(t, &m, s[:8]+"x1")
						checkMemoDay(t, &m, s[:8]+"1")
					}
				}
			}
			if m.ym == 0 {
				t.Fatalf("memo %+v remembers no month after valid dates", m)
			}
		})
	}
}

// checkFastMemo holds AppendFast with a memo that prev left (as the column's previous value) to
// AppendFast without one, on next: the same decision, bytes and value, the day number included.
func checkFastMemo(t *testing.T, c *Column, prev, next Raw) {
	t.Helper()
	var m FastMemo
	var v Value
	c.AppendFast(nil, prev, &v, &m)
	var got, want Value
	gotB, gotOK := c.AppendFast([]byte("x"), next, &got, &m)
	wantB, wantOK := c.AppendFast([]byte("x"), next, &want, nil)
	if gotOK != wantOK || !bytes.Equal(gotB, wantB) || (wantOK && got != want) {
		t.Fatalf("%s: after %q, AppendFast(%q) with memo = %q, %v, %+v; without = %q, %v, %+v",
			c.Name, prev.Text, next.Text, gotB, gotOK, got, wantB, wantOK, want)
	}
}

// memoSeeds are dates and timestamps of one month and its neighbours, valid and not.
var memoSeeds = []string{"2024-02-28", "2024-02-29", "2024-02-30", "2023-02-28", "2023-02-29", "2024-02-00", "2024-02-1x",
	"2024-02-01 ", " 2024-02-01", "2024-03-01", "2024-03-31", "2024-03-32", "2024-13-01", "2024-00-10", "2024-02-29T23:59:59Z",
	"2024-02-29 00:30:00+01:00", "2024-02-30T00:00:00Z", "2024-03-01T09:30:00.5-01:00", "0000-01-01T00:00:00+01:00",
	"9999-12-31T23:59:59-01:00", "9999-12-31", "2024-02-", "2024-02-2", "2024-02-291", "2024\x00\x00\x00\x00"}

// TestAppendFastMemo holds AppendFast with a memo to AppendFast without one on every pair of memoSeeds,
// in every column of appendSchema (dates and timestamps with and without min and max).
func TestAppendFastMemo(t *testing.T) {
	s, err := Parse([]byte(appendSchema))
	if err != nil {
		t.Fatal(err)
	}
	for i := range s.Columns {
		for _, a := range memoSeeds {
			for _, b := range memoSeeds {
				checkFastMemo(t, &s.Columns[i], Raw{Kind: RawText, Text: a}, Raw{Kind: RawText, Text: b})
			}
		}
	}
}

// FuzzFastMemo holds FastMemo.day to civil and daysFromCivil, and AppendFast with a memo to AppendFast
// without one, for a value after another.
func FuzzFastMemo(f *testing.F) {
	for i, a := range memoSeeds {
		f.Add(a, memoSeeds[(i+1)%len(memoSeeds)])
		f.Add(a, memoSeeds[(i+3)%len(memoSeeds)])
	}
	s, err := Parse([]byte(appendSchema))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		var m FastMemo
		checkMemoDay(t, &m, a)
		checkMemoDay(t, &m, b)
		for i := range s.Columns {
			checkFastMemo(t, &s.Columns[i], Raw{Kind: RawText, Text: a}, Raw{Kind: RawText, Text: b})
		}
	})
}
