package lambda

import (
	"encoding/json"
	"strings"
	"testing"
)

// levelByUnmarshal is decodedLevel as json.Unmarshal gives it.
func levelByUnmarshal(line string) int {
	var rec struct {
		Level any `json:"level"`
	}
	if json.Unmarshal([]byte(line), &rec) != nil {
		return levelInfo
	}
	s, _ := rec.Level.(string)
	if n, ok := logLevels[strings.ToUpper(s)]; ok {
		return n
	}
	return levelInfo
}

// levelByDecoding is lineLevel without mayHaveLevel's shortcut: every JSON object line decoded.
func levelByDecoding(line string) int {
	if !strings.HasPrefix(strings.TrimSpace(line), "{") {
		return levelInfo
	}
	return levelByUnmarshal(line)
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
	`{"level":"error","LeVeL":null}`,
	`{"level":"error","levels":1}`,
	`{"level":"warn"} x`,
	`{"level":"w\u0061rn","a":[1,{"b":"\u12"}]}`,
	"{\"level\":\"\xffwarn\"}",
}

// TestDecodedLevelAsUnmarshal checks decodedLevel, which scans, against json.Unmarshal.
func TestDecodedLevelAsUnmarshal(t *testing.T) {
	for _, line := range levelLines {
		if got, want := decodedLevel(line), levelByUnmarshal(line); got != want {
			t.Errorf("decodedLevel(%q) = %d, want %d", line, got, want)
		}
	}
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
