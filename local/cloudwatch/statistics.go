package cloudwatch

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"time"
)

// bucket is the aggregate of one period.
type bucket struct {
	start  time.Time
	stats  StatisticSet
	values []float64 // raw values for percentiles (expanded by counts, bounded)
	counts []float64
	raw    bool // every point in the bucket had raw values
	unit   string
}

// aggregate groups points into periods aligned to multiples of period since the epoch.
func aggregate(points []point, period time.Duration) []*bucket {
	byStart := map[int64]*bucket{}
	for _, p := range points {
		start := alignToEpoch(p.ts, period)
		b := byStart[start.UnixNano()]
		if b == nil {
			b = &bucket{start: start, raw: true, unit: p.unit}
			byStart[start.UnixNano()] = b
		}
		if p.stats.SampleCount > 0 {
			if b.stats.SampleCount == 0 || p.stats.Minimum < b.stats.Minimum {
				b.stats.Minimum = p.stats.Minimum
			}
			if b.stats.SampleCount == 0 || p.stats.Maximum > b.stats.Maximum {
				b.stats.Maximum = p.stats.Maximum
			}
			b.stats.SampleCount += p.stats.SampleCount
			b.stats.Sum += p.stats.Sum
		}
		if p.values == nil {
			b.raw = false
		} else {
			b.values = append(b.values, p.values...)
			b.counts = append(b.counts, p.counts...)
		}
		if b.unit != p.unit {
			b.unit = "None"
		}
	}
	out := make([]*bucket, 0, len(byStart))
	for _, b := range byStart {
		if b.stats.SampleCount > 0 {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start.Before(out[j].start) })
	return out
}

var percentileStat = regexp.MustCompile(`^p(\d{1,2}(\.\d{1,10})?|100)$`)

// validStat reports whether CloudWatch accepts the statistic name here.
func validStat(s string) bool {
	switch s {
	case "SampleCount", "Average", "Sum", "Minimum", "Maximum":
		return true
	}
	return percentileStat.MatchString(s)
}

// value computes a statistic of the bucket; ok is false when it cannot be computed
// (a percentile over statistic sets).
func (b *bucket) value(stat string) (float64, bool) {
	switch stat {
	case "SampleCount":
		return b.stats.SampleCount, true
	case "Sum":
		return b.stats.Sum, true
	case "Average":
		return b.stats.Sum / b.stats.SampleCount, true
	case "Minimum":
		return b.stats.Minimum, true
	case "Maximum":
		return b.stats.Maximum, true
	}
	m := percentileStat.FindStringSubmatch(stat)
	if m == nil || !b.raw {
		return 0, false
	}
	q, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	return percentile(b.values, b.counts, q), true
}

// percentile returns the nearest-rank q-th percentile of weighted values.
func percentile(values, counts []float64, q float64) float64 {
	idx := make([]int, len(values))
	total := 0.0
	for i := range values {
		idx[i] = i
		total += counts[i]
	}
	sort.Slice(idx, func(a, b int) bool { return values[idx[a]] < values[idx[b]] })
	rank := math.Ceil(q / 100 * total)
	if rank < 1 {
		rank = 1
	}
	seen := 0.0
	for _, i := range idx {
		seen += counts[i]
		if seen >= rank {
			return values[i]
		}
	}
	return values[idx[len(idx)-1]]
}

// alignToEpoch rounds t down to a multiple of period since the Unix epoch.
func alignToEpoch(t time.Time, period time.Duration) time.Time {
	n := t.UnixNano()
	r := n % int64(period)
	if r < 0 {
		r += int64(period)
	}
	return time.Unix(0, n-r).UTC()
}
