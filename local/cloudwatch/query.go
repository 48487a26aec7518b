package cloudwatch

// metricID identifies a metric in a query.
type metricID struct {
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
