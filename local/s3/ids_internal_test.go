package s3

import (
	"fmt"
	"regexp"
	"testing"
)

// FuzzSeqString holds seqString to fmt's %016X.
func FuzzSeqString(f *testing.F) {
	for _, n := range []uint64{0, 1, 0xF, 0x10, 1764979200123456789, 1<<60 - 1, 1 << 60, ^uint64(0)} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n uint64) {
		if got, want := seqString(n), fmt.Sprintf("%016X", n); got != want {
			t.Errorf("seqString(%d) = %q, want %q", n, got, want)
		}
	})
}

// TestIDShapes checks the identifiers' shapes (S3's: a 32-character URL-safe version id, a 16-digit
// upper-case hexadecimal request id, a version 4 UUID for an event) and that they differ from one call to the next.
func TestIDShapes(t *testing.T) {
	var ids idSource
	for _, c := range []struct {
		name string
		make func() string
		re   *regexp.Regexp
	}{
		{"version", ids.versionID, regexp.MustCompile(`^[A-Za-z0-9._]{32}$`)},
		{"request", ids.requestID, regexp.MustCompile(`^[0-9A-F]{16}$`)},
		{"event", ids.uuid, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)},
	} {
		seen := map[string]bool{}
		for range 1000 {
			id := c.make()
			if !c.re.MatchString(id) {
				t.Fatalf("%s id %q does not match %s", c.name, id, c.re)
			}
			if seen[id] {
				t.Fatalf("%s id %q repeated", c.name, id)
			}
			seen[id] = true
		}
	}
}
