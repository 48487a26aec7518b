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
