package resultwriter_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/resultwriter"
)

type memPutter struct {
	mu      sync.Mutex
	objects map[string][]byte
	fail    bool
}

func (p *memPutter) Put(_ context.Context, bucket, key string, body io.Reader, size int64) error {
	if p.fail {
		return errors.New("InternalError")
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if int64(len(b)) != size {
		return errors.New("size mismatch")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.objects == nil {
		p.objects = map[string][]byte{}
	}
	p.objects[bucket+"/"+key] = b
	return nil
}

const runArn = "arn:aws:states:us-east-1:000000000000:mapRun:sm/Map:0f4b63bf-ef4b-3bcb-8b6a-9e46e2d3cc4a"

var (
	t0 = time.Date(2025, 3, 1, 12, 0, 0, 123e6, time.UTC)
	t1 = t0.Add(1500 * time.Millisecond)
)

func ok(name, in, out string) resultwriter.Record {
	return resultwriter.Record{ExecutionArn: "arn:aws:states:us-east-1:000000000000:execution:sm/Map:" + name, Name: name,
		StateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:sm/Map", Input: in, Output: out, Status: "SUCCEEDED",
		StartDate: t0, StopDate: t1}
}

func failed(name, in string) resultwriter.Record {
	r := ok(name, in, "")
	r.Status, r.Error, r.Cause, r.Output, r.RedrivableByMapRun = "FAILED", "Boom", "it broke", "", true
	return r
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func TestLayout(t *testing.T) {
	p := &memPutter{}
	tmp := t.TempDir()
	w, err := resultwriter.New(resultwriter.Config{Bucket: "out", Prefix: "jobs/", MapRunArn: runArn, TempDir: tmp}, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(t.Context(), ok("a", `{"x":1}`, `{"y":2}`)); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(t.Context(), failed("b", `{"x":2}`)); err != nil {
		t.Fatal(err)
	}
	m, err := w.Close(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	id := "0f4b63bf-ef4b-3bcb-8b6a-9e46e2d3cc4a"
	wantManifest := map[string]any{"DestinationBucket": "out", "MapRunArn": runArn, "ResultFiles": map[string]any{
		"FAILED":    []any{map[string]any{"Key": "jobs/" + id + "/FAILED_0.json", "Size": json.Number("0")}},
		"PENDING":   []any{},
		"SUCCEEDED": []any{map[string]any{"Key": "jobs/" + id + "/SUCCEEDED_0.json", "Size": json.Number("0")}},
	}}
	got := decode(t, p.objects["out/jobs/"+id+"/manifest.json"]).(map[string]any)
	// Sizes are checked against the objects written, then left out of the comparison.
	for _, files := range got["ResultFiles"].(map[string]any) {
		for _, f := range files.([]any) {
			f := f.(map[string]any)
			body, present := p.objects["out/"+f["Key"].(string)]
			if !present || f["Size"].(json.Number).String() != strconv.Itoa(len(body)) {
				t.Errorf("file %v: written %d bytes (present %v)", f, len(body), present)
			}
			f["Size"] = json.Number("0")
		}
	}
	if diff := cmp.Diff(got, wantManifest); diff != "" {
		t.Errorf("manifest.json (-got +want):\n%s", diff)
	}
	if m.ResultFiles["SUCCEEDED"][0].Key != "jobs/"+id+"/SUCCEEDED_0.json" {
		t.Errorf("returned manifest %+v", m)
	}
	wantOK := []any{map[string]any{"ExecutionArn": "arn:aws:states:us-east-1:000000000000:execution:sm/Map:a", "Input": `{"x":1}`,
		"InputDetails": map[string]any{"Included": true}, "Name": "a", "Output": `{"y":2}`, "OutputDetails": map[string]any{"Included": true},
		"RedriveCount": json.Number("0"), "RedriveStatus": "NOT_REDRIVABLE", "RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
		"StartDate": "2025-03-01T12:00:00.123Z", "StateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:sm/Map",
		"Status": "SUCCEEDED", "StopDate": "2025-03-01T12:00:01.623Z"}}
	if diff := cmp.Diff(decode(t, p.objects["out/jobs/"+id+"/SUCCEEDED_0.json"]), wantOK); diff != "" {
		t.Errorf("SUCCEEDED_0.json (-got +want):\n%s", diff)
	}
	wantFailed := []any{map[string]any{"Cause": "it broke", "Error": "Boom", "ExecutionArn": "arn:aws:states:us-east-1:000000000000:execution:sm/Map:b",
		"Input": `{"x":2}`, "InputDetails": map[string]any{"Included": true}, "Name": "b",
		"RedriveCount": json.Number("0"), "RedriveStatus": "REDRIVABLE_BY_MAP_RUN",
		"StartDate": "2025-03-01T12:00:00.123Z", "StateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:sm/Map",
		"Status": "FAILED", "StopDate": "2025-03-01T12:00:01.623Z"}}
	if diff := cmp.Diff(decode(t, p.objects["out/jobs/"+id+"/FAILED_0.json"]), wantFailed); diff != "" {
		t.Errorf("FAILED_0.json (-got +want):\n%s", diff)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestSplitAndTransform(t *testing.T) {
	tests := []struct {
		name      string
		cfg       resultwriter.Config
		records   []resultwriter.Record
		wantFiles map[string][]any // key suffix -> records
	}{
		{"split at max file bytes", resultwriter.Config{OutputType: "JSON", Transformation: "COMPACT", MaxFileBytes: 12},
			[]resultwriter.Record{ok("a", "1", `"aaaa"`), ok("b", "2", `"bbbb"`), ok("c", "3", `"cccc"`)},
			map[string][]any{"SUCCEEDED_0.json": {"aaaa"}, "SUCCEEDED_1.json": {"bbbb"}, "SUCCEEDED_2.json": {"cccc"}}},
		{"two records a file", resultwriter.Config{Transformation: "COMPACT", MaxFileBytes: 17},
			[]resultwriter.Record{ok("a", "1", `"aaaa"`), ok("b", "2", `"bbbb"`), ok("c", "3", `"cccc"`)},
			map[string][]any{"SUCCEEDED_0.json": {"aaaa", "bbbb"}, "SUCCEEDED_1.json": {"cccc"}}},
		{"flatten arrays", resultwriter.Config{Transformation: "FLATTEN"},
			[]resultwriter.Record{ok("a", "1", `[1, [2]]`), ok("b", "2", `{"k": 3}`), ok("c", "3", `[]`)},
			map[string][]any{"SUCCEEDED_0.json": {json.Number("1"), []any{json.Number("2")}, map[string]any{"k": json.Number("3")}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &memPutter{}
			tt.cfg.Bucket, tt.cfg.MapRunArn, tt.cfg.TempDir = "out", runArn, t.TempDir()
			w, err := resultwriter.New(tt.cfg, p)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range tt.records {
				if err := w.Add(t.Context(), r); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := w.Close(t.Context()); err != nil {
				t.Fatal(err)
			}
			got := map[string][]any{}
			for k, b := range p.objects {
				if strings.HasSuffix(k, "manifest.json") {
					continue
				}
				got[k[strings.LastIndexByte(k, '/')+1:]] = decode(t, b).([]any)
			}
			if diff := cmp.Diff(got, tt.wantFiles); diff != "" {
				t.Errorf("files (-got +want):\n%s", diff)
			}
		})
	}
}

func TestJSONL(t *testing.T) {
	p := &memPutter{}
	w, err := resultwriter.New(resultwriter.Config{Bucket: "out", MapRunArn: runArn, OutputType: "JSONL", Transformation: "COMPACT", TempDir: t.TempDir()}, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []resultwriter.Record{ok("a", "1", `{"n": 1}`), ok("b", "2", `{"n": 2}`), failed("c", "3")} {
		if err := w.Add(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	m, err := w.Close(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	key := "0f4b63bf-ef4b-3bcb-8b6a-9e46e2d3cc4a/SUCCEEDED_0.jsonl"
	if got := string(p.objects["out/"+key]); got != "{\"n\":1}\n{\"n\":2}\n" {
		t.Errorf("%s = %q", key, got)
	}
	sc := bufio.NewScanner(bytes.NewReader(p.objects["out/0f4b63bf-ef4b-3bcb-8b6a-9e46e2d3cc4a/FAILED_0.jsonl"]))
	lines := 0
	for sc.Scan() {
		lines++
		if rec := decode(t, sc.Bytes()).(map[string]any); rec["Error"] != "Boom" {
			t.Errorf("failed record %v keeps its metadata with COMPACT", rec)
		}
	}
	if lines != 1 || len(m.ResultFiles["FAILED"]) != 1 || len(m.ResultFiles["PENDING"]) != 0 {
		t.Errorf("lines = %d, manifest %+v", lines, m)
	}
}

func TestErrors(t *testing.T) {
	for _, cfg := range []resultwriter.Config{
		{MapRunArn: runArn},
		{Bucket: "b", MapRunArn: runArn, OutputType: "CSV"},
		{Bucket: "b", MapRunArn: runArn, Transformation: "SQUASH"},
		{Bucket: "b", MapRunArn: "arn:"},
	} {
		_, err := resultwriter.New(cfg, &memPutter{})
		var we *resultwriter.Error
		if !errors.As(err, &we) || we.Name() != asl.ErrResultWriterFailed {
			t.Errorf("New(%+v) = %v, want a *resultwriter.Error", cfg, err)
		}
	}
	dir := t.TempDir()
	p := &memPutter{fail: true}
	w, err := resultwriter.New(resultwriter.Config{Bucket: "b", MapRunArn: runArn, TempDir: dir}, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(t.Context(), ok("a", "1", "2")); err != nil {
		t.Fatal(err)
	}
	_, err = w.Close(t.Context())
	var we *resultwriter.Error
	if !errors.As(err, &we) {
		t.Errorf("Close with a failing store = %v, want a *resultwriter.Error", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("temporary files left after a failed close: %v", entries)
	}
	if err := w.Add(t.Context(), ok("b", "1", "2")); err == nil {
		t.Error("Add after Close succeeded")
	}
}

// FuzzWriter checks that whatever the outputs and the split size, every file is valid JSON and the
// records add up.
func FuzzWriter(f *testing.F) {
	f.Add(`{"a":1}`, `[1,2]`, uint16(20), uint8(0))
	f.Add(`"x"`, `null`, uint16(1), uint8(2))
	f.Fuzz(func(t *testing.T, out1, out2 string, maxBytes uint16, mode uint8) {
		if !json.Valid([]byte(out1)) || !json.Valid([]byte(out2)) {
			t.Skip()
		}
		transforms := []string{"NONE", "COMPACT", "FLATTEN"}
		cfg := resultwriter.Config{Bucket: "b", MapRunArn: runArn, TempDir: t.TempDir(), MaxFileBytes: int64(maxBytes),
			Transformation: transforms[int(mode)%3]}
		if mode&4 != 0 {
			cfg.OutputType = "JSONL"
		}
		p := &memPutter{}
		w, err := resultwriter.New(cfg, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []resultwriter.Record{ok("a", "1", out1), failed("b", "2"), ok("c", "3", out2)} {
			if err := w.Add(t.Context(), r); err != nil {
				t.Fatal(err)
			}
		}
		m, err := w.Close(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, files := range m.ResultFiles {
			for _, file := range files {
				body := p.objects["b/"+file.Key]
				if int64(len(body)) != file.Size {
					t.Fatalf("%s: %d bytes, manifest says %d", file.Key, len(body), file.Size)
				}
				if cfg.OutputType == "JSONL" {
					for _, line := range strings.Split(strings.TrimSuffix(string(body), "\n"), "\n") {
						if !json.Valid([]byte(line)) {
							t.Fatalf("%s: invalid line %q", file.Key, line)
						}
					}
				} else if !json.Valid(body) {
					t.Fatalf("%s: invalid JSON %q", file.Key, body)
				}
			}
		}
	})
}
