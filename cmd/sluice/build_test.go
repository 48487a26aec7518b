package main

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/elf"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sluicehq/sluice/gen"
)

func TestZipBootstrapIsFixed(t *testing.T) {
	exe := []byte("\x7fELF not really an executable")
	a, err := zipBootstrap(exe)
	if err != nil {
		t.Fatal(err)
	}
	b, err := zipBootstrap(exe)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two zips of the same executable differ")
	}
	got := readZip(t, a)
	if !bytes.Equal(got, exe) {
		t.Errorf("zip holds %q, want %q", got, exe)
	}
}

// readZip checks the zip holds exactly one executable file named bootstrap with the fixed time, and
// returns its content.
func readZip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("open zip: %v", err)
	}
	if len(zr.File) != 1 {
		t.Fatalf("zip has %d entries, want 1", len(zr.File))
	}
	f := zr.File[0]
	if f.Name != "bootstrap" {
		t.Errorf("entry %q, want bootstrap", f.Name)
	}
	if f.Mode() != 0o755 {
		t.Errorf("mode %v, want -rwxr-xr-x", f.Mode())
	}
	if !f.Modified.Equal(zipTime()) {
		t.Errorf("modified %v, want %v", f.Modified, zipTime())
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestBuildIsReproducible builds the three functions twice into different directories and compares the
// bytes. It compiles three binaries (the second build reuses Go's build cache), so -short skips it.
func TestBuildIsReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds three linux/arm64 binaries; skipped with -short")
	}
	for _, f := range gen.DefaultConfig().Functions() {
		if m, _ := filepath.Glob(filepath.Join("..", f.Name, "*.go")); len(m) == 0 {
			t.Skipf("cmd/%s has no Go files yet", f.Name)
		}
	}
	var builds [2]map[string]Artifact
	dirs := [2]string{t.TempDir(), filepath.Join(t.TempDir(), "another", "dist")}
	for i, dir := range dirs {
		var log bytes.Buffer
		a, err := build(context.Background(), dir, lambdaTargets(), stdio{Out: &log, Err: &log})
		if err != nil {
			t.Fatalf("build %d: %v\n%s", i, err, log.String())
		}
		builds[i] = a
	}
	for _, f := range gen.DefaultConfig().Functions() {
		t.Run(f.Name, func(t *testing.T) {
			a, b := builds[0][f.Name], builds[1][f.Name]
			if a != b {
				t.Fatalf("artifacts differ: %+v vs %+v", a, b)
			}
			if want := f.Name + "-" + a.SHA256[:16] + ".zip"; a.File != want || a.Key != artifactKeyPrefix+want {
				t.Errorf("artifact %+v: want file %s under %s", a, want, artifactKeyPrefix)
			}
			za, err := os.ReadFile(filepath.Join(dirs[0], a.File))
			if err != nil {
				t.Fatal(err)
			}
			zb, err := os.ReadFile(filepath.Join(dirs[1], b.File))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(za, zb) {
				t.Fatal("zips differ")
			}
			exe, err := elf.NewFile(bytes.NewReader(readZip(t, za)))
			if err != nil {
				t.Fatalf("bootstrap is not ELF: %v", err)
			}
			if exe.Machine != elf.EM_AARCH64 || exe.Class != elf.ELFCLASS64 {
				t.Errorf("bootstrap is %v %v, want 64-bit arm64", exe.Class, exe.Machine)
			}
			for _, s := range exe.Sections {
				if slices.Contains([]string{".symtab", ".note.go.buildid"}, s.Name) {
					t.Errorf("bootstrap has section %s; want symbols and build id stripped", s.Name)
				}
			}
		})
	}
	for i, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, artifactsFile)); err != nil {
			t.Errorf("build %d wrote no %s: %v", i, artifactsFile, err)
		}
	}
}
