package peerbench

import (
	"os"
	"testing"
)

// TestMain runs the tests, or serves the floor when the environment asks for it (floorEnv: startFloor runs this
// test binary again so).
func TestMain(m *testing.M) {
	if os.Getenv(floorEnv) == "1" {
		os.Exit(serveFloor(os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}
