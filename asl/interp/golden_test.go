package interp

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden histories in testdata/")

// pipelineLambdas stands in for the pipeline's functions: validate rejects
// objects without a key, process fails transiently once per execution.
func pipelineLambdas() LambdaInvoker {
	return LambdaInvokerFunc(func(ctx context.Context, req LambdaRequest) (LambdaResponse, error) {
		var in map[string]any
		_ = json.Unmarshal(req.Payload, &in)
		switch {
		case bytes.HasSuffix([]byte(req.FunctionName), []byte("validate")):
			_, ok := in["key"]
			b, _ := json.Marshal(map[string]any{"valid": ok, "key": in["key"]})
			return LambdaResponse{Payload: b}, nil
		case bytes.HasSuffix([]byte(req.FunctionName), []byte("process")):
			if in["attempt"] == float64(0) {
				return LambdaResponse{FunctionError: "Unhandled", Payload: []byte(`{"errorType":"TransientError","errorMessage":"try again"}`)}, nil
			}
			return LambdaResponse{Payload: req.Payload}, nil
		}
		return LambdaResponse{Payload: []byte(`{"stored":true}`)}, nil
	})
}

const pipelineDef = `{"StartAt":"Validate","States":{
	"Validate":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:validate","ResultPath":"$.validation","Next":"IsValid"},
	"IsValid":{"Type":"Choice","Choices":[{"Variable":"$.validation.valid","BooleanEquals":true,"Next":"Process"}],"Default":"Rejected"},
	"Rejected":{"Type":"Fail","Error":"Rejected","Cause":"object has no key"},
	"Process":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:process",
		"Parameters":{"key.$":"$.key","attempt.$":"States.ArrayGetItem(States.Array($$.State.RetryCount), 0)"},
		"Retry":[{"ErrorEquals":["States.Timeout"],"MaxAttempts":0},{"ErrorEquals":["States.ALL"],"IntervalSeconds":2,"MaxAttempts":2}],
		"ResultSelector":{"key.$":"$.key"},"ResultPath":"$.processed","Next":"Store"},
	"Store":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:store","ResultPath":null,"Next":"Done"},
	"Done":{"Type":"Succeed"}}}`

// TestGoldenHistories pins complete histories (types, ids, previousEventId
// chains, details, virtual timestamps). Refresh with -update.
func TestGoldenHistories(t *testing.T) {
	tests := []struct {
		name, def, input string
		opts             []Option
	}{
		{"pipeline-ok", pipelineDef, `{"key":"a.csv"}`, []Option{WithLambdaInvoker(pipelineLambdas())}},
		{"pipeline-rejected", pipelineDef, `{"other":1}`, []Option{WithLambdaInvoker(pipelineLambdas())}},
		{"map-catch", `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,"ItemSelector":{"i.$":"$$.Map.Item.Index"},
			"ItemProcessor":{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"Next":"F"},"F":{"Type":"Fail","Error":"E","Cause":"c"}}},
			"Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"}],"End":true},"H":{"Type":"Pass","Assign":{"caught":true},"End":true}}}`, `[1,2]`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, events := run(t, tc.def, tc.input, tc.opts...)
			got, err := json.MarshalIndent(events, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "history", tc.name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("history differs from %s (-want +got):\n%s", path, diff)
			}
		})
	}
}
