package events_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/events"
)

// Run delivers queued events without being called per event, and stops with
// its context.
func TestRun(t *testing.T) {
	delivered := make(chan events.Delivery, 1)
	svc, err := events.New(events.WithDeliverer(events.DelivererFunc(func(_ context.Context, d events.Delivery) error {
		delivered <- d
		return nil
	})))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()

	for _, call := range [][2]string{
		{"PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"s\"]}"}`},
		{"PutTargets", `{"Rule":"r","Targets":[{"Id":"t","Arn":"arn:aws:states:us-east-1:000000000000:stateMachine:m"}]}`},
	} {
		if _, e := invoke(svc, call[0], []byte(call[1])); e != "" {
			t.Fatal(e)
		}
	}
	id, err := svc.Publish(ctx, events.Entry{Source: "s", DetailType: "d"})
	if err != nil {
		t.Fatal(err)
	}
	if d := <-delivered; d.EventID != id {
		t.Errorf("delivered event %s, want %s", d.EventID, id)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
}

// A slow delivery does not hold back the next event.
func TestRunSlowDeliveryDoesNotBlock(t *testing.T) {
	release := make(chan struct{})
	fast := make(chan string, 1)
	svc, err := events.New(events.WithDeliverer(events.DelivererFunc(func(ctx context.Context, d events.Delivery) error {
		if string(d.Input) == `"slow"` {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}
		fast <- string(d.Input)
		return nil
	})))
	if err != nil {
		t.Fatal(err)
	}
	for _, call := range [][2]string{
		{"PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"s\"]}"}`},
		{"PutTargets", `{"Rule":"r","Targets":[{"Id":"t","Arn":"arn:aws:states:us-east-1:000000000000:stateMachine:m","InputPath":"$.detail.v"}]}`},
	} {
		if _, e := invoke(svc, call[0], []byte(call[1])); e != "" {
			t.Fatal(e)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	if _, err := svc.Publish(ctx, events.Entry{Source: "s", DetailType: "d", Detail: []byte(`{"v":"slow"}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Publish(ctx, events.Entry{Source: "s", DetailType: "d", Detail: []byte(`{"v":"fast"}`)}); err != nil {
		t.Fatal(err)
	}
	if got := <-fast; got != `"fast"` {
		t.Errorf("delivered %s", got)
	}
	close(release)
	cancel()
	<-done
	if n := svc.Pending(); n != 0 {
		t.Errorf("Pending after Run returned = %d, want 0", n)
	}
}

// Concurrent PutEvents calls through the SDK while Run delivers: every event
// reaches the target exactly once.
func TestConcurrentPutEvents(t *testing.T) {
	const writers, perWriter = 4, 50
	got := make(chan string, writers*perWriter)
	f := newFixture(t, events.WithDeliverer(events.DelivererFunc(func(_ context.Context, d events.Delivery) error {
		got <- d.EventID
		return nil
	})))
	setupRule(t, f, types.Target{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = f.svc.Run(ctx) }()

	ids := make(chan string, writers*perWriter)
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWriter {
				out, err := f.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
					Source: aws.String("sluice.test"), DetailType: aws.String("Object Created"), Detail: aws.String(`{}`)}}})
				if err != nil || out.FailedEntryCount != 0 {
					t.Errorf("PutEvents = %v, %v", out, err)
					return
				}
				ids <- aws.ToString(out.Entries[0].EventId)
			}
		}()
	}
	wg.Wait()
	close(ids)
	want := map[string]int{}
	for id := range ids {
		want[id]++
	}
	seen := map[string]int{}
	for range writers * perWriter {
		seen[<-got]++
	}
	if diff := cmp.Diff(seen, want); diff != "" {
		t.Errorf("delivered ids (-got +want):\n%s", diff)
	}
}
