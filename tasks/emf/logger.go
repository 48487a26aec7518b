package emf

import (
	"io"
	"log/slog"
	"strings"
)

// NewLogger returns a JSON logger writing to w at the given level, with Lambda's "timestamp" key in place
// of slog's "time".
func NewLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				a.Key = "timestamp"
			}
			return a
		},
	}))
}

// ParseLevel reads a LOG_LEVEL setting: DEBUG, INFO, WARN or ERROR in any letter case (also TRACE as
// DEBUG and FATAL as ERROR, Lambda's other level names). Anything else, including "", is INFO.
func ParseLevel(s string) slog.Level {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "TRACE", "DEBUG":
		return slog.LevelDebug
	case "WARN", "WARNING":
		return slog.LevelWarn
	case "ERROR", "FATAL":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// LevelFromEnv is the level a Lambda main logs at: ParseLevel of LOG_LEVEL, or of AWS_LAMBDA_LOG_LEVEL
// (the function's logging configuration) when LOG_LEVEL is unset or empty. Pass os.Getenv.
func LevelFromEnv(getenv func(string) string) slog.Level {
	level := getenv("LOG_LEVEL")
	if level == "" {
		level = getenv("AWS_LAMBDA_LOG_LEVEL")
	}
	return ParseLevel(level)
}
