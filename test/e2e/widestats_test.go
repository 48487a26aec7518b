package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/sluicehq/sluice/tasks"
)

// TestWideSchemaLongValues runs an object with the widest schema (1,024 columns, 120-byte names) and
// text values of almost 1 MiB (one record may be up to 1 MiB) through the pipeline. Unbounded per-column
// statistics would push the Process state's output past Step Functions' 256 KiB and fail the execution
// with States.DataLimitExceeded; bounded, it ends in Stored, and the manifest says which statistics
// were cut short or left out.
func TestWideSchemaLongValues(t *testing.T) {
	t.Parallel()
	const columns = 1024
	const long = 1_000_000
	e := startStack(t, "", "")

	type column struct {
		Name     string `json:"name"`
		Type     string `json:"type"`
		Nullable bool   `json:"nullable"`
	}
	schema := struct {
		Name    string   `json:"name"`
		Formats []string `json:"formats"`
		Columns []column `json:"columns"`
	}{Name: "wide", Formats: []string{"csv"}}
	names := make([]string, columns)
	for i := range names {
		names[i] = fmt.Sprintf("c%04d_%s", i, strings.Repeat("n", 114))
		schema.Columns = append(schema.Columns, column{Name: names[i], Type: "string", Nullable: true})
	}
	b, err := json.Marshal(schema)
	if err != nil {
		t.Fatal(err)
	}
	e.put(t, "schemas/wide.json", b)

	// Row r holds a long value in column r; every other value is short.
	var csv bytes.Buffer
	csv.WriteString(strings.Join(names, ",") + "\n")
	letters := []string{"m", "a", "z"}
	for r, letter := range letters {
		row := make([]string, columns)
		for i := range row {
			row[i] = fmt.Sprintf("v%d", r)
		}
		row[r] = strings.Repeat(letter, long)
		csv.WriteString(strings.Join(row, ",") + "\n")
	}
	key := "incoming/wide/long.csv"
	etag := e.put(t, key, csv.Bytes())

	e.waitExecutions(t, 1)
	xs := executionsFor(e.describeAll(t), key)
	if len(xs) != 1 {
		t.Fatalf("got %d executions for %s, want 1", len(xs), key)
	}
	x := xs[0]
	if x.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("status: got %s (%s: %s), want SUCCEEDED", x.Status, str(x.Error), str(x.Cause))
	}
	if n := len(str(x.Output)); n > 256<<10 {
		t.Errorf("execution output is %d bytes, over the 256 KiB limit", n)
	}
	out := outcomeOf(t, x)
	if out.Stored == nil || out.Stored.Output.Outcome != "stored" {
		t.Fatalf("outcome: got %+v, want stored", out)
	}
	var m struct {
		Output struct {
			Rows           int64               `json:"rows"`
			Columns        []tasks.ColumnStats `json:"columns"`
			ColumnsOmitted int                 `json:"columnsOmitted"`
		} `json:"output"`
	}
	e.getJSON(t, "manifests/wide/long.csv."+etag+".json", &m)
	if m.Output.Rows != int64(len(letters)) {
		t.Errorf("rows: got %d, want %d", m.Output.Rows, len(letters))
	}
	cols := m.Output.Columns
	if len(cols)+m.Output.ColumnsOmitted != columns || m.Output.ColumnsOmitted == 0 {
		t.Fatalf("columns: %d reported + %d omitted, want %d in all with some omitted (the names alone exceed the budget)",
			len(cols), m.Output.ColumnsOmitted, columns)
	}
	if b, _ := json.Marshal(cols); len(b) > tasks.MaxColumnStatsBytes {
		t.Errorf("reported statistics are %d bytes, over tasks.MaxColumnStatsBytes (%d)", len(b), tasks.MaxColumnStatsBytes)
	}
	prefix := func(letter string) json.RawMessage {
		return json.RawMessage(`"` + strings.Repeat(letter, tasks.MaxStatStringBytes) + `"`)
	}
	tests := []struct {
		col            int
		min, max       json.RawMessage
		minCut, maxCut bool
	}{
		// Column 0: "m"×1e6, "v1", "v2": the long value is the least.
		{0, prefix("m"), json.RawMessage(`"v2"`), true, false},
		// Column 1: "v0", "a"×1e6, "v2".
		{1, prefix("a"), json.RawMessage(`"v2"`), true, false},
		// Column 2: "v0", "v1", "z"×1e6: the long value is the greatest.
		{2, json.RawMessage(`"v0"`), prefix("z"), false, true},
		{3, json.RawMessage(`"v0"`), json.RawMessage(`"v2"`), false, false},
	}
	for _, tt := range tests {
		c := cols[tt.col]
		if c.Name != names[tt.col] || c.Count != int64(len(letters)) {
			t.Errorf("column %d: name %q count %d, want %q count %d", tt.col, c.Name, c.Count, names[tt.col], len(letters))
		}
		if !bytes.Equal(c.Min, tt.min) || !bytes.Equal(c.Max, tt.max) || c.MinTruncated != tt.minCut || c.MaxTruncated != tt.maxCut {
			t.Errorf("column %d: min %.80s (cut %v) max %.80s (cut %v), want %.80s (cut %v) and %.80s (cut %v)",
				tt.col, c.Min, c.MinTruncated, c.Max, c.MaxTruncated, tt.min, tt.minCut, tt.max, tt.maxCut)
		}
	}
}
