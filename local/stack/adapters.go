package stack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/local/cloudwatch"
	"github.com/sluicehq/sluice/local/events"
	"github.com/sluicehq/sluice/local/lambda"
	"github.com/sluicehq/sluice/local/logs"
	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// The adapters below are the only places where one local service meets another.

// eventPublisher hands S3's events to EventBridge.
type eventPublisher struct{ events *events.Service }

func (p eventPublisher) Publish(ctx context.Context, event []byte) error {
	return p.events.PublishEvent(ctx, event)
}

// sfnDeliverer starts a Step Functions execution for an EventBridge target. EventBridge names the
// execution itself (a random name), so a redelivered event starts another execution, as on AWS.
type sfnDeliverer struct{ sfn *localsfn.Service }

func (d sfnDeliverer) Deliver(ctx context.Context, del events.Delivery) error {
	if !strings.Contains(del.TargetARN, ":states:") || !strings.Contains(del.TargetARN, ":stateMachine:") {
		return notRetryable{code: "UNSUPPORTED_TARGET", msg: "only Step Functions targets are served locally: " + del.TargetARN}
	}
	_, err := d.sfn.Start(ctx, del.TargetARN, "", string(del.Input))
	if err != nil && errors.Is(err, localsfn.CodeStateMachineDoesNotExist) {
		return notRetryable{code: "RESOURCE_NOT_FOUND", msg: err.Error()}
	}
	return err
}

type notRetryable struct{ code, msg string }

func (e notRetryable) Error() string     { return e.msg }
func (e notRetryable) Retryable() bool   { return false }
func (e notRetryable) ErrorCode() string { return e.code }

// lambdaInvoker lets the Step Functions engine invoke the local Lambda functions in process, through the
// same code path as the Invoke API.
type lambdaInvoker struct{ lambda *lambda.Service }

var _ interp.LambdaInvoker = lambdaInvoker{}

func (l lambdaInvoker) InvokeLambda(ctx context.Context, req interp.LambdaRequest) (interp.LambdaResponse, error) {
	res, err := l.lambda.InvokeWith(ctx, lambda.InvokeInput{
		FunctionName: req.FunctionName, Qualifier: req.Qualifier, InvocationType: req.InvocationType, Payload: req.Payload,
	})
	var lerr *lambda.Error
	if errors.As(err, &lerr) {
		return interp.LambdaResponse{}, &interp.LambdaServiceError{Code: string(lerr.Code), Message: lerr.Message, StatusCode: lerr.Status()}
	}
	if err != nil {
		return interp.LambdaResponse{}, err
	}
	return interp.LambdaResponse{
		StatusCode: res.StatusCode, Payload: res.Payload, FunctionError: res.FunctionError,
		ExecutedVersion: res.ExecutedVersion, RequestID: res.RequestID,
	}, nil
}

// functionLogSink writes each invocation's lines to its function's log group, in its instance's stream,
// creating the group when the template declared none (Lambda does so on first write).
type functionLogSink struct {
	logs *logs.Service
	log  *slog.Logger
}

var _ lambda.LogSink = functionLogSink{}

func (f functionLogSink) PutInvocationLog(ctx context.Context, l lambda.InvocationLog) {
	evs := make([]logs.Event, len(l.Lines))
	for i, line := range l.Lines {
		evs[i] = logs.Event{Timestamp: l.Start, Message: line}
		if i < len(l.Times) {
			evs[i].Timestamp = l.Times[i]
		}
	}
	err := f.logs.Put(ctx, l.LogGroup, l.LogStream, evs)
	if errors.Is(err, logs.CodeResourceNotFound) {
		if err = f.logs.CreateLogGroup(ctx, l.LogGroup, 0, true); err == nil {
			err = f.logs.Put(ctx, l.LogGroup, l.LogStream, evs)
		}
	}
	if err != nil {
		f.log.Warn("lambda log to cloudwatch logs", "function", l.Function, "request", l.RequestID, "err", err)
	}
}

// executionLogSink writes the state machines' execution log records to their log group.
type executionLogSink struct {
	logs            *logs.Service
	region, account string
}

var (
	_ localsfn.BatchLogSink = executionLogSink{}
	_ localsfn.LentLogSink  = executionLogSink{}
)

func (e executionLogSink) PutExecutionLog(ctx context.Context, rec localsfn.ExecutionLog) error {
	name, ok := cutLogGroupArn(rec.LogGroupArn, e.region, e.account)
	if !ok {
		return fmt.Errorf("log group %s is not in this stack's region and account", rec.LogGroupArn)
	}
	return e.logs.Put(ctx, strings.TrimSuffix(name, ":*"), rec.LogStream, []logs.Event{{Timestamp: rec.Timestamp, Message: rec.Message}})
}

// PutExecutionLogs writes the records of each log stream in one batch, in the order they were logged
// (a stream holds the records of one state machine's executions started in the same minute, so the
// records of concurrent executions mostly share one, and a call's records are one execution's). The
// streams are taken in the order of their first record, each gathering its records by a scan: a call
// holds a few records of one or two streams, for which a map cost more than the scans.
func (e executionLogSink) PutExecutionLogs(ctx context.Context, recs []localsfn.ExecutionLog) error {
	return putByStream(recs, func(r localsfn.ExecutionLog) (string, string) { return r.LogGroupArn, r.LogStream },
		func(r localsfn.ExecutionLog) logs.Event {
			return logs.Event{Timestamp: r.Timestamp, Message: r.Message}
		},
		func(group, stream string, evs []logs.Event) error { return e.logs.Put(ctx, group, stream, evs) }, e.region, e.account)
}

// PutExecutionLogsLent is PutExecutionLogs for records whose messages are lent: local/logs' PutLent reads
// them while it copies them into its segment, and returns once they are durable, so none is read after
// this returns.
func (e executionLogSink) PutExecutionLogsLent(ctx context.Context, recs []localsfn.LentExecutionLog) error {
	return putByStream(recs, func(r localsfn.LentExecutionLog) (string, string) { return r.LogGroupArn, r.LogStream },
		func(r localsfn.LentExecutionLog) logs.LentEvent {
			return logs.LentEvent{Timestamp: r.Timestamp, Message: r.Message}
		},
		func(group, stream string, evs []logs.LentEvent) error { return e.logs.PutLent(ctx, group, stream, evs) }, e.region, e.account)
}

// putByStream writes recs with put, one call per log stream (see PutExecutionLogs): where names a
// record's group ARN and stream, event makes its log event.
func putByStream[R, E any](recs []R, where func(R) (string, string), event func(R) E,
	put func(group, stream string, evs []E) error, region, account string) error {
	var (
		errs   []error
		events = make([]E, 0, len(recs))
	)
	for i, first := range recs {
		group, stream := where(first)
		if seenBefore(recs[:i], where, group, stream) {
			continue
		}
		events = events[:0]
		for _, rec := range recs[i:] {
			if g, s := where(rec); s == stream && g == group {
				events = append(events, event(rec))
			}
		}
		name, ok := cutLogGroupArn(group, region, account)
		if !ok {
			errs = append(errs, fmt.Errorf("log group %s is not in this stack's region and account", group))
			continue
		}
		if err := put(strings.TrimSuffix(name, ":*"), stream, events); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// seenBefore reports whether one of recs is of the log group and stream given.
func seenBefore[R any](recs []R, where func(R) (string, string), group, stream string) bool {
	for _, r := range recs {
		if g, s := where(r); s == stream && g == group {
			return true
		}
	}
	return false
}

// cutLogGroupArn returns the log group name of an ARN of region and account
// ("arn:aws:logs:REGION:ACCOUNT:log-group:NAME", with or without ":*"), without building the prefix.
func cutLogGroupArn(arn, region, account string) (string, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:logs:")
	if !ok {
		return "", false
	}
	if rest, ok = strings.CutPrefix(rest, region); !ok || !strings.HasPrefix(rest, ":") {
		return "", false
	}
	if rest, ok = strings.CutPrefix(rest[1:], account); !ok {
		return "", false
	}
	if rest, ok = strings.CutPrefix(rest, ":log-group:"); !ok {
		return "", false
	}
	return rest, true
}

// logGroups answers Step Functions' check of a LoggingConfiguration destination from the local CloudWatch
// Logs: a log group ARN of this stack's region and account whose group exists.
type logGroups struct {
	logs            *logs.Service
	region, account string
}

var _ localsfn.LogGroups = logGroups{}

func (l logGroups) LogGroupExists(_ context.Context, arn string) (bool, error) {
	name, ok := strings.CutPrefix(arn, "arn:aws:logs:"+l.region+":"+l.account+":log-group:")
	if !ok {
		return false, nil
	}
	return l.logs.HasLogGroup(strings.TrimSuffix(name, ":*")), nil
}

// metricSink stores the metrics of the functions' Embedded Metric Format lines in CloudWatch.
type metricSink struct{ cw *cloudwatch.Service }

func (m metricSink) PutMetrics(ctx context.Context, metrics []lambda.Metric) error {
	var errs []error
	for _, mt := range metrics {
		dims := make([]cloudwatch.Dimension, len(mt.Dimensions))
		for i, d := range mt.Dimensions {
			dims[i] = cloudwatch.Dimension{Name: d.Name, Value: d.Value}
		}
		ts := mt.Timestamp
		res := mt.StorageResolution
		datum := cloudwatch.Datum{MetricName: mt.Name, Dimensions: dims, Timestamp: &ts, Unit: mt.Unit, StorageResolution: &res}
		if len(mt.Values) == 1 {
			v := mt.Values[0]
			datum.Value = &v
		} else {
			datum.Values = mt.Values
		}
		if mt.Namespace == lambda.ServiceNamespace {
			// Lambda's own metrics (AWS/Lambda), which PutMetricData would refuse for a reserved namespace.
			errs = append(errs, m.cw.PutServiceMetrics(mt.Namespace, datum))
			continue
		}
		errs = append(errs, m.cw.Put(mt.Namespace, datum))
	}
	return errors.Join(errs...)
}
