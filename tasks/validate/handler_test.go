package validate

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/emf"
	"github.com/sluicehq/sluice/tasks/internal/s3test"
)

var update = flag.Bool("update", false, "rewrite the golden reports in testdata/")

const bucket = "pipeline"

// put stores an object and returns the event's view of it (ETag without quotes, as EventBridge sends it).
func put(t testing.TB, s *s3test.Server, key string, body []byte) tasks.S3Object {
	t.Helper()
	out, err := s.Client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return tasks.S3Object{Key: key, Size: int64(len(body)), ETag: strings.Trim(aws.ToString(out.ETag), `"`)}
}

func invocation(obj tasks.S3Object) tasks.ValidateInput {
	return tasks.ValidateInput{Bucket: bucket, Object: obj, Execution: "arn:aws:states:us-east-1:123456789012:execution:pipeline:test"}
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestSample validates every sample object and compares the report with its golden file.
func TestSample(t *testing.T) {
	root := filepath.Join("..", "..", "sample")
	s := s3test.New(t, bucket)
	schemaDoc, err := os.ReadFile(filepath.Join(root, "schemas", "orders.json"))
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "schemas/orders.json", schemaDoc)
	files, err := filepath.Glob(filepath.Join(root, "incoming", "orders", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample objects: %v", err)
	}
	h := New(s.Client)
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := h.Handle(context.Background(), invocation(put(t, s, "incoming/orders/"+name, body)))
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			if wantValid := !strings.HasPrefix(name, "bad-"); got.Valid != wantValid {
				t.Errorf("Valid: got %v, want %v (problems %+v)", got.Valid, wantValid, got.Problems)
			}
			if got.Valid && got.SHA256 != digest(body) {
				t.Errorf("SHA256: got %s, want %s", got.SHA256, digest(body))
			}
			golden := filepath.Join("testdata", "sample", name+".report.json")
			gotJSON, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			gotJSON = append(gotJSON, '\n')
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, gotJSON, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(gotJSON), string(want)); diff != "" {
				t.Errorf("report (-got +want):\n%s", diff)
			}
		})
	}
}

const testSchema = `{"name":"t","limits":{"maxBytes":4096,"maxRows":5},"columns":[
	{"name":"id","type":"string","required":true,"pattern":"[a-z]+"},
	{"name":"n","type":"integer","nullable":true,"min":0,"max":10},
	{"name":"kind","type":"string","nullable":true,"enum":["x","y"]},
	{"name":"at","type":"timestamp","nullable":true}]}`

// short is a problem as a test writes it: code@line:column.
func short(p tasks.Problem) string {
	return fmt.Sprintf("%s@%d:%s", p.Code, p.Line, p.Column)
}

type outcome struct {
	Valid    bool
	Format   string
	Rows     int64
	Problems []string
	Count    int64
}

func outcomeOf(r tasks.Report) outcome {
	o := outcome{Valid: r.Valid, Format: r.Format, Rows: r.Rows, Count: r.ProblemCount}
	for _, p := range r.Problems {
		o.Problems = append(o.Problems, short(p))
	}
	return o
}

func gz(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestValidate(t *testing.T) {
	manyBad := "id,n\n" + strings.Repeat("x,11\n", 4) // 4 rows, each out of range
	tests := []struct {
		name   string
		schema string // stored at schemas/t.json unless empty
		key    string
		body   []byte
		want   outcome
	}{
		{"csv", testSchema, "incoming/t/a.csv", []byte("id,n,kind,at\na,1,x,2024-01-01T00:00:00Z\nb,,,\n"), outcome{Valid: true, Format: "csv", Rows: 2}},
		{"jsonl", testSchema, "incoming/t/a.jsonl", []byte("{\"id\":\"a\",\"n\":1}\n{\"id\":\"b\",\"kind\":null}\n"), outcome{Valid: true, Format: "jsonl", Rows: 2}},
		{"ndjson", testSchema, "incoming/t/a.ndjson", []byte("{\"id\":\"a\"}\n"), outcome{Valid: true, Format: "jsonl", Rows: 1}},
		{"json", testSchema, "incoming/t/a.json", []byte("[{\"id\":\"a\",\"n\":1},{\"id\":\"b\"}]"), outcome{Valid: true, Format: "json", Rows: 2}},
		{"csv gz", testSchema, "incoming/t/a.csv.gz", gz(t, "id\na\nb\n"), outcome{Valid: true, Format: "csv", Rows: 2}},
		{"jsonl gz", testSchema, "incoming/t/a.jsonl.gz", gz(t, "{\"id\":\"a\"}\n"), outcome{Valid: true, Format: "jsonl", Rows: 1}},
		{"empty json array", testSchema, "incoming/t/a.json", []byte("[]"), outcome{Valid: true, Format: "json"}},

		{"no dataset", testSchema, "incoming/a.csv", []byte("id\na\n"), outcome{Problems: []string{"dataset@0:"}, Count: 1}},
		{"unknown dataset", "", "incoming/t/a.csv", []byte("id\na\n"), outcome{Format: "csv", Problems: []string{"schema@0:"}, Count: 1}},
		{"unknown format", testSchema, "incoming/t/a.xml", []byte("<a/>"), outcome{Problems: []string{"format@0:"}, Count: 1}},
		{"format not accepted", strings.Replace(testSchema, `"limits"`, `"formats":["jsonl"],"limits"`, 1), "incoming/t/a.csv", []byte("id\na\n"), outcome{Format: "csv", Problems: []string{"format@0:"}, Count: 1}},
		{"too big", testSchema, "incoming/t/a.csv", []byte("id\n" + strings.Repeat("a\n", 3000)), outcome{Format: "csv", Problems: []string{"maxBytes@0:"}, Count: 1}},
		{"too many rows", testSchema, "incoming/t/a.csv", []byte("id\na\na\na\na\na\na\na\n"), outcome{Format: "csv", Rows: 5, Problems: []string{"maxRows@7:"}, Count: 1}},
		{"bad utf8", testSchema, "incoming/t/a.csv", []byte("id\na\nb\xe2\x28\xa1\n"), outcome{Format: "csv", Rows: 1, Problems: []string{"utf8@3:"}, Count: 1}},
		{"malformed csv", testSchema, "incoming/t/a.csv", []byte("id,n\na,1\n\"b,2\n"), outcome{Format: "csv", Rows: 1, Problems: []string{"syntax@3:"}, Count: 1}},
		{"csv field count", testSchema, "incoming/t/a.csv", []byte("id,n\na,1,2\nb,3\n"), outcome{Format: "csv", Rows: 2, Problems: []string{"columns@2:"}, Count: 1}},
		{"malformed json", testSchema, "incoming/t/a.json", []byte("[{\"id\":\"a\"},\n{\"id\" \"b\"}]"), outcome{Format: "json", Rows: 1, Problems: []string{"syntax@2:"}, Count: 1}},
		{"malformed jsonl", testSchema, "incoming/t/a.jsonl", []byte("{\"id\":\"a\"}\n{\"id\":\"b\"\n"), outcome{Format: "jsonl", Rows: 1, Problems: []string{"syntax@2:"}, Count: 1}},
		{"corrupt gzip", testSchema, "incoming/t/a.csv.gz", []byte("id\na\n"), outcome{Format: "csv", Problems: []string{"gzip@0:"}, Count: 1}},
		{"header mismatch", testSchema, "incoming/t/a.csv", []byte("n,n,extra\n1,2,3\n"), outcome{Format: "csv", Problems: []string{"header@1:n", "header@1:extra", "header@1:id"}, Count: 3}},
		{"json member problems", testSchema, "incoming/t/a.jsonl", []byte("{\"id\":\"a\",\"zz\":1}\n[1]\n{\"n\":2}\n"), outcome{Format: "jsonl", Rows: 3, Problems: []string{"unknown@1:zz", "record@2:", "required@3:id"}, Count: 3}},
		{"values", testSchema, "incoming/t/a.csv", []byte("id,n,kind,at\nA,1,x,\na,x,x,\na,-1,z,\na,11,,2024-13-01\n,1,,\n"), outcome{Format: "csv", Rows: 5, Problems: []string{
			"pattern@2:id", "type@3:n", "min@4:n", "enum@4:kind", "max@5:n", "type@5:at", "null@6:id"}, Count: 7}},
		{"problem count beyond the report", strings.Replace(testSchema, `"maxRows":5`, `"maxRows":0`, 1), "incoming/t/a.csv", []byte(manyBad + strings.Repeat("x,11\n", 21)),
			outcome{Format: "csv", Rows: 25, Problems: func() []string {
				var p []string
				for line := 2; line < 2+tasks.MaxReportedProblems; line++ {
					p = append(p, fmt.Sprintf("max@%d:n", line))
				}
				return p
			}(), Count: 25}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s3test.New(t, bucket)
			if tt.schema != "" {
				put(t, s, "schemas/t.json", []byte(tt.schema))
			}
			obj := put(t, s, tt.key, tt.body)
			rep, err := New(s.Client).Handle(context.Background(), invocation(obj))
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			if diff := cmp.Diff(outcomeOf(rep), tt.want); diff != "" {
				t.Errorf("report (-got +want):\n%s\nproblems: %+v", diff, rep.Problems)
			}
			if rep.Valid && (rep.SHA256 != digest(tt.body) || rep.Bytes != int64(len(tt.body))) {
				t.Errorf("digest and size: got %s %d, want %s %d", rep.SHA256, rep.Bytes, digest(tt.body), len(tt.body))
			}
		})
	}
}

// TestStreamSizeLimit checks that the size limit holds while streaming, whatever size the event claims.
func TestStreamSizeLimit(t *testing.T) {
	s := s3test.New(t, bucket)
	put(t, s, "schemas/t.json", []byte(testSchema))
	obj := put(t, s, "incoming/t/a.csv", []byte("id\n"+strings.Repeat("a\n", 3000)))
	obj.Size = 10 // a hand-made event
	rep, err := New(s.Client).Handle(context.Background(), invocation(obj))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(outcomeOf(rep), outcome{Format: "csv", Rows: 5, Problems: []string{"maxRows@7:"}, Count: 1}); diff != "" {
		// maxRows (5) is reached before maxBytes (4096): the first limit met is reported.
		t.Errorf("report (-got +want):\n%s", diff)
	}
	noRows := strings.Replace(testSchema, `"maxRows":5`, `"maxRows":0`, 1)
	put(t, s, "schemas/t.json", []byte(noRows))
	rep, err = New(s.Client).Handle(context.Background(), invocation(obj))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(outcomeOf(rep), outcome{Format: "csv", Rows: 2047, Problems: []string{"maxBytes@0:"}, Count: 1}); diff != "" {
		t.Errorf("report (-got +want):\n%s", diff)
	}
	if rep.Bytes != 4097 || rep.SHA256 != "" {
		t.Errorf("bytes, sha256: got %d %q, want 4097 and no digest", rep.Bytes, rep.SHA256)
	}
}

func TestErrors(t *testing.T) {
	body := []byte("id\na\n")
	tests := []struct {
		name  string
		setup func(s *s3test.Server, in *tasks.ValidateInput)
		check func(err error) bool
	}{
		{"slow down", func(s *s3test.Server, _ *tasks.ValidateInput) { s.Fail("GET", "incoming/t/a.csv", 1, 503, "SlowDown") },
			func(err error) bool { _, ok := err.(*tasks.TransientError); return ok }},
		{"schema slow down", func(s *s3test.Server, _ *tasks.ValidateInput) { s.Fail("GET", "schemas/t.json", 1, 503, "SlowDown") },
			func(err error) bool { _, ok := err.(*tasks.TransientError); return ok }},
		{"internal error", func(s *s3test.Server, _ *tasks.ValidateInput) {
			s.Fail("GET", "incoming/t/a.csv", 1, 500, "InternalError")
		},
			func(err error) bool { _, ok := err.(*tasks.TransientError); return ok }},
		{"connection cut mid-body", func(s *s3test.Server, _ *tasks.ValidateInput) { s.CutBody("GET", "incoming/t/a.csv", 1, 3) },
			func(err error) bool { _, ok := err.(*tasks.TransientError); return ok }},
		{"object changed", func(s *s3test.Server, in *tasks.ValidateInput) { put(t, s, in.Object.Key, []byte("id\nb\n")) },
			func(err error) bool {
				e, ok := err.(*tasks.ObjectChangedError)
				return ok && e.Bucket == bucket && e.Key == "incoming/t/a.csv" && e.WantETag != ""
			}},
		{"object gone", func(s *s3test.Server, in *tasks.ValidateInput) { in.Object.Key = "incoming/t/gone.csv" },
			func(err error) bool {
				e, ok := err.(*tasks.ObjectNotFoundError)
				return ok && e.Key == "incoming/t/gone.csv"
			}},
		{"access denied", func(s *s3test.Server, _ *tasks.ValidateInput) {
			s.Fail("GET", "incoming/t/a.csv", 1, 403, "AccessDenied")
		},
			func(err error) bool { return err != nil && !errors.As(err, new(*tasks.TransientError)) }},
		{"no such bucket", func(s *s3test.Server, in *tasks.ValidateInput) { in.Bucket = "missing" },
			func(err error) bool {
				e, ok := err.(*tasks.ObjectNotFoundError)
				return ok && e.Key == "schemas/t.json"
			}},
		{"key outside incoming", func(s *s3test.Server, in *tasks.ValidateInput) { in.Object.Key = "processed/t/a.csv" },
			func(err error) bool { _, ok := err.(*tasks.InvalidInvocationError); return ok }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s3test.New(t, bucket)
			put(t, s, "schemas/t.json", []byte(testSchema))
			in := invocation(put(t, s, "incoming/t/a.csv", body))
			tt.setup(s, &in)
			rep, err := New(s.Client).Handle(context.Background(), in)
			if !tt.check(err) {
				t.Fatalf("Handle: got %T %v, want the expected error returned unwrapped", err, err)
			}
			if diff := cmp.Diff(rep, tasks.Report{}); diff != "" {
				t.Errorf("report beside an error (-got +want):\n%s", diff)
			}
		})
	}
}

// TestBrokenSchema: a broken schema object is a configuration error, not a rejection of the data: the
// handler returns a *tasks.SchemaError (unwrapped, so the state machine sees its name) listing every
// problem with its location, and counts it in the SchemaErrors metric, not in ObjectsRejected.
func TestBrokenSchema(t *testing.T) {
	tests := []struct {
		name, schema string
		want         []string
	}{
		{"every problem", "{\"name\":\"t\",\n\"columns\":[{\"name\":\"id\",\"type\":\"text\"},{\"name\":\"n\",\"type\":\"integer\",\"pattern\":\"x\"}]}",
			[]string{`line 2 column 32: columns[0].type: "text" is not one of: string, integer, number, decimal, boolean, date, timestamp`,
				"line 2 column 79: columns[1].pattern: only string columns take a pattern"}},
		{"not json", `{"name":`, []string{"document is empty or truncated"}},
		{"another dataset", strings.Replace(testSchema, `"name":"t"`, `"name":"u"`, 1), []string{`name: "u" is not the dataset "t"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s3test.New(t, bucket)
			put(t, s, "schemas/t.json", []byte(tt.schema))
			obj := put(t, s, "incoming/t/a.csv", []byte("id\na\n"))
			var metrics bytes.Buffer
			rep, err := New(s.Client, WithMetrics(emf.New(&metrics, "validate"))).Handle(context.Background(), invocation(obj))
			se, ok := err.(*tasks.SchemaError)
			if !ok {
				t.Fatalf("Handle: got %+v, %T %v; want a *tasks.SchemaError", rep, err, err)
			}
			if diff := cmp.Diff(se, &tasks.SchemaError{Key: "schemas/t.json", Problems: tt.want}); diff != "" {
				t.Errorf("SchemaError (-got +want):\n%s", diff)
			}
			if m := metrics.String(); !strings.Contains(m, `"SchemaErrors":1`) || strings.Contains(m, "ObjectsRejected") {
				t.Errorf("metrics: got %s, want SchemaErrors 1 and no ObjectsRejected", m)
			}
		})
	}
}

// TestLargeObject validates a generated object of a few MB, streamed, with a gzip variant.
func TestLargeObject(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,n,kind,at\n")
	for i := 0; b.Len() < 3<<20; i++ {
		fmt.Fprintf(&b, "r%c,%d,x,2024-03-01T10:%02d:%02dZ\n", 'a'+i%26, i%11, i/60%60, i%60)
	}
	body := []byte(b.String())
	lines := int64(bytes.Count(body, []byte{'\n'}) - 1)
	schemaDoc := strings.Replace(strings.Replace(testSchema, `"maxBytes":4096`, `"maxBytes":0`, 1), `"maxRows":5`, `"maxRows":0`, 1)
	schemaDoc = strings.Replace(schemaDoc, `"pattern":"[a-z]+"`, `"pattern":"r[a-z]"`, 1)
	for _, tc := range []struct {
		key  string
		body []byte
	}{{"incoming/t/big.csv", body}, {"incoming/t/big.csv.gz", gz(t, string(body))}} {
		t.Run(tc.key, func(t *testing.T) {
			s := s3test.New(t, bucket)
			put(t, s, "schemas/t.json", []byte(schemaDoc))
			rep, err := New(s.Client).Handle(context.Background(), invocation(put(t, s, tc.key, tc.body)))
			if err != nil {
				t.Fatal(err)
			}
			want := tasks.Report{Valid: true, Dataset: "t", Format: "csv", Compression: rep.Compression, Rows: lines, Bytes: int64(len(tc.body)), SHA256: digest(tc.body)}
			if diff := cmp.Diff(rep, want); diff != "" {
				t.Errorf("report (-got +want):\n%s", diff)
			}
		})
	}
}

func TestLogsAndMetrics(t *testing.T) {
	s := s3test.New(t, bucket)
	put(t, s, "schemas/t.json", []byte(testSchema))
	obj := put(t, s, "incoming/t/a.csv", []byte("id,n\na,1\nb,99\n"))
	var logs, metrics bytes.Buffer
	clock := time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)
	tick := func() time.Time { clock = clock.Add(250 * time.Millisecond); return clock }
	h := New(s.Client, WithLogger(emf.NewLogger(&logs, emf.ParseLevel("info"))), WithMetrics(emf.New(&metrics, "validate", emf.WithClock(tick))), WithClock(tick))
	if _, err := h.Handle(context.Background(), invocation(obj)); err != nil {
		t.Fatal(err)
	}
	var line map[string]any
	if err := json.Unmarshal(metrics.Bytes(), &line); err != nil {
		t.Fatalf("EMF line %q: %v", metrics.String(), err)
	}
	delete(line, "_aws")
	wantMetrics := map[string]any{"Stage": "validate", "Dataset": "t", "Key": "incoming/t/a.csv", "ObjectsValidated": 0.0, "ObjectsRejected": 1.0,
		"Rows": 2.0, "Bytes": 14.0, "Problems": 1.0, "Duration": 250.0}
	if diff := cmp.Diff(line, wantMetrics); diff != "" {
		t.Errorf("EMF line (-got +want):\n%s", diff)
	}
	var entry map[string]any
	if err := json.Unmarshal(logs.Bytes(), &entry); err != nil {
		t.Fatalf("log line %q: %v", logs.String(), err)
	}
	for k, want := range map[string]any{"level": "INFO", "msg": "object validated", "key": "incoming/t/a.csv", "valid": false, "rows": 2.0, "problems": 1.0, "durationMs": 250.0} {
		if entry[k] != want {
			t.Errorf("log %q: got %v, want %v", k, entry[k], want)
		}
	}
}

// TestVersionNamedByTheEvent checks that the version the event names is read, not the latest one.
func TestVersionNamedByTheEvent(t *testing.T) {
	s := s3test.New(t, bucket)
	ctx := context.Background()
	if _, err := s.Client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	put(t, s, "schemas/t.json", []byte(testSchema))
	first := []byte("id\na\n")
	out, err := s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("incoming/t/a.csv"), Body: bytes.NewReader(first)})
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "incoming/t/a.csv", []byte("id\nNOT VALID\n")) // a newer version
	in := invocation(tasks.S3Object{Key: "incoming/t/a.csv", Size: int64(len(first)), ETag: strings.Trim(aws.ToString(out.ETag), `"`), VersionID: aws.ToString(out.VersionId)})
	if in.Object.VersionID == "" {
		t.Fatal("the test server gave no version id")
	}
	rep, err := New(s.Client).Handle(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Valid || rep.SHA256 != digest(first) {
		t.Errorf("report: got valid=%v sha256=%s problems=%+v, want the first version (sha256 %s)", rep.Valid, rep.SHA256, rep.Problems, digest(first))
	}
}

// TestProblemOrderAcrossBatches checks that problems found by concurrent workers are reported in object
// order, with the reader's own final problem last, whatever the number of workers.
func TestProblemOrderAcrossBatches(t *testing.T) {
	var body strings.Builder
	body.WriteString("id,n\n")
	var want []string
	for i := range 1000 { // about four batches; every 40th row out of range
		n := i % 10
		if i%40 == 39 {
			n = 11
			if len(want) < tasks.MaxReportedProblems {
				want = append(want, fmt.Sprintf("max@%d:n", i+2))
			}
		}
		fmt.Fprintf(&body, "a,%d\n", n)
	}
	body.WriteString("\"unterminated\n")
	schemaDoc := strings.Replace(strings.Replace(testSchema, `"maxBytes":4096`, `"maxBytes":0`, 1), `"maxRows":5`, `"maxRows":0`, 1)
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprint(workers, " workers"), func(t *testing.T) {
			s := s3test.New(t, bucket)
			put(t, s, "schemas/t.json", []byte(schemaDoc))
			obj := put(t, s, "incoming/t/a.csv", []byte(body.String()))
			rep, err := New(s.Client, WithWorkers(workers)).Handle(context.Background(), invocation(obj))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(outcomeOf(rep), outcome{Format: "csv", Rows: 1000, Problems: want, Count: 26}); diff != "" {
				t.Errorf("report (-got +want):\n%s", diff)
			}
		})
	}
}
