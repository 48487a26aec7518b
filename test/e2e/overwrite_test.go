package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// overwriteKey is the object both overwrite tests write twice.
const overwriteKey = "incoming/orders/2024-03-01.csv"

// twoVersions returns two valid versions of the sample CSV with different row counts: the whole file
// (8 rows) and its header with the first two rows.
func twoVersions(tb testing.TB) (v1, v2 []byte, rows1, rows2 int64) {
	tb.Helper()
	v1 = repoFile(tb, "sample/"+overwriteKey)
	lines := bytes.SplitAfter(v1, []byte("\n"))
	v2 = bytes.Join(lines[:3], nil)
	return v1, v2, 8, 2
}

// unversionedTemplate is deploy/template.json with the pipeline bucket's versioning removed: the pipeline
// also supports unversioned buckets, whose events carry no version-id.
func unversionedTemplate(tb testing.TB) []byte {
	tb.Helper()
	var tpl map[string]any
	if err := json.Unmarshal(repoFile(tb, "deploy/template.json"), &tpl); err != nil {
		tb.Fatal(err)
	}
	bucket, ok := tpl["Resources"].(map[string]any)["Bucket"].(map[string]any)["Properties"].(map[string]any)
	if !ok {
		tb.Fatal("template has no Bucket resource")
	}
	delete(bucket, "VersioningConfiguration")
	b, err := json.Marshal(tpl)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestObjectChangedBeforeProcessing overwrites an object after its event but before its execution reads
// it, in an unversioned bucket: the first execution's conditional GET (If-Match on the event's ETag) gets
// 412, so it fails with ObjectChangedError, recorded under failed/; the second version's own execution
// stores it. The first execution's read is held at a proxy until the overwrite is done, so the order is
// certain.
func TestObjectChangedBeforeProcessing(t *testing.T) {
	t.Parallel()
	v1, v2, _, rows2 := twoVersions(t)
	p := newFaultProxy(t)
	held := p.holdNext(http.MethodGet, overwriteKey)
	e := startStack(t, "", "", withTemplate(unversionedTemplate(t)), withEndpoint("ValidateFunction", p, 0))
	e.putSchema(t)
	etag1 := e.put(t, overwriteKey, v1)
	<-held.held
	etag2 := e.put(t, overwriteKey, v2)
	held.releaseHeld()
	e.waitExecutions(t, 2)

	var changed, stored []execution
	for _, x := range e.describeAll(t) {
		if x.event.Detail.Object.VersionID != "" {
			t.Errorf("an unversioned bucket's event has version-id %q", x.event.Detail.Object.VersionID)
		}
		switch x.event.Detail.Object.ETag {
		case etag1:
			changed = append(changed, x)
		case etag2:
			stored = append(stored, x)
		}
	}
	if len(changed) != 1 || len(stored) != 1 {
		t.Fatalf("got %d executions for the first version and %d for the second, want 1 and 1", len(changed), len(stored))
	}
	checkRecordedFailure(t, e, changed[0].ExecutionArn, "Validate", "ObjectChangedError", overwriteKey)
	if stored[0].Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("second version: got %s (%s: %s), want SUCCEEDED", stored[0].Status, str(stored[0].Error), str(stored[0].Cause))
	}
	if got := e.keys(t, "manifests/"); len(got) != 1 || got[0] != "manifests/orders/2024-03-01.csv."+etag2+".json" {
		t.Errorf("manifests: got %v, want the second version's only", got)
	}
	var m manifest
	e.getJSON(t, "manifests/orders/2024-03-01.csv."+etag2+".json", &m)
	body, _ := e.get(t, m.Output.Key)
	if got := countJSONLines(t, body); got != rows2 {
		t.Errorf("output rows: got %d, want the second version's %d", got, rows2)
	}
}

// TestObjectOverwrittenVersioned overwrites an object in the template's versioned bucket while the first
// version's execution is still reading: each event names its own version (version-id), which still
// exists, so both versions are validated, processed and committed, each with its manifest. The first
// execution is held until the second has stored its output, so that it commits last: the output under
// processed/ must still be the newest version's.
func TestObjectOverwrittenVersioned(t *testing.T) {
	t.Parallel()
	v1, v2, rows1, rows2 := twoVersions(t)
	p := newFaultProxy(t)
	held := p.holdNext(http.MethodGet, overwriteKey)
	e := startStack(t, "", "", withEndpoint("ValidateFunction", p, 0))
	e.putSchema(t)
	etag1 := e.put(t, overwriteKey, v1)
	<-held.held
	etag2 := e.put(t, overwriteKey, v2)
	waitFor(t, "the second version's execution", func() bool {
		for _, x := range e.executions(t) {
			if x.Status == sfntypes.ExecutionStatusSucceeded {
				return true
			}
		}
		return false
	})
	held.releaseHeld()
	e.waitExecutions(t, 2)

	for _, x := range e.describeAll(t) {
		if x.Status != sfntypes.ExecutionStatusSucceeded {
			t.Errorf("execution for etag %s: got %s (%s: %s), want SUCCEEDED", x.event.Detail.Object.ETag, x.Status, str(x.Error), str(x.Cause))
		}
	}
	var m1, m2 manifest
	e.getJSON(t, "manifests/orders/2024-03-01.csv."+etag1+".json", &m1)
	e.getJSON(t, "manifests/orders/2024-03-01.csv."+etag2+".json", &m2)
	if m1.Output.Rows != rows1 || m2.Output.Rows != rows2 {
		t.Errorf("manifest rows: got %d and %d, want %d and %d", m1.Output.Rows, m2.Output.Rows, rows1, rows2)
	}
	body, _ := e.get(t, m2.Output.Key)
	if got := countJSONLines(t, body); got != rows2 {
		t.Errorf("output rows: got %d, want the newest version's %d (the older version, committed last, replaced it)", got, rows2)
	}
}
