package tasks_test

import (
	"strings"
	"testing"

	"github.com/sluicehq/sluice/tasks"
)

func TestExecutionName(t *testing.T) {
	tests := []struct{ in, want string }{
		{in: "arn:aws:states:us-east-1:123456789012:execution:Pipeline:0b5f-11", want: "0b5f-11"},
		{in: "arn:aws-cn:states:cn-north-1:123456789012:execution:Pipeline:run", want: "run"},
		{in: "arn:aws:states:us-east-1:123456789012:express:Pipeline:run:uuid", want: "run"},
		{in: "arn:aws:states:us-east-1:123456789012:stateMachine:Pipeline", want: "arn_aws_states_us-east-1_123456789012_stateMachine_Pipeline"},
		{in: "by/hand", want: "by_hand"},
		{in: "..", want: "unnamed"},
		{in: "", want: "unnamed"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := tasks.ExecutionName(tt.in); got != tt.want {
				t.Errorf("ExecutionName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStagingKey(t *testing.T) {
	got := tasks.StagingKey("arn:aws:states:us-east-1:123456789012:execution:Pipeline:e-1", "incoming/sales/2026/a.csv.gz")
	if want := "staging/e-1/sales/2026/a.csv.gz.jsonl.gz"; got != want {
		t.Errorf("StagingKey = %q, want %q", got, want)
	}
}

// FuzzExecutionName checks that an execution name is one non-empty key segment whatever the input, and
// that a staging key stays under staging/<that name>/.
func FuzzExecutionName(f *testing.F) {
	for _, seed := range []string{"arn:aws:states:r:1:execution:M:n/../x", "incoming//", "..", "a:b/c", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name := tasks.ExecutionName(s)
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/:") {
			t.Errorf("ExecutionName(%q) = %q: not one path segment", s, name)
		}
		if key := tasks.StagingKey(s, "incoming/d/x.csv"); !strings.HasPrefix(key, tasks.PrefixStaging+name+"/") {
			t.Errorf("StagingKey(%q, ...) = %q: not under %s%s/", s, key, tasks.PrefixStaging, name)
		}
	})
}

func TestOutputStem(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"2024-03-02.jsonl", "2024-03-02"},
		{"2024-03-02.csv.gz", "2024-03-02"},
		{"2024-03-02.json", "2024-03-02"},
		{"a.ndjson.gz", "a"},
		{"2026/q4.csv", "2026/q4"},
		{"a.b.csv", "a.b"},
		{"notes.txt", "notes.txt"},
		{".csv", ".csv"},
		{"dir/.jsonl", "dir/.jsonl"},
		{"a.gz", "a.gz"},
	} {
		if got := tasks.OutputStem(tt.name); got != tt.want {
			t.Errorf("OutputStem(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
