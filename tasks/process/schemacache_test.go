package process_test

import (
	"fmt"
	"testing"

	"github.com/sluicehq/sluice/tasks/internal/s3test"
)

// TestSchemaCacheRevalidates checks that one Handler, as a warm Lambda instance keeps it, reuses its
// parsed schema while S3 answers 304 Not Modified to If-None-Match, and processes with a schema changed
// between two invocations at the second.
func TestSchemaCacheRevalidates(t *testing.T) {
	s := s3test.New(t, bucket)
	h := newHandler(s)
	in := invocation(t, s, "incoming/t/a.csv", []byte("id\n7\n"), 1)
	asString := `{"name":"t","columns":[{"name":"id","type":"string"}]}`
	asInteger := `{"name":"t","columns":[{"name":"id","type":"integer"}]}`

	steps := []struct {
		name            string
		schema          string // stored before the invocation unless empty
		want            string
		wantNotModified int64
	}{
		{"first reads", asString, `{"id":"7"}` + "\n", 0},
		{"unchanged is reused", "", `{"id":"7"}` + "\n", 1},
		{"changed is read again", asInteger, `{"id":7}` + "\n", 1},
		{"changed is then reused", "", `{"id":7}` + "\n", 2},
	}
	for i, st := range steps {
		if st.schema != "" {
			put(t, s, "schemas/t.json", []byte(st.schema))
		}
		in.Execution = fmt.Sprintf("arn:aws:states:us-east-1:123456789012:execution:Pipeline:exec-%d", i)
		out, err := h.Handle(t.Context(), in)
		if err != nil {
			t.Fatalf("%s: Handle: %v", st.name, err)
		}
		if _, got, _ := staged(t, s, out.Staging.Key); got != st.want {
			t.Errorf("%s: staged %q, want %q", st.name, got, st.want)
		}
		if got := s.NotModified(); got != st.wantNotModified {
			t.Errorf("%s: 304 answers = %d, want %d", st.name, got, st.wantNotModified)
		}
	}
}
