//go:build race

package interp

// raceEnabled tells heavy tests that the race detector slows them tenfold.
const raceEnabled = true
