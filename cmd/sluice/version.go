package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// runVersion prints the module version and the VCS revision the binary was built from, as the Go
// toolchain recorded them (https://pkg.go.dev/runtime/debug#BuildInfo):
//
//	sluice version
func runVersion(_ context.Context, args []string, std stdio) error {
	fs := newFlagSet("version", std)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintf(std.Out, "sluice (no build information) %s\n", runtime.Version())
		return nil
	}
	fmt.Fprintln(std.Out, versionLine(info))
	return nil
}

// versionLine is "sluice VERSION (REVISION[, modified], TIME) GOVERSION": VERSION is the module's
// (v1.2.3 for `go install ...@v1.2.3`, a pseudo-version or "(devel)" for a build in a checkout), and
// the revision is the VCS commit of a checkout build.
func versionLine(info *debug.BuildInfo) string {
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	line := "sluice " + info.Main.Version
	if rev := settings["vcs.revision"]; rev != "" {
		line += " (" + rev
		if settings["vcs.modified"] == "true" {
			line += ", modified"
		}
		if t := settings["vcs.time"]; t != "" {
			line += ", " + t
		}
		line += ")"
	}
	return line + " " + info.GoVersion
}
