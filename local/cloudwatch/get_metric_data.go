package cloudwatch

import (
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

type metricStat struct {
	Metric *metricID `json:"Metric"`
	Period *int      `json:"Period"`
	Stat   *string   `json:"Stat"`
	Unit   string    `json:"Unit"`
}

type metricDataQuery struct {
	ID         *string     `json:"Id"`
	MetricStat *metricStat `json:"MetricStat"`
	Expression *string     `json:"Expression"`
	Label      *string     `json:"Label"`
	ReturnData *bool       `json:"ReturnData"`
	Period     *int        `json:"Period"`
}

type getMetricDataInput struct {
	MetricDataQueries []metricDataQuery `json:"MetricDataQueries"`
	StartTime         *awsTime          `json:"StartTime"`
	EndTime           *awsTime          `json:"EndTime"`
	NextToken         *string           `json:"NextToken"`
	ScanBy            string            `json:"ScanBy"`
	MaxDatapoints     *int              `json:"MaxDatapoints"`
}

var queryIDPattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

// maxQueries is the most MetricDataQueries one GetMetricData request may hold.
const maxQueries = 500

type datapoint struct {
	ts time.Time
	v  float64
}

func (s *Service) getMetricData(dec decoder) (cbor.Value, error) {
	in, err := bind[getMetricDataInput](dec)
	if err != nil {
		return nil, err
	}
	if in.MetricDataQueries == nil {
		return nil, errMissing("MetricDataQueries")
	}
	if len(in.MetricDataQueries) > maxQueries {
		return nil, errInvalidValue("The collection MetricDataQueries must not have a size greater than %d.", maxQueries)
	}
	if err := validateRange(in.StartTime, in.EndTime); err != nil {
		return nil, err
	}
	switch in.ScanBy {
	case "", "TimestampDescending", "TimestampAscending":
	default:
		return nil, errInvalidValue("The value %s for parameter ScanBy is invalid.", in.ScanBy)
	}
	limit := 100800
	if in.MaxDatapoints != nil {
		if *in.MaxDatapoints <= 0 {
			return nil, errInvalidValue("The parameter MaxDatapoints must be greater than 0.")
		}
		limit = *in.MaxDatapoints
	}
	offset, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	results := make([][]datapoint, len(in.MetricDataQueries))
	for i, q := range in.MetricDataQueries {
		param := "MetricDataQueries.member." + itoa(i+1)
		if q.ID == nil {
			return nil, errMissing(param + ".Id")
		}
		if !queryIDPattern.MatchString(*q.ID) || len(*q.ID) > 255 {
			return nil, errInvalidValue("The value %s for parameter %s.Id is invalid.", *q.ID, param)
		}
		if ids[*q.ID] {
			return nil, errInvalidValue("The value %s for parameter %s.Id is not unique.", *q.ID, param)
		}
		ids[*q.ID] = true
		if (q.MetricStat == nil) == (q.Expression == nil) {
			return nil, errCombination("Exactly one element of MetricStat or Expression must be set in %s.", param)
		}
		if q.Expression != nil {
			return nil, errInvalidValue("Metric math expressions are not supported by the local CloudWatch (%s.Expression).", param)
		}
		ms := q.MetricStat
		if ms.Metric == nil || ms.Metric.Namespace == nil || ms.Metric.MetricName == nil {
			return nil, errMissing(param + ".MetricStat.Metric")
		}
		if err := validatePeriod(ms.Period, param+".MetricStat.Period"); err != nil {
			return nil, err
		}
		if ms.Stat == nil {
			return nil, errMissing(param + ".MetricStat.Stat")
		}
		if !validStat(*ms.Stat) {
			return nil, errInvalidValue("The value %s for parameter %s.MetricStat.Stat is invalid.", *ms.Stat, param)
		}
		if err := validateDimensions(ms.Metric.Dimensions, param+".MetricStat.Metric"); err != nil {
			return nil, err
		}
		sr := s.store.find(*ms.Metric.Namespace, *ms.Metric.MetricName, ms.Metric.Dimensions)
		if sr == nil {
			continue
		}
		period := time.Duration(*ms.Period) * time.Second
		for _, b := range aggregate(s.store.snapshot(sr, in.StartTime.Time, in.EndTime.Time, ms.Unit), period) {
			if v, ok := b.value(*ms.Stat); ok {
				results[i] = append(results[i], datapoint{b.start, v})
			}
		}
		if in.ScanBy != "TimestampAscending" {
			sort.Slice(results[i], func(a, b int) bool { return results[i][a].ts.After(results[i][b].ts) })
		}
	}
	out := cbor.List{}
	seen, emitted := 0, 0
	truncated := false
	for i, q := range in.MetricDataQueries {
		if q.ReturnData != nil && !*q.ReturnData {
			continue
		}
		label := *q.MetricStat.Metric.MetricName
		if q.Label != nil {
			label = *q.Label
		}
		ts, vals := cbor.List{}, cbor.List{}
		for _, dp := range results[i] {
			seen++
			if seen <= offset {
				continue
			}
			if emitted >= limit {
				truncated = true
				break
			}
			ts = append(ts, ctime(dp.ts))
			vals = append(vals, cfloat(dp.v))
			emitted++
		}
		status := "Complete"
		if truncated {
			status = "PartialData"
		}
		out = append(out, cbor.Map{"Id": cstr(*q.ID), "Label": cstr(label), "Timestamps": ts, "Values": vals, "StatusCode": cstr(status)})
	}
	resp := cbor.Map{"MetricDataResults": out, "Messages": cbor.List{}}
	if truncated {
		resp["NextToken"] = cstr(encodeToken(offset + emitted))
	}
	return resp, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
