package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/gen"
)

func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = dispatch(context.Background(), args, stdio{Out: &out, Err: &errOut})
	return out.String(), errOut.String(), err
}

// repo returns a directory that looks like the repository root to `sluice gen`.
func repo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestGenWritesThenCheckPasses(t *testing.T) {
	dir := repo(t)
	if _, stderr, err := runCLI(t, "gen", "--dir", dir); err != nil {
		t.Fatalf("gen: %v\n%s", err, stderr)
	}
	files, err := gen.Files(gen.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(dir, f.Path))
		if err != nil {
			t.Fatalf("gen did not write %s: %v", f.Path, err)
		}
		if !bytes.Equal(got, f.Data) {
			t.Errorf("%s differs from gen.Files", f.Path)
		}
	}
	if _, stderr, err := runCLI(t, "gen", "--check", "--dir", dir); err != nil {
		t.Errorf("gen --check after gen: %v\n%s", err, stderr)
	}
	// A second gen writes nothing.
	if stdout, _, err := runCLI(t, "gen", "--dir", dir); err != nil || stdout != "" {
		t.Errorf("second gen: output %q, error %v; want nothing written", stdout, err)
	}
}

func TestGenCheckDetectsStaleFiles(t *testing.T) {
	tests := []struct {
		name   string
		change func(dir string) error
		stale  []string
	}{
		{"edited template", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, gen.PathTemplate), []byte("{}\n"), 0o644)
		}, []string{gen.PathTemplate}},
		{"missing mock config", func(dir string) error {
			return os.Remove(filepath.Join(dir, gen.PathMockConfig))
		}, []string{gen.PathMockConfig}},
		{"two stale files", func(dir string) error {
			p := filepath.Join(dir, gen.PathStateMachine)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.WriteFile(p, append(b, ' '), 0o644); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, gen.PathMockCases), nil, 0o644)
		}, []string{gen.PathStateMachine, gen.PathMockCases}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := repo(t)
			if _, stderr, err := runCLI(t, "gen", "--dir", dir); err != nil {
				t.Fatalf("gen: %v\n%s", err, stderr)
			}
			if err := tt.change(dir); err != nil {
				t.Fatal(err)
			}
			_, stderr, err := runCLI(t, "gen", "--check", "--dir", dir)
			if !errors.Is(err, errStale) {
				t.Fatalf("gen --check = %v, want errStale", err)
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
				got = append(got, strings.TrimPrefix(line, "stale: "))
			}
			if diff := cmp.Diff(tt.stale, got); diff != "" {
				t.Errorf("stale files listed (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCommittedFilesAreCurrent is `make gen-check` as a test: the files in the repository are what gen
// writes.
func TestCommittedFilesAreCurrent(t *testing.T) {
	if _, stderr, err := runCLI(t, "gen", "--check", "--dir", filepath.Join("..", "..")); err != nil {
		t.Errorf("%v\n%s", err, stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := [][]string{
		{},
		{"frobnicate"},
		{"gen", "--no-such-flag"},
		{"gen", "extra-argument"},
		{"gen", "--dir", "/nonexistent-sluice-dir"},
		{"deploy", "--yes", "--no-execute"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if _, _, err := runCLI(t, args...); !errors.Is(err, errUsage) {
				t.Errorf("error = %v, want errUsage", err)
			}
		})
	}
}
