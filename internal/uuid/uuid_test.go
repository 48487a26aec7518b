package uuid_test

import (
	"regexp"
	"testing"

	"github.com/sluicehq/sluice/internal/uuid"
)

var v4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNew(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	if !v4.MatchString(a) || !v4.MatchString(b) || a == b {
		t.Errorf("New() = %q, %q: want two different version 4 UUIDs", a, b)
	}
}

func TestFrom(t *testing.T) {
	var b [16]byte
	for i := range b {
		b[i] = 0xff
	}
	if got, want := uuid.From(b), "ffffffff-ffff-4fff-bfff-ffffffffffff"; got != want {
		t.Errorf("From(all ones) = %q, want %q", got, want)
	}
	if got, want := uuid.From([16]byte{}), "00000000-0000-4000-8000-000000000000"; got != want {
		t.Errorf("From(zeros) = %q, want %q", got, want)
	}
}
