package emf

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"
)

// Namespace is the CloudWatch namespace of the pipeline's metrics.
const Namespace = "Sluice"

// DimensionStage is the one dimension of every metric: the pipeline stage ("validate", "process", "store").
const DimensionStage = "Stage"

// Unit is a CloudWatch metric unit
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html).
type Unit string

// Units used by the pipeline.
const (
	Count        Unit = "Count"
	Bytes        Unit = "Bytes"
	Milliseconds Unit = "Milliseconds"
	None         Unit = "None"
)

// Limits from the EMF specification.
const (
	maxMetrics    = 100  // metric definitions per directive
	maxNameLength = 1024 // metric name length
)

// Metric is one metric value.
type Metric struct {
	Name  string
	Unit  Unit
	Value float64
}

// Property is an extra root member of a line: searchable in the logs, not a dimension.
type Property struct {
	Name  string
	Value any
}

// Emitter writes EMF lines. It is safe for concurrent use: each line is written with one Write call.
type Emitter struct {
	w     io.Writer
	stage string
	now   func() time.Time
	mu    sync.Mutex
}

// Option configures an Emitter.
type Option func(*Emitter)

// WithClock sets the clock that timestamps the lines (default time.Now).
func WithClock(now func() time.Time) Option { return func(e *Emitter) { e.now = now } }

// New returns an emitter that writes the metrics of one stage to w (in a Lambda function, os.Stdout).
func New(w io.Writer, stage string, opts ...Option) *Emitter {
	e := &Emitter{w: w, stage: stage, now: time.Now}
	for _, o := range opts {
		o(e)
	}
	return e
}

type metricDefinition struct {
	Name string `json:"Name"`
	Unit Unit   `json:"Unit,omitempty"`
}

type directive struct {
	Namespace  string             `json:"Namespace"`
	Dimensions [][]string         `json:"Dimensions"`
	Metrics    []metricDefinition `json:"Metrics"`
}

type metadata struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

// Emit writes one line holding the metrics and properties. Metric and property names must be distinct
// and must not be "_aws" or "Stage"; values must be finite.
func (e *Emitter) Emit(metrics []Metric, props ...Property) error {
	if len(metrics) == 0 || len(metrics) > maxMetrics {
		return fmt.Errorf("emit: %d metrics, want 1 to %d", len(metrics), maxMetrics)
	}
	root := make(map[string]any, len(metrics)+len(props)+2)
	defs := make([]metricDefinition, len(metrics))
	for i, m := range metrics {
		switch {
		case m.Name == "" || len(m.Name) > maxNameLength:
			return fmt.Errorf("emit: metric name %q: want 1 to %d characters", m.Name, maxNameLength)
		case math.IsNaN(m.Value) || math.IsInf(m.Value, 0):
			return fmt.Errorf("emit: metric %q: value %v is not finite", m.Name, m.Value)
		}
		if err := claim(root, m.Name, m.Value); err != nil {
			return err
		}
		defs[i] = metricDefinition{Name: m.Name, Unit: m.Unit}
	}
	for _, p := range props {
		if err := claim(root, p.Name, p.Value); err != nil {
			return err
		}
	}
	if err := claim(root, DimensionStage, e.stage); err != nil {
		return err
	}
	root["_aws"] = metadata{
		Timestamp: e.now().UnixMilli(),
		CloudWatchMetrics: []directive{{
			Namespace:  Namespace,
			Dimensions: [][]string{{DimensionStage}},
			Metrics:    defs,
		}},
	}
	line, err := json.Marshal(root)
	if err != nil {
		return fmt.Errorf("emit: %w", err)
	}
	line = append(line, '\n')
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.w.Write(line); err != nil {
		return fmt.Errorf("emit: %w", err)
	}
	return nil
}

var errDuplicate = errors.New("emit: duplicate member")

func claim(root map[string]any, name string, v any) error {
	if _, taken := root[name]; taken || name == "_aws" {
		return fmt.Errorf("%w %q", errDuplicate, name)
	}
	root[name] = v
	return nil
}
