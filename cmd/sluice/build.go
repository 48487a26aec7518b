package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"time"

	"github.com/sluicehq/sluice/gen"
)

// modulePath is the module the Lambda mains live in.
const modulePath = "github.com/sluicehq/sluice"

// artifactsFile is the manifest `sluice build` writes into --out and `sluice deploy` reads.
const artifactsFile = "artifacts.json"

// artifactKeyPrefix is the S3 key prefix of the zips in the artifact bucket.
const artifactKeyPrefix = "sluice/"

// zipTime is the modification time of every zip entry: the earliest an MS-DOS date can hold, so that zips
// do not depend on when they were built.
func zipTime() time.Time { return time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC) }

// Artifact is one function's zip as recorded in artifacts.json.
type Artifact struct {
	File   string `json:"file"`   // file name in the build output directory
	Key    string `json:"key"`    // S3 key in the artifact bucket
	SHA256 string `json:"sha256"` // hex digest of the zip
	Size   int64  `json:"size"`   // bytes
}

// runBuild builds the three Lambda mains for linux/arm64 and packs each as a zip holding one executable
// named bootstrap (https://docs.aws.amazon.com/lambda/latest/dg/golang-package.html). The output is
// byte-for-byte reproducible for a given source tree and Go toolchain, and works offline.
func runBuild(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("build", std)
	out := fs.String("out", "dist", "output directory for the zips and "+artifactsFile)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	artifacts, err := build(ctx, *out, lambdaTargets(), std)
	if err != nil {
		return err
	}
	for _, f := range gen.DefaultConfig().Functions() {
		a := artifacts[f.Name]
		fmt.Fprintf(std.Out, "%-8s %s (%d bytes)\n", f.Name, filepath.Join(*out, a.File), a.Size)
	}
	return nil
}

// target is one function to build: its name and its main package.
type target struct {
	name, pkg string
}

// lambdaTargets are the three Lambda mains, cmd/<function>.
func lambdaTargets() []target {
	var ts []target
	for _, f := range gen.DefaultConfig().Functions() {
		ts = append(ts, target{name: f.Name, pkg: modulePath + "/cmd/" + f.Name})
	}
	return ts
}

// build compiles the targets, writes their zips and artifacts.json into out, and returns the artifacts
// by target name.
func build(ctx context.Context, out string, targets []target, std stdio) (map[string]Artifact, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	bin, err := os.MkdirTemp("", "sluice-build-")
	if err != nil {
		return nil, fmt.Errorf("create build directory: %w", err)
	}
	defer os.RemoveAll(bin)

	// One `go build` for all targets: it writes each binary into bin under its own name, so the names
	// of the targets must be their packages' last path elements.
	var pkgs []string
	for _, t := range targets {
		if path.Base(t.pkg) != t.name {
			return nil, fmt.Errorf("target %s: package %s must end in /%s", t.name, t.pkg, t.name)
		}
		pkgs = append(pkgs, t.pkg)
	}
	cmd := exec.CommandContext(ctx, "go", buildArgs(bin+string(filepath.Separator), pkgs)...)
	cmd.Env = buildEnv(os.Environ())
	cmd.Stdout, cmd.Stderr = std.Err, std.Err
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go build: %w", err)
	}

	artifacts := map[string]Artifact{}
	for _, t := range targets {
		exe, err := os.ReadFile(filepath.Join(bin, t.name))
		if err != nil {
			return nil, fmt.Errorf("read %s binary: %w", t.name, err)
		}
		z, err := zipBootstrap(exe)
		if err != nil {
			return nil, fmt.Errorf("zip %s: %w", t.name, err)
		}
		sum := sha256.Sum256(z)
		digest := hex.EncodeToString(sum[:])
		name := t.name + "-" + digest[:16] + ".zip"
		if err := os.WriteFile(filepath.Join(out, name), z, 0o644); err != nil {
			return nil, fmt.Errorf("write %s: %w", name, err)
		}
		artifacts[t.name] = Artifact{File: name, Key: artifactKeyPrefix + name, SHA256: digest, Size: int64(len(z))}
	}
	manifest, err := json.MarshalIndent(artifacts, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", artifactsFile, err)
	}
	if err := os.WriteFile(filepath.Join(out, artifactsFile), append(manifest, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("write %s: %w", artifactsFile, err)
	}
	return artifacts, nil
}

// buildArgs are the `go build` arguments: no RPC runtime shim (provided.al2023 runs the binary
// directly), no file system paths, VCS stamps or build ids in the binary, symbols stripped.
func buildArgs(outDir string, pkgs []string) []string {
	return append([]string{
		"build",
		"-tags", "lambda.norpc",
		"-trimpath",
		"-buildvcs=false",
		"-ldflags=-s -w -buildid=",
		"-o", outDir,
	}, pkgs...)
}

// buildEnv is env with the target set to a static linux/arm64 binary.
func buildEnv(env []string) []string {
	return append(env, "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
}

// zipBootstrap returns a zip holding exe as an executable file named bootstrap, with a fixed time and
// mode so that the same exe always gives the same bytes.
func zipBootstrap(exe []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipTime()}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(exe); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
