package validate

import (
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/tasks/internal/s3test"
)

// TestSchemaCacheRevalidates checks that one Handler, as a warm Lambda instance keeps it, reuses its
// parsed schema while S3 answers 304 Not Modified to If-None-Match, and sees a schema changed between two
// invocations at the second.
func TestSchemaCacheRevalidates(t *testing.T) {
	s := s3test.New(t, bucket)
	h := New(s.Client)
	obj := put(t, s, "incoming/t/a.csv", []byte("id\na\na\na\na\na\na\na\n")) // 7 rows
	limited := testSchema                                                     // maxRows 5
	unlimited := strings.Replace(testSchema, `"maxRows":5`, `"maxRows":0`, 1)

	steps := []struct {
		name            string
		schema          string // stored before the invocation unless empty
		wantValid       bool
		wantNotModified int64
	}{
		{"first reads", limited, false, 0},
		{"unchanged is reused", "", false, 1},
		{"changed is read again", unlimited, true, 1},
		{"changed is then reused", "", true, 2},
		{"changed back", limited, false, 2},
	}
	for _, st := range steps {
		if st.schema != "" {
			put(t, s, "schemas/t.json", []byte(st.schema))
		}
		rep, err := h.Handle(t.Context(), invocation(obj))
		if err != nil {
			t.Fatalf("%s: Handle: %v", st.name, err)
		}
		if got := rep.Valid; got != st.wantValid {
			t.Errorf("%s: valid = %v, want %v (problems %+v)", st.name, got, st.wantValid, rep.Problems)
		}
		if got := s.NotModified(); got != st.wantNotModified {
			t.Errorf("%s: 304 answers = %d, want %d", st.name, got, st.wantNotModified)
		}
	}
}

// TestSchemaCacheDeleted checks that a schema deleted after it was cached makes the dataset unknown.
func TestSchemaCacheDeleted(t *testing.T) {
	s := s3test.New(t, bucket)
	h := New(s.Client)
	put(t, s, "schemas/t.json", []byte(testSchema))
	obj := put(t, s, "incoming/t/a.csv", []byte("id\na\n"))
	if rep, err := h.Handle(t.Context(), invocation(obj)); err != nil || !rep.Valid {
		t.Fatalf("first: %+v, %v", rep, err)
	}
	if _, err := s.Client.DeleteObject(t.Context(), deleteInput("schemas/t.json")); err != nil {
		t.Fatal(err)
	}
	rep, err := h.Handle(t.Context(), invocation(obj))
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if rep.Valid || len(rep.Problems) != 1 || rep.Problems[0].Code != CodeSchema {
		t.Errorf("after delete: got %+v, want one %q problem", rep, CodeSchema)
	}
}

// TestSchemaCacheConcurrent runs invocations of one Handler at once (under -race) while the schema changes.
func TestSchemaCacheConcurrent(t *testing.T) {
	s := s3test.New(t, bucket)
	h := New(s.Client)
	put(t, s, "schemas/t.json", []byte(testSchema))
	obj := put(t, s, "incoming/t/a.csv", []byte("id\na\n"))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 5 {
				rep, err := h.Handle(t.Context(), invocation(obj))
				if err != nil || !rep.Valid {
					t.Errorf("worker %d: %+v, %v", i, rep, err)
					return
				}
			}
		})
	}
	for range 3 {
		put(t, s, "schemas/t.json", []byte(strings.Replace(testSchema, `"maxRows":5`, `"maxRows":6`, 1)))
		put(t, s, "schemas/t.json", []byte(testSchema))
	}
	wg.Wait()
}

func deleteInput(key string) *s3.DeleteObjectInput {
	return &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
}
