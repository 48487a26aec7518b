package stack

import (
	"context"
	"errors"
	"strings"

	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/local/cloudwatch"
	"github.com/sluicehq/sluice/local/events"
	"github.com/sluicehq/sluice/local/lambda"
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
		errs = append(errs, m.cw.Put(mt.Namespace, datum))
	}
	return errors.Join(errs...)
}
