package cloudwatch

import (
	"sort"
	"strings"
	"sync"
	"time"
)

// Dimension is a name/value pair that identifies a metric.
type Dimension struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// StatisticSet is a pre-aggregated set of values.
type StatisticSet struct {
	SampleCount float64 `json:"SampleCount"`
	Sum         float64 `json:"Sum"`
	Minimum     float64 `json:"Minimum"`
	Maximum     float64 `json:"Maximum"`
}

// Datum is one MetricDatum of PutMetricData. Exactly one of Value, Values (with optional
// Counts) and StatisticValues is set.
type Datum struct {
	MetricName        string        `json:"MetricName"`
	Dimensions        []Dimension   `json:"Dimensions"`
	Timestamp         *time.Time    `json:"-"`
	Value             *float64      `json:"Value"`
	Values            []float64     `json:"Values"`
	Counts            []float64     `json:"Counts"`
	StatisticValues   *StatisticSet `json:"StatisticValues"`
	Unit              string        `json:"Unit"`
	StorageResolution *int          `json:"StorageResolution"`
}

// point is one stored datum.
type point struct {
	ts     time.Time
	unit   string
	values []float64 // raw values, with counts
	counts []float64
	stats  StatisticSet
}

type series struct {
	namespace string
	name      string
	dims      []Dimension // sorted by name
	points    []point
	last      time.Time // when last written (for RecentlyActive)
}

func seriesKey(namespace, name string, dims []Dimension) string {
	var b strings.Builder
	b.WriteString(namespace)
	b.WriteByte(0)
	b.WriteString(name)
	for _, d := range dims {
		b.WriteByte(0)
		b.WriteString(d.Name)
		b.WriteByte(1)
		b.WriteString(d.Value)
	}
	return b.String()
}

func sortedDims(dims []Dimension) []Dimension {
	out := append([]Dimension(nil), dims...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// store holds every series in memory.
type store struct {
	mu     sync.RWMutex
	series map[string]*series
}

func (s *store) put(namespace string, d Datum, ts, now time.Time) {
	dims := sortedDims(d.Dimensions)
	key := seriesKey(namespace, d.MetricName, dims)
	p := point{ts: ts, unit: d.Unit}
	if p.unit == "" {
		p.unit = "None"
	}
	switch {
	case d.Value != nil:
		p.values, p.counts = []float64{*d.Value}, []float64{1}
	case d.StatisticValues != nil:
		p.stats = *d.StatisticValues
	default:
		p.values = append([]float64(nil), d.Values...)
		p.counts = append([]float64(nil), d.Counts...)
		if len(p.counts) == 0 {
			p.counts = make([]float64, len(p.values))
			for i := range p.counts {
				p.counts[i] = 1
			}
		}
	}
	if p.values != nil {
		p.stats = statsOf(p.values, p.counts)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sr := s.series[key]
	if sr == nil {
		sr = &series{namespace: namespace, name: d.MetricName, dims: dims}
		s.series[key] = sr
	}
	sr.points = append(sr.points, p)
	sr.last = now
}

func statsOf(values, counts []float64) StatisticSet {
	var st StatisticSet
	for i, v := range values {
		c := counts[i]
		if c <= 0 {
			continue
		}
		if st.SampleCount == 0 || v < st.Minimum {
			st.Minimum = v
		}
		if st.SampleCount == 0 || v > st.Maximum {
			st.Maximum = v
		}
		st.SampleCount += c
		st.Sum += v * c
	}
	return st
}

// find returns the series with exactly these dimensions.
func (s *store) find(namespace, name string, dims []Dimension) *series {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.series[seriesKey(namespace, name, sortedDims(dims))]
}

// snapshot copies the points of a series in [start, end).
func (s *store) snapshot(sr *series, start, end time.Time, unit string) []point {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []point
	for _, p := range sr.points {
		if p.ts.Before(start) || !p.ts.Before(end) {
			continue
		}
		if unit != "" && p.unit != unit {
			continue
		}
		out = append(out, p)
	}
	return out
}

// dimensionFilter matches a dimension by name, and by value when Value is set.
type dimensionFilter struct {
	Name  string  `json:"Name"`
	Value *string `json:"Value"`
}

// list returns the metrics matching the filters, sorted.
func (s *store) list(namespace, name string, filters []dimensionFilter, activeSince time.Time) []*series {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*series
	for _, sr := range s.series {
		if namespace != "" && sr.namespace != namespace || name != "" && sr.name != name {
			continue
		}
		if !activeSince.IsZero() && sr.last.Before(activeSince) {
			continue
		}
		if !matchesFilters(sr.dims, filters) {
			continue
		}
		out = append(out, sr)
	}
	sort.Slice(out, func(i, j int) bool {
		return seriesKey(out[i].namespace, out[i].name, out[i].dims) < seriesKey(out[j].namespace, out[j].name, out[j].dims)
	})
	return out
}

func matchesFilters(dims []Dimension, filters []dimensionFilter) bool {
	for _, f := range filters {
		found := false
		for _, d := range dims {
			if d.Name == f.Name && (f.Value == nil || *f.Value == d.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
