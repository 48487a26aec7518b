package jsonpath

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

// mustJSON decodes JSON text the way the engine does (UseNumber).
func mustJSON(t testing.TB, text string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", text, err)
	}
	return v
}

// sameJSON compares JSON values semantically (numbers by value).
func sameJSON(a, b any) bool { return equal(a, b) }

// seqRandom is a deterministic Scope.Random.
func seqRandom(seed uint64) func() uint64 {
	x := seed
	return func() uint64 {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		return z ^ (z >> 31)
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func hashHex(t testing.TB, s string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func hashHex384(t testing.TB, s string) string {
	t.Helper()
	sum := sha512.Sum384([]byte(s))
	return hex.EncodeToString(sum[:])
}
