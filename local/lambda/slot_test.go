package lambda_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/lambda"
)

// gatedSink holds each invocation's log until the test lets it through, and keeps them in the order
// they were recorded.
type gatedSink struct {
	arrived chan struct{}
	gate    chan struct{}
	mu      sync.Mutex
	logs    []lambda.InvocationLog
}

func (g *gatedSink) PutInvocationLog(_ context.Context, l lambda.InvocationLog) {
	g.arrived <- struct{}{}
	<-g.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	g.logs = append(g.logs, l)
}

// An invocation frees its reserved-concurrency slot once its handler has answered, not once its log
// has been shipped: a second invocation of a function with reserved concurrency 1, made while the
// first one's log is still being recorded, runs instead of being throttled, on the same warm instance,
// and that instance's log stream receives the two logs in the order the invocations ran.
func TestSlotFreedBeforeLogIsRecorded(t *testing.T) {
	sink := &gatedSink{arrived: make(chan struct{}, 2), gate: make(chan struct{})}
	srv, err := lambda.New(lambda.WithLogSink(sink))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	open := sync.OnceFunc(func() { close(sink.gate) })
	t.Cleanup(open) // runs first: a failing test must not leave the first invocation held at the sink
	client := sdk.New(sdk.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: credentials.NewStaticCredentialsProvider("id", "secret", "")})
	ran := make(chan int, 2)
	h := func(_ context.Context, in struct{ N int }) (int, error) { ran <- in.N; return in.N, nil }
	if err := srv.Register(lambda.Function{Name: "one", Concurrency: 1, Handler: awslambda.NewHandler(h)}); err != nil {
		t.Fatal(err)
	}
	noRetry := func(o *sdk.Options) { o.RetryMaxAttempts = 1 }
	type answer struct {
		id  string
		err error
	}
	invoke := func(payload string, out chan<- answer) {
		o, err := client.Invoke(t.Context(), &sdk.InvokeInput{FunctionName: aws.String("one"), Payload: []byte(payload)}, noRetry)
		if err != nil {
			out <- answer{err: err}
			return
		}
		if o.FunctionError != nil {
			t.Errorf("invocation %s: function error %s", payload, *o.FunctionError)
		}
		id, _ := awsmiddleware.GetRequestIDMetadata(o.ResultMetadata)
		out <- answer{id: id}
	}
	first, second := make(chan answer, 1), make(chan answer, 1)
	go invoke(`{"N":1}`, first)
	<-sink.arrived // the first invocation's handler has answered; its log is held at the sink
	<-ran
	go invoke(`{"N":2}`, second)
	select {
	case <-ran: // the second invocation ran while the first one's log was held
	case a := <-second:
		t.Fatalf("second invocation answered %v while the first one's log was held, want it to run", a.err)
	}
	open()
	var want []string
	for _, ch := range []chan answer{first, second} {
		a := <-ch
		if a.err != nil {
			t.Fatalf("invocation: %v, want it to run (the first one's slot is free once its handler answered)", a.err)
		}
		sink.mu.Lock()
		want = append(want, sink.logs[0].LogStream+" "+a.id)
		sink.mu.Unlock()
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	var got []string
	for _, l := range sink.logs {
		got = append(got, l.LogStream+" "+l.RequestID)
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("recorded logs, stream and request id (-got +want):\n%s", diff)
	}
}
