package stack

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/local/console"
	"github.com/sluicehq/sluice/local/events"
)

// openConsole builds the web console over the services' public surfaces: the Step Functions and
// CloudWatch APIs through their own HTTP handlers, S3 through the SDK at this endpoint, and adapters for
// the dead letters and the functions' logs.
func (st *Stack) openConsole() {
	res := st.Resources()
	s3c := s3.New(s3.Options{Region: st.cfg.Region, BaseEndpoint: aws.String(st.url), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider("local", "local", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired})
	opts := []console.Option{
		console.WithStepFunctions(console.HandlerAPI(st.SFN)),
		console.WithCloudWatch(console.HandlerAPI(st.CloudWatch)),
		console.WithBucket(s3c, res.Bucket),
		console.WithStateMachine(res.StateMachineArn),
		console.WithDeadLetters(deadLetters{st.Events}),
		console.WithTaskLogs(console.CloudWatchLogs(console.HandlerAPI(st.Logs), st.functionLogGroups())),
		console.WithHealth(health{st}),
		console.WithEndpoint(st.url, st.cfg.Region),
		console.WithLogger(st.cfg.Logger),
		console.WithGuard(st.guard),
	}
	if body := st.dashboard(); body != "" {
		opts = append(opts, console.WithDashboard(body))
	}
	c := console.New(opts...)
	st.consoleMu.Lock()
	st.consoleRes = [2]string{res.Bucket, res.StateMachineArn}
	st.console.Store(c)
	st.consoleMu.Unlock()
	if st.Console == nil || !st.started.Load() {
		st.Console = c // set until Start returns; later rebuilds go through the atomic pointer only
	}
}

// currentConsole returns the console, built again when the deployed stack's bucket or state machine
// is not the one it shows (a stack deployed into an empty start, or one that replaced them).
func (st *Stack) currentConsole() *console.Console {
	res := st.Resources()
	st.consoleMu.Lock()
	stale := st.consoleRes != [2]string{res.Bucket, res.StateMachineArn}
	st.consoleMu.Unlock()
	if stale {
		st.openConsole()
	}
	return st.console.Load()
}

// ConsoleURL is the web console's address.
func (st *Stack) ConsoleURL() string { return st.url + console.DefaultPrefix }

// ExecutionURL is the console page of an execution.
func (st *Stack) ExecutionURL(arn string) string {
	return st.url + st.console.Load().ExecutionPath(arn)
}

// serveConsole answers the console's paths, and sends a browser that opens the endpoint itself (which S3
// would answer with ListBuckets XML) to the console.
func (st *Stack) serveConsole(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case strings.HasPrefix(r.URL.Path, strings.TrimSuffix(console.DefaultPrefix, "/")):
		st.currentConsole().ServeHTTP(w, r)
		return true
	case r.URL.Path == "/" && r.Method == http.MethodGet && r.URL.RawQuery == "" &&
		strings.Contains(r.Header.Get("Accept"), "text/html") && r.Header.Get("Authorization") == "":
		http.Redirect(w, r, console.DefaultPrefix, http.StatusFound)
		return true
	}
	return false
}

// deadLetters shows EventBridge's dead-letter list to the console.
type deadLetters struct{ events *events.Service }

var _ console.DeadLetters = deadLetters{}

func (d deadLetters) DeadLetters(context.Context) ([]console.DeadLetter, error) {
	list := d.events.DeadLetters()
	out := make([]console.DeadLetter, len(list))
	for i, l := range list {
		msg := l.Attributes["ERROR_CODE"]
		if m := l.Attributes["ERROR_MESSAGE"]; m != "" {
			msg += ": " + m
		}
		out[i] = console.DeadLetter{ID: l.ID, Event: l.Event, RuleName: l.RuleName, TargetARN: l.TargetARN, Error: msg, Time: l.Time}
	}
	return out, nil
}

func (d deadLetters) Redrive(ctx context.Context, ids ...string) (int, error) {
	return d.events.Redrive(ctx, ids...)
}

// functionLogGroups maps each function's name to the log group its LoggingConfig names (the others log to
// /aws/lambda/<name>).
func (st *Stack) functionLogGroups() map[string]string {
	groups := map[string]string{}
	res := st.Resources()
	for id, name := range res.Functions {
		if g := res.FunctionLogGroups[id]; g != "/aws/lambda/"+name {
			groups[name] = g
		}
	}
	return groups
}

// health reports each service for the console's home page.
type health struct{ st *Stack }

func (h health) Health(context.Context) []console.ServiceHealth {
	st := h.st
	res := st.Resources()
	return []console.ServiceHealth{
		{Name: "S3", OK: st.S3 != nil, Detail: "bucket " + res.Bucket},
		{Name: "EventBridge", OK: st.Events != nil, Detail: fmt.Sprintf("%d rule(s), %d dead letter(s)", len(res.Rules), len(st.Events.DeadLetters()))},
		{Name: "Step Functions", OK: st.SFN != nil, Detail: res.StateMachineArn},
		{Name: "Lambda", OK: st.Lambda != nil, Detail: fmt.Sprintf("%d function(s)", len(st.Lambda.Functions()))},
		{Name: "CloudWatch", OK: st.CloudWatch != nil, Detail: "metrics"},
	}
}
