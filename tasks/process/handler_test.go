package process_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/emf"
	"github.com/sluicehq/sluice/tasks/internal/s3test"
	"github.com/sluicehq/sluice/tasks/process"
)

// The same three orders in each input format, written the many ways the schema accepts.
const (
	ordersCSV = "order_id,quantity,price,status,gift,day,created,note\r\n" +
		" ORD-000001 ,007,2.50,new,TRUE,2024-03-01,2024-03-01 10:00:00+01:00,  hello  \r\n" +
		"ORD-000002,1,1e2,paid,,2024-02-29,2024-03-01T09:00:00.120Z,\r\n" +
		"\r\n" +
		"ORD-000003,3,-0.5,shipped,false,2023-12-31,2024-01-01t00:00:00,\"quoted, \"\"note\"\"\"\r\n"
	ordersJSONL = `{"order_id":" ORD-000001 ","quantity":"007","price":2.50,"status":"new","gift":"TRUE","day":"2024-03-01","created":"2024-03-01 10:00:00+01:00","note":"  hello  "}` + "\n" +
		`{"order_id":"ORD-000002","quantity":1,"price":1e2,"status":"paid","gift":null,"day":"2024-02-29","created":"2024-03-01T09:00:00.120Z"}` + "\n" +
		`{"note":"quoted, \"note\"","order_id":"ORD-000003","quantity":3,"price":-0.5,"status":"shipped","gift":false,"day":"2023-12-31","created":"2024-01-01t00:00:00"}`
	ordersJSON = "[\n" +
		`  {"order_id":" ORD-000001 ","quantity":"007","price":2.50,"status":"new","gift":"TRUE","day":"2024-03-01","created":"2024-03-01 10:00:00+01:00","note":"  hello  "},` + "\n" +
		`  {"order_id":"ORD-000002","quantity":1,"price":"1e2","status":"paid","gift":"","day":"2024-02-29","created":"2024-03-01T09:00:00.120Z","note":""},` + "\n" +
		`  {"order_id":"ORD-000003","quantity":"+3","price":-0.5,"status":"shipped","gift":false,"day":"2023-12-31","created":"2024-01-01t00:00:00","note":"quoted, \"note\""}` + "\n" +
		"]\n"
)

// ordersOut is the normalised output of every form of the orders above.
const ordersOut = `{"order_id":"ORD-000001","quantity":7,"price":2.5,"status":"new","gift":true,"day":"2024-03-01","created":"2024-03-01T09:00:00Z","note":"hello"}` + "\n" +
	`{"order_id":"ORD-000002","quantity":1,"price":100,"status":"paid","gift":null,"day":"2024-02-29","created":"2024-03-01T09:00:00.12Z","note":null}` + "\n" +
	`{"order_id":"ORD-000003","quantity":3,"price":-0.5,"status":"shipped","gift":false,"day":"2023-12-31","created":"2024-01-01T00:00:00Z","note":"quoted, \"note\""}` + "\n"

// ordersStats are the column statistics of the orders.
func raw(s string) json.RawMessage { return json.RawMessage(s) }

var ordersStats = []tasks.ColumnStats{
	{Name: "order_id", Count: 3, Min: raw(`"ORD-000001"`), Max: raw(`"ORD-000003"`)},
	{Name: "quantity", Count: 3, Min: raw(`1`), Max: raw(`7`)},
	{Name: "price", Count: 3, Min: raw(`-0.5`), Max: raw(`100`)},
	{Name: "status", Count: 3, Min: raw(`"new"`), Max: raw(`"shipped"`)},
	{Name: "gift", Count: 2, Nulls: 1, Min: raw(`false`), Max: raw(`true`)},
	{Name: "day", Count: 3, Min: raw(`"2023-12-31"`), Max: raw(`"2024-03-01"`)},
	{Name: "created", Count: 3, Min: raw(`"2024-01-01T00:00:00Z"`), Max: raw(`"2024-03-01T09:00:00.12Z"`)},
	{Name: "note", Count: 2, Nulls: 1, Min: raw(`"hello"`), Max: raw(`"quoted, \"note\""`)},
}

func TestProcessFormats(t *testing.T) {
	tests := []struct {
		name, key string
		body      func(t *testing.T) []byte
	}{
		{name: "csv", key: "incoming/orders/2024/a.csv", body: func(*testing.T) []byte { return []byte(ordersCSV) }},
		{name: "jsonl", key: "incoming/orders/a.jsonl", body: func(*testing.T) []byte { return []byte(ordersJSONL) }},
		{name: "ndjson", key: "incoming/orders/a.ndjson", body: func(*testing.T) []byte { return []byte(ordersJSONL) }},
		{name: "json array", key: "incoming/orders/a.json", body: func(*testing.T) []byte { return []byte(ordersJSON) }},
		{name: "csv gzip", key: "incoming/orders/a.csv.gz", body: func(t *testing.T) []byte { return gzipped(t, []byte(ordersCSV)) }},
		{name: "jsonl gzip", key: "incoming/orders/a.JSONL.GZ", body: func(t *testing.T) []byte { return gzipped(t, []byte(ordersJSONL)) }},
		{name: "json gzip", key: "incoming/orders/a.json.gz", body: func(t *testing.T) []byte { return gzipped(t, []byte(ordersJSON)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s3test.New(t, bucket)
			putSchema(t, s, "orders", "orders.schema.json")
			in := invocation(t, s, tt.key, tt.body(t), 3)
			got, err := newHandler(s).Handle(context.Background(), in)
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			wantKey := "staging/exec-1/" + tt.key[len("incoming/"):] + ".jsonl.gz"
			raw, text, meta := staged(t, s, wantKey)
			if diff := cmp.Diff(text, ordersOut); diff != "" {
				t.Errorf("staged lines (-got +want):\n%s", diff)
			}
			sum := sha256.Sum256(raw)
			want := tasks.ProcessOutput{
				Staging: tasks.ObjectRef{Bucket: bucket, Key: wantKey, ETag: md5hex(raw), Size: int64(len(raw))},
				Rows:    3,
				Bytes:   int64(len(raw)),
				SHA256:  hex.EncodeToString(sum[:]),
				Columns: ordersStats,
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("output (-got +want):\n%s", diff)
			}
			// The source version's Last-Modified goes with the staged object, for the partition date.
			head, err := s.Client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(tt.key)})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := meta[tasks.MetaSourceLastModified], aws.ToTime(head.LastModified).UTC().Format(time.RFC3339Nano); got != want {
				t.Errorf("staged metadata %s: got %q, want %q", tasks.MetaSourceLastModified, got, want)
			}
			// So does the event's sequencer, for the commit to order versions of the same key.
			if got := meta[tasks.MetaSourceSequencer]; got != testSequencer {
				t.Errorf("staged metadata %s: got %q, want %q", tasks.MetaSourceSequencer, got, testSequencer)
			}
		})
	}
}

// TestProcessDeterministic checks that processing the same object twice stages the same bytes: a
// duplicate execution's output is interchangeable with the first one's.
func TestProcessDeterministic(t *testing.T) {
	s := s3test.New(t, bucket)
	putSchema(t, s, "orders", "orders.schema.json")
	in := invocation(t, s, "incoming/orders/a.csv", []byte(ordersCSV), 3)
	h := newHandler(s)
	first, err := h.Handle(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	in.Execution = "arn:aws:states:us-east-1:123456789012:execution:Pipeline:exec-2"
	second, err := h.Handle(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if first.SHA256 != second.SHA256 || first.Staging.Key == second.Staging.Key {
		t.Errorf("two executions: digests %s and %s (want equal), keys %s and %s (want distinct)",
			first.SHA256, second.SHA256, first.Staging.Key, second.Staging.Key)
	}
}

func TestProcessEmptyObjects(t *testing.T) {
	tests := []struct{ name, key, body string }{
		{name: "csv header only", key: "incoming/orders/empty.csv", body: "order_id,quantity,price,status,gift,day,created,note\n"},
		{name: "empty json array", key: "incoming/orders/empty.json", body: "[]"},
		{name: "empty jsonl", key: "incoming/orders/empty.jsonl", body: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s3test.New(t, bucket)
			putSchema(t, s, "orders", "orders.schema.json")
			got, err := newHandler(s).Handle(context.Background(), invocation(t, s, tt.key, []byte(tt.body), 0))
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			if _, text, _ := staged(t, s, got.Staging.Key); text != "" {
				t.Errorf("staged lines: got %q, want none", text)
			}
			want := make([]tasks.ColumnStats, len(ordersStats))
			for i, c := range ordersStats {
				want[i] = tasks.ColumnStats{Name: c.Name} // no values: no min or max
			}
			if diff := cmp.Diff(got.Columns, want); diff != "" {
				t.Errorf("stats (-got +want):\n%s", diff)
			}
			if got.Rows != 0 {
				t.Errorf("rows: got %d, want 0", got.Rows)
			}
		})
	}
}

func TestProcessLogsAndMetrics(t *testing.T) {
	s := s3test.New(t, bucket)
	putSchema(t, s, "orders", "orders.schema.json")
	in := invocation(t, s, "incoming/orders/a.csv", []byte(ordersCSV), 3)
	var logs, metrics bytes.Buffer
	clock := func() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) }
	h := process.New(s.Client, process.WithClock(clock),
		process.WithLogger(emf.NewLogger(&logs, slog.LevelInfo)),
		process.WithMetrics(emf.New(&metrics, process.Stage, emf.WithClock(clock))))
	out, err := h.Handle(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	var line map[string]any
	if err := json.Unmarshal(metrics.Bytes(), &line); err != nil {
		t.Fatalf("metrics %q: %v", metrics.String(), err)
	}
	want := map[string]any{
		"Stage": "process", "Dataset": "orders", "ObjectsProcessed": 1.0, "RowsProcessed": 3.0,
		"BytesRead": float64(len(ordersCSV)), "BytesWritten": float64(out.Bytes), "ProcessDuration": 0.0,
	}
	for k, v := range want {
		if diff := cmp.Diff(line[k], v); diff != "" {
			t.Errorf("metric line member %s (-got +want):\n%s", k, diff)
		}
	}
	var entry map[string]any
	if err := json.Unmarshal(logs.Bytes(), &entry); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	if entry["staging"] != out.Staging.Key || entry["rows"] != 3.0 {
		t.Errorf("log entry: got %v, want staging %q and 3 rows", entry, out.Staging.Key)
	}
}
