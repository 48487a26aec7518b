package logs_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/logs"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Now() time.Time { return c.now() }

func (c *clock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	svc    *logs.Service
	client *cwl.Client
	clock  *clock
	url    string
}

func newEnv(t *testing.T, dir string, opts ...logs.Option) *env {
	t.Helper()
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	return startEnv(t, dir, c, opts...)
}

func startEnv(t *testing.T, dir string, c *clock, opts ...logs.Option) *env {
	t.Helper()
	opts = append([]logs.Option{logs.WithClock(c)}, opts...)
	if dir != "" {
		opts = append(opts, logs.WithDataDir(dir))
	}
	svc, err := logs.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc)
	t.Cleanup(func() {
		srv.Close()
		svc.Close()
	})
	client := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	return &env{svc: svc, client: client, clock: c, url: srv.URL}
}

func (e *env) put(t *testing.T, group, stream string, msgs ...string) {
	t.Helper()
	var evs []types.InputLogEvent
	ts := e.clock.now().UnixMilli()
	for _, m := range msgs {
		evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(m)})
	}
	if _, err := e.client.PutLogEvents(t.Context(), &cwl.PutLogEventsInput{LogGroupName: aws.String(group),
		LogStreamName: aws.String(stream), LogEvents: evs}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) setup(t *testing.T, group string, streams ...string) {
	t.Helper()
	if _, err := e.client.CreateLogGroup(t.Context(), &cwl.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	for _, s := range streams {
		if _, err := e.client.CreateLogStream(t.Context(), &cwl.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(s)}); err != nil {
			t.Fatal(err)
		}
	}
}

func messages[T any](events []T, msg func(T) *string) []string {
	out := []string{}
	for _, e := range events {
		out = append(out, aws.ToString(msg(e)))
	}
	return out
}

func filtered(events []types.FilteredLogEvent) []string {
	return messages(events, func(e types.FilteredLogEvent) *string { return e.Message })
}

func (e *env) filterAll(t *testing.T, in *cwl.FilterLogEventsInput) []string {
	t.Helper()
	var got []string
	p := cwl.NewFilterLogEventsPaginator(e.client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, filtered(page.Events)...)
	}
	return got
}

func TestGroupsAndStreams(t *testing.T) {
	e := newEnv(t, "")
	ctx := t.Context()
	e.setup(t, "/aws/lambda/b", "s1")
	e.setup(t, "/aws/lambda/a", "2026/03/01/[$LATEST]0123", "2026/03/01/[$LATEST]4567")
	e.setup(t, "/aws/vendedlogs/states/x")
	if _, err := e.client.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/aws/lambda/a"), RetentionInDays: aws.Int32(30)}); err != nil {
		t.Fatal(err)
	}

	out, err := e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/")})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range out.LogGroups {
		names = append(names, aws.ToString(g.LogGroupName))
	}
	if diff := cmp.Diff(names, []string{"/aws/lambda/a", "/aws/lambda/b"}); diff != "" {
		t.Errorf("groups (-got +want):\n%s", diff)
	}
	if got := aws.ToInt32(out.LogGroups[0].RetentionInDays); got != 30 {
		t.Errorf("retention = %d, want 30", got)
	}
	if got := aws.ToString(out.LogGroups[0].Arn); got != "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/a:*" {
		t.Errorf("arn = %s", got)
	}

	// Paging: one group per page.
	var paged []string
	p := cwl.NewDescribeLogGroupsPaginator(e.client, &cwl.DescribeLogGroupsInput{Limit: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range page.LogGroups {
			paged = append(paged, aws.ToString(g.LogGroupName))
		}
	}
	if diff := cmp.Diff(paged, []string{"/aws/lambda/a", "/aws/lambda/b", "/aws/vendedlogs/states/x"}); diff != "" {
		t.Errorf("paged groups (-got +want):\n%s", diff)
	}

	e.put(t, "/aws/lambda/a", "2026/03/01/[$LATEST]4567", "hello")
	streams, err := e.client.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/lambda/a"),
		OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(streams.LogStreams) != 2 || aws.ToString(streams.LogStreams[0].LogStreamName) != "2026/03/01/[$LATEST]4567" {
		t.Fatalf("streams = %+v", streams.LogStreams)
	}
	if got, want := aws.ToInt64(streams.LogStreams[0].LastEventTimestamp), e.clock.now().UnixMilli(); got != want {
		t.Errorf("lastEventTimestamp = %d, want %d", got, want)
	}

	// AWS's errors.
	var notFound *types.ResourceNotFoundException
	_, err = e.client.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("/nope")})
	if !errors.As(err, &notFound) || aws.ToString(notFound.Message) != "The specified log group does not exist." {
		t.Errorf("describe streams of a missing group: %v", err)
	}
	var exists *types.ResourceAlreadyExistsException
	if _, err := e.client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/aws/lambda/a")}); !errors.As(err, &exists) {
		t.Errorf("create an existing group: %v", err)
	}
	var invalid *types.InvalidParameterException
	if _, err := e.client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("bad name")}); !errors.As(err, &invalid) {
		t.Errorf("create a group with a space in its name: %v", err)
	}
	if _, err := e.client.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/aws/lambda/a"), RetentionInDays: aws.Int32(2)}); !errors.As(err, &invalid) {
		t.Errorf("retention of 2 days: %v", err)
	}
	_, err = e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("/aws/lambda/a"), LogStreamName: aws.String("nope"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(1), Message: aws.String("x")}}})
	if !errors.As(err, &notFound) || aws.ToString(notFound.Message) != "The specified log stream does not exist." {
		t.Errorf("put to a missing stream: %v", err)
	}
	if _, err := e.client.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/aws/lambda/b")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/aws/lambda/b")}); !errors.As(err, &notFound) {
		t.Errorf("delete a deleted group: %v", err)
	}
}

func TestPutLogEventsRules(t *testing.T) {
	e := newEnv(t, "")
	ctx := t.Context()
	e.setup(t, "g", "s")
	now := e.clock.now().UnixMilli()
	ev := func(ts int64, m string) types.InputLogEvent {
		return types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(m)}
	}
	var invalid *types.InvalidParameterException
	_, err := e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{ev(now, "b"), ev(now-1, "a")}})
	if !errors.As(err, &invalid) {
		t.Errorf("events out of order: %v", err)
	}
	day := int64(24 * time.Hour / time.Millisecond)
	_, err = e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{ev(now-2*day, "a"), ev(now, "b")}})
	if !errors.As(err, &invalid) {
		t.Errorf("a batch spanning 48 hours: %v", err)
	}
	// Too old (over 14 days) and too new (over 2 hours ahead) are rejected, the rest accepted.
	hour := int64(time.Hour / time.Millisecond)
	out, err := e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{ev(now-14*day-hour, "old"), ev(now-14*day-hour+1, "old2"), ev(now-14*day+hour, "kept")}})
	if err != nil {
		t.Fatal(err)
	}
	if r := out.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 1 || r.TooNewLogEventStartIndex != nil {
		t.Errorf("rejected = %+v", out.RejectedLogEventsInfo)
	}
	out, err = e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{ev(now, "now"), ev(now+3*hour, "future")}})
	if err != nil {
		t.Fatal(err)
	}
	if r := out.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.TooNewLogEventStartIndex) != 1 {
		t.Errorf("rejected = %+v", out.RejectedLogEventsInfo)
	}
	got := e.filterAll(t, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g")})
	if diff := cmp.Diff(got, []string{"kept", "now"}); diff != "" {
		t.Errorf("stored (-got +want):\n%s", diff)
	}
}

func TestGetLogEventsPaging(t *testing.T) {
	e := newEnv(t, "")
	e.setup(t, "g", "s")
	var want []string
	for i := range 7 {
		m := fmt.Sprintf("line %d", i)
		want = append(want, m)
		e.put(t, "g", "s", m)
		e.clock.add(time.Millisecond)
	}
	// Forward from the head, two at a time, as the SDK paginator goes (it stops when the token repeats).
	var got []string
	p := cwl.NewGetLogEventsPaginator(e.client, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		StartFromHead: aws.Bool(true), Limit: aws.Int32(2)},
		// AWS answers the last page's token again; the SDK stops on that only when asked to.
		func(o *cwl.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, messages(page.Events, func(e types.OutputLogEvent) *string { return e.Message })...)
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("forward (-got +want):\n%s", diff)
	}
	// Without startFromHead: the latest events, then backwards.
	out, err := e.client.GetLogEvents(t.Context(), &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), Limit: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(messages(out.Events, func(e types.OutputLogEvent) *string { return e.Message }), want[4:]); diff != "" {
		t.Errorf("tail (-got +want):\n%s", diff)
	}
	back, err := e.client.GetLogEvents(t.Context(), &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		Limit: aws.Int32(3), NextToken: out.NextBackwardToken})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(messages(back.Events, func(e types.OutputLogEvent) *string { return e.Message }), want[1:4]); diff != "" {
		t.Errorf("backward (-got +want):\n%s", diff)
	}
	var invalid *types.InvalidParameterException
	if _, err := e.client.GetLogEvents(t.Context(), &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		NextToken: aws.String("f/garbage")}); !errors.As(err, &invalid) {
		t.Errorf("bad token: %v", err)
	}
}

func TestFilterLogEvents(t *testing.T) {
	e := newEnv(t, "")
	e.setup(t, "g", "a", "b")
	e.put(t, "g", "a", `{"level":"INFO","msg":"validated","key":"incoming/orders/good.csv"}`)
	e.put(t, "g", "b", `{"level":"ERROR","msg":"rejected","key":"incoming/orders/bad.csv"}`)
	e.clock.add(time.Second)
	e.put(t, "g", "a", "REPORT RequestId: 1 Duration: 2.00 ms")
	e.put(t, "g", "b", "START RequestId: 2 Version: $LATEST")

	tests := []struct {
		name string
		in   cwl.FilterLogEventsInput
		want []string
	}{
		{"everything in time order", cwl.FilterLogEventsInput{}, []string{
			`{"level":"INFO","msg":"validated","key":"incoming/orders/good.csv"}`,
			`{"level":"ERROR","msg":"rejected","key":"incoming/orders/bad.csv"}`,
			"REPORT RequestId: 1 Duration: 2.00 ms", "START RequestId: 2 Version: $LATEST"}},
		{"quoted key", cwl.FilterLogEventsInput{FilterPattern: aws.String(`"incoming/orders/bad.csv"`)}, []string{
			`{"level":"ERROR","msg":"rejected","key":"incoming/orders/bad.csv"}`}},
		{"json", cwl.FilterLogEventsInput{FilterPattern: aws.String(`{ $.level = "ERROR" }`)}, []string{
			`{"level":"ERROR","msg":"rejected","key":"incoming/orders/bad.csv"}`}},
		{"terms", cwl.FilterLogEventsInput{FilterPattern: aws.String(`?REPORT ?START`)}, []string{
			"REPORT RequestId: 1 Duration: 2.00 ms", "START RequestId: 2 Version: $LATEST"}},
		{"stream names", cwl.FilterLogEventsInput{LogStreamNames: []string{"a"}, FilterPattern: aws.String("REPORT")}, []string{
			"REPORT RequestId: 1 Duration: 2.00 ms"}},
		{"start time", cwl.FilterLogEventsInput{StartTime: aws.Int64(e.clock.now().UnixMilli()), LogStreamNamePrefix: aws.String("b")}, []string{
			"START RequestId: 2 Version: $LATEST"}},
		{"paged one by one", cwl.FilterLogEventsInput{Limit: aws.Int32(1), FilterPattern: aws.String("RequestId")}, []string{
			"REPORT RequestId: 1 Duration: 2.00 ms", "START RequestId: 2 Version: $LATEST"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.LogGroupName = aws.String("g")
			if diff := cmp.Diff(e.filterAll(t, &in), tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
	var invalid *types.InvalidParameterException
	if _, err := e.client.FilterLogEvents(t.Context(), &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String(`{ $.a = `)}); !errors.As(err, &invalid) {
		t.Errorf("bad pattern: %v", err)
	}
	if _, err := e.client.FilterLogEvents(t.Context(), &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"),
		LogStreamNames: []string{"a"}, LogStreamNamePrefix: aws.String("a")}); !errors.As(err, &invalid) {
		t.Errorf("names and prefix: %v", err)
	}
}

func TestRestartAndRetention(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	e := startEnv(t, dir, c)
	e.setup(t, "short", "s")
	e.setup(t, "forever", "s")
	if err := e.svc.CreateLogGroup(t.Context(), "short", 1, true); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		e.put(t, "short", "s", fmt.Sprintf("old %d", i))
		e.put(t, "forever", "s", fmt.Sprintf("kept %d", i))
	}
	if err := e.svc.Close(); err != nil {
		t.Fatal(err)
	}

	// After a restart, everything is there.
	e = startEnv(t, dir, c)
	if got := len(e.filterAll(t, &cwl.FilterLogEventsInput{LogGroupName: aws.String("short")})); got != 50 {
		t.Fatalf("after restart: %d events in short, want 50", got)
	}
	segments := func() int {
		entries, err := os.ReadDir(filepath.Join(dir, "segments"))
		if err != nil {
			t.Fatal(err)
		}
		return len(entries)
	}
	before := segments()

	// Two days later the one-day group is empty; the other keeps everything, and new events land.
	c.add(48 * time.Hour)
	e.svc.Expire(t.Context())
	if got := e.filterAll(t, &cwl.FilterLogEventsInput{LogGroupName: aws.String("short")}); len(got) != 0 {
		t.Errorf("after retention: %d events in short, want 0", len(got))
	}
	if got := len(e.filterAll(t, &cwl.FilterLogEventsInput{LogGroupName: aws.String("forever")})); got != 50 {
		t.Errorf("forever: %d events, want 50", got)
	}
	e.put(t, "short", "s", "new")
	if err := e.svc.Close(); err != nil {
		t.Fatal(err)
	}
	e = startEnv(t, dir, c)
	if diff := cmp.Diff(e.filterAll(t, &cwl.FilterLogEventsInput{LogGroupName: aws.String("short")}), []string{"new"}); diff != "" {
		t.Errorf("short after restart (-got +want):\n%s", diff)
	}
	if got := len(e.filterAll(t, &cwl.FilterLogEventsInput{LogGroupName: aws.String("forever")})); got != 50 {
		t.Errorf("forever after restart: %d events, want 50", got)
	}
	// Deleting the group that shares the old segments reclaims them.
	if _, err := e.client.DeleteLogGroup(t.Context(), &cwl.DeleteLogGroupInput{LogGroupName: aws.String("forever")}); err != nil {
		t.Fatal(err)
	}
	if after := segments(); after >= before+1 {
		t.Errorf("segments: %d before, %d after expiry and deletion; want fewer", before, after)
	}
}
