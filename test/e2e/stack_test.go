package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/sluicehq/sluice/local/lambda"
	localsfn "github.com/sluicehq/sluice/local/sfn"
	"github.com/sluicehq/sluice/local/stack"
)

// settleTimeout bounds every wait for the pipeline to settle. It guards against a hung pipeline; it is
// not a speed assertion (speed is measured in the benchmarks).
const settleTimeout = 2 * time.Minute

// burstSettleTimeout bounds the wait for a burst of objects. A burst is far above each function's
// reserved concurrency (gen.Config, 10), so most tasks are throttled and wait in the state machine's
// Retry on Lambda.TooManyRequestsException (intervals from 1 s, doubling, up to 60 s, full jitter): the
// last executions end minutes after the first, longer under the race detector on two cores shared with
// other packages' tests. Like settleTimeout it guards against a hung pipeline, not a slow one.
const burstSettleTimeout = 8 * time.Minute

// env is a running stack (in this process, or a `sluice up` process) and SDK clients for it.
type env struct {
	st     *stack.Stack // nil for a stack in another process
	url    string
	bucket string
	sm     string // the pipeline's state machine ARN
	s3     *s3.Client
	sfn    *sfn.Client
	eb     *eventbridge.Client
	dir    string
}

// stackOption adjusts the stack's Config before it starts.
type stackOption func(*stack.Config)

// withTemplate replaces deploy/template.json.
func withTemplate(b []byte) stackOption { return func(c *stack.Config) { c.Template = b } }

// withEndpoint makes the function with the template's logical id talk to S3 through p instead of the
// stack's endpoint, for its first n invocations (every invocation when n <= 0). HandlerFactory hands each
// invocation's handler the endpoint its AWS clients must use, so the real task code sees the proxy's
// faults exactly as it would see S3's.
func withEndpoint(logicalID string, p *faultProxy, n int) stackOption {
	return func(c *stack.Config) {
		orig := c.Functions[logicalID]
		var calls atomic.Int64
		c.Functions[logicalID] = func(rt lambda.Runtime, endpoint string) awslambda.Handler {
			if n > 0 && calls.Add(1) > int64(n) {
				return orig(rt, endpoint)
			}
			p.setTarget(endpoint)
			return orig(rt, p.URL())
		}
	}
}

// repoRoot is the repository root, from this package's directory.
const repoRoot = "../.."

func repoFile(tb testing.TB, rel string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, rel))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// startStack builds the stack from deploy/template.json in dir (a fresh temp dir when empty) on addr (a
// free loopback port when empty), and closes it when the test ends.
func startStack(tb testing.TB, dir, addr string, opts ...stackOption) *env {
	tb.Helper()
	e := openStack(tb, dir, addr, opts...)
	tb.Cleanup(func() { e.close(tb) })
	return e
}

// openStack is startStack without the cleanup, for tests that stop and restart the stack themselves.
func openStack(tb testing.TB, dir, addr string, opts ...stackOption) *env {
	tb.Helper()
	if dir == "" {
		dir = tb.TempDir()
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	cfg := stack.Config{
		Template:  repoFile(tb, "deploy/template.json"),
		DataDir:   dir,
		Functions: stack.PipelineFunctions(),
	}
	for _, o := range opts {
		o(&cfg)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := stack.Start(l, cfg)
	if err != nil {
		l.Close()
		tb.Fatal(err)
	}
	res := st.Resources()
	e := newEnv(st.URL(), res.Bucket, res.StateMachineArn)
	e.st, e.dir = st, dir
	return e
}

// newEnv makes SDK clients for the stack at url, as a user configures them: static credentials, the
// endpoint override, path-style S3, and the Step Functions option for the "sync-" host prefix.
func newEnv(url, bucket, stateMachine string) *env {
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	hc := &http.Client{Transport: transport}
	return &env{
		url: url, bucket: bucket, sm: stateMachine,
		s3: s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true, Credentials: creds, HTTPClient: hc,
			RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired, ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired}),
		sfn: sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: creds, HTTPClient: hc,
			APIOptions: []func(*middleware.Stack) error{localsfn.DisableHostPrefix}}),
		eb: eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: creds, HTTPClient: hc}),
	}
}

func (e *env) close(tb testing.TB) {
	tb.Helper()
	if e.st == nil {
		return
	}
	if err := e.st.Close(); err != nil {
		tb.Errorf("close stack: %v", err)
	}
	e.st = nil
}

// put writes an object and returns its ETag without quotes, as events carry it.
func (e *env) put(tb testing.TB, key string, body []byte) string {
	tb.Helper()
	out, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		tb.Fatalf("put %s: %v", key, err)
	}
	return strings.Trim(aws.ToString(out.ETag), `"`)
}

// putSample uploads a file of sample/ to the same key in the bucket.
func (e *env) putSample(tb testing.TB, rel string) string {
	tb.Helper()
	key := strings.TrimPrefix(rel, "sample/")
	e.put(tb, key, repoFile(tb, rel))
	return key
}

func (e *env) putSchema(tb testing.TB) { tb.Helper(); e.putSample(tb, "sample/schemas/orders.json") }

// get reads an object; ok is false when it does not exist.
func (e *env) get(tb testing.TB, key string) (body []byte, ok bool) {
	tb.Helper()
	out, err := e.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(key)})
	var nsk *s3types.NoSuchKey
	if errors.As(err, &nsk) {
		return nil, false
	}
	if err != nil {
		tb.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(out.Body); err != nil {
		tb.Fatalf("read %s: %v", key, err)
	}
	return b.Bytes(), true
}

// getJSON reads an object into v.
func (e *env) getJSON(tb testing.TB, key string, v any) {
	tb.Helper()
	b, ok := e.get(tb, key)
	if !ok {
		tb.Fatalf("%s does not exist", key)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("%s: %v", key, err)
	}
}

// keys lists the keys under prefix.
func (e *env) keys(tb testing.TB, prefix string) []string {
	tb.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(e.s3, &s3.ListObjectsV2Input{Bucket: aws.String(e.bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// executions lists every execution of the pipeline.
func (e *env) executions(tb testing.TB) []sfntypes.ExecutionListItem {
	tb.Helper()
	var all []sfntypes.ExecutionListItem
	p := sfn.NewListExecutionsPaginator(e.sfn, &sfn.ListExecutionsInput{StateMachineArn: aws.String(e.sm), MaxResults: 1000})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
		all = append(all, page.Executions...)
	}
	return all
}

// waitExecutions waits until at least n executions exist and none is running, and returns them all.
func (e *env) waitExecutions(tb testing.TB, n int) []sfntypes.ExecutionListItem {
	tb.Helper()
	return e.waitExecutionsWithin(tb, n, settleTimeout)
}

// waitExecutionsWithin is waitExecutions with its own bound.
func (e *env) waitExecutionsWithin(tb testing.TB, n int, timeout time.Duration) []sfntypes.ExecutionListItem {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		all := e.executions(tb)
		running := 0
		for _, x := range all {
			if x.Status == sfntypes.ExecutionStatusRunning {
				running++
			}
		}
		if len(all) >= n && running == 0 {
			return all
		}
		if time.Now().After(deadline) {
			tb.Fatalf("after %v: %d executions (%d running), want %d finished", timeout, len(all), running, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFor polls cond until it holds.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(settleTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("after %v: still waiting for %s", settleTimeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// s3Event is the part of an S3 "Object Created" event the tests read.
type s3Event struct {
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
	Detail     struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key       string `json:"key"`
			ETag      string `json:"etag"`
			VersionID string `json:"version-id"`
		} `json:"object"`
	} `json:"detail"`
}

// execution is one finished execution with its input event.
type execution struct {
	*sfn.DescribeExecutionOutput
	event s3Event
}

// describeAll describes every execution of the pipeline.
func (e *env) describeAll(tb testing.TB) []execution {
	tb.Helper()
	var out []execution
	for _, x := range e.executions(tb) {
		d, err := e.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: x.ExecutionArn})
		if err != nil {
			tb.Fatal(err)
		}
		var ev s3Event
		if err := json.Unmarshal([]byte(aws.ToString(d.Input)), &ev); err != nil {
			tb.Fatalf("execution %s input: %v", aws.ToString(x.Name), err)
		}
		out = append(out, execution{DescribeExecutionOutput: d, event: ev})
	}
	return out
}

// executionsFor returns the executions whose input event names key.
func executionsFor(all []execution, key string) []execution {
	var out []execution
	for _, x := range all {
		if x.event.Detail.Object.Key == key {
			out = append(out, x)
		}
	}
	return out
}

// storeOutcome is the outcome the Store (or Quarantine, RecordFailure) task returned, read from the
// execution's output.
type storeOutcome struct {
	Stored *struct {
		Output struct {
			Outcome  string `json:"outcome"`
			Key      string `json:"key"`
			Manifest string `json:"manifest"`
		} `json:"output"`
	} `json:"stored"`
	Quarantined *struct {
		Output struct {
			Outcome string `json:"outcome"`
			Key     string `json:"key"`
		} `json:"output"`
	} `json:"quarantined"`
}

func outcomeOf(tb testing.TB, x execution) storeOutcome {
	tb.Helper()
	var o storeOutcome
	if x.Output != nil {
		if err := json.Unmarshal([]byte(*x.Output), &o); err != nil {
			tb.Fatalf("execution output: %v", err)
		}
	}
	return o
}

// history returns the execution's events, oldest first.
func (e *env) history(tb testing.TB, arn *string) []sfntypes.HistoryEvent {
	tb.Helper()
	var all []sfntypes.HistoryEvent
	p := sfn.NewGetExecutionHistoryPaginator(e.sfn, &sfn.GetExecutionHistoryInput{ExecutionArn: arn, MaxResults: 1000})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
		all = append(all, page.Events...)
	}
	return all
}

// manifest is the part of a manifest the tests read.
type manifest struct {
	Dataset string `json:"dataset"`
	Source  struct {
		Key  string `json:"key"`
		ETag string `json:"etag"`
	} `json:"source"`
	Output struct {
		Key  string `json:"key"`
		Rows int64  `json:"rows"`
	} `json:"output"`
	Execution string `json:"execution"`
}

// failureRecord is the part of a failed/ record the tests read.
type failureRecord struct {
	Error     string `json:"error"`
	Cause     string `json:"cause"`
	Execution string `json:"execution"`
}

func str(s *string) string { return aws.ToString(s) }
