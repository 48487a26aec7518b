package lambda_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/lambda"
)

// Cases follow https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html.
func TestParseEMF(t *testing.T) {
	ts := time.UnixMilli(1764064800000).UTC()
	tests := []struct {
		name    string
		line    string
		want    []lambda.Metric
		wantOK  bool
		wantErr bool
	}{
		{"plain log line", `{"level":"INFO","msg":"hi"}`, nil, false, false},
		{"not json", `hello _aws`, nil, false, false},
		{"two dimension sets and an array value",
			`{"_aws":{"Timestamp":1764064800000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["A"],["A","B"]],"Metrics":[{"Name":"Lat","Unit":"Milliseconds","StorageResolution":1}]}]},"A":"a","B":"b","Lat":[1,2.5]}`,
			[]lambda.Metric{
				{Namespace: "N", Name: "Lat", Unit: "Milliseconds", StorageResolution: 1, Dimensions: []lambda.Dimension{{"A", "a"}}, Values: []float64{1, 2.5}, Timestamp: ts},
				{Namespace: "N", Name: "Lat", Unit: "Milliseconds", StorageResolution: 1, Dimensions: []lambda.Dimension{{"A", "a"}, {"B", "b"}}, Values: []float64{1, 2.5}, Timestamp: ts},
			}, true, false},
		{"no dimensions, no unit",
			`{"_aws":{"Timestamp":1764064800000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"C"}]}]},"C":3}`,
			[]lambda.Metric{{Namespace: "N", Name: "C", Unit: "None", StorageResolution: 60, Values: []float64{3}, Timestamp: ts}}, true, false},
		{"missing timestamp", `{"_aws":{"CloudWatchMetrics":[]}}`, nil, true, true},
		{"missing namespace", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Dimensions":[],"Metrics":[{"Name":"C"}]}]},"C":1}`, nil, true, true},
		{"dimension without member", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["A"]],"Metrics":[{"Name":"C"}]}]},"C":1}`, nil, true, true},
		{"dimension not a string", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["A"]],"Metrics":[{"Name":"C"}]}]},"A":5,"C":1}`, nil, true, true},
		{"value not a number", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"C"}]}]},"C":"x"}`, nil, true, true},
		{"missing value", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"C"}]}]}}`, nil, true, true},
		{"bad unit", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"C","Unit":"Furlongs"}]}]},"C":1}`, nil, true, true},
		{"bad resolution", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"C","StorageResolution":5}]}]},"C":1}`, nil, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := lambda.ParseEMF([]byte(tc.line))
			if ok != tc.wantOK {
				t.Errorf("ok = %v, want %v", ok, tc.wantOK)
			}
			if gotErr := err != nil; gotErr != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, lambda.ErrInvalidEMF) {
				t.Errorf("err = %v, want ErrInvalidEMF", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("metrics (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseEMF(f *testing.F) {
	f.Add(`{"_aws":{"Timestamp":1764064800000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["A"]],"Metrics":[{"Name":"C","Unit":"Count"}]}]},"A":"a","C":[1,2]}`)
	f.Add(`{"_aws":{"Timestamp":-1}}`)
	f.Add(`{"_aws":null}`)
	f.Add(`{"level":"info"}`)
	f.Add(`not json`)
	f.Fuzz(func(t *testing.T, line string) {
		metrics, ok, err := lambda.ParseEMF([]byte(line))
		if !ok && (err != nil || metrics != nil) {
			t.Errorf("non-EMF line produced metrics %v or error %v", metrics, err)
		}
		for _, m := range metrics {
			if m.Namespace == "" || m.Name == "" || len(m.Values) == 0 {
				t.Errorf("incomplete metric %+v", m)
			}
		}
	})
}

// BenchmarkParseEMF parses a line shaped like the pipeline tasks' metric lines.
func BenchmarkParseEMF(b *testing.B) {
	line := []byte(`{"_aws":{"Timestamp":1764064800000,"CloudWatchMetrics":[{"Namespace":"Sluice","Dimensions":[["Stage"],["Stage","Dataset"]],` +
		`"Metrics":[{"Name":"ObjectsValidated","Unit":"Count"},{"Name":"BytesValidated","Unit":"Bytes"},{"Name":"ValidateMillis","Unit":"Milliseconds"}]}]},` +
		`"Stage":"validate","Dataset":"orders","ObjectsValidated":1,"BytesValidated":2048,"ValidateMillis":1.25,` +
		`"level":"INFO","msg":"object validated","key":"incoming/orders/2026/12/06/part-00042.csv","etag":"0123456789abcdef0123456789abcdef","rows":120}`)
	for b.Loop() {
		if _, ok, err := lambda.ParseEMF(line); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
