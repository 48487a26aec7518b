package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"strings"
	"testing"

	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"
)

// TestEveryKeyOneOutcome: keys the rule delivers end in exactly one outcome through the deployed state
// machine. A key with no dataset folder is a rejection (the execution succeeds, the object is quarantined
// with its report); a broken schema is a configuration error (the execution fails with SchemaError at
// once, its record is under failed/, and the data is not quarantined); exact values stay exact.
func TestEveryKeyOneOutcome(t *testing.T) {
	t.Parallel()
	e := startStack(t, "", "")
	e.put(t, "incoming/stray.csv", []byte("id\n1\n"))
	e.put(t, "schemas/broken.json", []byte("{\"name\": \"broken\",\n \"columns\": [{\"name\": \"id\", \"type\": \"strin\"}]}"))
	e.put(t, "incoming/broken/a.csv", []byte("id\n1\n"))
	e.put(t, "schemas/exact.json", []byte(`{"name":"exact","columns":[{"name":"i","type":"integer"},
		{"name":"d","type":"decimal","scale":9},{"name":"n","type":"number"}]}`))
	e.put(t, "incoming/exact/x.jsonl", []byte(`{"i":99999999999999999,"d":1234567890.123456789,"n":1234567890.123456789}`+"\n"+
		`{"i":"-9223372036854775808","d":"0.5","n":"99999999999999999"}`+"\n"))

	byKey := map[string]execution{}
	e.waitExecutions(t, 3)
	for _, x := range e.describeAll(t) {
		byKey[x.event.Detail.Object.Key] = x
	}
	if x := byKey["incoming/stray.csv"]; x.DescribeExecutionOutput == nil || x.Status != sfntypes.ExecutionStatusSucceeded {
		t.Errorf("incoming/stray.csv: got %+v, want SUCCEEDED (a rejection)", x.DescribeExecutionOutput)
	}
	if _, ok := e.get(t, "quarantine/_unknown/stray.csv.report.json"); !ok {
		t.Errorf("no quarantine report for incoming/stray.csv: %v", e.keys(t, "quarantine/"))
	}

	broken := byKey["incoming/broken/a.csv"]
	if broken.DescribeExecutionOutput == nil || broken.Status != sfntypes.ExecutionStatusFailed || str(broken.Error) != "SchemaError" {
		t.Fatalf("incoming/broken/a.csv: got %+v, want FAILED with SchemaError", broken.DescribeExecutionOutput)
	}
	if cause := str(broken.Cause); !strings.Contains(cause, `line 2 column 37: columns[0].type: \"strin\" is not one of: string`) {
		t.Errorf("cause: got %s, want the schema problem with its line and column", cause)
	}
	if failures, attempts := taskFailures(t, e, broken.ExecutionArn, "Validate"); attempts != 1 || len(failures) != 1 {
		t.Errorf("Validate: %d attempts failing with %v, want one, not retried", attempts, failures)
	}
	exec := str(broken.ExecutionArn)[strings.LastIndex(str(broken.ExecutionArn), ":")+1:]
	var rec failureRecord
	e.getJSON(t, "failed/broken/a.csv."+exec+".json", &rec)
	if rec.Error != "SchemaError" {
		t.Errorf("failure record: got %+v, want error SchemaError", rec)
	}
	if got := e.keys(t, "quarantine/broken/"); len(got) != 0 {
		t.Errorf("the data of a broken schema was quarantined: %v", got)
	}

	exact := byKey["incoming/exact/x.jsonl"]
	if exact.DescribeExecutionOutput == nil || exact.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("incoming/exact/x.jsonl: got %+v, want SUCCEEDED", exact.DescribeExecutionOutput)
	}
	var out struct {
		Stored struct {
			Output struct{ Key, Manifest string } `json:"output"`
		} `json:"stored"`
	}
	if err := json.Unmarshal([]byte(str(exact.Output)), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.Stored.Output.Key, "/x.jsonl.gz") || strings.Contains(out.Stored.Output.Key, ".jsonl.jsonl") {
		t.Errorf("processed key: got %s, want .../x.jsonl.gz", out.Stored.Output.Key)
	}
	gz, _ := e.get(t, out.Stored.Output.Key)
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	lines, _ := io.ReadAll(zr)
	wantLines := `{"i":99999999999999999,"d":1234567890.123456789,"n":1234567890.1234567}` + "\n" +
		`{"i":-9223372036854775808,"d":0.500000000,"n":100000000000000000}` + "\n"
	if diff := cmp.Diff(string(lines), wantLines); diff != "" {
		t.Errorf("processed output (-got +want):\n%s", diff)
	}
	raw, _ := e.get(t, out.Stored.Output.Manifest)
	for _, want := range []string{`"min": -9223372036854775808`, `"max": 99999999999999999`, `"max": 1234567890.123456789`, `"min": 0.500000000`} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("manifest lacks %s (values rounded on the way?):\n%s", want, raw)
		}
	}
}
