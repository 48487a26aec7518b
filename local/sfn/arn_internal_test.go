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

// arnPartsBySplit is arnParts as it was written with strings.Split: FuzzArnParts holds the two to the
// same answers.
func arnPartsBySplit(arn string) (resource string, names []string, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || parts[0] != "arn" || parts[2] != "states" || parts[1] == "" {
		return "", nil, false
	}
	for _, p := range parts[6:] {
		if p == "" {
			return "", nil, false
		}
	}
	return parts[5], parts[6:], true
}

// FuzzArnParts: arnParts answers as strings.Split's fields say: the resource type, how many names, the
// first two.
func FuzzArnParts(f *testing.F) {
	for _, s := range []string{"", "arn", "arn:aws:states:us-east-1:000000000000:stateMachine:m", "arn:aws:states:us-east-1:000000000000:execution:m:e",
		"arn:aws:states:us-east-1:000000000000:stateMachine:m:1", "arn:aws:states:us-east-1:000000000000:mapRun:m/x:y", "arn:aws:states:::stateMachine:m",
		"arn::states:r:a:stateMachine:m", "arn:aws:states:r:a:stateMachine:", "arn:aws:states:r:a:stateMachine:m::x", "arn:aws:lambda:r:a:function:f",
		"arn:aws:states:r:a:execution:m:e:x:y", "arn:aws:iam::000000000000:role/r", "xarn:aws:states:r:a:stateMachine:m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		res, names, ok := arnParts(arn)
		wantRes, wantNames, wantOK := arnPartsBySplit(arn)
		if ok != wantOK || res != wantRes || names.n != len(wantNames) {
			t.Fatalf("arnParts(%q) = %q, %d names, %v; want %q, %d, %v", arn, res, names.n, ok, wantRes, len(wantNames), wantOK)
		}
		for i := range min(len(wantNames), len(names.v)) {
			if names.v[i] != wantNames[i] {
				t.Errorf("arnParts(%q) name %d = %q, want %q", arn, i, names.v[i], wantNames[i])
			}
		}
	})
}
