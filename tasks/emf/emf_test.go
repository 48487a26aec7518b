package emf

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func fixedClock() time.Time { return time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC) }

func TestEmit(t *testing.T) {
	var out bytes.Buffer
	e := New(&out, "validate", WithClock(fixedClock))
	err := e.Emit([]Metric{{Name: "ObjectsValidated", Unit: Count, Value: 1}, {Name: "Bytes", Unit: Bytes, Value: 2048}},
		Property{Name: "Dataset", Value: "orders"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(out.Bytes(), []byte("}\n")) || bytes.Count(out.Bytes(), []byte("\n")) != 1 {
		t.Fatalf("Emit wrote %q, want one JSON line", out.String())
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"_aws": map[string]any{
			"Timestamp": float64(1709285400000),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  "Sluice",
				"Dimensions": []any{[]any{"Stage"}},
				"Metrics": []any{
					map[string]any{"Name": "ObjectsValidated", "Unit": "Count"},
					map[string]any{"Name": "Bytes", "Unit": "Bytes"},
				},
			}},
		},
		"Stage":            "validate",
		"Dataset":          "orders",
		"ObjectsValidated": float64(1),
		"Bytes":            float64(2048),
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("EMF line (-got +want):\n%s", diff)
	}
}

func TestEmitRejects(t *testing.T) {
	tests := []struct {
		name    string
		metrics []Metric
		props   []Property
	}{
		{"no metrics", nil, nil},
		{"empty name", []Metric{{Name: "", Value: 1}}, nil},
		{"nan", []Metric{{Name: "a", Value: math.NaN()}}, nil},
		{"inf", []Metric{{Name: "a", Value: math.Inf(1)}}, nil},
		{"duplicate metric", []Metric{{Name: "a", Value: 1}, {Name: "a", Value: 2}}, nil},
		{"property shadows metric", []Metric{{Name: "a", Value: 1}}, []Property{{Name: "a", Value: "x"}}},
		{"stage", []Metric{{Name: "Stage", Value: 1}}, nil},
		{"_aws", []Metric{{Name: "a", Value: 1}}, []Property{{Name: "_aws", Value: "x"}}},
		{"too many", make([]Metric, 101), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := New(&out, "validate").Emit(tt.metrics, tt.props...); err == nil {
				t.Fatalf("Emit: got no error, want one")
			}
			if out.Len() != 0 {
				t.Errorf("Emit wrote %q after an error", out.String())
			}
		})
	}
}

type failingWriter struct{}

var errWrite = errors.New("closed")

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestEmitWriteError(t *testing.T) {
	err := New(failingWriter{}, "store").Emit([]Metric{{Name: "a", Value: 1}})
	if !errors.Is(err, errWrite) {
		t.Fatalf("Emit: got %v, want the writer's error", err)
	}
}

func TestLogger(t *testing.T) {
	var out bytes.Buffer
	log := NewLogger(&out, ParseLevel("warn"))
	log.Info("dropped")
	log.Warn("kept", "key", "incoming/a.csv")
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("log output %q: %v", out.String(), err)
	}
	ts, _ := got["timestamp"].(string)
	if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
		t.Errorf("timestamp %q is not RFC 3339: %v", ts, err)
	}
	delete(got, "timestamp")
	if diff := cmp.Diff(got, map[string]any{"level": "WARN", "msg": "kept", "key": "incoming/a.csv"}); diff != "" {
		t.Errorf("log line (-got +want):\n%s", diff)
	}
}

func TestParseLevel(t *testing.T) {
	tests := map[string]slog.Level{"": slog.LevelInfo, "debug": slog.LevelDebug, "TRACE": slog.LevelDebug, " Warn ": slog.LevelWarn,
		"ERROR": slog.LevelError, "fatal": slog.LevelError, "verbose": slog.LevelInfo}
	for in, want := range tests {
		if got := ParseLevel(in); got != want {
			t.Errorf("ParseLevel(%q): got %v, want %v", in, got, want)
		}
	}
}

func TestLevelFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want slog.Level
	}{
		{name: "LOG_LEVEL", env: map[string]string{"LOG_LEVEL": "debug", "AWS_LAMBDA_LOG_LEVEL": "ERROR"}, want: slog.LevelDebug},
		{name: "Lambda's setting when LOG_LEVEL is unset", env: map[string]string{"AWS_LAMBDA_LOG_LEVEL": "WARN"}, want: slog.LevelWarn},
		{name: "Lambda's setting when LOG_LEVEL is empty", env: map[string]string{"LOG_LEVEL": "", "AWS_LAMBDA_LOG_LEVEL": "ERROR"}, want: slog.LevelError},
		{name: "neither", env: map[string]string{}, want: slog.LevelInfo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LevelFromEnv(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("LevelFromEnv = %v, want %v", got, tt.want)
			}
		})
	}
}
