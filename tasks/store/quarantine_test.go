package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/internal/s3test"
	"github.com/sluicehq/sluice/tasks/store"
)

func quarantineFixture(t *testing.T, s *s3test.Server, key, body string) tasks.StoreInput {
	t.Helper()
	etag := put(t, s, key, body, nil)
	return tasks.StoreInput{
		Invocation: tasks.Invocation{
			Bucket:    bucket,
			Object:    tasks.S3Object{Key: key, Size: int64(len(body)), ETag: etag},
			Execution: execution("exec-9"),
		},
		Action: tasks.ActionQuarantine,
		Report: &tasks.Report{
			Dataset: "sales", Format: "csv", Rows: 1, Bytes: int64(len(body)), SHA256: "abc", ProblemCount: 1,
			Problems: []tasks.Problem{{Line: 2, Column: "amount", Code: "type", Message: "not a number"}},
		},
	}
}

func TestQuarantine(t *testing.T) {
	tests := []struct {
		name, key              string
		wantObject, wantReport string
	}{
		{
			name:       "plain",
			key:        "incoming/sales/bad.csv",
			wantObject: "quarantine/sales/bad.csv",
			wantReport: "quarantine/sales/bad.csv.report.json",
		},
		{
			// Characters that must be escaped in x-amz-copy-source.
			name:       "awkward key",
			key:        "incoming/sales/2026 Q4/a+b%c.csv",
			wantObject: "quarantine/sales/2026 Q4/a+b%c.csv",
			wantReport: "quarantine/sales/2026 Q4/a+b%c.csv.report.json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s3test.New(t, bucket)
			const body = "id,amount\n1,x\n"
			in := quarantineFixture(t, s, tt.key, body)
			got, err := newHandler(s).Handle(context.Background(), in)
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			want := tasks.StoreOutput{Action: tasks.ActionQuarantine, Outcome: store.OutcomeQuarantined, Key: tt.wantObject}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("output (-got +want):\n%s", diff)
			}
			if copied, _ := get(t, s, tt.wantObject); copied != body {
				t.Errorf("quarantined copy: got %q, want %q", copied, body)
			}
			raw, ok := get(t, s, tt.wantReport)
			if !ok {
				t.Fatalf("no report at %s", tt.wantReport)
			}
			wantReport := store.QuarantineReport{Source: in.Source(), Execution: in.Execution, Quarantined: clock, Report: *in.Report}
			if diff := cmp.Diff(decode[store.QuarantineReport](t, raw), wantReport); diff != "" {
				t.Errorf("report (-got +want):\n%s", diff)
			}
			if _, ok := get(t, s, tt.key); !ok {
				t.Errorf("source object removed; quarantine copies, it does not move")
			}
		})
	}
}

func TestQuarantineErrors(t *testing.T) {
	t.Run("source changed", func(t *testing.T) {
		s := s3test.New(t, bucket)
		in := quarantineFixture(t, s, "incoming/sales/bad.csv", "x\n")
		// The test server does not evaluate x-amz-copy-source-if-match; inject the 412 S3 answers.
		s.Fail("PUT", "quarantine/sales/bad.csv", 1, 412, "PreconditionFailed")
		_, err := newHandler(s).Handle(context.Background(), in)
		if _, ok := err.(*tasks.ObjectChangedError); !ok {
			t.Fatalf("got %T %v, want *tasks.ObjectChangedError", err, err)
		}
	})
	t.Run("source gone", func(t *testing.T) {
		s := s3test.New(t, bucket)
		in := quarantineFixture(t, s, "incoming/sales/bad.csv", "x\n")
		in.Object.Key = "incoming/sales/deleted.csv"
		_, err := newHandler(s).Handle(context.Background(), in)
		if _, ok := err.(*tasks.ObjectNotFoundError); !ok {
			t.Fatalf("got %T %v, want *tasks.ObjectNotFoundError", err, err)
		}
	})
	t.Run("throttled report write", func(t *testing.T) {
		s := s3test.New(t, bucket)
		in := quarantineFixture(t, s, "incoming/sales/bad.csv", "x\n")
		s.Fail("PUT", ".report.json", 1, 503, "SlowDown")
		h := newHandler(s)
		if _, err := h.Handle(context.Background(), in); err == nil {
			t.Fatal("first attempt succeeded despite the injected 503")
		} else if _, ok := err.(*tasks.TransientError); !ok {
			t.Fatalf("got %T %v, want *tasks.TransientError", err, err)
		}
		got, err := h.Handle(context.Background(), in)
		if err != nil || got.Outcome != store.OutcomeQuarantined {
			t.Fatalf("retry: got %+v, %v; want outcome %q", got, err, store.OutcomeQuarantined)
		}
		if _, ok := get(t, s, "quarantine/sales/bad.csv.report.json"); !ok {
			t.Error("no report after the retry")
		}
	})
}
