package store_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/internal/s3test"
	"github.com/sluicehq/sluice/tasks/process"
	"github.com/sluicehq/sluice/tasks/store"
	"github.com/sluicehq/sluice/tasks/validate"
)

var update = flag.Bool("update", false, "rewrite the golden processed outputs in testdata/pipeline/")

// runPipeline drives one object through the tasks as the state machine does: Validate, then Process and
// Store "commit" for a valid object, or Store "quarantine" for a rejected one.
func runPipeline(t *testing.T, s *s3test.Server, obj tasks.S3Object, execution string) (tasks.Report, tasks.StoreOutput) {
	t.Helper()
	ctx := context.Background()
	inv := tasks.Invocation{Bucket: bucket, Object: obj, Execution: execution}
	report, err := validate.New(s.Client).Handle(ctx, inv)
	if err != nil {
		t.Fatalf("validate %s: %v", obj.Key, err)
	}
	if !report.Valid {
		out, err := newHandler(s).Handle(ctx, tasks.StoreInput{Invocation: inv, Action: tasks.ActionQuarantine, Report: &report})
		if err != nil {
			t.Fatalf("quarantine %s: %v", obj.Key, err)
		}
		return report, out
	}
	result, err := process.New(s.Client).Handle(ctx, tasks.ProcessInput{Invocation: inv, Report: report})
	if err != nil {
		t.Fatalf("process %s: %v", obj.Key, err)
	}
	out, err := newHandler(s).Handle(ctx, tasks.StoreInput{Invocation: inv, Action: tasks.ActionCommit, Report: &report, Result: &result})
	if err != nil {
		t.Fatalf("store %s: %v", obj.Key, err)
	}
	return report, out
}

// TestPipelineOnSamples runs every sample object through validate, process and store, compares each
// processed output with its golden file, and runs the valid ones a second time as a duplicate event would.
func TestPipelineOnSamples(t *testing.T) {
	root := filepath.Join("..", "..", "sample")
	schemaDoc, err := os.ReadFile(filepath.Join(root, "schemas", "orders.json"))
	if err != nil {
		t.Skipf("no sample dataset: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(root, "incoming", "orders", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample objects: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			s := s3test.New(t, bucket)
			put(t, s, "schemas/orders.json", string(schemaDoc), nil)
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			key := "incoming/orders/" + name
			obj := tasks.S3Object{Key: key, Size: int64(len(body)), ETag: put(t, s, key, string(body), nil)}
			report, out := runPipeline(t, s, obj, execution("first"))
			if !report.Valid {
				if want := "quarantine/orders/" + name; out.Outcome != store.OutcomeQuarantined || out.Key != want {
					t.Errorf("rejected object: got %+v, want outcome %q at %q", out, store.OutcomeQuarantined, want)
				}
				if copied, _ := get(t, s, "quarantine/orders/"+name); copied != string(body) {
					t.Errorf("quarantined copy differs from the object")
				}
				return
			}
			head, err := s.Client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				t.Fatal(err)
			}
			date := aws.ToTime(head.LastModified).UTC().Format(time.DateOnly)
			want := tasks.StoreOutput{
				Action: tasks.ActionCommit, Outcome: store.OutcomeStored,
				Key:      "processed/orders/dt=" + date + "/" + tasks.OutputStem(name) + ".jsonl.gz",
				Manifest: "manifests/orders/" + name + "." + obj.ETag + ".json",
			}
			if diff := cmp.Diff(out, want); diff != "" {
				t.Errorf("store output (-got +want):\n%s", diff)
			}
			gotLines := gunzip(t, out.Key, s)
			if n := int64(strings.Count(gotLines, "\n")); n != report.Rows {
				t.Errorf("processed lines: got %d, want the report's %d rows", n, report.Rows)
			}
			golden := filepath.Join("testdata", "pipeline", name+".jsonl")
			if *update {
				if err := os.WriteFile(golden, []byte(gotLines), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			wantLines, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("golden (run with -update to create it): %v", err)
			}
			if diff := cmp.Diff(gotLines, string(wantLines)); diff != "" {
				t.Errorf("processed output (-got +want):\n%s", diff)
			}

			// A second event for the same version: its own validate and process, then a duplicate commit.
			_, again := runPipeline(t, s, obj, execution("second"))
			if again.Outcome != store.OutcomeDuplicate || again.Key != out.Key {
				t.Errorf("second execution: got %+v, want outcome %q for %q", again, store.OutcomeDuplicate, out.Key)
			}
			if ks := keys(t, s, "staging/"); len(ks) != 0 {
				t.Errorf("staging after both executions: %q", ks)
			}
		})
	}
}

// gunzip reads a gzip object and returns its text.
func gunzip(t *testing.T, key string, s *s3test.Server) string {
	t.Helper()
	raw, ok := get(t, s, key)
	if !ok {
		t.Fatalf("no object at %s", key)
	}
	zr, err := gzip.NewReader(bytes.NewReader([]byte(raw)))
	if err != nil {
		t.Fatalf("%s is not gzip: %v", key, err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return string(text)
}

// TestPipelineEveryKeyHasAnOutcome: every key the rule delivers (anything under incoming/) ends in one
// outcome. A key with no dataset folder is rejected by validation and quarantined under _unknown; it
// used to make the quarantine fail with InvalidInvocationError, failing the execution.
func TestPipelineEveryKeyHasAnOutcome(t *testing.T) {
	tests := []struct{ key, wantQuarantine string }{
		{"incoming/a.csv", "quarantine/_unknown/a.csv"},
		{"incoming/orders/", "quarantine/_unknown/orders"},
		{"incoming//a.csv", "quarantine/_unknown/a.csv"},
		{"incoming/", "quarantine/_unknown/unnamed"},
		{"incoming/nosuch/a.csv", "quarantine/nosuch/a.csv"},
		{"incoming/orders/a.txt", "quarantine/orders/a.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			s := s3test.New(t, bucket)
			const body = "id\n1\n"
			obj := tasks.S3Object{Key: tt.key, Size: int64(len(body)), ETag: put(t, s, tt.key, body, nil)}
			report, out := runPipeline(t, s, obj, execution("one"))
			if report.Valid || out.Outcome != store.OutcomeQuarantined || out.Key != tt.wantQuarantine {
				t.Fatalf("got valid=%v %+v, want a rejection quarantined at %s", report.Valid, out, tt.wantQuarantine)
			}
			if _, ok := get(t, s, tt.wantQuarantine+".report.json"); !ok {
				t.Errorf("no report beside %s", tt.wantQuarantine)
			}
		})
	}
}

// TestPipelineOutputNames: an output is named after its source without the source's extension
// (2024-03-02.jsonl gives 2024-03-02.jsonl.gz, not 2024-03-02.jsonl.jsonl.gz); a second source of the
// same dataset and day with the same stem keeps its whole name rather than overwrite the first's output.
func TestPipelineOutputNames(t *testing.T) {
	root := filepath.Join("..", "..", "sample")
	schemaDoc, err := os.ReadFile(filepath.Join(root, "schemas", "orders.json"))
	if err != nil {
		t.Skipf("no sample dataset: %v", err)
	}
	jsonl, err := os.ReadFile(filepath.Join(root, "incoming", "orders", "2024-03-02.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	csv, err := os.ReadFile(filepath.Join(root, "incoming", "orders", "2024-03-01.csv"))
	if err != nil {
		t.Fatal(err)
	}
	s := s3test.New(t, bucket)
	put(t, s, "schemas/orders.json", string(schemaDoc), nil)
	run := func(key string, body []byte, exec string) tasks.StoreOutput {
		t.Helper()
		obj := tasks.S3Object{Key: key, Size: int64(len(body)), ETag: put(t, s, key, string(body), nil)}
		_, out := runPipeline(t, s, obj, execution(exec))
		return out
	}
	first := run("incoming/orders/day.jsonl", jsonl, "e1")
	second := run("incoming/orders/day.csv", csv, "e2")
	again := run("incoming/orders/day.jsonl", jsonl, "e3") // a new version of the first: same owner, same name
	got := []string{path.Base(first.Key), path.Base(second.Key), path.Base(again.Key)}
	want := []string{"day.jsonl.gz", "day.csv.jsonl.gz", "day.jsonl.gz"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("output names (-got +want):\n%s", diff)
	}
	if a, b := gunzip(t, first.Key, s), gunzip(t, second.Key, s); a == b || !strings.Contains(a, "ORD-100240") || !strings.Contains(b, "ORD-100231") {
		t.Errorf("the outputs are not each their own source's:\n%s\n%s", a, b)
	}
}
