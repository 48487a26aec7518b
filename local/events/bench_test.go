package events_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/sluicehq/sluice/local/events"
)

const benchDetail = `{"version":"0","bucket":{"name":"example-bucket"},"object":{"key":"incoming/2026/data-000123.csv",` +
	`"size":5242880,"etag":"b1946ac92492d2347c6235b4d2611184","sequencer":"00617F08299329D189"},` +
	`"request-id":"N4N7GDK58NMKJ12R","requester":"123456789012","source-ip-address":"1.2.3.4","reason":"PutObject"}`

// benchRules adds n rules, one of which matches benchDetail, each with a target.
func benchRules(b *testing.B, f *fixture, n int) {
	b.Helper()
	ctx := context.Background()
	for i := range n {
		pat := `{"source":["sluice.test"],"detail":{"bucket":{"name":["bucket-` + strconv.Itoa(i) + `"]}}}`
		if i == 0 {
			pat = `{"source":["sluice.test"],"detail-type":["Object Created"],"detail":{"object":{"key":[{"prefix":"incoming/"}]}}}`
		}
		name := "r" + strconv.Itoa(i)
		if _, err := f.client.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(pat)}); err != nil {
			b.Fatal(err)
		}
		if _, err := f.client.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: []types.Target{
			{Id: aws.String("t"), Arn: aws.String(machineARN)}}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPublishInProcess is the baseline: routing an event to 20 rules
// and delivering it, without HTTP.
func BenchmarkPublishInProcess(b *testing.B) {
	f := newFixture(b)
	benchRules(b, f, 20)
	ctx := context.Background()
	detail := json.RawMessage(benchDetail)
	for b.Loop() {
		if _, err := f.svc.Publish(ctx, events.Entry{Source: "sluice.test", DetailType: "Object Created", Detail: detail}); err != nil {
			b.Fatal(err)
		}
		f.svc.DeliverDue(ctx)
	}
}

// BenchmarkPutEventsSDK is the same through the SDK client over HTTP.
func BenchmarkPutEventsSDK(b *testing.B) {
	f := newFixture(b)
	benchRules(b, f, 20)
	ctx := context.Background()
	in := &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		Source: aws.String("sluice.test"), DetailType: aws.String("Object Created"), Detail: aws.String(benchDetail)}}}
	for b.Loop() {
		if _, err := f.client.PutEvents(ctx, in); err != nil {
			b.Fatal(err)
		}
		f.svc.DeliverDue(ctx)
	}
}

// BenchmarkPublishJournaled is BenchmarkPublishInProcess with every
// delivery journaled to a FileQueue (without fsync, as the stack runs it).
func BenchmarkPublishJournaled(b *testing.B) {
	q := events.NewFileQueue(filepath.Join(b.TempDir(), "queue.log"), false, nil)
	b.Cleanup(func() { q.Close() })
	f := newFixture(b, events.WithQueue(q))
	benchRules(b, f, 20)
	ctx := context.Background()
	detail := json.RawMessage(benchDetail)
	for b.Loop() {
		if _, err := f.svc.Publish(ctx, events.Entry{Source: "sluice.test", DetailType: "Object Created", Detail: detail}); err != nil {
			b.Fatal(err)
		}
		f.svc.DeliverDue(ctx)
	}
}
