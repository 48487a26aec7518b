package interp

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// literalInvokeResult is lambda:invoke's result built as it was before invokeResult shared the boxed
// header values and the lists' backing array: every value its own. invokeResult must equal it.
func literalInvokeResult(payload []byte, status int, version, reqID, date, traceID string) map[string]any {
	length := strconv.Itoa(len(payload))
	return map[string]any{
		"ExecutedVersion": version,
		"Payload":         decodePayload(payload),
		"SdkHttpMetadata": map[string]any{
			"AllHttpHeaders": map[string]any{
				"X-Amz-Executed-Version":         []any{version},
				"x-amzn-Remapped-Content-Length": []any{"0"},
				"Connection":                     []any{"keep-alive"},
				"x-amzn-RequestId":               []any{reqID},
				"Content-Length":                 []any{length},
				"Date":                           []any{date},
				"X-Amzn-Trace-Id":                []any{traceID},
				"Content-Type":                   []any{"application/json"},
			},
			"HttpHeaders": map[string]any{
				"Connection":                     "keep-alive",
				"Content-Length":                 length,
				"Content-Type":                   "application/json",
				"Date":                           date,
				"X-Amz-Executed-Version":         version,
				"x-amzn-Remapped-Content-Length": "0",
				"x-amzn-RequestId":               reqID,
				"X-Amzn-Trace-Id":                traceID,
			},
			"HttpStatusCode": jsonInt(status),
		},
		"SdkResponseMetadata": map[string]any{"RequestId": reqID},
		"StatusCode":          jsonInt(status),
	}
}

// The lambda:invoke result's shape is the AWS SDK's Invoke response.
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
func TestInvokeResult(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		status  int
		version string
	}{
		{"object", `{"ok":true,"n":12}`, 200, "$LATEST"},
		{"string payload", `"raw"`, 200, "3"},
		{"not JSON", `raw`, 200, "$LATEST"},
		{"event", ``, 202, "$LATEST"},
		{"large status", `null`, 1000, "$LATEST"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := func() ([]byte, int, string, string, string, string) {
				return []byte(tc.payload), tc.status, tc.version, "7a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
					"Sun, 06 Dec 2026 13:00:00 GMT", "Root=1-675300a0-0123456789abcdef01234567"
			}
			got := invokeResult(args())
			if diff := cmp.Diff(got, literalInvokeResult(args())); diff != "" {
				t.Errorf("result (-got +want):\n%s", diff)
			}
			if g, w := render(got), render(literalInvokeResult(args())); g != w {
				t.Errorf("rendered:\n got %s\nwant %s", g, w)
			}

			// Each list is its own: appending to one, or changing its item, leaves the others as
			// they were.
			all := got["SdkHttpMetadata"].(map[string]any)["AllHttpHeaders"].(map[string]any)
			date := all["Date"].([]any)
			all["Date"] = append(date, "extra")
			date[0] = "changed"
			want := literalInvokeResult(args())["SdkHttpMetadata"].(map[string]any)["AllHttpHeaders"].(map[string]any)
			for k, v := range want {
				if k == "Date" {
					continue
				}
				if diff := cmp.Diff(all[k], v); diff != "" {
					t.Errorf("%s after Date changed (-got +want):\n%s", k, diff)
				}
			}
		})
	}
}

// BenchmarkInvokeResult builds the lambda:invoke result as invokeResult does ("shared") and with every
// value its own ("literal"), alternated in one run.
func BenchmarkInvokeResult(b *testing.B) {
	payload := []byte(`{"staged":"staging/orders/2024/03/01/obj-0001.jsonl.gz","rows":12,"bytes":311}`)
	for _, bc := range []struct {
		name  string
		build func([]byte, int, string, string, string, string) map[string]any
	}{{"literal", literalInvokeResult}, {"shared", invokeResult}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.build(payload, 200, "$LATEST", "7a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
					"Sun, 06 Dec 2026 13:00:00 GMT", "Root=1-675300a0-0123456789abcdef01234567")
			}
		})
	}
}
