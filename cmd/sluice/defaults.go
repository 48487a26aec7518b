package main

import (
	"fmt"
	"io/fs"
	"os"

	"github.com/sluicehq/sluice/deploy"
	"github.com/sluicehq/sluice/sample"
)

// The template and the sample dataset are compiled into the binary, so that an installed sluice works
// from any directory; --template and --sample read files instead.

// templateBytes returns the template at path, or the one built into the binary when path is empty.
func templateBytes(path string) ([]byte, error) {
	if path == "" {
		return deploy.Template, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	return b, nil
}

// sampleFS returns the sample dataset in dir (with schemas/ and incoming/), or the one built into the
// binary when dir is empty.
func sampleFS(dir string) fs.FS {
	if dir == "" {
		return sample.FS
	}
	return os.DirFS(dir)
}
