package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"slices"
	"strings"
	"testing"

	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/tasks"
)

// sampleOutcomes is sample/README.md's table: the rows of each valid object, -1 for a rejected one.
var sampleOutcomes = map[string]int64{
	"2024-03-01.csv":       8,
	"2024-03-02.jsonl":     4,
	"2024-03-03.json":      2,
	"2024-03-04.csv.gz":    3,
	"bad-values.csv":       -1,
	"bad-header.csv":       -1,
	"bad-syntax.jsonl":     -1,
	"bad-truncated.csv.gz": -1,
	"bad-format.xml":       -1,
}

// TestSampleDataset uploads the schema and every sample object at once and checks each outcome: a valid
// object ends in the Stored state with a manifest and its rows under processed/; a rejected one ends in
// the Rejected state (a success: rejection is a normal outcome) with its copy and report in quarantine/.
func TestSampleDataset(t *testing.T) {
	t.Parallel()
	e := startStack(t, "", "")
	e.putSchema(t)
	etags := map[string]string{}
	for name := range sampleOutcomes {
		etags[name] = e.put(t, "incoming/orders/"+name, repoFile(t, "sample/incoming/orders/"+name))
	}
	e.waitExecutions(t, len(sampleOutcomes))
	all := e.describeAll(t)
	if len(all) != len(sampleOutcomes) {
		t.Errorf("got %d executions, want %d (one per object)", len(all), len(sampleOutcomes))
	}

	for name, rows := range sampleOutcomes {
		t.Run(name, func(t *testing.T) {
			key := "incoming/orders/" + name
			xs := executionsFor(all, key)
			if len(xs) != 1 {
				t.Fatalf("got %d executions for %s, want 1", len(xs), key)
			}
			x := xs[0]
			if x.Status != sfntypes.ExecutionStatusSucceeded {
				t.Fatalf("status: got %s (%s: %s), want SUCCEEDED", x.Status, str(x.Error), str(x.Cause))
			}
			if got, want := x.event.Detail.Object.ETag, etags[name]; got != want {
				t.Errorf("event etag: got %q, want %q (PutObject's)", got, want)
			}
			out := outcomeOf(t, x)
			if rows < 0 {
				checkQuarantined(t, e, name, out)
				return
			}
			checkStored(t, e, name, etags[name], rows, out)
		})
	}
	if got := e.keys(t, "failed/"); len(got) != 0 {
		t.Errorf("failure records: got %v, want none", got)
	}
	if got := e.keys(t, "staging/"); len(got) != 0 {
		t.Errorf("staging objects left behind: %v", got)
	}
}

func checkStored(t *testing.T, e *env, name, etag string, rows int64, out storeOutcome) {
	t.Helper()
	if out.Stored == nil {
		t.Fatalf("no stored output in the execution's output")
	}
	wantManifest := "manifests/orders/" + name + "." + etag + ".json"
	if got := out.Stored.Output; got.Outcome != "stored" || got.Manifest != wantManifest {
		t.Errorf("store outcome: got %q with manifest %q, want \"stored\" with %q", got.Outcome, got.Manifest, wantManifest)
	}
	var m manifest
	e.getJSON(t, wantManifest, &m)
	if m.Source.Key != "incoming/orders/"+name || m.Source.ETag != etag || m.Dataset != "orders" {
		t.Errorf("manifest source: got %+v (dataset %q), want incoming/orders/%s with etag %s", m.Source, m.Dataset, name, etag)
	}
	if m.Output.Rows != rows {
		t.Errorf("manifest rows: got %d, want %d", m.Output.Rows, rows)
	}
	if !strings.HasPrefix(m.Output.Key, "processed/orders/dt=") || !strings.HasSuffix(m.Output.Key, "/"+tasks.OutputStem(name)+".jsonl.gz") {
		t.Errorf("output key: got %q, want processed/orders/dt=<date>/%s.jsonl.gz", m.Output.Key, tasks.OutputStem(name))
	}
	body, ok := e.get(t, m.Output.Key)
	if !ok {
		t.Fatalf("output %s missing", m.Output.Key)
	}
	if got := countJSONLines(t, body); got != rows {
		t.Errorf("output lines: got %d, want %d", got, rows)
	}
}

func checkQuarantined(t *testing.T, e *env, name string, out storeOutcome) {
	t.Helper()
	if out.Quarantined == nil || out.Quarantined.Output.Outcome != "quarantined" {
		t.Fatalf("quarantine outcome: got %+v, want quarantined", out.Quarantined)
	}
	if _, ok := e.get(t, "quarantine/orders/"+name); !ok {
		t.Errorf("quarantined copy missing")
	}
	var rep struct {
		Report struct {
			Valid        bool  `json:"valid"`
			ProblemCount int64 `json:"problemCount"`
		} `json:"report"`
	}
	e.getJSON(t, "quarantine/orders/"+name+".report.json", &rep)
	if rep.Report.Valid || rep.Report.ProblemCount == 0 {
		t.Errorf("report: got valid=%v with %d problems, want invalid with problems", rep.Report.Valid, rep.Report.ProblemCount)
	}
	if got := e.keys(t, "manifests/orders/"+name+"."); len(got) != 0 {
		t.Errorf("a rejected object has manifests %v", got)
	}
}

// countJSONLines gunzips body and counts its lines, checking each is a JSON object.
func countJSONLines(tb testing.TB, body []byte) int64 {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("output is not gzip: %v", err)
	}
	var n int64
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if !bytes.HasPrefix(sc.Bytes(), []byte("{")) {
			tb.Errorf("line %d is not a JSON object: %.80s", n+1, sc.Text())
		}
		n++
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read output: %v", err)
	}
	return n
}

// TestRejectedStateVisible checks that a rejected object's execution passes through Quarantine and ends
// in the Rejected state, as its history shows.
func TestRejectedStateVisible(t *testing.T) {
	t.Parallel()
	e := startStack(t, "", "")
	e.putSchema(t)
	e.putSample(t, "sample/incoming/orders/bad-header.csv")
	xs := e.waitExecutions(t, 1)
	var entered []string
	for _, ev := range e.history(t, xs[0].ExecutionArn) {
		if ev.StateEnteredEventDetails != nil {
			entered = append(entered, str(ev.StateEnteredEventDetails.Name))
		}
	}
	if diff := cmp.Diff([]string{"Validate", "IsValid", "Quarantine", "Rejected"}, entered); diff != "" {
		t.Errorf("states entered (-want +got):\n%s", diff)
	}
	if slices.Contains(entered, "Process") {
		t.Errorf("a rejected object was processed")
	}
}
