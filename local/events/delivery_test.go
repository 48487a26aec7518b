package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sluicehq/sluice/local/events"
)

const machineARN = "arn:aws:states:us-east-1:123456789012:stateMachine:pipeline"

// setupRule creates a rule on S3 "Object Created" events with one target.
func setupRule(t *testing.T, f *fixture, target types.Target) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.client.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("objects"),
		EventPattern: aws.String(`{"source":["sluice.test"],"detail-type":["Object Created"]}`)}); err != nil {
		t.Fatal(err)
	}
	if target.Id == nil {
		target.Id = aws.String("sfn")
	}
	if target.Arn == nil {
		target.Arn = aws.String(machineARN)
	}
	if _, err := f.client.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("objects"), Targets: []types.Target{target}}); err != nil {
		t.Fatal(err)
	}
}

// putTestEvent puts one "Object Created" event through the PutEvents API. Its source is a custom one:
// sources starting with "aws." are AWS's own, which PutEvents refuses (TestPutEventsRefusesAWSSource).
func putTestEvent(t *testing.T, f *fixture, detail string) string {
	t.Helper()
	out, err := f.client.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		Source: aws.String("sluice.test"), DetailType: aws.String("Object Created"), Detail: aws.String(detail),
		Resources: []string{"arn:aws:s3:::bucket"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents failed entries: %+v", out.Entries)
	}
	return aws.ToString(out.Entries[0].EventId)
}

func TestPutEventsDeliversWholeEvent(t *testing.T) {
	f := newFixture(t)
	setupRule(t, f, types.Target{})
	id := putTestEvent(t, f, `{"bucket": {"name": "bucket"}, "object": {"key": "a b.csv", "size": 3}}`)
	if n := f.svc.DeliverDue(context.Background()); n != 1 {
		t.Fatalf("DeliverDue = %d attempts, want 1", n)
	}
	got := f.rec.deliveries()
	if len(got) != 1 {
		t.Fatalf("deliveries = %d, want 1", len(got))
	}
	want := `{"version":"0","id":"` + id + `","detail-type":"Object Created","source":"sluice.test","account":"123456789012",` +
		`"time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":["arn:aws:s3:::bucket"],` +
		`"detail":{"bucket":{"name":"bucket"},"object":{"key":"a b.csv","size":3}}}`
	if diff := cmp.Diff(string(got[0].Input), want); diff != "" {
		t.Errorf("input (-got +want):\n%s", diff)
	}
	if got[0].TargetARN != machineARN || got[0].RuleName != "objects" || got[0].RuleARN != "arn:aws:events:us-east-1:123456789012:rule/objects" {
		t.Errorf("delivery = %+v", got[0])
	}
}

func TestPutEventsNoMatchAndDisabled(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	setupRule(t, f, types.Target{})
	if _, err := f.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		Source: aws.String("aws.ec2"), DetailType: aws.String("Object Created"), Detail: aws.String(`{}`)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("objects")}); err != nil {
		t.Fatal(err)
	}
	putTestEvent(t, f, `{}`)
	if n := f.svc.DeliverDue(ctx); n != 0 {
		t.Errorf("DeliverDue = %d, want 0 (no match, then rule disabled)", n)
	}
}

// Per-entry failures, https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html.
func TestPutEventsEntryErrors(t *testing.T) {
	f := newFixture(t)
	out, err := f.client.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{DetailType: aws.String("d"), Detail: aws.String(`{}`)},
		{Source: aws.String("s"), Detail: aws.String(`{}`)},
		{Source: aws.String("s"), DetailType: aws.String("d")},
		{Source: aws.String("s"), DetailType: aws.String("d"), Detail: aws.String(`[1]`)},
		{Source: aws.String("s"), DetailType: aws.String("d"), Detail: aws.String(`{}`), EventBusName: aws.String("orders")},
		{Source: aws.String("s"), DetailType: aws.String("d"), Detail: aws.String(`{}`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var got [][2]string
	for _, e := range out.Entries {
		got = append(got, [2]string{aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage)})
	}
	want := [][2]string{
		{"InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."},
		{"InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."},
		{"InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."},
		{"MalformedDetail", "Detail is malformed."},
		{"", ""},
		{"", ""},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("entries (-got +want):\n%s", diff)
	}
	if out.FailedEntryCount != 4 || aws.ToString(out.Entries[4].EventId) == "" || aws.ToString(out.Entries[5].EventId) == "" {
		t.Errorf("FailedEntryCount = %d, entries %+v", out.FailedEntryCount, out.Entries)
	}
}

// Input, InputPath and InputTransformer as documented in
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html.
func TestTargetInput(t *testing.T) {
	detail := `{"bucket":{"name":"bkt"},"object":{"key":"in/a.csv","size":12},"tags":["x","y"]}`
	tests := []struct {
		name   string
		target types.Target
		want   string
	}{
		{"constant input", types.Target{Input: aws.String(`{"fixed":true}`)}, `{"fixed":true}`},
		{"input path object", types.Target{InputPath: aws.String("$.detail.object")}, `{"key":"in/a.csv","size":12}`},
		{"input path index", types.Target{InputPath: aws.String("$.detail.tags[1]")}, `"y"`},
		{"transformer json", types.Target{InputTransformer: &types.InputTransformer{
			InputPathsMap: map[string]string{"key": "$.detail.object.key", "size": "$.detail.object.size", "obj": "$.detail.object"},
			InputTemplate: aws.String(`{"key": <key>, "size": <size>, "obj": <obj>, "text": "got <key> (<size> bytes)", "rule": <aws.events.rule-name>}`)}},
			`{"key": "in/a.csv", "size": 12, "obj": {"key":"in/a.csv","size":12}, "text": "got in/a.csv (12 bytes)", "rule": "objects"}`},
		{"transformer string", types.Target{InputTransformer: &types.InputTransformer{
			InputPathsMap: map[string]string{"key": "$.detail.object.key"},
			InputTemplate: aws.String(`"object <key> in rule <aws.events.rule-arn>"`)}},
			`"object in/a.csv in rule arn:aws:events:us-east-1:123456789012:rule/objects"`},
		{"transformer missing path", types.Target{InputTransformer: &types.InputTransformer{
			InputPathsMap: map[string]string{"v": "$.detail.version-id"},
			InputTemplate: aws.String(`{"v": <v>, "s": "[<v>]"}`)}},
			`{"v": null, "s": "[]"}`},
		{"transformer built-ins", types.Target{InputTransformer: &types.InputTransformer{
			InputTemplate: aws.String(`{"t": <aws.events.event.ingestion-time>, "ev": <aws.events.event>, "full": <aws.events.event.json>}`)}},
			`{"t": "2026-01-02T03:04:05Z", "ev": {"account":"123456789012","detail-type":"Object Created","id":"event-1",` +
				`"region":"us-east-1","resources":["arn:aws:s3:::bucket"],"source":"sluice.test","time":"2026-01-02T03:04:05Z","version":"0"}, ` +
				`"full": {"version":"0","id":"event-1","detail-type":"Object Created","source":"sluice.test","account":"123456789012",` +
				`"time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":["arn:aws:s3:::bucket"],"detail":` + detail + `}}`},
		{"transformer unknown placeholder kept", types.Target{InputTransformer: &types.InputTransformer{
			InputTemplate: aws.String(`{"a": "<nope>"}`)}},
			`{"a": "<nope>"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			setupRule(t, f, tt.target)
			putTestEvent(t, f, detail)
			f.svc.DeliverDue(context.Background())
			got := f.rec.deliveries()
			if len(got) != 1 {
				t.Fatalf("deliveries = %d", len(got))
			}
			if diff := cmp.Diff(string(got[0].Input), tt.want); diff != "" {
				t.Errorf("input (-got +want):\n%s", diff)
			}
		})
	}
}

// failure is a delivery error with an AWS-style code.
type failure struct {
	code      string
	retryable bool
}

func (e failure) Error() string     { return "target failed: " + e.code }
func (e failure) ErrorCode() string { return e.code }
func (e failure) Retryable() bool   { return e.retryable }

// Retries with back-off per the target's RetryPolicy, then the dead-letter
// list with AWS's DLQ attributes
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
func TestRetryThenDeadLetterThenRedrive(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, events.WithBackoff(time.Second, time.Minute))
	f.rec.fails, f.rec.err = 100, failure{code: "THROTTLING", retryable: true}
	setupRule(t, f, types.Target{RetryPolicy: &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(2), MaximumEventAgeInSeconds: aws.Int32(3600)},
		DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:dlq")}})
	putTestEvent(t, f, `{"n":1}`)

	// Attempt 0 now; with zero jitter the retries wait 0.5 s then 1 s
	// (half of 1 s, 2 s: "equal jitter" with the random part at 0).
	steps := []struct {
		advance  time.Duration
		attempts int
	}{{0, 1}, {499 * time.Millisecond, 0}, {time.Millisecond, 1}, {999 * time.Millisecond, 0}, {time.Millisecond, 1}, {time.Hour, 0}}
	for i, st := range steps {
		f.clock.Advance(st.advance)
		if got := f.svc.DeliverDue(ctx); got != st.attempts {
			t.Fatalf("step %d: DeliverDue = %d, want %d", i, got, st.attempts)
		}
	}
	var attempts []int
	for _, d := range f.rec.deliveries() {
		attempts = append(attempts, d.Attempt)
	}
	if diff := cmp.Diff(attempts, []int{0, 1, 2}); diff != "" {
		t.Errorf("attempts (-got +want):\n%s", diff)
	}
	dead := f.svc.DeadLetters()
	if len(dead) != 1 {
		t.Fatalf("dead letters = %d, want 1", len(dead))
	}
	want := map[string]string{
		"RULE_ARN": "arn:aws:events:us-east-1:123456789012:rule/objects", "TARGET_ARN": machineARN,
		"ERROR_CODE": "THROTTLING", "ERROR_MESSAGE": "target failed: THROTTLING",
		"EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts", "RETRY_ATTEMPTS": "2",
	}
	if diff := cmp.Diff(dead[0].Attributes, want); diff != "" {
		t.Errorf("attributes (-got +want):\n%s", diff)
	}
	if dead[0].DeadLetterARN != "arn:aws:sqs:us-east-1:123456789012:dlq" || f.svc.Pending() != 0 {
		t.Errorf("dead letter %+v, pending %d", dead[0], f.svc.Pending())
	}

	f.rec.fails = 0
	if _, err := f.svc.Redrive(ctx, "no-such"); !errors.Is(err, events.ErrUnknownDeadLetter) {
		t.Errorf("Redrive(unknown) = %v, want ErrUnknownDeadLetter", err)
	}
	n, err := f.svc.Redrive(ctx, dead[0].ID)
	if err != nil || n != 1 {
		t.Fatalf("Redrive = %d, %v", n, err)
	}
	if got := f.svc.DeliverDue(ctx); got != 1 || len(f.svc.DeadLetters()) != 0 {
		t.Errorf("after redrive: DeliverDue = %d, dead letters %d", got, len(f.svc.DeadLetters()))
	}
	last := f.rec.deliveries()[3]
	if string(last.Input) != string(dead[0].Input) || last.Attempt != 0 {
		t.Errorf("redriven delivery = %+v", last)
	}
}

func TestMaximumEventAge(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, events.WithBackoff(40*time.Second, time.Hour))
	f.rec.fails, f.rec.err = 100, errors.New("boom")
	setupRule(t, f, types.Target{RetryPolicy: &types.RetryPolicy{MaximumEventAgeInSeconds: aws.Int32(60)}})
	putTestEvent(t, f, `{}`)
	f.svc.DeliverDue(ctx) // attempt 0; retry 1 after 20 s (age 20 s)
	f.clock.Advance(20 * time.Second)
	f.svc.DeliverDue(ctx) // attempt 1; retry 2 would come after 40 s more (age 60 s, not over)
	f.clock.Advance(40 * time.Second)
	f.svc.DeliverDue(ctx) // attempt 2; retry 3 would be at age 140 s: over
	dead := f.svc.DeadLetters()
	if len(dead) != 1 {
		t.Fatalf("dead letters = %d, deliveries %d", len(dead), len(f.rec.deliveries()))
	}
	if got := dead[0].Attributes["EXHAUSTED_RETRY_CONDITION"]; got != "MaximumEventAgeInSeconds" {
		t.Errorf("condition = %q", got)
	}
	if got := dead[0].Attributes["RETRY_ATTEMPTS"]; got != "2" {
		t.Errorf("RETRY_ATTEMPTS = %q, want 2", got)
	}
	if got := dead[0].Attributes["ERROR_CODE"]; got != "DELIVERY_FAILED" {
		t.Errorf("ERROR_CODE = %q", got)
	}
}

func TestNotRetryable(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.rec.fails, f.rec.err = 1, failure{code: "RESOURCE_NOT_FOUND"}
	setupRule(t, f, types.Target{})
	putTestEvent(t, f, `{}`)
	f.svc.DeliverDue(ctx)
	dead := f.svc.DeadLetters()
	if len(dead) != 1 || f.svc.Pending() != 0 {
		t.Fatalf("dead letters = %d, pending %d", len(dead), f.svc.Pending())
	}
	if _, ok := dead[0].Attributes["EXHAUSTED_RETRY_CONDITION"]; ok || dead[0].Attributes["RETRY_ATTEMPTS"] != "0" {
		t.Errorf("attributes = %v", dead[0].Attributes)
	}
}

func TestPublish(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	setupRule(t, f, types.Target{InputPath: aws.String("$.detail.object.key")})
	if _, err := f.svc.Publish(ctx, events.Entry{Source: "sluice.test", DetailType: "Object Created",
		Detail: json.RawMessage(`{"object":{"key":"k1"}}`)}); err != nil {
		t.Fatal(err)
	}
	full := `{"version":"0","id":"s3-1","detail-type":"Object Created","source":"sluice.test","account":"123456789012",` +
		`"time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":[],"detail":{"object":{"key":"k2"}}}`
	if err := f.svc.PublishEvent(ctx, []byte(full)); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.PublishEvent(ctx, []byte(`[]`)); !errors.Is(err, events.ErrInvalidEntry) {
		t.Errorf("PublishEvent([]) = %v, want ErrInvalidEntry", err)
	}
	if _, err := f.svc.Publish(ctx, events.Entry{Source: "s", DetailType: "d", Detail: json.RawMessage(`1`)}); !errors.Is(err, events.ErrInvalidEntry) {
		t.Errorf("Publish with a non-object detail = %v, want ErrInvalidEntry", err)
	}
	if _, err := f.svc.Publish(ctx, events.Entry{DetailType: "d"}); !errors.Is(err, events.ErrInvalidEntry) {
		t.Errorf("Publish without source = %v, want ErrInvalidEntry", err)
	}
	f.svc.DeliverDue(ctx)
	var keys []string
	for _, d := range f.rec.deliveries() {
		keys = append(keys, string(d.Input))
	}
	if diff := cmp.Diff(keys, []string{`"k1"`, `"k2"`}, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("inputs (-got +want):\n%s", diff)
	}
}

func TestNoDeliverer(t *testing.T) {
	ctx := context.Background()
	svc, err := events.New()
	if err != nil {
		t.Fatal(err)
	}
	put := func(op string, v any) {
		t.Helper()
		b, _ := json.Marshal(v)
		if _, apiErr := invoke(svc, op, b); apiErr != "" {
			t.Fatalf("%s: %s", op, apiErr)
		}
	}
	put("PutRule", map[string]string{"Name": "r", "EventPattern": `{"source":["s"]}`})
	put("PutTargets", map[string]any{"Rule": "r", "Targets": []map[string]string{{"Id": "t", "Arn": machineARN}}})
	if _, err := svc.Publish(ctx, events.Entry{Source: "s", DetailType: "d"}); err != nil {
		t.Fatal(err)
	}
	svc.DeliverDue(ctx)
	if dead := svc.DeadLetters(); len(dead) != 1 || dead[0].Attributes["ERROR_CODE"] != "NO_DELIVERER" {
		t.Errorf("dead letters = %+v", dead)
	}
}

// TestPutEventsRefusesAWSSource checks that a client cannot pose as an AWS service: an entry whose source
// starts with "aws." fails with NotAuthorizedForSourceException
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsResultEntry.html) and reaches
// no rule, while the other entries of the request are accepted.
func TestPutEventsRefusesAWSSource(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.client.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("any"),
		EventPattern: aws.String(`{"detail-type":["Object Created"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("any"),
		Targets: []types.Target{{Id: aws.String("sfn"), Arn: aws.String(machineARN)}}}); err != nil {
		t.Fatal(err)
	}
	out, err := f.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("aws.s3"), DetailType: aws.String("Object Created"), Detail: aws.String(`{}`)},
		{Source: aws.String("sluice.test"), DetailType: aws.String("Object Created"), Detail: aws.String(`{}`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{aws.ToString(out.Entries[0].ErrorCode), aws.ToString(out.Entries[1].ErrorCode)}
	if diff := cmp.Diff(got, []string{"NotAuthorizedForSourceException", ""}); diff != "" || out.FailedEntryCount != 1 {
		t.Errorf("entry error codes (-got +want), %d failed:\n%s", out.FailedEntryCount, diff)
	}
	if n := f.svc.DeliverDue(ctx); n != 1 {
		t.Errorf("DeliverDue = %d attempts, want 1 (the custom-source event only)", n)
	}
}
