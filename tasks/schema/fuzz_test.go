package schema

import (
	"encoding/json"
	"testing"
)

// FuzzCoerce checks, for every type, that Coerce never panics, that what it accepts is stable (the
// canonical text of a value coerces back to the same value), and that AppendJSON writes valid JSON that
// encoding/json reads back as the same value.
func FuzzCoerce(f *testing.F) {
	for _, seed := range []string{"", " x ", "0", "-12", "+7", "9223372036854775808", "1.5e3", ".5", "1e400", "NaN",
		"true", "FALSE", "2024-02-29", "2023-02-29", "2024-03-01T09:30:00Z", "2024-03-01 10:30:00.123+01:00",
		"2024-03-01t04:00-0530", "0000-01-01T00:00:00+01:00", "\x00\"\\", "żółw"} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	s, err := Parse([]byte(`{"name":"f","columns":[
		{"name":"s","type":"string","nullable":true},{"name":"i","type":"integer"},{"name":"n","type":"number"},
		{"name":"b","type":"boolean"},{"name":"d","type":"date"},{"name":"t","type":"timestamp"}]}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string, asNumber bool) {
		raw := Raw{Kind: RawText, Text: in}
		if asNumber {
			raw.Kind = RawNumber
		}
		for i := range s.Columns {
			c := &s.Columns[i]
			v, err := c.Coerce(raw)
			if checkErr := c.Check(raw); (checkErr == nil) != (err == nil) || (err != nil && checkErr.Error() != err.Error()) {
				t.Fatalf("%s: Check(%q) = %v, Coerce gives %v", c.Type, in, checkErr, err)
			}
			if err != nil {
				if _, ok := err.(*ValueError); !ok {
					t.Fatalf("%s: Coerce(%q) error %T is not a *ValueError", c.Type, in, err)
				}
				continue
			}
			if v.Kind == KindNull {
				continue
			}
			again, err := c.Coerce(Raw{Kind: RawText, Text: v.Text()})
			if err != nil || Compare(again, v) != 0 || again.Text() != v.Text() {
				t.Fatalf("%s: Coerce(%q) = %+v, but its text %q coerces to %+v, %v", c.Type, in, v, v.Text(), again, err)
			}
			js := v.AppendJSON(nil)
			var back any
			if err := json.Unmarshal(js, &back); err != nil {
				t.Fatalf("%s: AppendJSON(%+v) = %s: %v", c.Type, v, js, err)
			}
			want, _ := json.Marshal(v.Any())
			if got, _ := json.Marshal(back); v.Kind != KindInteger && string(got) != string(want) {
				t.Fatalf("%s: AppendJSON(%+v) = %s reads back as %s, want %s", c.Type, v, js, got, want)
			}
		}
	})
}
