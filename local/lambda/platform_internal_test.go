package lambda

import (
	"encoding/json"
	"testing"
	"time"
)

// TestPlatformRecordAsEncodingJSON checks platformRecord's text against encoding/json's for the same
// record (the fields in order, the record's keys sorted, numbers as JSON writes them).
func TestPlatformRecordAsEncodingJSON(t *testing.T) {
	at := time.Date(2026, 12, 6, 7, 8, 9, 123456789, time.FixedZone("x", 3600))
	for _, tc := range []struct {
		typ    string
		record map[string]any
	}{
		{"platform.start", map[string]any{"requestId": "7c1d0e1a-0000-4000-8000-000000000001", "functionArn": "arn:aws:lambda:us-east-1:000000000000:function:f", "version": "$LATEST"}},
		{"platform.report", map[string]any{"requestId": "r", "status": "error", "errorType": "*tasks.ValidationError",
			"metrics": map[string]any{"durationMs": 12.345, "billedDurationMs": int64(13), "memorySizeMB": 128, "maxMemoryUsedMB": 57}}},
		{"platform.report", map[string]any{"requestId": "r", "status": "success",
			"metrics": map[string]any{"durationMs": float64(0), "billedDurationMs": int64(0), "memorySizeMB": 10240, "maxMemoryUsedMB": 1}}},
		{"platform.report", map[string]any{"requestId": "quote\" and \\ and \n", "status": "timeout",
			"metrics": map[string]any{"durationMs": 900000.001, "billedDurationMs": int64(900001), "memorySizeMB": 128, "maxMemoryUsedMB": 128}}},
	} {
		got := platformRecord(at, tc.typ, tc.record)
		want, err := json.Marshal(struct {
			Time   string         `json:"time"`
			Type   string         `json:"type"`
			Record map[string]any `json:"record"`
		}{at.UTC().Format("2006-01-02T15:04:05.000Z"), tc.typ, tc.record})
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("platformRecord:\n got %s\nwant %s", got, want)
		}
	}
}

// platformCases are platform records' inputs: ordinary ones and awkward strings and numbers.
var platformCases = []struct {
	id, arn string
	r       reportRecord
}{
	{"7c1d0e1a-0000-4000-8000-000000000001", "arn:aws:lambda:us-east-1:000000000000:function:f",
		reportRecord{status: "success", durationMs: 12.345, billedMs: 13, memorySizeMB: 128, maxMemoryUsedMB: 57}},
	{"r", "a", reportRecord{status: "error", errorType: "*tasks.ValidationError", hasError: true, durationMs: 0, billedMs: 0, memorySizeMB: 10240, maxMemoryUsedMB: 1}},
	{"quote\" and \\ and \n and <&> \u2028 \xff", "", reportRecord{status: "timeout", errorType: "", hasError: true, durationMs: 900000.001, billedMs: 900001, memorySizeMB: 128, maxMemoryUsedMB: 128}},
	{"", "x", reportRecord{status: "success", durationMs: 0.001, billedMs: 1, memorySizeMB: -1, maxMemoryUsedMB: 0}},
}

// TestPlatformRecordsAsPlatformRecord checks platformStart and platformReport against platformRecord with
// the same record (itself checked against encoding/json above).
func TestPlatformRecordsAsPlatformRecord(t *testing.T) {
	at := time.Date(2026, 12, 6, 7, 8, 9, 123456789, time.FixedZone("x", 3600))
	for _, tc := range platformCases {
		checkPlatformRecords(t, at, tc.id, tc.arn, tc.r)
	}
}

func checkPlatformRecords(t *testing.T, at time.Time, id, arn string, r reportRecord) {
	t.Helper()
	if got, want := platformStart(at, id, arn), platformRecord(at, "platform.start", map[string]any{"requestId": id, "functionArn": arn, "version": "$LATEST"}); got != want {
		t.Errorf("platformStart:\n got %s\nwant %s", got, want)
	}
	r.requestID = id
	if got, want := platformReport(at, r), platformRecord(at, "platform.report", r.asMap()); got != want {
		t.Errorf("platformReport:\n got %s\nwant %s", got, want)
	}
}

// FuzzPlatformRecords checks platformStart and platformReport against platformRecord on any strings,
// durations (whole microseconds, as an invocation's are) and sizes.
func FuzzPlatformRecords(f *testing.F) {
	for _, tc := range platformCases {
		f.Add(tc.id, tc.arn, tc.r.status, tc.r.errorType, tc.r.hasError, int64(tc.r.durationMs*1000), tc.r.billedMs, tc.r.memorySizeMB, tc.r.maxMemoryUsedMB, int64(1765000000))
	}
	f.Fuzz(func(t *testing.T, id, arn, status, errorType string, hasError bool, micros, billed int64, mem, used int, unix int64) {
		if unix < 0 || unix > 1<<40 {
			return
		}
		r := reportRecord{status: status, errorType: errorType, hasError: hasError, durationMs: float64(micros) / 1000,
			billedMs: billed, memorySizeMB: mem, maxMemoryUsedMB: used}
		checkPlatformRecords(t, time.Unix(unix, 0), id, arn, r)
	})
}
