package events_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/events"
)

// Rules, targets and dead letters survive a restart through a Store.
func TestFileStoreRestart(t *testing.T) {
	ctx := context.Background()
	store := events.FileStore{Path: filepath.Join(t.TempDir(), "events.json")}
	f := newFixture(t, events.WithStore(store))
	f.rec.fails, f.rec.err = 1, failure{code: "RESOURCE_NOT_FOUND"}
	setupRule(t, f, types.Target{InputPath: aws.String("$.detail"),
		RetryPolicy: &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(7), MaximumEventAgeInSeconds: aws.Int32(120)}})
	if _, err := f.client.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("objects")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String("objects")}); err != nil {
		t.Fatal(err)
	}
	putTestEvent(t, f, `{"k":1}`)
	f.svc.DeliverDue(ctx)
	if err := f.svc.StoreErr(); err != nil {
		t.Fatal(err)
	}

	g := newFixture(t, events.WithStore(store))
	desc, err := g.client.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("objects")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(desc.EventPattern), `{"source":["sluice.test"],"detail-type":["Object Created"]}`; got != want {
		t.Errorf("restored pattern = %s", got)
	}
	lt, err := g.client.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("objects")})
	if err != nil || len(lt.Targets) != 1 || aws.ToInt32(lt.Targets[0].RetryPolicy.MaximumRetryAttempts) != 7 {
		t.Fatalf("restored targets = %+v, %v", lt, err)
	}
	if diff := cmp.Diff(g.svc.DeadLetters(), f.svc.DeadLetters()); diff != "" {
		t.Errorf("restored dead letters (-got +want):\n%s", diff)
	}
	// The restored rule routes with its restored target.
	putTestEvent(t, g, `{"k":2}`)
	g.svc.DeliverDue(ctx)
	if got := g.rec.deliveries(); len(got) != 1 || string(got[0].Input) != `{"k":2}` {
		t.Errorf("deliveries after restart = %+v", got)
	}
}

type brokenStore struct{}

func (brokenStore) Load() (*events.Snapshot, error) { return nil, errors.New("disk on fire") }
func (brokenStore) Save(*events.Snapshot) error     { return nil }

func TestStoreLoadError(t *testing.T) {
	if _, err := events.New(events.WithStore(brokenStore{})); err == nil {
		t.Error("New with a failing store succeeded")
	}
}

// Queued deliveries survive a restart (the old service is abandoned without
// closing anything, as after kill -9).
func TestFileQueueRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "queue.jsonl")
	store := events.FileStore{Path: filepath.Join(t.TempDir(), "events.json")}
	f := newFixture(t, events.WithStore(store), events.WithQueue(events.NewFileQueue(path)))
	setupRule(t, f, types.Target{InputPath: aws.String("$.detail")})
	f.rec.fails, f.rec.err = 1, errors.New("flaky")
	putTestEvent(t, f, `{"n":1}`)
	f.svc.DeliverDue(ctx) // fails: queued for retry
	putTestEvent(t, f, `{"n":2}`)
	putTestEvent(t, f, `{"n":3}`)
	f.svc.DeliverDue(ctx) // delivers n=2 and n=3; n=1 waits for its back-off
	if got := f.svc.Pending(); got != 1 {
		t.Fatalf("pending before restart = %d, want 1", got)
	}

	g := newFixture(t, events.WithStore(store), events.WithQueue(events.NewFileQueue(path)))
	if got := g.svc.Pending(); got != 1 {
		t.Fatalf("pending after restart = %d, want 1", got)
	}
	g.svc.DeliverDue(ctx)
	got := g.rec.deliveries()
	if len(got) != 1 || string(got[0].Input) != `{"n":1}` || got[0].TargetARN != machineARN {
		t.Fatalf("deliveries after restart = %+v", got)
	}

	h := newFixture(t, events.WithStore(store), events.WithQueue(events.NewFileQueue(path)))
	if got := h.svc.Pending(); got != 0 {
		t.Errorf("pending after a second restart = %d, want 0", got)
	}
}

func TestFileQueueTornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue.jsonl")
	q := events.NewFileQueue(path)
	if err := q.Add([]events.QueuedDelivery{{ID: "a", Event: []byte(`{}`), Input: []byte(`1`)}, {ID: "b", Event: []byte(`{}`), Input: []byte(`2`)}}); err != nil {
		t.Fatal(err)
	}
	if err := q.Done([]string{"a"}); err != nil {
		t.Fatal(err)
	}
	q.Close()
	appendFile(t, path, `{"Add":{"ID":"c"`) // a write cut short by a crash
	items, err := events.NewFileQueue(path).Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].ID != "b" {
		t.Errorf("Load = %+v, want only b", items)
	}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

type failingStore struct{}

func (failingStore) Load() (*events.Snapshot, error) { return nil, nil }
func (failingStore) Save(*events.Snapshot) error     { return errors.New("disk full") }

// A store that cannot save does not fail the API call (the change is live);
// StoreErr reports it.
func TestStoreSaveError(t *testing.T) {
	f := newFixture(t, events.WithStore(failingStore{}))
	if _, err := f.client.PutRule(context.Background(), &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"a":["b"]}`)}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.StoreErr(); err == nil {
		t.Error("StoreErr = nil after a failed save")
	}
}
