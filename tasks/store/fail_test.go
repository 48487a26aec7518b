package store_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/emf"
	"github.com/sluicehq/sluice/tasks/internal/s3test"
	"github.com/sluicehq/sluice/tasks/store"
)

func TestFail(t *testing.T) {
	failure := &tasks.Failure{
		Error: "ObjectChangedError",
		Cause: `{"errorMessage":"object changed since the event","errorType":"ObjectChangedError"}`,
	}
	tests := []struct {
		name, key, exec, wantKey string
	}{
		{
			name:    "dataset object",
			key:     "incoming/sales/2026/a.csv",
			exec:    execution("e-1"),
			wantKey: "failed/sales/2026/a.csv.e-1.json",
		},
		{
			name:    "key outside a dataset",
			key:     "incoming/a.csv",
			exec:    execution("e-2"),
			wantKey: "failed/_unknown/a.csv.e-2.json",
		},
		{
			name:    "hand-made execution id",
			key:     "incoming/sales/a.csv",
			exec:    "manual/run:1",
			wantKey: "failed/sales/a.csv.manual_run_1.json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s3test.New(t, bucket)
			in := tasks.StoreInput{
				Invocation: tasks.Invocation{Bucket: bucket, Object: tasks.S3Object{Key: tt.key, ETag: "e1"}, Execution: tt.exec},
				Action:     tasks.ActionFail,
				Failure:    failure,
			}
			got, err := newHandler(s).Handle(context.Background(), in)
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			want := tasks.StoreOutput{Action: tasks.ActionFail, Outcome: store.OutcomeRecorded, Key: tt.wantKey}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("output (-got +want):\n%s", diff)
			}
			raw, ok := get(t, s, tt.wantKey)
			if !ok {
				t.Fatalf("no record at %s", tt.wantKey)
			}
			wantRecord := store.FailureRecord{
				Error: failure.Error, Cause: failure.Cause, Execution: tt.exec,
				// An execution in AWS gets its console page; a local or made-up one none.
				ExecutionConsoleURL: tasks.ExecutionConsoleURL(tt.exec),
				Source:              tasks.ObjectRef{Bucket: bucket, Key: tt.key, ETag: "e1"}, Time: clock,
			}
			if strings.HasPrefix(tt.exec, "arn:aws:states:") && !strings.Contains(wantRecord.ExecutionConsoleURL, "console.aws.amazon.com") {
				t.Errorf("an AWS execution's record has no console link: %q", wantRecord.ExecutionConsoleURL)
			}
			if diff := cmp.Diff(decode[store.FailureRecord](t, raw), wantRecord); diff != "" {
				t.Errorf("record (-got +want):\n%s", diff)
			}
		})
	}
}

func TestInvalidInvocation(t *testing.T) {
	valid := tasks.Invocation{Bucket: bucket, Object: tasks.S3Object{Key: "incoming/sales/a.csv", ETag: "e1"}, Execution: execution("e")}
	tests := []struct {
		name string
		in   tasks.StoreInput
	}{
		{name: "unknown action", in: tasks.StoreInput{Invocation: valid, Action: "publish"}},
		{name: "commit without result", in: tasks.StoreInput{Invocation: valid, Action: tasks.ActionCommit, Report: &tasks.Report{}}},
		{name: "commit without staged etag", in: tasks.StoreInput{Invocation: valid, Action: tasks.ActionCommit, Report: &tasks.Report{},
			Result: &tasks.ProcessOutput{Staging: tasks.ObjectRef{Key: "staging/e/a.jsonl.gz"}}}},
		{name: "commit outside incoming", in: tasks.StoreInput{Invocation: tasks.Invocation{Bucket: bucket, Object: tasks.S3Object{Key: "processed/x", ETag: "e"}},
			Action: tasks.ActionCommit, Report: &tasks.Report{}, Result: &tasks.ProcessOutput{Staging: tasks.ObjectRef{Key: "k", ETag: "e"}}}},
		{name: "quarantine without report", in: tasks.StoreInput{Invocation: valid, Action: tasks.ActionQuarantine}},
		{name: "quarantine without etag", in: tasks.StoreInput{Invocation: tasks.Invocation{Bucket: bucket, Object: tasks.S3Object{Key: "incoming/sales/a.csv"}},
			Action: tasks.ActionQuarantine, Report: &tasks.Report{}}},
		{name: "fail without failure", in: tasks.StoreInput{Invocation: valid, Action: tasks.ActionFail}},
		{name: "fail without bucket", in: tasks.StoreInput{Action: tasks.ActionFail, Failure: &tasks.Failure{Error: "x"}}},
	}
	s := s3test.New(t, bucket)
	h := newHandler(s)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.Handle(context.Background(), tt.in)
			if _, ok := err.(*tasks.InvalidInvocationError); !ok {
				t.Fatalf("got %T %v, want *tasks.InvalidInvocationError", err, err)
			}
		})
	}
	if ks := keys(t, s, ""); len(ks) != 0 {
		t.Errorf("invalid invocations wrote %q", ks)
	}
}

// TestFailMisconfigured: the failure record of a broken schema has its own outcome and metric.
func TestFailMisconfigured(t *testing.T) {
	s := s3test.New(t, bucket)
	var metrics bytes.Buffer
	h := store.New(s.Client, store.WithClock(func() time.Time { return clock }), store.WithMetrics(emf.New(&metrics, store.Stage)))
	in := tasks.StoreInput{
		Invocation: tasks.Invocation{Bucket: bucket, Object: tasks.S3Object{Key: "incoming/sales/a.csv", ETag: "e1"}, Execution: execution("e-3")},
		Action:     tasks.ActionFail,
		Failure:    &tasks.Failure{Error: tasks.ErrorNameSchema, Cause: `{"errorMessage":"schema schemas/sales.json is invalid: ...","errorType":"SchemaError"}`},
	}
	got, err := h.Handle(context.Background(), in)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	want := tasks.StoreOutput{Action: tasks.ActionFail, Outcome: store.OutcomeMisconfigured, Key: "failed/sales/a.csv.e-3.json"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("output (-got +want):\n%s", diff)
	}
	if m := metrics.String(); !strings.Contains(m, `"`+store.MetricMisconfigured+`":1`) || strings.Contains(m, store.MetricFailed) {
		t.Errorf("metrics: got %s, want %s and not %s", m, store.MetricMisconfigured, store.MetricFailed)
	}
}
