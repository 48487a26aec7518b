package events_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/events"
)

// Rules, targets and dead letters survive a restart through a Store.
func TestFileStoreRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "events-state.log")
	f := newFixture(t, events.WithStore(events.NewFileStore(path, true, nil)))
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

	// A new store over the same file, as after kill -9: the old one is abandoned unclosed.
	g := newFixture(t, events.WithStore(events.NewFileStore(path, true, nil)))
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
	dir := t.TempDir()
	path, state := filepath.Join(dir, "queue.log"), filepath.Join(dir, "state.log")
	open := func() *fixture {
		return newFixture(t, events.WithStore(events.NewFileStore(state, false, nil)),
			events.WithQueue(events.NewFileQueue(path, false, nil)))
	}
	f := open()
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

	g := open()
	if got := g.svc.Pending(); got != 1 {
		t.Fatalf("pending after restart = %d, want 1", got)
	}
	g.svc.DeliverDue(ctx)
	got := g.rec.deliveries()
	if len(got) != 1 || string(got[0].Input) != `{"n":1}` || got[0].TargetARN != machineARN {
		t.Fatalf("deliveries after restart = %+v", got)
	}

	h := open()
	if got := h.svc.Pending(); got != 0 {
		t.Errorf("pending after a second restart = %d, want 0", got)
	}
}

func TestFileQueueTornRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue.log")
	q := events.NewFileQueue(path, true, nil)
	if err := q.Add([]events.QueuedDelivery{{ID: "a", Event: []byte(`{}`), Input: []byte(`1`)}, {ID: "b", Event: []byte(`{}`), Input: []byte(`2`)}}); err != nil {
		t.Fatal(err)
	}
	if err := q.Done([]string{"a"}); err != nil {
		t.Fatal(err)
	}
	q.Close()
	appendFile(t, path, "\xf1\x0c\xe5\x5a\x40\x00") // a record cut short by a crash
	q2 := events.NewFileQueue(path, true, slog.New(slog.DiscardHandler))
	defer q2.Close()
	items, err := q2.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].ID != "b" {
		t.Errorf("Load = %+v, want only b", items)
	}
}

// TestFileQueueCorruptRecord flips a byte inside one queued delivery: only that delivery
// is lost, the ones queued after it are kept, and the loss is logged at Error level (the
// measured failure: everything after the damaged line was dropped).
func TestFileQueueCorruptRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue.log")
	q := events.NewFileQueue(path, false, nil)
	for i := range 10 {
		if err := q.Add([]events.QueuedDelivery{{ID: fmt.Sprintf("d%d", i), Event: []byte(`{}`), Input: []byte(fmt.Sprintf(`{"n":%d}`, i))}}); err != nil {
			t.Fatal(err)
		}
	}
	q.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(data, []byte(`"ID":"d4"`))
	if at < 0 {
		t.Fatal("no record for d4")
	}
	data[at+7] ^= 0x01
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	q2 := events.NewFileQueue(path, false, slog.New(slog.NewTextHandler(&logs, nil)))
	defer q2.Close()
	items, err := q2.Load()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, it.ID)
	}
	want := []string{"d0", "d1", "d2", "d3", "d5", "d6", "d7", "d8", "d9"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("loaded (-got +want):\n%s", diff)
	}
	if !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("the lost delivery was not logged at Error level:\n%s", logs.String())
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

// A change that cannot be saved is refused with InternalException and undone: the rule
// is not there afterwards, and StoreErr reports the failure.
func TestStoreSaveError(t *testing.T) {
	ctx := t.Context()
	store := &flakyStore{}
	f := newFixture(t, events.WithStore(store))
	if _, err := f.client.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("kept"), EventPattern: aws.String(`{"a":["b"]}`)}); err != nil {
		t.Fatal(err)
	}
	store.fail(true)
	calls := []struct {
		name string
		call func() error
	}{
		{"PutRule", func() error {
			_, err := f.client.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("lost"), EventPattern: aws.String(`{"a":["b"]}`)})
			return err
		}},
		{"PutTargets", func() error {
			_, err := f.client.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("kept"),
				Targets: []types.Target{{Id: aws.String("t"), Arn: aws.String(machineARN)}}})
			return err
		}},
		{"DisableRule", func() error {
			_, err := f.client.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("kept")})
			return err
		}},
		{"DeleteRule", func() error {
			_, err := f.client.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("kept")})
			return err
		}},
	}
	for _, c := range calls {
		err := c.call()
		var re *smithyhttp.ResponseError
		if code, _ := apiError(t, err); code != "InternalException" || !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
			t.Errorf("%s with a failing store = %v, want InternalException (500)", c.name, err)
		}
	}
	if err := f.svc.StoreErr(); err == nil {
		t.Error("StoreErr = nil after a failed save")
	}
	store.fail(false)
	if _, err := f.client.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("lost")}); err == nil {
		t.Error("the rule whose save failed exists")
	}
	desc, err := f.client.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("kept")})
	if err != nil || desc.State != types.RuleStateEnabled {
		t.Errorf("kept rule = %+v, %v; want it unchanged (ENABLED)", desc, err)
	}
	lt, err := f.client.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("kept")})
	if err != nil || len(lt.Targets) != 0 {
		t.Errorf("targets = %+v, %v; want none (their save failed)", lt, err)
	}
}

// flakyStore fails its saves while told to.
type flakyStore struct {
	mu      sync.Mutex
	failing bool
}

func (s *flakyStore) fail(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = on
}

func (s *flakyStore) Load() (*events.Snapshot, error) { return nil, nil }

func (s *flakyStore) Save(*events.Snapshot) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing {
		return syscall.ENOSPC
	}
	return nil
}

// flakyQueue fails its writes while told to.
type flakyQueue struct {
	mu      sync.Mutex
	failing bool
	added   int
}

func (q *flakyQueue) fail(on bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.failing = on
}

func (q *flakyQueue) Add(items []events.QueuedDelivery) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.failing {
		return syscall.ENOSPC
	}
	q.added += len(items)
	return nil
}

func (q *flakyQueue) Done([]string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.failing {
		return syscall.ENOSPC
	}
	return nil
}

func (q *flakyQueue) Load() ([]events.QueuedDelivery, error) { return nil, nil }

// An event whose deliveries cannot be queued durably is refused: PutEvents reports the
// entry as InternalFailure (retryable), PublishEvent returns an error (so S3 keeps the event
// and offers it again), and nothing is delivered; once the queue works, events flow again.
func TestQueueWriteError(t *testing.T) {
	ctx := t.Context()
	q := &flakyQueue{}
	f := newFixture(t, events.WithQueue(q))
	setupRule(t, f, types.Target{})
	q.fail(true)
	out, err := f.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		Source: aws.String("sluice.test"), DetailType: aws.String("Object Created"), Detail: aws.String(`{"k":1}`)}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.FailedEntryCount != 1 || aws.ToString(out.Entries[0].ErrorCode) != "InternalFailure" || out.Entries[0].EventId != nil {
		t.Errorf("PutEvents with a failing queue = %d failed, entry %+v; want one InternalFailure", out.FailedEntryCount, out.Entries[0])
	}
	ev := `{"version":"0","id":"e1","detail-type":"Object Created","source":"sluice.test","account":"123456789012","time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail":{}}`
	if err := f.svc.PublishEvent(ctx, []byte(ev)); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("PublishEvent with a failing queue = %v, want ENOSPC", err)
	}
	if got := f.svc.Pending(); got != 0 {
		t.Errorf("%d deliveries pending for refused events", got)
	}
	if err := f.svc.StoreErr(); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("StoreErr = %v, want ENOSPC", err)
	}
	q.fail(false)
	id := putTestEvent(t, f, `{"k":2}`)
	f.svc.DeliverDue(ctx)
	if got := f.rec.deliveries(); len(got) != 1 || got[0].EventID != id {
		t.Errorf("deliveries = %+v, want only the event accepted", got)
	}
}
