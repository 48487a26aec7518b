package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestDeployFlagErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"yes and no-execute":  {"deploy", "--yes", "--no-execute"},
		"parameter without =": {"deploy", "--parameter", "LogLevel"},
		"endpoint not a URL":  {"deploy", "--endpoint", "127.0.0.1:4566", "--no-build", "--dist", t.TempDir()},
		"extra argument":      {"destroy", "now"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := runCLI(t, args...)
			if !errors.Is(err, errUsage) {
				t.Errorf("error %v, want a usage error", err)
			}
		})
	}
}

func TestConfirm(t *testing.T) {
	tests := []struct {
		name  string
		in    *strings.Reader // nil: no input
		want  bool
		asked string
	}{
		{"yes", strings.NewReader("y\n"), true, ""},
		{"YES without newline", strings.NewReader("YES"), true, ""},
		{"no", strings.NewReader("n\n"), false, ""},
		{"empty line", strings.NewReader("\n"), false, ""},
		{"end of input", strings.NewReader(""), false, "pass --yes"},
		{"no input", nil, false, "pass --yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errOut bytes.Buffer
			std := stdio{Out: &bytes.Buffer{}, Err: &errOut}
			if tt.in != nil {
				std.In = tt.in
			}
			got, err := confirm(std, "Deploy?")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("confirm = %v, want %v", got, tt.want)
			}
			if !strings.HasPrefix(errOut.String(), "Deploy? [y/N] ") {
				t.Errorf("question %q, want it to start with the question and [y/N]", errOut.String())
			}
			if tt.asked != "" && !strings.Contains(errOut.String(), tt.asked) {
				t.Errorf("stderr %q, want it to say %q", errOut.String(), tt.asked)
			}
		})
	}
}
