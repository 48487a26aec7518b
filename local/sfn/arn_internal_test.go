package sfn

import (
	"strings"
	"testing"
)

// FuzzValidName: validName's table of ASCII characters answers as validNameRunes, character by character.
func FuzzValidName(f *testing.F) {
	for _, s := range []string{"", "e1", "run-2024_03.x", "a b", "a/b", "a\x7f", "é", "a\u2028", strings.Repeat("a", 80), strings.Repeat("a", 81), strings.Repeat("é", 80), "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := validName(name), validNameRunes(name); got != want {
			t.Errorf("validName(%q) = %v, want %v", name, got, want)
		}
	})
}
