package stack

import (
	"regexp"
	"testing"
)

// TestRequestIDIsAUniqueUUID: request ids are version 4 UUIDs (RFC 9562 variant), none twice.
func TestRequestIDIsAUniqueUUID(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 10000 {
		id := requestID()
		if !v4.MatchString(id) {
			t.Fatalf("requestID() = %q, not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("requestID() gave %q twice", id)
		}
		seen[id] = true
	}
}
