//go:build race

package stack

// raceEnabled is set when the race detector is on: the heaviest end-to-end tests run smaller then.
const raceEnabled = true
