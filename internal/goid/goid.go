// Package goid tells which goroutine is running, for tests that check where work ran (that a pool
// reuses its goroutines, that a call is served on the caller's goroutine). Nothing outside tests should
// depend on goroutine identity.
package goid

import (
	"runtime"
	"strings"
)

// Current is the running goroutine's number as the runtime prints it in a stack's header
// ("goroutine 42 [running]:"), or "" if the header does not have that form.
func Current() string {
	var b [64]byte
	n := runtime.Stack(b[:], false)
	rest, ok := strings.CutPrefix(string(b[:n]), "goroutine ")
	if !ok {
		return ""
	}
	id, _, ok := strings.Cut(rest, " ")
	if !ok || id == "" || strings.Trim(id, "0123456789") != "" {
		return ""
	}
	return id
}
