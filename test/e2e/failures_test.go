package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"
)

// taskFailures returns, in order, the errors with which the execution's task attempts in state failed:
// a Lambda function error is a TaskFailed event (a lambda:invoke optimized integration), named after the
// function's errorType.
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
func taskFailures(tb testing.TB, e *env, arn *string, state string) (failures []string, attempts int) {
	tb.Helper()
	current := ""
	for _, ev := range e.history(tb, arn) {
		switch {
		case ev.StateEnteredEventDetails != nil:
			current = str(ev.StateEnteredEventDetails.Name)
		case ev.StateExitedEventDetails != nil:
			current = ""
		case current != state:
		case ev.Type == sfntypes.HistoryEventTypeTaskScheduled:
			attempts++
		case ev.TaskFailedEventDetails != nil:
			failures = append(failures, str(ev.TaskFailedEventDetails.Error))
		}
	}
	return failures, attempts
}

// TestTransientFailureRetried makes S3 misbehave for one task's first invocation, as S3 does under load
// (503 SlowDown) or when a connection drops mid-body. The task reports TransientError, the state's Retry
// runs it again, and the object is stored once.
func TestTransientFailureRetried(t *testing.T) {
	t.Parallel()
	const key = "incoming/orders/2024-03-01.csv"
	tests := []struct {
		name     string
		function string // the template's logical id
		state    string
		fault    func(p *faultProxy)
	}{
		{"process: 503 SlowDown on every attempt of the SDK", "ProcessFunction", "Process", func(p *faultProxy) {
			p.failWith(http.MethodGet, key, 0, http.StatusServiceUnavailable, "SlowDown")
		}},
		{"process: connection dropped mid-body on every read and resume", "ProcessFunction", "Process", func(p *faultProxy) { p.cutBody(key, 0) }},
		{"validate: 503 SlowDown on every attempt of the SDK", "ValidateFunction", "Validate", func(p *faultProxy) {
			p.failWith(http.MethodGet, key, 0, http.StatusServiceUnavailable, "SlowDown")
		}},
		{"validate: connection dropped mid-body", "ValidateFunction", "Validate", func(p *faultProxy) { p.cutBody(key, 1) }},
		{"store: 500 InternalError on the manifest write", "StoreFunction", "Store", func(p *faultProxy) {
			// The commit's conditional write of the manifest (a PUT under manifests/).
			p.failWithPrefix(http.MethodPut, "manifests/orders/2024-03-01.csv.", http.StatusInternalServerError, "InternalError")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newFaultProxy(t)
			tc.fault(p)
			// Only the first invocation of the function goes through the proxy: the retry reaches S3.
			e := startStack(t, "", "", withEndpoint(tc.function, p, 1))
			e.putSchema(t)
			e.putSample(t, "sample/"+key)
			xs := e.waitExecutions(t, 1)
			d, err := e.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: xs[0].ExecutionArn})
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != sfntypes.ExecutionStatusSucceeded {
				t.Fatalf("status: got %s (%s: %s), want SUCCEEDED after a retry", d.Status, str(d.Error), str(d.Cause))
			}
			failures, attempts := taskFailures(t, e, xs[0].ExecutionArn, tc.state)
			if diff := cmp.Diff([]string{"TransientError"}, failures); diff != "" || attempts != 2 {
				t.Errorf("%s attempts: got %d with failures %v, want 2 with one TransientError (-want +got):\n%s", tc.state, attempts, failures, diff)
			}
			if p.hitCount() == 0 {
				t.Errorf("the fault was never hit")
			}
			if got := e.keys(t, "manifests/"); len(got) != 1 {
				t.Errorf("manifests: got %v, want one", got)
			} else {
				var m manifest
				e.getJSON(t, got[0], &m)
				if m.Output.Rows != 8 {
					t.Errorf("manifest rows: got %d, want the object's 8", m.Output.Rows)
				}
			}
			if got := e.keys(t, "failed/"); len(got) != 0 {
				t.Errorf("failure records: got %v, want none", got)
			}
		})
	}
}

// TestCutReadResumed cuts the Process task's read of the object once: the task resumes it with a ranged
// GET (same If-Match and version) and succeeds on its first attempt, with every row.
func TestCutReadResumed(t *testing.T) {
	t.Parallel()
	const key = "incoming/orders/2024-03-01.csv"
	p := newFaultProxy(t)
	cut := p.cutBody(key, 1)
	e := startStack(t, "", "", withEndpoint("ProcessFunction", p, 0))
	e.putSchema(t)
	e.putSample(t, "sample/"+key)
	xs := e.waitExecutions(t, 1)
	if d := e.describe(t, xs[0].ExecutionArn); d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("status: got %s (%s: %s), want SUCCEEDED", d.Status, str(d.Error), str(d.Cause))
	}
	if failures, attempts := taskFailures(t, e, xs[0].ExecutionArn, "Process"); len(failures) != 0 || attempts != 1 || cut.hits.Load() != 1 {
		t.Errorf("Process: got %d attempts, failures %v, %d cut reads; want 1 attempt without failure after 1 cut read", attempts, failures, cut.hits.Load())
	}
	var m manifest
	e.getJSON(t, e.keys(t, "manifests/")[0], &m)
	if m.Output.Rows != 8 {
		t.Errorf("manifest rows: got %d, want 8", m.Output.Rows)
	}
}

// TestPermanentFailureRecorded runs executions whose object version is gone, so that a task fails with a
// non-retryable error: the Catch records the failure under failed/ and the execution fails with the
// task's original error name and cause.
func TestPermanentFailureRecorded(t *testing.T) {
	t.Parallel()
	t.Run("event redelivered after the version was deleted", func(t *testing.T) {
		t.Parallel()
		e := startStack(t, "", "")
		e.putSchema(t)
		key := e.putSample(t, "sample/incoming/orders/2024-03-02.jsonl")
		first := e.waitExecutions(t, 1)[0]
		d, err := e.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: first.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		var ev s3Event
		if err := json.Unmarshal([]byte(str(d.Input)), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Detail.Object.VersionID == "" {
			t.Fatalf("the event of a versioned bucket has no version-id: %s", str(d.Input))
		}
		e.deleteVersion(t, key, ev.Detail.Object.VersionID)
		// EventBridge delivers at least once: a late copy of the event starts another execution.
		start, err := e.sfn.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(e.sm), Input: d.Input})
		if err != nil {
			t.Fatal(err)
		}
		e.waitExecutions(t, 2)
		checkRecordedFailure(t, e, start.ExecutionArn, "Validate", "ObjectNotFoundError", key)
	})
	t.Run("version deleted between validate and process", func(t *testing.T) {
		t.Parallel()
		const key = "incoming/orders/2024-03-03.json"
		p := newFaultProxy(t)
		held := p.holdNext(http.MethodGet, key)
		e := startStack(t, "", "", withEndpoint("ProcessFunction", p, 0))
		e.putSchema(t)
		e.putSample(t, "sample/"+key)
		<-held.held
		versions, err := e.s3.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: aws.String(e.bucket), Prefix: aws.String(key)})
		if err != nil || len(versions.Versions) != 1 {
			t.Fatalf("versions of %s: %v, %v", key, versions, err)
		}
		e.deleteVersion(t, key, str(versions.Versions[0].VersionId))
		held.releaseHeld()
		xs := e.waitExecutions(t, 1)
		checkRecordedFailure(t, e, xs[0].ExecutionArn, "Process", "ObjectNotFoundError", key)
		if got := e.keys(t, "staging/"); len(got) != 0 {
			t.Errorf("staging objects left behind: %v", got)
		}
	})
}

func (e *env) deleteVersion(tb testing.TB, key, version string) {
	tb.Helper()
	if _, err := e.s3.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(key), VersionId: aws.String(version)}); err != nil {
		tb.Fatalf("delete %s version %s: %v", key, version, err)
	}
}

// checkRecordedFailure checks that the execution failed in state with errName, without a retry, that its
// cause is the Lambda function error's, and that failed/ holds its record.
func checkRecordedFailure(t *testing.T, e *env, arn *string, state, errName, key string) {
	t.Helper()
	d, err := e.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != sfntypes.ExecutionStatusFailed || str(d.Error) != errName {
		t.Fatalf("execution: got %s with error %q, want FAILED with %q", d.Status, str(d.Error), errName)
	}
	// The cause of a Lambda function error is the function's error document.
	// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
	var cause struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if err := json.Unmarshal([]byte(str(d.Cause)), &cause); err != nil || cause.ErrorType != errName || !strings.Contains(cause.ErrorMessage, key) {
		t.Errorf("cause: got %q, want the function's error document for %s naming %s", str(d.Cause), errName, key)
	}
	failures, attempts := taskFailures(t, e, arn, state)
	if diff := cmp.Diff([]string{errName}, failures); diff != "" || attempts != 1 {
		t.Errorf("%s: got %d attempts failing with %v, want one, not retried (-want +got):\n%s", state, attempts, failures, diff)
	}
	name := key[strings.LastIndex(key, "/")+1:]
	exec := str(arn)[strings.LastIndex(str(arn), ":")+1:]
	recKey := "failed/orders/" + name + "." + exec + ".json"
	var rec failureRecord
	e.getJSON(t, recKey, &rec)
	if rec.Error != errName || rec.Execution != str(arn) || rec.Cause != str(d.Cause) {
		t.Errorf("failure record %s: got %+v, want error %s, execution %s and the execution's cause", recKey, rec, errName, str(arn))
	}
	if got := e.keys(t, "manifests/"); len(got) > 1 {
		t.Errorf("manifests: got %v", got)
	}
}

// TestRetriedProcessLeavesNoStaging runs Process twice for one execution, the first time with its
// staging upload taking effect in S3 while the answer is lost (a 500 InternalError after the write, as
// S3 may answer): Step Functions retries the TransientError, the second attempt writes the staging key
// again, and Store commits. Nothing may stay under staging/ once the execution succeeded. A crash in the
// middle of Process (an execution resumed on restart runs Process again) would leave the same trace.
func TestRetriedProcessLeavesNoStaging(t *testing.T) {
	t.Parallel()
	p := newFaultProxy(t)
	p.loseResponses(http.MethodPut, "staging/")
	e := startStack(t, "", "", withEndpoint("ProcessFunction", p, 1))
	e.putSchema(t)
	e.putSample(t, "sample/incoming/orders/2024-03-03.json")
	xs := e.waitExecutions(t, 1)
	d := e.describe(t, xs[0].ExecutionArn)
	if d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("status: got %s (%s: %s), want SUCCEEDED after a retry", d.Status, str(d.Error), str(d.Cause))
	}
	if failures, _ := taskFailures(t, e, xs[0].ExecutionArn, "Process"); len(failures) != 1 || p.hitCount() == 0 {
		t.Fatalf("Process failures: got %v (fault hit %d times), want one TransientError", failures, p.hitCount())
	}
	if got := e.keys(t, "manifests/"); len(got) != 1 {
		t.Errorf("manifests: got %v, want one", got)
	}
	if got := e.keys(t, "staging/"); len(got) != 0 {
		t.Errorf("staging objects left behind (an earlier attempt's version of the staging key): %v", got)
	}
}

// describe is DescribeExecution.
func (e *env) describe(tb testing.TB, arn *string) *sfn.DescribeExecutionOutput {
	tb.Helper()
	d, err := e.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: arn})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
