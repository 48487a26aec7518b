package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/emf"
	"github.com/sluicehq/sluice/tasks/internal/s3test"
	"github.com/sluicehq/sluice/tasks/store"
)

const (
	sourceKey  = "incoming/sales/2026/orders.csv"
	sourceBody = "id,amount\n1,2.5\n"
	stagedBody = "{\"id\":1,\"amount\":2.5}\n" // stands for the gzip bytes: the store never reads them
	processed  = "processed/sales/dt=2026-11-24/2026/orders.jsonl.gz"
)

// lastModified is the source version's Last-Modified as the process task records it: 01:00 at +02:00 is
// still the 24th in UTC, so the partition is dt=2026-11-24.
const lastModified = "2026-11-25T01:00:00+02:00"

// commitFixture puts a source object and the staged output of one execution, and returns the commit input.
func commitFixture(t *testing.T, s *s3test.Server, execName string) tasks.StoreInput {
	t.Helper()
	etag := put(t, s, sourceKey, sourceBody, nil)
	stagedKey := "staging/" + execName + "/sales/2026/orders.csv.jsonl.gz"
	stagedETag := put(t, s, stagedKey, stagedBody, map[string]string{tasks.MetaSourceLastModified: lastModified})
	return tasks.StoreInput{
		Invocation: tasks.Invocation{
			Bucket:    bucket,
			Object:    tasks.S3Object{Key: sourceKey, Size: int64(len(sourceBody)), ETag: etag},
			Execution: execution(execName),
		},
		Action: tasks.ActionCommit,
		Report: &tasks.Report{Valid: true, Dataset: "sales", Format: "csv", Rows: 1, Bytes: int64(len(sourceBody)), SHA256: "abc"},
		Result: &tasks.ProcessOutput{
			Staging: tasks.ObjectRef{Bucket: bucket, Key: stagedKey, ETag: stagedETag},
			Rows:    1,
			Bytes:   int64(len(stagedBody)),
			SHA256:  "def",
			Columns: []tasks.ColumnStats{{Name: "id", Count: 1, Min: json.RawMessage("1"), Max: json.RawMessage("1")}, {Name: "amount", Count: 1, Min: json.RawMessage("2.5"), Max: json.RawMessage("2.5")}},
		},
	}
}

func manifestKeyOf(in tasks.StoreInput) string {
	return "manifests/sales/2026/orders.csv." + in.Object.ETag + ".json"
}

func TestCommitStores(t *testing.T) {
	s := s3test.New(t, bucket)
	in := commitFixture(t, s, "exec-1")
	got, err := newHandler(s).Handle(context.Background(), in)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	want := tasks.StoreOutput{Action: tasks.ActionCommit, Outcome: store.OutcomeStored, Key: processed, Manifest: manifestKeyOf(in)}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("output (-got +want):\n%s", diff)
	}
	if body, _ := get(t, s, processed); body != stagedBody {
		t.Errorf("processed object: got %q, want the staged bytes %q", body, stagedBody)
	}
	if ks := keys(t, s, "staging/"); len(ks) != 0 {
		t.Errorf("staging after commit: got %q, want nothing", ks)
	}
	body, ok := get(t, s, manifestKeyOf(in))
	if !ok {
		t.Fatalf("no manifest at %s", manifestKeyOf(in))
	}
	gotManifest := decode[store.Manifest](t, body)
	wantManifest := store.Manifest{
		Dataset: "sales",
		Source: store.Source{
			ObjectRef:    tasks.ObjectRef{Bucket: bucket, Key: sourceKey, ETag: in.Object.ETag, Size: int64(len(sourceBody))},
			LastModified: time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC),
			Format:       "csv",
			Bytes:        int64(len(sourceBody)),
			SHA256:       "abc",
		},
		Output: store.Output{
			ObjectRef: tasks.ObjectRef{Bucket: bucket, Key: processed, ETag: in.Result.Staging.ETag, Size: int64(len(stagedBody))},
			Rows:      1,
			Bytes:     int64(len(stagedBody)),
			SHA256:    "def",
			Columns:   in.Result.Columns,
		},
		Date:      "2026-11-24",
		Execution: in.Execution,
		Committed: clock,
	}
	// The test server answers a copy with the source's version id, not the copy's: S3 gives the copy a
	// version of its own, so the field is not compared.
	ignoreVersion := cmpopts.IgnoreFields(tasks.ObjectRef{}, "VersionID")
	if diff := cmp.Diff(gotManifest, wantManifest, ignoreVersion); diff != "" {
		t.Errorf("manifest (-got +want):\n%s", diff)
	}
}

func TestCommitRerun(t *testing.T) {
	tests := []struct {
		name        string
		secondExec  string
		wantOutcome string
	}{
		// Step Functions retried the Store state after the first attempt committed (a timeout, say).
		{name: "same execution", secondExec: "exec-1", wantOutcome: store.OutcomeStored},
		// A second event for the same object version started another execution.
		{name: "another execution", secondExec: "exec-2", wantOutcome: store.OutcomeDuplicate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s3test.New(t, bucket)
			h := newHandler(s)
			first := commitFixture(t, s, "exec-1")
			if _, err := h.Handle(context.Background(), first); err != nil {
				t.Fatalf("first commit: %v", err)
			}
			manifestBefore, _ := get(t, s, manifestKeyOf(first))
			second := commitFixture(t, s, tt.secondExec)
			// The second execution's staged bytes differ, so a second copy to processed/ would show.
			second.Result.Staging.ETag = put(t, s, second.Result.Staging.Key, "other bytes", map[string]string{tasks.MetaSourceLastModified: lastModified})
			got, err := h.Handle(context.Background(), second)
			if err != nil {
				t.Fatalf("second commit: %v", err)
			}
			want := tasks.StoreOutput{Action: tasks.ActionCommit, Outcome: tt.wantOutcome, Key: processed, Manifest: manifestKeyOf(first)}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("output (-got +want):\n%s", diff)
			}
			if body, _ := get(t, s, processed); body != stagedBody {
				t.Errorf("processed object after the re-run: got %q, want the first commit's %q", body, stagedBody)
			}
			if manifestAfter, _ := get(t, s, manifestKeyOf(first)); manifestAfter != manifestBefore {
				t.Errorf("manifest changed by the re-run:\n got %s\nwant %s", manifestAfter, manifestBefore)
			}
			if ks := keys(t, s, "staging/"); len(ks) != 0 {
				t.Errorf("staging after re-run: got %q, want nothing", ks)
			}
		})
	}
}

func TestCommitConcurrent(t *testing.T) {
	s := s3test.New(t, bucket)
	h := newHandler(s)
	const n = 8
	inputs := make([]tasks.StoreInput, n)
	for i := range inputs {
		inputs[i] = commitFixture(t, s, "exec-"+string(rune('a'+i)))
	}
	outs := make([]tasks.StoreOutput, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range inputs {
		wg.Go(func() { outs[i], errs[i] = h.Handle(context.Background(), inputs[i]) })
	}
	wg.Wait()
	stored := -1
	for i := range outs {
		if errs[i] != nil {
			t.Fatalf("execution %d: %v", i, errs[i])
		}
		switch outs[i].Outcome {
		case store.OutcomeStored:
			if stored >= 0 {
				t.Fatalf("executions %d and %d both stored", stored, i)
			}
			stored = i
		case store.OutcomeDuplicate:
		default:
			t.Errorf("execution %d: outcome %q", i, outs[i].Outcome)
		}
	}
	if stored < 0 {
		t.Fatal("no execution stored")
	}
	body, _ := get(t, s, manifestKeyOf(inputs[0]))
	if got, want := decode[store.Manifest](t, body).Execution, inputs[stored].Execution; got != want {
		t.Errorf("manifest execution: got %q, want the storing one %q", got, want)
	}
	if ks := keys(t, s, "manifests/"); len(ks) != 1 {
		t.Errorf("manifests: got %q, want exactly one", ks)
	}
	if ks := keys(t, s, "staging/"); len(ks) != 0 {
		t.Errorf("staging after commits: got %q, want nothing", ks)
	}
}

func TestCommitTransientThenRetried(t *testing.T) {
	tests := []struct {
		name, method, keyPart string
	}{
		{name: "manifest read", method: "GET", keyPart: "manifests/"},
		{name: "staged head", method: "HEAD", keyPart: "staging/"},
		{name: "copy", method: "PUT", keyPart: "processed/"},
		{name: "manifest write", method: "PUT", keyPart: "manifests/"},
		{name: "staged delete", method: "DELETE", keyPart: "staging/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s3test.New(t, bucket)
			h := newHandler(s)
			in := commitFixture(t, s, "exec-1")
			s.Fail(tt.method, tt.keyPart, 1, 503, "SlowDown")
			_, err := h.Handle(context.Background(), in)
			var te *tasks.TransientError
			if !errors.As(err, &te) {
				t.Fatalf("first attempt: got %v, want *tasks.TransientError", err)
			}
			if _, ok := err.(*tasks.TransientError); !ok {
				t.Errorf("first attempt: error type %T is wrapped; the state machine matches the unwrapped name", err)
			}
			// The state machine's Retry runs the same input again.
			got, err := h.Handle(context.Background(), in)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if got.Outcome != store.OutcomeStored {
				t.Errorf("retry outcome: got %q, want %q", got.Outcome, store.OutcomeStored)
			}
			if _, ok := get(t, s, processed); !ok {
				t.Errorf("no processed object after the retry")
			}
			if ks := keys(t, s, "staging/"); len(ks) != 0 {
				t.Errorf("staging after retry: got %q, want nothing", ks)
			}
		})
	}
}

func TestCommitStagedObjectProblems(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		s := s3test.New(t, bucket)
		in := commitFixture(t, s, "exec-1")
		in.Result.Staging.Key = "staging/exec-1/sales/2026/other.csv.jsonl.gz"
		_, err := newHandler(s).Handle(context.Background(), in)
		nf, ok := err.(*tasks.ObjectNotFoundError)
		if !ok {
			t.Fatalf("got %T %v, want *tasks.ObjectNotFoundError", err, err)
		}
		if diff := cmp.Diff(*nf, tasks.ObjectNotFoundError{Bucket: bucket, Key: in.Result.Staging.Key}); diff != "" {
			t.Errorf("error (-got +want):\n%s", diff)
		}
		if ks := keys(t, s, "manifests/"); len(ks) != 0 {
			t.Errorf("manifests: got %q, want none", ks)
		}
	})
	t.Run("changed", func(t *testing.T) {
		s := s3test.New(t, bucket)
		in := commitFixture(t, s, "exec-1")
		// The staged object is overwritten after the process task reported its ETag.
		put(t, s, in.Result.Staging.Key, "other bytes", map[string]string{tasks.MetaSourceLastModified: lastModified})
		_, err := newHandler(s).Handle(context.Background(), in)
		if _, ok := err.(*tasks.ObjectChangedError); !ok {
			t.Fatalf("got %T %v, want *tasks.ObjectChangedError", err, err)
		}
		if ks := keys(t, s, "processed/"); len(ks) != 0 {
			t.Errorf("processed: got %q, want none", ks)
		}
	})
	t.Run("no metadata", func(t *testing.T) {
		s := s3test.New(t, bucket)
		in := commitFixture(t, s, "exec-1")
		in.Result.Staging.Key = "staging/exec-1/sales/2026/bare.jsonl.gz"
		in.Result.Staging.ETag = put(t, s, in.Result.Staging.Key, stagedBody, nil)
		_, err := newHandler(s).Handle(context.Background(), in)
		if err == nil {
			t.Fatal("commit of a staged object without source-last-modified succeeded")
		}
		if ks := keys(t, s, "manifests/"); len(ks) != 0 {
			t.Errorf("manifests: got %q, want none", ks)
		}
	})
}

func TestCommitLogsAndMetrics(t *testing.T) {
	s := s3test.New(t, bucket)
	var logs, metrics bytes.Buffer
	h := store.New(s.Client,
		store.WithClock(func() time.Time { return clock }),
		store.WithLogger(emf.NewLogger(&logs, slog.LevelInfo)),
		store.WithMetrics(emf.New(&metrics, store.Stage, emf.WithClock(func() time.Time { return clock }))))
	if _, err := h.Handle(context.Background(), commitFixture(t, s, "exec-1")); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	line := decode[map[string]any](t, metrics.String())
	want := map[string]any{"Stage": "store", "Action": "commit", "Dataset": "sales", "ObjectsStored": 1.0, "StoreDuration": 0.0}
	for k, v := range want {
		if diff := cmp.Diff(line[k], v); diff != "" {
			t.Errorf("metric line member %s (-got +want):\n%s", k, diff)
		}
	}
	entry := decode[map[string]any](t, logs.String())
	if entry["outcome"] != store.OutcomeStored || entry["key"] != sourceKey {
		t.Errorf("log entry: got %v, want outcome %q and key %q", entry, store.OutcomeStored, sourceKey)
	}
}

// TestCommitVersionOrder commits two versions of one source key in either order: the processed object
// always holds the later version's output (by the events' sequencers, compared after zero-padding: "FF"
// is earlier than "0100"), and both versions get a manifest, the earlier one marked superseded when it
// committed last.
func TestCommitVersionOrder(t *testing.T) {
	const olderSeq, newerSeq = "FF", "0100"
	const newerBody = "{\"id\":1,\"amount\":2.5}\n{\"id\":2,\"amount\":3.5}\n"
	tests := []struct {
		name           string
		newerFirst     bool
		wantSuperseded bool
	}{
		{name: "older commits first", newerFirst: false, wantSuperseded: false},
		{name: "older commits last", newerFirst: true, wantSuperseded: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s3test.New(t, bucket)
			h := newHandler(s)
			older := commitFixture(t, s, "exec-old")
			older.Object.Sequencer = olderSeq
			newer := commitFixture(t, s, "exec-new")
			newer.Object.ETag = put(t, s, sourceKey, sourceBody+"2,3.5\n", nil)
			newer.Object.Sequencer = newerSeq
			newer.Result.Staging.ETag = put(t, s, newer.Result.Staging.Key, newerBody,
				map[string]string{tasks.MetaSourceLastModified: lastModified, tasks.MetaSourceSequencer: newerSeq})
			older.Result.Staging.ETag = put(t, s, older.Result.Staging.Key, stagedBody,
				map[string]string{tasks.MetaSourceLastModified: lastModified, tasks.MetaSourceSequencer: olderSeq})
			order := []tasks.StoreInput{older, newer}
			if tt.newerFirst {
				order = []tasks.StoreInput{newer, older}
			}
			for _, in := range order {
				got, err := h.Handle(context.Background(), in)
				if err != nil {
					t.Fatalf("commit %s: %v", in.Execution, err)
				}
				if got.Outcome != store.OutcomeStored || got.Key != processed {
					t.Errorf("commit %s: got %+v, want stored at %s", in.Execution, got, processed)
				}
			}
			if body, _ := get(t, s, processed); body != newerBody {
				t.Errorf("processed object: got %q, want the newer version's %q", body, newerBody)
			}
			oldManifest, _ := get(t, s, manifestKeyOf(older))
			newManifest, _ := get(t, s, manifestKeyOf(newer))
			gotOld, gotNew := decode[store.Manifest](t, oldManifest).Output, decode[store.Manifest](t, newManifest).Output
			if gotOld.Superseded != tt.wantSuperseded || gotNew.Superseded {
				t.Errorf("superseded: got older %v and newer %v, want %v and false", gotOld.Superseded, gotNew.Superseded, tt.wantSuperseded)
			}
			if tt.wantSuperseded && (gotOld.ETag != "" || gotOld.Key != processed) {
				t.Errorf("superseded output: got %+v, want the processed key and no ETag", gotOld.ObjectRef)
			}
			if ks := keys(t, s, "staging/"); len(ks) != 0 {
				t.Errorf("staging after commits: got %q, want nothing", ks)
			}
		})
	}
}

// TestCommitVersionedStaging commits in a versioned bucket after a retried process attempt staged the
// key twice: the result names the second version, and nothing may stay under staging/ (deleting only that
// version would make the first attempt's current again).
func TestCommitVersionedStaging(t *testing.T) {
	s := s3test.New(t, bucket)
	if _, err := s.Client.PutBucketVersioning(context.Background(), &s3.PutBucketVersioningInput{
		Bucket:                  aws.String(bucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled},
	}); err != nil {
		t.Fatal(err)
	}
	in := commitFixture(t, s, "exec-1") // the first attempt's version
	out, err := s.Client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(in.Result.Staging.Key), Body: strings.NewReader(stagedBody),
		Metadata: map[string]string{tasks.MetaSourceLastModified: lastModified},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.VersionId) == "" {
		t.Fatal("the test server did not version the staged object")
	}
	in.Result.Staging.ETag = strings.Trim(aws.ToString(out.ETag), `"`)
	in.Result.Staging.VersionID = aws.ToString(out.VersionId)
	if _, err := newHandler(s).Handle(context.Background(), in); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if ks := keys(t, s, "staging/"); len(ks) != 0 {
		t.Errorf("staging after commit: got %q, want nothing", ks)
	}
	if body, _ := get(t, s, processed); body != stagedBody {
		t.Errorf("processed object: got %q, want %q", body, stagedBody)
	}
}

// racingS3 is the test server with one race staged in it: just before the first copy to processed/, another
// execution publishes a later version's output there, so S3 refuses the copy's condition with 412.
type racingS3 struct {
	store.S3
	t      *testing.T
	s      *s3test.Server
	body   string
	seq    string
	copies []*s3.CopyObjectInput
	raced  bool
}

func (r *racingS3) CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error) {
	r.copies = append(r.copies, in)
	if !r.raced && strings.HasPrefix(aws.ToString(in.Key), "processed/") {
		r.raced = true
		put(r.t, r.s, aws.ToString(in.Key), r.body, map[string]string{tasks.MetaSourceSequencer: r.seq})
		return nil, &smithy.GenericAPIError{Code: "PreconditionFailed", Message: "At least one of the pre-conditions you specified did not hold"}
	}
	return r.S3.CopyObject(ctx, in, opts...)
}

// TestCommitLosesRaceToLaterVersion commits an older version while a later one is published between the
// check of processed/ and the copy: the copy is conditional (If-None-Match "*", nothing was there), S3
// refuses it, and the commit looks again and leaves the later output in place.
func TestCommitLosesRaceToLaterVersion(t *testing.T) {
	s := s3test.New(t, bucket)
	in := commitFixture(t, s, "exec-old")
	in.Object.Sequencer = "0A"
	const laterBody = "later version's output\n"
	client := &racingS3{S3: s.Client, t: t, s: s, body: laterBody, seq: "0B"}
	h := store.New(client, store.WithClock(func() time.Time { return clock }))
	got, err := h.Handle(context.Background(), in)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if got.Outcome != store.OutcomeStored {
		t.Errorf("outcome: got %q, want %q", got.Outcome, store.OutcomeStored)
	}
	if len(client.copies) != 1 || aws.ToString(client.copies[0].IfNoneMatch) != "*" {
		t.Errorf("copies: got %d, the first with If-None-Match %q; want one, conditional on no object", len(client.copies), aws.ToString(client.copies[0].IfNoneMatch))
	}
	if body, _ := get(t, s, processed); body != laterBody {
		t.Errorf("processed object: got %q, want the later version's %q", body, laterBody)
	}
	body, _ := get(t, s, manifestKeyOf(in))
	if m := decode[store.Manifest](t, body); !m.Output.Superseded {
		t.Errorf("manifest output: got %+v, want superseded", m.Output)
	}
}
