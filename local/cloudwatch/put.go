package cloudwatch

import (
	"fmt"
	"math"
	"strings"

	"github.com/aws/smithy-go/encoding/cbor"
)

// Limits from https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html
// and API_MetricDatum.html.
const (
	maxMetricData     = 1000
	maxDimensions     = 30
	maxValuesPerDatum = 150
	maxNameLength     = 255
	maxDimValueLength = 1024
)

// valueLimit is 2^360: CloudWatch rejects values of larger magnitude.
var valueLimit = math.Pow(2, 360)

// validUnits are the StandardUnit values.
var validUnits = map[string]bool{
	"Seconds": true, "Microseconds": true, "Milliseconds": true, "Bytes": true, "Kilobytes": true,
	"Megabytes": true, "Gigabytes": true, "Terabytes": true, "Bits": true, "Kilobits": true,
	"Megabits": true, "Gigabits": true, "Terabits": true, "Percent": true, "Count": true,
	"Bytes/Second": true, "Kilobytes/Second": true, "Megabytes/Second": true, "Gigabytes/Second": true,
	"Terabytes/Second": true, "Bits/Second": true, "Kilobits/Second": true, "Megabits/Second": true,
	"Gigabits/Second": true, "Terabits/Second": true, "Count/Second": true, "None": true,
}

// wireDatum is a MetricDatum as it arrives on the wire.
type wireDatum struct {
	Datum
	Timestamp *awsTime `json:"Timestamp"`
}

type putMetricDataInput struct {
	Namespace  *string     `json:"Namespace"`
	MetricData []wireDatum `json:"MetricData"`
}

func (s *Service) putMetricData(dec decoder) (cbor.Value, error) {
	in, err := bind[putMetricDataInput](dec)
	if err != nil {
		return nil, err
	}
	if in.Namespace == nil {
		return nil, errMissing("Namespace")
	}
	if in.MetricData == nil {
		return nil, errMissing("MetricData")
	}
	data := make([]Datum, len(in.MetricData))
	for i, w := range in.MetricData {
		data[i] = w.Datum
		data[i].Timestamp = timeOf(w.Timestamp)
	}
	if err := s.Put(*in.Namespace, data...); err != nil {
		return nil, err
	}
	return cbor.Map{}, nil
}

// Put stores data under namespace with PutMetricData's validation; errors are the API's
// (their ErrorCode method gives the code).
func (s *Service) Put(namespace string, data ...Datum) error {
	if strings.HasPrefix(namespace, "AWS/") {
		return errInvalidValue("The value %s for parameter Namespace is invalid.", namespace)
	}
	return s.put(namespace, data)
}

// PutServiceMetrics stores metrics that an AWS service publishes itself, such as AWS/Lambda
// from a local Lambda: the reserved AWS/ namespaces that PutMetricData refuses are allowed.
func (s *Service) PutServiceMetrics(namespace string, data ...Datum) error {
	return s.put(namespace, data)
}

func (s *Service) put(namespace string, data []Datum) error {
	if err := validateNamespace(namespace, "Namespace"); err != nil {
		return err
	}
	if len(data) == 0 || len(data) > maxMetricData {
		return errInvalidValue("The collection MetricData must not have size greater than %d or be empty.", maxMetricData)
	}
	for i, d := range data {
		if err := validateDatum(d, fmt.Sprintf("MetricData.member.%d", i+1)); err != nil {
			return err
		}
	}
	now := s.opts.Clock.Now().UTC()
	for _, d := range data {
		ts := now
		if d.Timestamp != nil {
			ts = d.Timestamp.UTC()
		}
		s.store.put(namespace, d, ts, now)
	}
	return nil
}

func validateNamespace(ns, param string) error {
	if ns == "" || len(ns) > maxNameLength || strings.HasPrefix(ns, ":") {
		return errInvalidValue("The value %s for parameter %s is invalid.", ns, param)
	}
	return nil
}

func validateDimensions(dims []Dimension, param string) error {
	if len(dims) > maxDimensions {
		return errInvalidValue("The collection %s.Dimensions must not have a size greater than %d.", param, maxDimensions)
	}
	seen := map[string]bool{}
	for j, d := range dims {
		p := fmt.Sprintf("%s.Dimensions.member.%d", param, j+1)
		if d.Name == "" || len(d.Name) > maxNameLength {
			return errInvalidValue("The value %s for parameter %s.Name is invalid.", d.Name, p)
		}
		if d.Value == "" || len(d.Value) > maxDimValueLength {
			return errInvalidValue("The value %s for parameter %s.Value is invalid.", d.Value, p)
		}
		if seen[d.Name] {
			return errInvalidValue("No metric may have duplicate dimension names: %s.", d.Name)
		}
		seen[d.Name] = true
	}
	return nil
}

func validValue(v float64) bool { return !math.IsNaN(v) && math.Abs(v) <= valueLimit }

func validateDatum(d Datum, param string) error {
	if d.MetricName == "" {
		return errMissing(param + ".MetricName")
	}
	if len(d.MetricName) > maxNameLength {
		return errInvalidValue("The value %s for parameter %s.MetricName is invalid.", d.MetricName, param)
	}
	if err := validateDimensions(d.Dimensions, param); err != nil {
		return err
	}
	if d.Unit != "" && !validUnits[d.Unit] {
		return errInvalidValue("The value %s for parameter %s.Unit is invalid.", d.Unit, param)
	}
	if d.StorageResolution != nil && *d.StorageResolution != 1 && *d.StorageResolution != 60 {
		return errInvalidValue("The value %d for parameter %s.StorageResolution is invalid.", *d.StorageResolution, param)
	}
	set := 0
	if d.Value != nil {
		set++
	}
	if d.Values != nil {
		set++
	}
	if d.StatisticValues != nil {
		set++
	}
	switch {
	case set == 0:
		return errCombination("At least one of the parameters %s.Value, %s.Values or %s.StatisticValues must be specified.", param, param, param)
	case set > 1:
		return errCombination("The parameters %s.Value, %s.Values and %s.StatisticValues are mutually exclusive and you have specified more than one.", param, param, param)
	}
	if d.Value != nil && !validValue(*d.Value) {
		return errInvalidValue("The value %v for parameter %s.Value is invalid.", *d.Value, param)
	}
	if d.Values != nil {
		if len(d.Values) == 0 || len(d.Values) > maxValuesPerDatum {
			return errInvalidValue("The collection %s.Values must have 1 to %d values.", param, maxValuesPerDatum)
		}
		if d.Counts != nil && len(d.Counts) != len(d.Values) {
			return errInvalidValue("The parameters %s.Values and %s.Counts must be of the same size.", param, param)
		}
		for k, v := range d.Values {
			if !validValue(v) {
				return errInvalidValue("The value %v for parameter %s.Values.member.%d is invalid.", v, param, k+1)
			}
		}
		for k, c := range d.Counts {
			if !validValue(c) || c < 0 {
				return errInvalidValue("The value %v for parameter %s.Counts.member.%d is invalid.", c, param, k+1)
			}
		}
	}
	if st := d.StatisticValues; st != nil {
		for name, v := range map[string]float64{"SampleCount": st.SampleCount, "Sum": st.Sum, "Minimum": st.Minimum, "Maximum": st.Maximum} {
			if !validValue(v) {
				return errInvalidValue("The value %v for parameter %s.StatisticValues.%s is invalid.", v, param, name)
			}
		}
		if st.SampleCount <= 0 {
			return errInvalidValue("The value %v for parameter %s.StatisticValues.SampleCount is invalid.", st.SampleCount, param)
		}
		if st.Minimum > st.Maximum {
			return errInvalidValue("The parameter %s.StatisticValues.Maximum must be greater than %s.StatisticValues.Minimum.", param, param)
		}
	}
	return nil
}
