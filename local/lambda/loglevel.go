package lambda

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/sluicehq/sluice/internal/jsonvalue"
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

// decodedLevel is lineLevel by reading the line's members as json.Unmarshal fills a struct whose one field
// is "level" (TestDecodedLevelAsUnmarshal, FuzzLineLevel): a member whose name equals "level" in any letter
// case (bytes.EqualFold, encoding/json's match) sets it, the last one winning, and a line that is not one
// valid JSON document has none. Only those members' values are decoded; the rest is checked and skipped.
func decodedLevel(line string) int {
	var s jsonvalue.Scanner
	s.Reset([]byte(line))
	if s.Peek() != jsonvalue.Object || s.BeginObject() != nil {
		return levelInfo
	}
	var level []byte
	isString := false
	for first := true; ; first = false {
		more, err := s.NextMember(first)
		if err != nil {
			return levelInfo
		}
		if !more {
			break
		}
		name, _, err := s.Key(nil)
		if err != nil {
			return levelInfo
		}
		if !bytes.EqualFold(name, []byte("level")) || s.Peek() != jsonvalue.String {
			if s.Skip() != nil {
				return levelInfo
			}
			isString = isString && !bytes.EqualFold(name, []byte("level"))
			continue
		}
		if level, _, err = s.String(level[:0]); err != nil {
			return levelInfo
		}
		isString = true
	}
	if s.End() != nil || !isString {
		return levelInfo
	}
	if n, ok := logLevels[strings.ToUpper(string(level))]; ok {
		return n
	}
	return levelInfo
}

// minLevel is the least level a filter setting keeps (0, keep all, when unset).
func minLevel(setting string) int { return logLevels[setting] }
