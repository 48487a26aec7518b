package s3_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/local/s3"
)

// chanPublisher records published events; fail makes the next n publishes fail.
type chanPublisher struct {
	mu     sync.Mutex
	fail   int
	calls  int
	events chan []byte
}

func newChanPublisher() *chanPublisher { return &chanPublisher{events: make(chan []byte, 100)} }

func (p *chanPublisher) Publish(ctx context.Context, ev []byte) error {
	p.mu.Lock()
	p.calls++
	if p.fail > 0 {
		p.fail--
		p.mu.Unlock()
		return errors.New("transient failure")
	}
	p.mu.Unlock()
	p.events <- append([]byte(nil), ev...)
	return nil
}

// next waits for the next event; the timeout only guards against a hang.
func (p *chanPublisher) next(t *testing.T) s3.Event {
	t.Helper()
	select {
	case raw := <-p.events:
		var ev s3.Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatalf("decode event %s: %v", raw, err)
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event published")
	}
	return s3.Event{}
}

// fixedClock is a settable clock.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// AfterFunc runs f after d of real time: the service takes no timer from its clock.
func (c *fixedClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

var _ s3.Clock = (*fixedClock)(nil)

func (c *fixedClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	srv    *s3.Service
	http   *httptest.Server
	client *awss3.Client
	pub    *chanPublisher
	clock  *fixedClock
	dir    string
}

func newEnv(t *testing.T, dir string, opts ...s3.Option) *env {
	t.Helper()
	e := &env{pub: newChanPublisher(), clock: &fixedClock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}, dir: dir}
	all := append([]s3.Option{s3.WithPublisher(e.pub), s3.WithClock(e.clock), s3.WithSync(false),
		s3.WithAccount("123456789012"), s3.WithRegion("eu-west-1"),
		s3.WithBackoff(func(int) time.Duration { return 0 })}, opts...)
	srv, err := s3.New(append(all, s3.WithDataDir(dir))...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.srv = srv
	e.http = httptest.NewServer(srv)
	e.client = awss3.New(awss3.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(e.http.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
	t.Cleanup(e.close)
	return e
}

func (e *env) close() {
	e.http.Close()
	e.srv.Close()
}

func (e *env) bucket(t *testing.T, name string, versioned, events bool) {
	t.Helper()
	if err := e.srv.CreateBucket(name); err != nil {
		t.Fatal(err)
	}
	if versioned {
		if err := e.srv.SetVersioning(name, true); err != nil {
			t.Fatal(err)
		}
	}
	if events {
		if err := e.srv.SetEventBridge(name, true); err != nil {
			t.Fatal(err)
		}
	}
}

func (e *env) put(t *testing.T, bucket, key, body string) *awss3.PutObjectOutput {
	t.Helper()
	out, err := e.client.PutObject(context.Background(), &awss3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject %s: %v", key, err)
	}
	return out
}

func (e *env) get(t *testing.T, bucket, key string) string {
	t.Helper()
	out, err := e.client.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// apiCode returns the AWS error code of err, or "" when err is nil.
func apiCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "not an API error: " + err.Error()
}

func TestPutGetRoundTrip(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "data", false, false)
	ctx := context.Background()
	_, err := e.client.PutObject(ctx, &awss3.PutObjectInput{
		Bucket: aws.String("data"), Key: aws.String("dir/a b+c.txt"), Body: strings.NewReader("hello"),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"owner": "me"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/a b+c.txt")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if got, want := string(body), "hello"; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
	if got, want := aws.ToString(out.ContentType), "text/plain"; got != want {
		t.Errorf("content type = %q, want %q", got, want)
	}
	if got, want := out.Metadata["owner"], "me"; got != want {
		t.Errorf("metadata owner = %q, want %q", got, want)
	}
	if got, want := aws.ToString(out.ETag), `"5d41402abc4b2a76b9719d911017c592"`; got != want {
		t.Errorf("etag = %s, want %s", got, want)
	}
}

func crc32b64(s string) string {
	sum := crc32.ChecksumIEEE([]byte(s))
	return base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
}

func TestNewNeedsDataDir(t *testing.T) {
	if srv, err := s3.New(); !errors.Is(err, s3.ErrNoDataDir) {
		t.Errorf("New() = %v, %v, want ErrNoDataDir", srv, err)
	}
}
