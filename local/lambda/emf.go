package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// Metric is one metric extracted from an Embedded Metric Format line: one metric definition
// under one dimension set.
type Metric struct {
	Namespace         string
	Name              string
	Unit              string // a CloudWatch unit; "None" when the line gives none
	StorageResolution int    // 60 (standard) or 1 (high resolution)
	Dimensions        []Dimension
	Values            []float64
	Timestamp         time.Time
}

// Dimension is a dimension name and value.
type Dimension struct {
	Name  string
	Value string
}

// MetricSink receives the metrics of each invocation's EMF lines.
type MetricSink interface {
	PutMetrics(ctx context.Context, metrics []Metric) error
}

// ErrInvalidEMF reports a line that declares "_aws" metadata but breaks the specification;
// CloudWatch extracts no metric from such a line.
var ErrInvalidEMF = errors.New("invalid embedded metric format")

// Limits of the specification
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
const (
	emfMaxMetrics       = 100
	emfMaxDimensions    = 30
	emfMaxValues        = 100
	emfMaxNamespace     = 255
	emfMaxName          = 1024
	emfMaxDimensionText = 1024
)

// validUnits are the CloudWatch metric units
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html).
var validUnits = map[string]bool{
	"Seconds": true, "Microseconds": true, "Milliseconds": true, "Bytes": true, "Kilobytes": true,
	"Megabytes": true, "Gigabytes": true, "Terabytes": true, "Bits": true, "Kilobits": true,
	"Megabits": true, "Gigabits": true, "Terabits": true, "Percent": true, "Count": true,
	"Bytes/Second": true, "Kilobytes/Second": true, "Megabytes/Second": true, "Gigabytes/Second": true,
	"Terabytes/Second": true, "Bits/Second": true, "Kilobits/Second": true, "Megabits/Second": true,
	"Gigabits/Second": true, "Terabits/Second": true, "Count/Second": true, "None": true,
}

type emfDirective struct {
	Namespace  *string             `json:"Namespace"`
	Dimensions [][]json.RawMessage `json:"Dimensions"`
	Metrics    []struct {
		Name              *string `json:"Name"`
		Unit              *string `json:"Unit"`
		StorageResolution *int    `json:"StorageResolution"`
	} `json:"Metrics"`
}

type emfMetadata struct {
	Timestamp         *float64       `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

// ParseEMF extracts the metrics of one log line. A line that is not a JSON object with an
// "_aws" member is not EMF: ok is false and err nil. A line with "_aws" that breaks the
// specification yields an error wrapping ErrInvalidEMF. Each metric definition is produced
// once per dimension set (once with no dimensions when the directive has no sets).
func ParseEMF(line []byte) (metrics []Metric, ok bool, err error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' || !bytes.Contains(line, []byte(`"_aws"`)) {
		return nil, false, nil
	}
	root, err := members(line)
	if err != nil {
		return nil, false, nil
	}
	rawMeta, found := root["_aws"]
	if !found {
		return nil, false, nil
	}
	fail := func(format string, args ...any) ([]Metric, bool, error) {
		return nil, true, fmt.Errorf("%w: %s", ErrInvalidEMF, fmt.Sprintf(format, args...))
	}
	var meta emfMetadata
	if err := json.Unmarshal(rawMeta, &meta); err != nil {
		return fail("_aws: %v", err)
	}
	if meta.Timestamp == nil || *meta.Timestamp < 0 || math.IsInf(*meta.Timestamp, 0) {
		return fail("_aws.Timestamp missing or invalid")
	}
	if meta.CloudWatchMetrics == nil {
		return fail("_aws.CloudWatchMetrics missing")
	}
	ts := time.UnixMilli(int64(*meta.Timestamp)).UTC()
	for i, d := range meta.CloudWatchMetrics {
		if d.Namespace == nil || len(*d.Namespace) == 0 || len(*d.Namespace) > emfMaxNamespace {
			return fail("directive %d: Namespace must have 1 to %d characters", i, emfMaxNamespace)
		}
		if d.Metrics == nil || len(d.Metrics) > emfMaxMetrics {
			return fail("directive %d: Metrics must be an array of at most %d", i, emfMaxMetrics)
		}
		sets, err := dimensionSets(root, d.Dimensions)
		if err != nil {
			return fail("directive %d: %v", i, err)
		}
		for _, m := range d.Metrics {
			if m.Name == nil || len(*m.Name) == 0 || len(*m.Name) > emfMaxName {
				return fail("directive %d: metric Name must have 1 to %d characters", i, emfMaxName)
			}
			unit := "None"
			if m.Unit != nil {
				if !validUnits[*m.Unit] {
					return fail("metric %q: unknown unit %q", *m.Name, *m.Unit)
				}
				unit = *m.Unit
			}
			res := 60
			if m.StorageResolution != nil {
				if *m.StorageResolution != 1 && *m.StorageResolution != 60 {
					return fail("metric %q: StorageResolution must be 1 or 60", *m.Name)
				}
				res = *m.StorageResolution
			}
			values, err := metricValues(root[*m.Name])
			if err != nil {
				return fail("metric %q: %v", *m.Name, err)
			}
			for _, set := range sets {
				metrics = append(metrics, Metric{Namespace: *d.Namespace, Name: *m.Name, Unit: unit,
					StorageResolution: res, Dimensions: set, Values: values, Timestamp: ts})
			}
		}
	}
	return metrics, true, nil
}

// members splits a JSON object into its members' raw values, by name: what json.Unmarshal into a
// map[string]json.RawMessage gives (the same documents accepted, names decoded alike, a repeated name
// keeping its last value; FuzzMembers), without decoding the values, and with each value a view of obj.
func members(obj []byte) (map[string]json.RawMessage, error) {
	var s jsonvalue.Scanner
	s.Reset(obj)
	if s.Peek() != jsonvalue.Object {
		return nil, s.ErrValue()
	}
	if err := s.BeginObject(); err != nil {
		return nil, err
	}
	m := make(map[string]json.RawMessage, 8)
	for first := true; ; first = false {
		more, err := s.NextMember(first)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		name, _, err := s.Key(nil)
		if err != nil {
			return nil, err
		}
		s.Peek() // to the value's first byte
		start := s.Offset()
		if err := s.Skip(); err != nil {
			return nil, err
		}
		m[string(name)] = obj[start:s.Offset():s.Offset()]
	}
	if err := s.End(); err != nil {
		return nil, err
	}
	return m, nil
}

func dimensionSets(root map[string]json.RawMessage, raw [][]json.RawMessage) ([][]Dimension, error) {
	if len(raw) == 0 {
		return [][]Dimension{nil}, nil
	}
	var sets [][]Dimension
	for _, set := range raw {
		if len(set) > emfMaxDimensions {
			return nil, fmt.Errorf("a dimension set has more than %d dimensions", emfMaxDimensions)
		}
		dims := make([]Dimension, 0, len(set))
		for _, rawName := range set {
			var name string
			if err := json.Unmarshal(rawName, &name); err != nil {
				return nil, fmt.Errorf("dimension name is not a string")
			}
			var value string
			target, ok := root[name]
			if !ok {
				return nil, fmt.Errorf("dimension %q has no member", name)
			}
			if err := json.Unmarshal(target, &value); err != nil {
				return nil, fmt.Errorf("dimension %q is not a string", name)
			}
			if len(value) == 0 || len(value) > emfMaxDimensionText {
				return nil, fmt.Errorf("dimension %q must have 1 to %d characters", name, emfMaxDimensionText)
			}
			dims = append(dims, Dimension{Name: name, Value: value})
		}
		sets = append(sets, dims)
	}
	return sets, nil
}

func metricValues(raw json.RawMessage) ([]float64, error) {
	if raw == nil {
		return nil, errors.New("no member holds its value")
	}
	var one float64
	if err := json.Unmarshal(raw, &one); err == nil {
		return []float64{one}, nil
	}
	var many []float64
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, errors.New("value is not a number or an array of numbers")
	}
	if len(many) == 0 || len(many) > emfMaxValues {
		return nil, fmt.Errorf("array must hold 1 to %d values", emfMaxValues)
	}
	return many, nil
}
