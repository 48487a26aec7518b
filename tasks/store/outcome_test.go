package store_test

import (
	"context"
	"testing"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/internal/s3test"
	"github.com/sluicehq/sluice/tasks/store"
)

// TestFindOutcome finds each outcome the store writes for the version it was written for, and none for
// another version of the same key or a key with a longer name.
func TestFindOutcome(t *testing.T) {
	s := s3test.New(t, bucket)
	ctx := context.Background()
	h := newHandler(s)
	ref := func(key, etag string) tasks.ObjectRef { return tasks.ObjectRef{Bucket: bucket, Key: key, ETag: etag} }

	// Quarantined: the report names the version.
	q := quarantineFixture(t, s, "incoming/sales/bad.csv", "amount\nx\n")
	if _, err := h.Handle(ctx, q); err != nil {
		t.Fatal(err)
	}
	// Failed: a failure record names the version.
	failedEtag := put(t, s, "incoming/sales/broken.csv", "a\n1\n", nil)
	if _, err := h.Handle(ctx, tasks.StoreInput{
		Invocation: tasks.Invocation{Bucket: bucket, Object: tasks.S3Object{Key: "incoming/sales/broken.csv", ETag: failedEtag}, Execution: execution("exec-1")},
		Action:     tasks.ActionFail, Failure: &tasks.Failure{Error: "States.Timeout", Cause: "slow"},
	}); err != nil {
		t.Fatal(err)
	}
	// Stored: the manifest is named after the version.
	storedEtag := put(t, s, "incoming/sales/good.csv", "a\n1\n", nil)
	put(t, s, "manifests/sales/good.csv."+storedEtag+".json", "{}", nil)
	// No outcome at all, and a key whose name extends a failed one's.
	orphanEtag := put(t, s, "incoming/sales/broken.csv.old", "a\n1\n", nil)

	tests := []struct {
		name string
		src  tasks.ObjectRef
		want string
	}{
		{"quarantined", ref(q.Object.Key, q.Object.ETag), "quarantine/sales/bad.csv.report.json"},
		{"quarantined, other version", ref(q.Object.Key, "0123"), ""},
		{"failed", ref("incoming/sales/broken.csv", failedEtag), "failed/sales/broken.csv.exec-1.json"},
		{"failed, other version", ref("incoming/sales/broken.csv", "0123"), ""},
		{"stored", ref("incoming/sales/good.csv", `"`+storedEtag+`"`), "manifests/sales/good.csv." + storedEtag + ".json"},
		{"no outcome", ref("incoming/sales/broken.csv.old", orphanEtag), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := store.FindOutcome(ctx, s.Client, tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("FindOutcome(%s %s): got %q, want %q", tt.src.Key, tt.src.ETag, got, tt.want)
			}
		})
	}
}
