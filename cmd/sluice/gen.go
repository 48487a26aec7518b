package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sluicehq/sluice/deploy"
	"github.com/sluicehq/sluice/gen"
)

// errStale is returned by `gen --check` when a generated file is missing or differs.
var errStale = errors.New("generated files are stale")

// runGen writes every file gen.Files returns under --dir (the repository root), or with --check compares
// them and fails listing the stale ones.
func runGen(_ context.Context, args []string, std stdio) error {
	fs := newFlagSet("gen", std)
	check := fs.Bool("check", false, "do not write: fail, listing them, when generated files differ from the committed ones")
	dir := fs.String("dir", ".", "repository root the generated paths are relative to")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(*dir, "go.mod")); err != nil {
		return fmt.Errorf("%w: --dir %s is not the repository root: %w", errUsage, *dir, err)
	}
	files, err := gen.Files(gen.DefaultConfig())
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if *check {
		stale, err := staleFiles(*dir, files)
		if err != nil {
			return err
		}
		// The template is also compiled into this binary (package deploy) as the default of up and run:
		// it must be what the generator writes too, or an installed binary serves a stale stack.
		for _, f := range files {
			if f.Path == gen.PathTemplate && !bytes.Equal(f.Data, deploy.Template) {
				stale = append(stale, gen.PathTemplate+" (the copy built into this binary: rebuild it)")
			}
		}
		if len(stale) > 0 {
			for _, p := range stale {
				fmt.Fprintf(std.Err, "stale: %s\n", p)
			}
			return fmt.Errorf("%w: %s (run `make gen` and commit the result)", errStale, strings.Join(stale, ", "))
		}
		fmt.Fprintf(std.Out, "generated files are up to date (%d files)\n", len(files))
		return nil
	}
	for _, f := range files {
		path := filepath.Join(*dir, filepath.FromSlash(f.Path))
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, f.Data) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
		fmt.Fprintf(std.Out, "wrote %s\n", f.Path)
	}
	return nil
}

// staleFiles returns the paths of the files whose content on disk is not f.Data (missing files included).
func staleFiles(dir string, files []gen.File) ([]string, error) {
	var stale []string
	for _, f := range files {
		old, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		switch {
		case errors.Is(err, os.ErrNotExist):
			stale = append(stale, f.Path)
		case err != nil:
			return nil, fmt.Errorf("read %s: %w", f.Path, err)
		case !bytes.Equal(old, f.Data):
			stale = append(stale, f.Path)
		}
	}
	return stale, nil
}
