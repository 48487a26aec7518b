package cloudwatch

import (
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

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

func (s *Service) getMetricStatistics(dec decoder) (cbor.Value, error) {
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
