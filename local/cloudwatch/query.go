package cloudwatch

import (
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// Metric identifies a metric.
type Metric struct {
	Namespace  *string     `json:"Namespace"`
	MetricName *string     `json:"MetricName"`
	Dimensions []Dimension `json:"Dimensions"`
}

// maxDatapoints is the most datapoints GetMetricStatistics returns
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html).
const maxDatapoints = 1440

// validatePeriod applies the Period rules: 1, 5, 10, 20, 30 or a multiple of 60 seconds.
func validatePeriod(p *int, param string) error {
	if p == nil {
		return errMissing(param)
	}
	switch {
	case *p <= 0:
		return errInvalidValue("The parameter %s must be greater than 0.", param)
	case *p >= 60 && *p%60 != 0:
		return errInvalidValue("The parameter %s must be a multiple of 60.", param)
	case *p < 60 && *p != 1 && *p != 5 && *p != 10 && *p != 20 && *p != 30:
		return errInvalidValue("The parameter %s must be 1, 5, 10, 20, 30, or a multiple of 60.", param)
	}
	return nil
}

func validateRange(start, end *awsTime) error {
	if start == nil {
		return errMissing("StartTime")
	}
	if end == nil {
		return errMissing("EndTime")
	}
	if !start.Before(end.Time) {
		return errInvalidValue("The parameter StartTime must be less than the parameter EndTime.")
	}
	return nil
}

type getMetricStatisticsInput struct {
	Namespace          *string     `json:"Namespace"`
	MetricName         *string     `json:"MetricName"`
	Dimensions         []Dimension `json:"Dimensions"`
	StartTime          *awsTime    `json:"StartTime"`
	EndTime            *awsTime    `json:"EndTime"`
	Period             *int        `json:"Period"`
	Statistics         []string    `json:"Statistics"`
	ExtendedStatistics []string    `json:"ExtendedStatistics"`
	Unit               string      `json:"Unit"`
}

func (s *Server) getMetricStatistics(dec decoder) (cbor.Value, error) {
	in, err := bind[getMetricStatisticsInput](dec)
	if err != nil {
		return nil, err
	}
	switch {
	case in.Namespace == nil:
		return nil, errMissing("Namespace")
	case in.MetricName == nil:
		return nil, errMissing("MetricName")
	}
	if err := validateNamespace(*in.Namespace, "Namespace"); err != nil {
		return nil, err
	}
	if err := validateDimensions(in.Dimensions, "Dimensions"); err != nil {
		return nil, err
	}
	if err := validateRange(in.StartTime, in.EndTime); err != nil {
		return nil, err
	}
	if err := validatePeriod(in.Period, "Period"); err != nil {
		return nil, err
	}
	if len(in.Statistics) == 0 && len(in.ExtendedStatistics) == 0 {
		return nil, errCombination("Must specify either Statistics or ExtendedStatistics.")
	}
	for _, st := range in.Statistics {
		if !validStat(st) || st[0] == 'p' {
			return nil, errInvalidValue("The value %s for parameter Statistics is invalid.", st)
		}
	}
	for _, st := range in.ExtendedStatistics {
		if !percentileStat.MatchString(st) {
			return nil, errInvalidValue("The value %s for parameter ExtendedStatistics is invalid.", st)
		}
	}
	if in.Unit != "" && !validUnits[in.Unit] {
		return nil, errInvalidValue("The value %s for parameter Unit is invalid.", in.Unit)
	}
	period := time.Duration(*in.Period) * time.Second
	if n := in.EndTime.Sub(in.StartTime.Time) / period; n > maxDatapoints {
		return nil, errCombination("You have requested up to %d datapoints, which exceeds the limit of %d. You may reduce the datapoints requested by increasing Period, or decreasing the time range.", n, maxDatapoints)
	}
	datapoints := cbor.List{}
	if sr := s.store.find(*in.Namespace, *in.MetricName, in.Dimensions); sr != nil {
		for _, b := range aggregate(s.store.snapshot(sr, in.StartTime.Time, in.EndTime.Time, in.Unit), period) {
			dp := cbor.Map{"Timestamp": ctime(b.start), "Unit": cstr(b.unit)}
			for _, st := range in.Statistics {
				v, _ := b.value(st)
				dp[st] = cfloat(v)
			}
			if len(in.ExtendedStatistics) > 0 {
				ext := cbor.Map{}
				for _, st := range in.ExtendedStatistics {
					if v, ok := b.value(st); ok {
						ext[st] = cfloat(v)
					}
				}
				dp["ExtendedStatistics"] = ext
			}
			datapoints = append(datapoints, dp)
		}
	}
	return cbor.Map{"Label": cstr(*in.MetricName), "Datapoints": datapoints}, nil
}

type metricStat struct {
	Metric *Metric `json:"Metric"`
	Period *int    `json:"Period"`
	Stat   *string `json:"Stat"`
	Unit   string  `json:"Unit"`
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

func (s *Server) getMetricData(dec decoder) (cbor.Value, error) {
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

type listMetricsInput struct {
	Namespace      *string           `json:"Namespace"`
	MetricName     *string           `json:"MetricName"`
	Dimensions     []DimensionFilter `json:"Dimensions"`
	NextToken      *string           `json:"NextToken"`
	RecentlyActive string            `json:"RecentlyActive"`
}

// listPageSize is how many metrics ListMetrics returns per page.
const listPageSize = 500

func (s *Server) listMetrics(dec decoder) (cbor.Value, error) {
	in, err := bind[listMetricsInput](dec)
	if err != nil {
		return nil, err
	}
	if len(in.Dimensions) > 10 {
		return nil, errInvalidValue("The collection Dimensions must not have a size greater than 10.")
	}
	for i, f := range in.Dimensions {
		if f.Name == "" || len(f.Name) > maxNameLength {
			return nil, errInvalidValue("The value %s for parameter Dimensions.member.%d.Name is invalid.", f.Name, i+1)
		}
	}
	var since time.Time
	switch in.RecentlyActive {
	case "":
	case "PT3H":
		since = s.now().Add(-3 * time.Hour)
	default:
		return nil, errInvalidValue("The value %s for parameter RecentlyActive is invalid.", in.RecentlyActive)
	}
	offset, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	ns, name := "", ""
	if in.Namespace != nil {
		ns = *in.Namespace
	}
	if in.MetricName != nil {
		name = *in.MetricName
	}
	all := s.store.list(ns, name, in.Dimensions, since)
	if offset > len(all) {
		return nil, errNextToken()
	}
	page := all[offset:]
	resp := cbor.Map{}
	if len(page) > listPageSize {
		page = page[:listPageSize]
		resp["NextToken"] = cstr(encodeToken(offset + listPageSize))
	}
	metrics := cbor.List{}
	for _, sr := range page {
		dims := cbor.List{}
		for _, d := range sr.dims {
			dims = append(dims, cbor.Map{"Name": cstr(d.Name), "Value": cstr(d.Value)})
		}
		metrics = append(metrics, cbor.Map{"Namespace": cstr(sr.namespace), "MetricName": cstr(sr.name), "Dimensions": dims})
	}
	resp["Metrics"] = metrics
	return resp, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
