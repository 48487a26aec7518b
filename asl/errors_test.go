package asl_test

import (
	"strings"
	"testing"

	"github.com/sluicehq/sluice/asl"
)

// The rules come from
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
// and the recorded AWS case test_catch_states_runtime (a Catch on
// ["States.Runtime"] does not catch States.Runtime).
func TestErrorMatches(t *testing.T) {
	tests := []struct {
		name        string
		errorEquals []string
		errorName   string
		want        bool
	}{
		{"exact name", []string{"ValidationError"}, "ValidationError", true},
		{"names are case-sensitive", []string{"validationerror"}, "ValidationError", false},
		{"no prefix matching", []string{"Lambda."}, "Lambda.ServiceException", false},
		{"any element of the list", []string{"A", "B", "C"}, "B", true},
		{"empty list matches nothing", nil, "A", false},
		{"States.ALL matches a task error", []string{asl.ErrAll}, "ValidationError", true},
		{"States.ALL matches States.Timeout", []string{asl.ErrAll}, asl.ErrTimeout, true},
		{"States.ALL matches States.TaskFailed", []string{asl.ErrAll}, asl.ErrTaskFailed, true},
		{"States.ALL matches States.HeartbeatTimeout", []string{asl.ErrAll}, asl.ErrHeartbeatTimeout, true},
		{"States.ALL matches States.BranchFailed", []string{asl.ErrAll}, asl.ErrBranchFailed, true},
		{"States.ALL matches an empty name", []string{asl.ErrAll}, "", true},
		// Recorded against AWS, against the guide's wording: see ErrorMatches.
		{"States.ALL matches States.DataLimitExceeded", []string{asl.ErrAll}, asl.ErrDataLimitExceeded, true},
		{"States.ALL does not match States.Runtime", []string{asl.ErrAll}, asl.ErrRuntime, false},
		{"States.DataLimitExceeded matches itself", []string{asl.ErrDataLimitExceeded}, asl.ErrDataLimitExceeded, true},
		{"States.Runtime is never matched, even by name", []string{asl.ErrRuntime}, asl.ErrRuntime, false},
		{"States.TaskFailed matches a task error", []string{asl.ErrTaskFailed}, "Lambda.Unknown", true},
		{"States.TaskFailed matches itself", []string{asl.ErrTaskFailed}, asl.ErrTaskFailed, true},
		{"States.TaskFailed matches States.Permissions", []string{asl.ErrTaskFailed}, asl.ErrPermissions, true},
		{"States.TaskFailed does not match States.Timeout", []string{asl.ErrTaskFailed}, asl.ErrTimeout, false},
		{"States.Timeout matches itself", []string{asl.ErrTaskFailed, asl.ErrTimeout}, asl.ErrTimeout, true},
		{"States.TaskFailed does not match States.DataLimitExceeded", []string{asl.ErrTaskFailed}, asl.ErrDataLimitExceeded, false},
		{"States.TaskFailed does not match States.Runtime", []string{asl.ErrTaskFailed}, asl.ErrRuntime, false},
		{"a specific States name is exact", []string{asl.ErrTimeout}, asl.ErrHeartbeatTimeout, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := asl.ErrorMatches(tt.errorEquals, tt.errorName); got != tt.want {
				t.Errorf("ErrorMatches(%q, %q) = %v, want %v", tt.errorEquals, tt.errorName, got, tt.want)
			}
		})
	}
}

// FuzzErrorMatches checks the matcher's invariants on arbitrary names.
func FuzzErrorMatches(f *testing.F) {
	for _, s := range []struct{ a, b, name string }{
		{"States.ALL", "", "X"},
		{"States.TaskFailed", "Y", "States.Timeout"},
		{"A", "B", "B"},
		{"States.Runtime", "States.ALL", "States.Runtime"},
		{"States.ALL", "", "States.DataLimitExceeded"},
		{"", "", ""},
	} {
		f.Add(s.a, s.b, s.name)
	}
	f.Fuzz(func(t *testing.T, a, b, name string) {
		list := []string{a, b}
		got := asl.ErrorMatches(list, name)
		// Order in the list does not matter.
		if rev := asl.ErrorMatches([]string{b, a}, name); rev != got {
			t.Fatalf("ErrorMatches(%q) = %v but reversed = %v", list, got, rev)
		}
		// A list matches exactly when one of its elements does.
		if any1 := asl.ErrorMatches([]string{a}, name) || asl.ErrorMatches([]string{b}, name); any1 != got {
			t.Fatalf("ErrorMatches(%q, %q) = %v, elements say %v", list, name, got, any1)
		}
		switch {
		case name == asl.ErrRuntime:
			if got {
				t.Fatalf("States.Runtime matched %q", list)
			}
		case a == name || b == name:
			if !got {
				t.Fatalf("%q does not match itself", name)
			}
		case a == asl.ErrAll || b == asl.ErrAll:
			if !got {
				t.Fatalf("ErrorMatches(%q, %q) = %v", list, name, got)
			}
		case a == asl.ErrTaskFailed || b == asl.ErrTaskFailed:
			if got != (name != asl.ErrTimeout && name != asl.ErrDataLimitExceeded) {
				t.Fatalf("ErrorMatches(%q, %q) = %v", list, name, got)
			}
		default:
			if got {
				t.Fatalf("ErrorMatches(%q, %q) matched without an equal or wildcard", list, name)
			}
		}
		if !strings.HasPrefix(name, "States.") && name != "" && got != (a == name || b == name || a == asl.ErrAll || b == asl.ErrAll || a == asl.ErrTaskFailed || b == asl.ErrTaskFailed) {
			t.Fatalf("task error %q: ErrorMatches(%q) = %v", name, list, got)
		}
	})
}
