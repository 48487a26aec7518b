package lambda

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Log levels of LoggingConfig, least to most severe
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html).
var logLevels = map[string]int{"TRACE": 1, "DEBUG": 2, "INFO": 3, "WARN": 4, "ERROR": 5, "FATAL": 6}

const levelInfo = 3

// checkLogLevels validates a function's ApplicationLogLevel and SystemLogLevel as Lambda does: each
// one of its values (SystemLogLevel only DEBUG, INFO or WARN), and only with the JSON log format.
// https://docs.aws.amazon.com/lambda/latest/api/API_LoggingConfig.html
func checkLogLevels(f Function) error {
	if f.ApplicationLogLevel == "" && f.SystemLogLevel == "" {
		return nil
	}
	if f.LogFormat != LogFormatJSON {
		return fmt.Errorf("register %q: log levels need the JSON log format", f.Name)
	}
	if _, ok := logLevels[f.ApplicationLogLevel]; f.ApplicationLogLevel != "" && !ok {
		return fmt.Errorf("register %q: ApplicationLogLevel %q is not one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL", f.Name, f.ApplicationLogLevel)
	}
	switch f.SystemLogLevel {
	case "", "DEBUG", "INFO", "WARN":
	default:
		return fmt.Errorf("register %q: SystemLogLevel %q is not one of DEBUG, INFO, WARN", f.Name, f.SystemLogLevel)
	}
	return nil
}

// lineLevel is the level Lambda gives a line of the function's output: its JSON "level" when that is
// one of Lambda's levels (in any letter case), INFO otherwise, a line that is not JSON or has no level
// included, as the log-level filtering page says.
func lineLevel(line string) int {
	if !strings.HasPrefix(strings.TrimSpace(line), "{") || !mayHaveLevel(line) {
		return levelInfo
	}
	return decodedLevel(line)
}

// mayHaveLevel reports whether line may hold a "level" key as encoding/json matches a field's name:
// exactly or in any letter case (of "level"'s letters only ASCII ones fold), or spelled with escapes.
// A line without a backslash nor "level" in any case has none, and is INFO without being decoded (an
// EMF line, for one).
func mayHaveLevel(line string) bool {
	if strings.IndexByte(line, '\\') >= 0 {
		return true
	}
	for i := 0; i+5 <= len(line); i++ {
		if line[i]|0x20 == 'l' && line[i+1]|0x20 == 'e' && line[i+2]|0x20 == 'v' && line[i+3]|0x20 == 'e' && line[i+4]|0x20 == 'l' {
			return true
		}
	}
	return false
}

// decodedLevel is lineLevel by decoding the line.
func decodedLevel(line string) int {
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

// minLevel is the least level a filter setting keeps (0, keep all, when unset).
func minLevel(setting string) int { return logLevels[setting] }
