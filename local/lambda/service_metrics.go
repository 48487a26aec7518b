package lambda

import (
	"context"
	"time"
)

// ServiceNamespace is the namespace of the metrics Lambda itself publishes.
const ServiceNamespace = "AWS/Lambda"

// serviceMetrics returns the AWS/Lambda metrics of one invocation (Invocations, Errors,
// Duration, and Throttles for a throttled call), with the FunctionName dimension
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html).
func serviceMetrics(function string, at time.Time, duration time.Duration, failed, throttled bool) []Metric {
	dims := []Dimension{{Name: "FunctionName", Value: function}}
	m := func(name, unit string, v float64) Metric {
		return Metric{Namespace: ServiceNamespace, Name: name, Unit: unit, StorageResolution: 60, Dimensions: dims, Values: []float64{v}, Timestamp: at}
	}
	if throttled {
		return []Metric{m("Throttles", "Count", 1)}
	}
	errs := 0.0
	if failed {
		errs = 1
	}
	return []Metric{m("Invocations", "Count", 1), m("Errors", "Count", errs),
		m("Duration", "Milliseconds", float64(duration.Microseconds())/1000)}
}

// putServiceMetrics hands service metrics to the sink when WithServiceMetrics is on.
func (s *Service) putServiceMetrics(ctx context.Context, metrics []Metric) {
	if !s.serviceMetrics || s.metricSink == nil {
		return
	}
	if err := s.metricSink.PutMetrics(context.WithoutCancel(ctx), metrics); err != nil {
		s.opts.Logger.Warn("lambda: metric sink", "namespace", ServiceNamespace, "err", err)
	}
}
