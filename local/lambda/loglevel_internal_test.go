package lambda

import (
	"strings"
	"testing"
)

// levelByDecoding is lineLevel without mayHaveLevel's shortcut: every JSON object line decoded.
func levelByDecoding(line string) int {
	if !strings.HasPrefix(strings.TrimSpace(line), "{") {
		return levelInfo
	}
	return decodedLevel(line)
}

var levelLines = []string{
	`{"level":"ERROR","msg":"x"}`,
	`{"LEVEL":"warn"}`,
	`{"Level":"debug","level":"error"}`,
	`{"le\u0076el":"FATAL"}`,
	`{"level":3}`,
	`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"Rows":2}`,
	`{"msg":"level ERROR"}`,
	`  {"level":"TRACE"}`,
	`not json level ERROR`,
	`{"level":"ERROR"`,
	`{}`,
}

// TestLineLevelShortcut checks lineLevel, with its shortcut, against decoding every line.
func TestLineLevelShortcut(t *testing.T) {
	for _, line := range levelLines {
		if got, want := lineLevel(line), levelByDecoding(line); got != want {
			t.Errorf("lineLevel(%q) = %d, want %d", line, got, want)
		}
	}
	if mayHaveLevel(levelLines[5]) {
		t.Errorf("mayHaveLevel(%q): true, want the EMF line spared its decoding", levelLines[5])
	}
}

// FuzzLineLevel checks lineLevel, with its shortcut, against decoding every line.
func FuzzLineLevel(f *testing.F) {
	for _, line := range levelLines {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if got, want := lineLevel(line), levelByDecoding(line); got != want {
			t.Errorf("lineLevel(%q) = %d, want %d", line, got, want)
		}
	})
}
