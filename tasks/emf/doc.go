// Package emf writes CloudWatch metrics as Embedded Metric Format (EMF) log lines and builds the JSON
// logger the pipeline's tasks share.
//
// An EMF line is a JSON object written to the function's standard output; CloudWatch Logs extracts the
// metrics from it asynchronously, so recording a metric costs a write and no API call
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
// Every line this package writes has one metric directive in namespace "Sluice" with the single
// dimension set ["Stage"], the metric values as root members, the stage as the dimension value, and any
// extra properties (dataset, key) as root members too, searchable with CloudWatch Logs Insights but not
// dimensions, so that they cost no extra metrics.
//
// The logger writes one JSON object per line with log/slog, with the keys Lambda's JSON log format reads
// for log-level filtering: "level" and an RFC 3339 "timestamp"
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html). EMF lines
// carry no "level": Lambda files such a line as INFO, and it is never filtered by the functions' own
// LOG_LEVEL, so the template keeps Lambda's ApplicationLogLevel at INFO or below (gen.Config) for the
// metrics to reach CloudWatch whatever LogLevel is.
package emf
