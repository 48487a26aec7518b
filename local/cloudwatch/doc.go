// Package cloudwatch is the local Amazon CloudWatch metrics API: PutMetricData,
// GetMetricData, GetMetricStatistics and ListMetrics over an in-memory store, served as an
// http.Handler speaking the Smithy RPC v2 CBOR protocol that aws-sdk-go-v2's cloudwatch client
// uses (POST /service/GraniteServiceVersion20100801/operation/{Operation}, application/cbor,
// AWS query-compatible error codes in X-Amzn-Query-Error). The store is fed by PutMetricData
// and, in process, by Service.Put (for example with metrics from Embedded Metric Format lines).
//
// # Contract
//
//   - Validation and error codes follow the API reference
//     (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/): a bad value is
//     InvalidParameterValue, a missing one MissingParameter, Value together with Values or
//     StatisticValues InvalidParameterCombination, a bad token InvalidNextToken; malformed
//     CBOR and unknown operations are answered with errors, never a crash.
//   - Statistics: SampleCount, Sum, Average, Minimum, Maximum over periods aligned to
//     multiples of the period since the Unix epoch, and percentiles pNN(.NN) computed from raw
//     values (not from statistic sets, as in CloudWatch).
//   - Metrics are kept for the life of the Service (no retention roll-up); ListMetrics returns
//     every metric ever written, RecentlyActive restricts to the last 3 hours.
//
// Not emulated: metric math expressions and Metrics Insights queries (answered
// InvalidParameterValue), alarms, dashboards, cross-account queries, the query and JSON
// protocols.
package cloudwatch
