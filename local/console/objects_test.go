package console

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var testStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func TestPreview(t *testing.T) {
	c := New()
	tests := []struct {
		key  string
		body []byte
		kind string
		cols []string
		rows int
		exec string
	}{
		{"processed/orders/dt=2026-01-01/a.jsonl.gz", gz(`{"id":1,"name":"a"}` + "\n" + `{"id":2,"extra":true}` + "\n"), "table", []string{"id", "name", "extra"}, 2, ""},
		{"incoming/orders/a.csv", []byte("id,name\n1,a\n2,\"b,c\"\n"), "table", []string{"id", "name"}, 2, ""},
		{"quarantine/orders/a.csv.report.json", []byte(`{"execution":"arn:aws:states:us-east-1:0:execution:m:e","report":{"valid":false,"rows":1,"problems":[{"line":2,"code":"type","message":"bad"}],"problemCount":1}}`), "report", nil, 0, "arn:aws:states:us-east-1:0:execution:m:e"},
		{"failed/orders/a.csv.e.json", []byte(`{"error":"ObjectChangedError","cause":"{\"errorMessage\":\"x\"}","execution":"arn:aws:states:us-east-1:0:execution:m:e"}`), "failure", nil, 0, "arn:aws:states:us-east-1:0:execution:m:e"},
		{"manifests/orders/a.json", []byte(`{"dataset":"orders"}`), "json", nil, 0, ""},
		{"incoming/orders/bad.csv.gz", []byte("not gzip"), "binary", nil, 0, ""},
		{"incoming/orders/page.html", []byte("<script>alert(1)</script>"), "text", nil, 0, ""},
		{"incoming/orders/blob.bin", []byte{0xff, 0xfe, 0x00}, "binary", nil, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			d := objectData{Key: tt.key}
			c.preview(&d, tt.body)
			if d.Kind != tt.kind {
				t.Fatalf("kind %q, want %q", d.Kind, tt.kind)
			}
			if diff := cmp.Diff(d.Columns, tt.cols); diff != "" {
				t.Errorf("columns (-got +want):\n%s", diff)
			}
			if len(d.Rows) != tt.rows {
				t.Errorf("%d rows, want %d", len(d.Rows), tt.rows)
			}
			if d.Execution != tt.exec {
				t.Errorf("execution %q, want %q", d.Execution, tt.exec)
			}
		})
	}
}

func FuzzPreview(f *testing.F) {
	f.Add("a.jsonl.gz", gz(`{"a":1}`+"\n"))
	f.Add("a.csv", []byte("a,b\n1,\"2"))
	f.Add("x.report.json", []byte(`{"report":{"valid":true,"problemCount":0}}`))
	f.Add("failed/x.json", []byte(`{"error":"E","failure":{"Error":"E","Cause":"C"}}`))
	f.Add("a.ndjson", []byte("not json\n{}\n"))
	c := New()
	f.Fuzz(func(t *testing.T, key string, body []byte) {
		d := objectData{Key: key}
		c.preview(&d, body)
		if d.Kind == "" {
			t.Fatal("no kind")
		}
		for _, r := range d.Rows {
			if d.Kind == "table" && len(d.Rows) > previewRows {
				t.Fatalf("%d rows, at most %d", len(d.Rows), previewRows)
			}
			_ = r
		}
	})
}

func FuzzMetricQueries(f *testing.F) {
	f.Add(`[["AWS/Lambda","Invocations","FunctionName","f"],["Sluice","ObjectsStored","Stage","store",{"stat":"Maximum","label":"x"}]]`, "Sum", 300)
	f.Add(`[[1,2],["a"],[]]`, "", 0)
	f.Fuzz(func(t *testing.T, metrics, stat string, period int) {
		var raw []json.RawMessage
		if json.Unmarshal([]byte(metrics), &raw) != nil {
			return
		}
		qs, labels := metricQueries(raw, stat, period)
		if len(qs) != len(labels) {
			t.Fatalf("%d queries, %d labels", len(qs), len(labels))
		}
		ch := Chart{W: chartW, H: chartH}
		drawChart(&ch, labels, nil, testStart, testStart.Add(1e9))
	})
}
