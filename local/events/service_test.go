package events_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/local/events"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// AfterFunc runs f after d of real time: the service's delivery loop waits on its own timer and
// these tests drive delivery with DeliverDue and Advance.
func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

var _ events.Clock = (*fakeClock)(nil)

// recorder is a Deliverer that records deliveries and fails on demand.
type recorder struct {
	mu    sync.Mutex
	got   []events.Delivery
	fails int   // fail this many more calls
	err   error // with this error
}

func (r *recorder) Deliver(_ context.Context, d events.Delivery) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, d)
	if r.fails > 0 {
		r.fails--
		return r.err
	}
	return nil
}

func (r *recorder) deliveries() []events.Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]events.Delivery(nil), r.got...)
}

var _ events.Deliverer = (*recorder)(nil)

// fixture is a Service behind a real HTTP server and an SDK client for it.
type fixture struct {
	svc    *events.Service
	client *eventbridge.Client
	clock  *fakeClock
	rec    *recorder
	url    string
}

func newFixture(t testing.TB, opts ...events.Option) *fixture {
	t.Helper()
	f := &fixture{clock: newFakeClock(), rec: &recorder{}}
	var ids atomic.Int64
	base := []events.Option{
		events.WithClock(f.clock), events.WithDeliverer(f.rec), events.WithAccount("123456789012"),
		events.WithRegion("us-east-1"), events.WithRandom(func(n int64) int64 { return 0 }),
		events.WithIDs(func() string { return "event-" + strconv.FormatInt(ids.Add(1), 10) }),
	}
	svc, err := events.New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	f.svc, f.url = svc, srv.URL
	f.client = eventbridge.New(eventbridge.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDLOCAL", "SECRETLOCAL", ""),
		BaseEndpoint: aws.String(srv.URL),
		Retryer:      aws.NopRetryer{},
	})
	return f
}

// apiError returns the AWS error code and message of err.
func apiError(t *testing.T, err error) (string, string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an API error", err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}
