package main

import (
	"os"
	"path/filepath"
	"strings"
)

// selfCommand is how to run this command again in the commands sluice suggests: "go run ./cmd/sluice"
// when it runs under go run (make run), "sluice" when it is installed, else the path it was started by
// (make up's bin/sluice).
func selfCommand() string {
	exe, err := os.Executable()
	if err != nil {
		return "sluice"
	}
	if strings.Contains(filepath.ToSlash(exe), "/go-build") {
		return "go run ./cmd/sluice"
	}
	if strings.ContainsRune(os.Args[0], os.PathSeparator) {
		return os.Args[0]
	}
	return "sluice"
}
