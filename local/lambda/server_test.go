package lambda_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/local/lambda"
)

// ValidationError is a named error type, as the pipeline's tasks return.
type ValidationError struct{ Reason string }

func (e *ValidationError) Error() string { return "invalid: " + e.Reason }

type echoIn struct {
	Name string `json:"name"`
	Fail string `json:"fail"`
}

type echoOut struct {
	Greeting string `json:"greeting"`
}

func echo(ctx context.Context, in echoIn) (echoOut, error) {
	switch in.Fail {
	case "named":
		return echoOut{}, &ValidationError{Reason: "bad row"}
	case "wrapped":
		return echoOut{}, fmt.Errorf("context: %w", &ValidationError{Reason: "bad row"})
	case "typed":
		return echoOut{}, messages.InvokeResponse_Error{Type: "States.Custom", Message: "explicit"}
	case "panic":
		panic("boom")
	case "big":
		return echoOut{Greeting: strings.Repeat("x", 6291556)}, nil
	}
	lc, _ := lambdacontext.FromContext(ctx)
	if rt, ok := lambda.RuntimeFromContext(ctx); ok {
		fmt.Fprintf(rt.Stdout, "hello from %s (%s)\n", rt.Getenv("AWS_LAMBDA_FUNCTION_NAME"), lc.AwsRequestID)
	}
	return echoOut{Greeting: "hello " + in.Name}, nil
}

// manualTimer lets a test fire invocation timeouts: each timer created is sent on created.
type manualTimer struct {
	created chan chan time.Time
}

func (m *manualTimer) new(time.Duration) (<-chan time.Time, func() bool) {
	c := make(chan time.Time, 1)
	m.created <- c
	return c, func() bool { return true }
}

type recordingSink struct {
	mu      sync.Mutex
	metrics []lambda.Metric
	logs    []lambda.InvocationLog
}

func (r *recordingSink) PutMetrics(_ context.Context, m []lambda.Metric) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.metrics = append(r.metrics, m...)
	return nil
}

func (r *recordingSink) PutInvocationLog(_ context.Context, l lambda.InvocationLog) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, l)
}

type env struct {
	srv    *lambda.Service
	client *sdk.Client
	timer  *manualTimer
	sink   *recordingSink
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{timer: &manualTimer{created: make(chan chan time.Time, 1000)}, sink: &recordingSink{}}
	var err error
	e.srv, err = lambda.New(lambda.WithTimer(e.timer.new), lambda.WithMetricSink(e.sink), lambda.WithLogSink(e.sink),
		lambda.WithClock(interp.NewVirtualClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(e.srv)
	t.Cleanup(func() { hs.Close(); e.srv.Close() })
	e.client = sdk.New(sdk.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: credentials.NewStaticCredentialsProvider("id", "secret", "")})
	if err := e.srv.Register(lambda.Function{Name: "echo", Handler: awslambda.NewHandler(echo)}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) invoke(t *testing.T, payload string) *sdk.InvokeOutput {
	t.Helper()
	out, err := e.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(payload)})
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	return out
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "not an API error: " + err.Error()
	}
	return ""
}

// Function errors: https://docs.aws.amazon.com/lambda/latest/dg/golang-exceptions.html
func TestInvokeResults(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name        string
		payload     string
		wantError   string
		wantPayload string
	}{
		{"success", `{"name":"world"}`, "", `{"greeting":"hello world"}`},
		{"named error type", `{"fail":"named"}`, "Unhandled", `{"errorMessage":"invalid: bad row","errorType":"ValidationError"}`},
		{"wrapped error is wrapError", `{"fail":"wrapped"}`, "Unhandled", `{"errorMessage":"context: invalid: bad row","errorType":"wrapError"}`},
		{"InvokeResponse_Error passes through", `{"fail":"typed"}`, "Unhandled", `{"errorMessage":"explicit","errorType":"States.Custom"}`},
		{"payload of the wrong shape", `[1,2]`, "Unhandled", `{"errorMessage":"json: cannot unmarshal array into Go value of type lambda_test.echoIn","errorType":"UnmarshalTypeError"}`},
		{"response too large", `{"fail":"big"}`, "Unhandled", `{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := e.invoke(t, tc.payload)
			if got := aws.ToString(out.FunctionError); got != tc.wantError {
				t.Errorf("FunctionError = %q, want %q", got, tc.wantError)
			}
			if out.StatusCode != 200 {
				t.Errorf("StatusCode = %d, want 200", out.StatusCode)
			}
			if got := strings.TrimSpace(string(out.Payload)); got != tc.wantPayload {
				t.Errorf("payload = %s, want %s", got, tc.wantPayload)
			}
		})
	}
}

func TestPanicReportsStackTrace(t *testing.T) {
	e := newEnv(t)
	out := e.invoke(t, `{"fail":"panic"}`)
	var got struct {
		ErrorMessage string            `json:"errorMessage"`
		ErrorType    string            `json:"errorType"`
		StackTrace   []json.RawMessage `json:"stackTrace"`
	}
	if err := json.Unmarshal(out.Payload, &got); err != nil {
		t.Fatal(err)
	}
	if got.ErrorMessage != "boom" || got.ErrorType != "string" || len(got.StackTrace) == 0 {
		t.Errorf("panic payload = %s, want boom/string with a stack trace", out.Payload)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" {
		t.Errorf("FunctionError = %q", aws.ToString(out.FunctionError))
	}
}

func TestServiceErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tests := []struct {
		name string
		in   sdk.InvokeInput
		want string
	}{
		{"unknown function", sdk.InvokeInput{FunctionName: aws.String("nope")}, "ResourceNotFoundException"},
		{"unknown qualifier", sdk.InvokeInput{FunctionName: aws.String("echo"), Qualifier: aws.String("prod")}, "ResourceNotFoundException"},
		{"invalid json", sdk.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte("{nope")}, "InvalidRequestContentException"},
		{"request too large", sdk.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`"` + strings.Repeat("x", 6291456) + `"`)}, "RequestTooLargeException"},
		{"event request too large", sdk.InvokeInput{FunctionName: aws.String("echo"), InvocationType: types.InvocationTypeEvent,
			Payload: []byte(`"` + strings.Repeat("x", 1<<20) + `"`)}, "RequestTooLargeException"},
		{"by ARN", sdk.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:000000000000:function:echo"), Payload: []byte(`{}`)}, ""},
		{"by partial ARN", sdk.InvokeInput{FunctionName: aws.String("000000000000:function:echo:$LATEST"), Payload: []byte(`{}`)}, ""},
		{"dry run", sdk.InvokeInput{FunctionName: aws.String("echo"), InvocationType: types.InvocationTypeDryRun}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.client.Invoke(ctx, &tc.in)
			if got := errorCode(err); got != tc.want {
				t.Errorf("code = %q, want %q", got, tc.want)
			}
		})
	}
}

// Timeouts answer Sandbox.Timedout (https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html#troubleshooting-timeouts).
func TestTimeout(t *testing.T) {
	e := newEnv(t)
	started := make(chan struct{})
	sawCancel := make(chan struct{})
	slow := func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		close(sawCancel)
		return ctx.Err()
	}
	if err := e.srv.Register(lambda.Function{Name: "slow", Timeout: 2500 * time.Millisecond, Handler: awslambda.NewHandler(slow)}); err != nil {
		t.Fatal(err)
	}
	go func() { <-started; fire := <-e.timer.created; fire <- time.Time{} }()
	res, err := e.srv.Invoke(context.Background(), "slow", nil)
	if err != nil {
		t.Fatal(err)
	}
	<-sawCancel
	want := fmt.Sprintf(`{"errorMessage":"RequestId: %s Error: Task timed out after 2.50 seconds","errorType":"Sandbox.Timedout"}`, res.RequestID)
	if got := string(res.Payload); got != want {
		t.Errorf("payload = %s, want %s", got, want)
	}
	if res.FunctionError != "Unhandled" {
		t.Errorf("FunctionError = %q, want Unhandled", res.FunctionError)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	e := newEnv(t)
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	blocking := func(ctx context.Context) (string, error) {
		entered <- struct{}{}
		<-release
		return "done", nil
	}
	if err := e.srv.Register(lambda.Function{Name: "one", Concurrency: 1, Handler: awslambda.NewHandler(blocking)}); err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() {
		_, err := e.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("one")})
		first <- err
	}()
	<-entered
	noRetry := func(o *sdk.Options) { o.RetryMaxAttempts = 1 }
	_, err := e.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("one")}, noRetry)
	var tm *types.TooManyRequestsException
	if !errors.As(err, &tm) || tm.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Errorf("second invocation: %v, want TooManyRequestsException with reason ReservedFunctionConcurrentInvocationLimitExceeded", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Errorf("first invocation: %v", err)
	}
}

func TestEventInvocation(t *testing.T) {
	e := newEnv(t)
	got := make(chan string, 1)
	h := func(in echoIn) error { got <- in.Name; return nil }
	if err := e.srv.Register(lambda.Function{Name: "async", Handler: awslambda.NewHandler(h)}); err != nil {
		t.Fatal(err)
	}
	out, err := e.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("async"),
		InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"name":"later"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.StatusCode != 202 {
		t.Errorf("StatusCode = %d, want 202", out.StatusCode)
	}
	if name := <-got; name != "later" {
		t.Errorf("handler got %q, want later", name)
	}
}

func TestLogsAndMetrics(t *testing.T) {
	e := newEnv(t)
	emfLine := `{"_aws":{"Timestamp":1764064800000,"CloudWatchMetrics":[{"Namespace":"Sluice","Dimensions":[["Stage"]],"Metrics":[{"Name":"Rows","Unit":"Count"}]}]},"Stage":"validate","Rows":42}`
	factory := func(rt lambda.Runtime) awslambda.Handler {
		logger := slog.New(slog.NewJSONHandler(rt.Stdout, nil))
		return awslambda.NewHandler(func(ctx context.Context) (string, error) {
			logger.Info("working", "bucket", rt.Getenv("BUCKET"))
			fmt.Fprintln(rt.Stdout, emfLine)
			return "ok", nil
		})
	}
	if err := e.srv.Register(lambda.Function{Name: "metered", NewHandler: factory, Environment: map[string]string{"BUCKET": "data"}}); err != nil {
		t.Fatal(err)
	}
	out, err := e.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("metered"), LogType: types.LogTypeTail})
	if err != nil {
		t.Fatal(err)
	}
	tail, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"START RequestId: ", `"msg":"working","bucket":"data"`, `"Rows":42`, "END RequestId: ", "REPORT RequestId: "} {
		if !strings.Contains(string(tail), want) {
			t.Errorf("log tail lacks %q:\n%s", want, tail)
		}
	}
	wantMetric := []lambda.Metric{{Namespace: "Sluice", Name: "Rows", Unit: "Count", StorageResolution: 60,
		Dimensions: []lambda.Dimension{{Name: "Stage", Value: "validate"}}, Values: []float64{42},
		Timestamp: time.UnixMilli(1764064800000).UTC()}}
	e.sink.mu.Lock()
	defer e.sink.mu.Unlock()
	if diff := cmp.Diff(wantMetric, e.sink.metrics); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
	if len(e.sink.logs) != 1 || e.sink.logs[0].Function != "metered" {
		t.Errorf("log sink got %d logs, want 1 for metered", len(e.sink.logs))
	}
	if got := len(e.srv.Logs("metered")); got != 1 {
		t.Errorf("Logs(metered) = %d entries, want 1", got)
	}
}

func TestMalformedHTTP(t *testing.T) {
	e := newEnv(t)
	hs := httptest.NewServer(e.srv)
	defer hs.Close()
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantType           string
	}{
		{"unknown path", "POST", "/2015-03-31/functions/", 404, "UnknownOperationException"},
		{"wrong method", "GET", "/2015-03-31/functions/echo/invocations", 404, "UnknownOperationException"},
		{"bad invocation type", "POST", "/2015-03-31/functions/echo/invocations", 400, "InvalidParameterValueException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, hs.URL+tc.path, strings.NewReader("{}"))
			req.Header.Set("X-Amz-Invocation-Type", "Sometimes")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus || resp.Header.Get("X-Amzn-ErrorType") != tc.wantType {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), tc.wantStatus, tc.wantType)
			}
		})
	}
}

func TestInvokeCallerCancels(t *testing.T) {
	e := newEnv(t)
	started := make(chan struct{})
	handlerDone := make(chan struct{})
	h := func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		close(handlerDone)
		return ctx.Err()
	}
	if err := e.srv.Register(lambda.Function{Name: "waits", Handler: awslambda.NewHandler(h)}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := e.srv.Invoke(ctx, "waits", nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Invoke error = %v, want context.Canceled", err)
	}
	<-handlerDone
}

func TestEventRetries(t *testing.T) {
	for _, tc := range []struct {
		name      string
		retries   *int
		wantCalls int
	}{{"default retries twice", nil, 3}, {"no retries", aws.Int(0), 1}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			calls := make(chan struct{}, 10)
			h := func() error { calls <- struct{}{}; return &ValidationError{Reason: "always"} }
			if err := e.srv.Register(lambda.Function{Name: "flaky", Handler: awslambda.NewHandler(h), MaximumRetryAttempts: tc.retries}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.srv.InvokeWith(context.Background(), lambda.InvokeInput{FunctionName: "flaky", InvocationType: lambda.Event}); err != nil {
				t.Fatal(err)
			}
			// Each attempt creates an invocation timer; each retry wait creates one more, fired here.
			for i := 0; i < tc.wantCalls; i++ {
				<-calls
				<-e.timer.created // the attempt's timeout timer (never fired)
				if i < tc.wantCalls-1 {
					fire := <-e.timer.created // the retry wait
					fire <- time.Time{}
				}
			}
			e.srv.Close()
			if extra := len(calls); extra != 0 {
				t.Errorf("%d calls beyond the %d expected", extra, tc.wantCalls)
			}
		})
	}
}

func TestClientContext(t *testing.T) {
	e := newEnv(t)
	h := func(ctx context.Context) (string, error) {
		lc, _ := lambdacontext.FromContext(ctx)
		return lc.ClientContext.Custom["tenant"], nil
	}
	if err := e.srv.Register(lambda.Function{Name: "ctx", Handler: awslambda.NewHandler(h)}); err != nil {
		t.Fatal(err)
	}
	cc := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"tenant":"acme"}}`))
	out, err := e.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("ctx"), ClientContext: aws.String(cc)})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(out.Payload); got != `"acme"` {
		t.Errorf("payload = %s, want \"acme\"", got)
	}
	_, err = e.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("ctx"), ClientContext: aws.String("not base64!")})
	if got := errorCode(err); got != "InvalidRequestContentException" {
		t.Errorf("bad client context: code %q", got)
	}
}

func TestGetAndListFunctions(t *testing.T) {
	e := newEnv(t)
	if err := e.srv.Register(lambda.Function{Name: "store", Handler: awslambda.NewHandler(echo), Timeout: 30 * time.Second,
		MemoryMB: 512, Environment: map[string]string{"BUCKET": "data"}, Concurrency: 5}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := e.client.GetFunction(ctx, &sdk.GetFunctionInput{FunctionName: aws.String("store")})
	if err != nil {
		t.Fatal(err)
	}
	c := got.Configuration
	if aws.ToString(c.FunctionName) != "store" || aws.ToInt32(c.Timeout) != 30 || aws.ToInt32(c.MemorySize) != 512 ||
		c.Environment.Variables["BUCKET"] != "data" || aws.ToInt32(got.Concurrency.ReservedConcurrentExecutions) != 5 ||
		aws.ToString(c.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:store" {
		t.Errorf("GetFunction = %+v", c)
	}
	_, err = e.client.GetFunction(ctx, &sdk.GetFunctionInput{FunctionName: aws.String("nope")})
	if code := errorCode(err); code != "ResourceNotFoundException" {
		t.Errorf("GetFunction unknown: %q", code)
	}
	var names []string
	p := sdk.NewListFunctionsPaginator(e.client, &sdk.ListFunctionsInput{MaxItems: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
	}
	if diff := cmp.Diff([]string{"echo", "store"}, names); diff != "" {
		t.Errorf("ListFunctions (-want +got):\n%s", diff)
	}
}

func TestServiceMetrics(t *testing.T) {
	sink := &recordingSink{}
	// Time stands still while the test holds the virtual clock: the invocation takes 0 ms and its
	// timeout (on the same clock) never fires.
	clock := interp.NewVirtualClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	clock.Hold()
	defer clock.Release()
	srv, err := lambda.New(lambda.WithMetricSink(sink), lambda.WithServiceMetrics(true), lambda.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.Register(lambda.Function{Name: "echo", Handler: awslambda.NewHandler(echo)}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Invoke(context.Background(), "echo", []byte(`{"fail":"named"}`)); err != nil {
		t.Fatal(err)
	}
	type got struct {
		Name  string
		Value float64
	}
	var metrics []got
	for _, m := range sink.metrics {
		if m.Namespace != "AWS/Lambda" || len(m.Dimensions) != 1 || m.Dimensions[0] != (lambda.Dimension{Name: "FunctionName", Value: "echo"}) {
			t.Errorf("unexpected metric %+v", m)
		}
		metrics = append(metrics, got{m.Name, m.Values[0]})
	}
	want := []got{{"Invocations", 1}, {"Errors", 1}, {"Duration", 0}}
	if diff := cmp.Diff(want, metrics); diff != "" {
		t.Errorf("AWS/Lambda metrics (-want +got):\n%s", diff)
	}
}

// Each invocation's log goes out with its instance's stream, named as Lambda names them
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html), a time per line, and
// a REPORT line in Lambda's tab-separated shape. Sequential invocations reuse the warm instance;
// overlapping ones get their own.
func TestInvocationLogStreams(t *testing.T) {
	e := newEnv(t)
	e.invoke(t, `{"a":1}`)
	e.invoke(t, `{"a":2}`)
	e.sink.mu.Lock()
	logs := append([]lambda.InvocationLog(nil), e.sink.logs...)
	e.sink.mu.Unlock()
	if len(logs) != 2 {
		t.Fatalf("%d logs, want 2", len(logs))
	}
	stream := regexp.MustCompile(`^2026/11/25/\[\$LATEST\][0-9a-f]{32}$`)
	report := regexp.MustCompile(`^REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\t$`)
	for _, l := range logs {
		if !stream.MatchString(l.LogStream) {
			t.Errorf("stream %q is not Lambda's shape", l.LogStream)
		}
		if len(l.Times) != len(l.Lines) {
			t.Errorf("%d times for %d lines", len(l.Times), len(l.Lines))
		}
		if last := l.Lines[len(l.Lines)-1]; !report.MatchString(last) {
			t.Errorf("last line %q is not a REPORT line", last)
		}
	}
	if logs[0].LogStream != logs[1].LogStream {
		t.Errorf("sequential invocations ran on %q and %q, want one warm instance", logs[0].LogStream, logs[1].LogStream)
	}
}

// With the JSON log format Lambda's own records are platform.start and platform.report
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-logformat.html); the
// function's lines pass as written.
func TestJSONLogFormat(t *testing.T) {
	e := newEnv(t)
	h := func(rt lambda.Runtime) awslambda.Handler {
		return awslambda.NewHandler(func(ctx context.Context) (string, error) {
			fmt.Fprintln(rt.Stdout, `{"level":"INFO","msg":"hi"}`)
			return "", errors.New("boom")
		})
	}
	if err := e.srv.Register(lambda.Function{Name: "structured", NewHandler: h, LogFormat: lambda.LogFormatJSON, LogGroup: "/custom/group"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Invoke(t.Context(), &sdk.InvokeInput{FunctionName: aws.String("structured")}); err != nil {
		t.Fatal(err)
	}
	e.sink.mu.Lock()
	l := e.sink.logs[len(e.sink.logs)-1]
	e.sink.mu.Unlock()
	if l.LogGroup != "/custom/group" {
		t.Errorf("log group %q, want /custom/group", l.LogGroup)
	}
	type record struct {
		Time   string         `json:"time"`
		Type   string         `json:"type"`
		Record map[string]any `json:"record"`
	}
	var first, last record
	if err := json.Unmarshal([]byte(l.Lines[0]), &first); err != nil || first.Type != "platform.start" || first.Record["requestId"] != l.RequestID {
		t.Errorf("first line %s is not platform.start (%v)", l.Lines[0], err)
	}
	if err := json.Unmarshal([]byte(l.Lines[len(l.Lines)-1]), &last); err != nil || last.Type != "platform.report" ||
		last.Record["status"] != "error" || last.Record["metrics"].(map[string]any)["billedDurationMs"] == nil {
		t.Errorf("last line %s is not a failed platform.report (%v)", l.Lines[len(l.Lines)-1], err)
	}
	if l.Lines[1] != `{"level":"INFO","msg":"hi"}` {
		t.Errorf("the function's line became %q", l.Lines[1])
	}
}

// TestTimeoutOnClock checks that an invocation's deadline is kept on the service's clock: on a virtual
// clock nobody holds, a handler that blocks is timed out at once, at its timeout in virtual time.
func TestTimeoutOnClock(t *testing.T) {
	start := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	srv, err := lambda.New(lambda.WithClock(interp.NewVirtualClock(start)))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	block := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	if err := srv.Register(lambda.Function{Name: "slow", Timeout: 5 * time.Second, Handler: awslambda.NewHandler(block)}); err != nil {
		t.Fatal(err)
	}
	res, err := srv.Invoke(t.Context(), "slow", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "Unhandled" || !strings.Contains(string(res.Payload), "Task timed out after 5.00 seconds") {
		t.Errorf("Invoke = %q %s, want a timeout after 5 s", res.FunctionError, res.Payload)
	}
	if logs := srv.Logs("slow"); len(logs) != 1 || logs[0].Duration != 5*time.Second {
		t.Errorf("invocation logs %+v, want one of 5 s on the virtual clock", logs)
	}
}

// TestLogRetention checks that Logs keeps the latest invocations up to WithLogRetention, oldest first.
func TestLogRetention(t *testing.T) {
	for _, keep := range []int{1, 3, 10} {
		t.Run(fmt.Sprint(keep), func(t *testing.T) {
			srv, err := lambda.New(lambda.WithLogRetention(keep))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			if err := srv.Register(lambda.Function{Name: "f", Timeout: 5 * time.Second, Handler: awslambda.NewHandler(echo)}); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for i := range 25 {
				res, err := srv.Invoke(t.Context(), "f", fmt.Appendf(nil, `{"name":"n%d"}`, i))
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, res.RequestID)
				var got []string
				for _, l := range srv.Logs("f") {
					got = append(got, l.RequestID)
				}
				want := ids[max(0, len(ids)-keep):]
				if diff := cmp.Diff(got, want); diff != "" {
					t.Fatalf("after %d invocations, logs' request ids (-got +want):\n%s", i+1, diff)
				}
			}
		})
	}
}
