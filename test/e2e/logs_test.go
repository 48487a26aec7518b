package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
)

func (e *env) logsClient() *cwl.Client {
	return cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

// filterAll returns the messages of a log group that match pattern (every page).
func filterAll(tb testing.TB, c *cwl.Client, in *cwl.FilterLogEventsInput) []string {
	tb.Helper()
	var out []string
	p := cwl.NewFilterLogEventsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			tb.Fatalf("filter %s: %v", aws.ToString(in.LogGroupName), err)
		}
		for _, ev := range page.Events {
			out = append(out, aws.ToString(ev.Message))
		}
	}
	return out
}

// TestLogs runs objects through the pipeline and reads the logs as a user would: the AWS CLI lists the
// template's log groups and finds a rejected object's validate lines by its key; every invocation has its
// report record; the state machine's group holds exactly the events its level (ALL) asks for; a new upload's
// lines can be followed as they arrive.
func TestLogs(t *testing.T) {
	t.Parallel()
	e := startStack(t, "", "")
	e.putSchema(t)
	e.putSample(t, "sample/incoming/orders/2024-03-01.csv")
	e.putSample(t, "sample/incoming/orders/bad-values.csv")
	xs := e.waitExecutions(t, 2)
	cli := awsCLI(t, e)

	var groups struct {
		LogGroups []struct {
			LogGroupName    string
			RetentionInDays int
		} `json:"logGroups"`
	}
	mustJSON(t, cli("logs", "describe-log-groups", "--output", "json"), &groups)
	got := map[string]int{}
	for _, g := range groups.LogGroups {
		got[g.LogGroupName] = g.RetentionInDays
	}
	want := map[string]int{"/aws/lambda/sluice-validate": 30, "/aws/lambda/sluice-process": 30, "/aws/lambda/sluice-store": 30,
		"/aws/vendedlogs/states/sluice-pipeline": 30}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("describe-log-groups (-got +want):\n%s", diff)
	}

	var found struct {
		Events []struct{ Message, LogStreamName string } `json:"events"`
	}
	mustJSON(t, cli("logs", "filter-log-events", "--log-group-name", "/aws/lambda/sluice-validate",
		"--filter-pattern", `"incoming/orders/bad-values.csv"`, "--output", "json"), &found)
	validated := false
	for _, ev := range found.Events {
		validated = validated || strings.Contains(ev.Message, `"valid":false`)
		if !strings.Contains(ev.Message, "incoming/orders/bad-values.csv") {
			t.Errorf("filter-log-events returned %q, which lacks the key", ev.Message)
		}
	}
	if !validated {
		t.Errorf("filter-log-events: no validate line for the rejected object in %+v", found.Events)
	}
	if len(found.Events) > 0 {
		var head struct {
			Events []struct{ Message string } `json:"events"`
		}
		mustJSON(t, cli("logs", "get-log-events", "--log-group-name", "/aws/lambda/sluice-validate", "--log-stream-name",
			found.Events[0].LogStreamName, "--start-from-head", "--output", "json"), &head)
		if len(head.Events) == 0 || !strings.Contains(head.Events[0].Message, `"type":"platform.start"`) {
			t.Errorf("get-log-events --start-from-head: first event %+v, want the platform.start record", head.Events)
		}
	}

	// One report record per invocation: as many as the histories' tasks scheduled on each function.
	logs := e.logsClient()
	scheduled := map[string]int{}
	var historyIDs []string
	for _, x := range xs {
		for _, ev := range e.history(t, x.ExecutionArn) {
			historyIDs = append(historyIDs, fmt.Sprintf("%s/%d", str(x.ExecutionArn), ev.Id))
			if d := ev.TaskScheduledEventDetails; d != nil {
				var p struct{ FunctionName string }
				_ = json.Unmarshal([]byte(str(d.Parameters)), &p)
				scheduled[p.FunctionName[strings.LastIndex(p.FunctionName, ":")+1:]]++
			}
		}
	}
	for fn, group := range map[string]string{"sluice-ValidateFunction": "/aws/lambda/sluice-validate",
		"sluice-ProcessFunction": "/aws/lambda/sluice-process", "sluice-StoreFunction": "/aws/lambda/sluice-store"} {
		reports := filterAll(t, logs, &cwl.FilterLogEventsInput{LogGroupName: &group, FilterPattern: strPtr(`{ $.type = "platform.report" }`)})
		starts := filterAll(t, logs, &cwl.FilterLogEventsInput{LogGroupName: &group, FilterPattern: strPtr(`{ $.type = "platform.start" }`)})
		if len(reports) != scheduled[fn] || len(starts) != scheduled[fn] || scheduled[fn] == 0 {
			t.Errorf("%s: %d platform.report and %d platform.start records, want one each per invocation (%d)", group, len(reports), len(starts), scheduled[fn])
		}
	}

	// Level ALL with execution data: every history event, once, and nothing else.
	var logged []string
	for _, m := range filterAll(t, logs, &cwl.FilterLogEventsInput{LogGroupName: strPtr("/aws/vendedlogs/states/sluice-pipeline")}) {
		var rec struct {
			ID           string `json:"id"`
			ExecutionArn string `json:"execution_arn"`
		}
		if err := json.Unmarshal([]byte(m), &rec); err != nil {
			t.Fatalf("state machine log record %q: %v", m, err)
		}
		logged = append(logged, rec.ExecutionArn+"/"+rec.ID)
	}
	sort.Strings(logged)
	sort.Strings(historyIDs)
	if diff := cmp.Diff(logged, historyIDs); diff != "" {
		t.Errorf("state machine log group vs the executions' histories (-got +want):\n%s", diff)
	}

	// Following, as `aws logs tail --follow` does: FilterLogEvents from a start time, polled.
	const key = "incoming/orders/2024-03-02.jsonl"
	start := time.Now()
	e.putSample(t, "sample/"+key)
	var seenAfter time.Duration
	waitFor(t, "the new upload's validate lines", func() bool {
		evs := filterAll(t, logs, &cwl.FilterLogEventsInput{LogGroupName: strPtr("/aws/lambda/sluice-validate"),
			StartTime: aws.Int64(start.Add(-time.Second).UnixMilli()), FilterPattern: strPtr(`"` + key + `"`)})
		seenAfter = time.Since(start)
		return len(evs) > 0
	})
	t.Logf("a new upload's validate line was readable %v after its PutObject", seenAfter.Round(time.Millisecond))

	// The AWS CLI's live tail (StartLiveTail, an event stream) shows new uploads' lines as they come. The CLI
	// prints nothing when its session starts, so uploads go on (each under a new key) until one is shown.
	tail := liveTail(t, e, "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/sluice-validate")
	body := repoFile(t, "sample/incoming/orders/2024-03-03.json")
	deadline := time.Now().Add(settleTimeout)
	for n := 1; ; n++ {
		next := fmt.Sprintf("incoming/orders/live-%d.json", n)
		start := time.Now()
		e.put(t, next, body)
		select {
		case <-tail.seen(next):
			t.Logf("aws logs start-live-tail printed upload %d's line %v after its PutObject", n, time.Since(start).Round(time.Millisecond))
		case <-time.After(3 * time.Second):
			if time.Now().After(deadline) {
				t.Fatalf("aws logs start-live-tail printed no line of the uploads:\n%s", tail.output())
			}
			continue
		}
		break
	}
}

// cliTail is a running `aws logs start-live-tail`.
type cliTail struct {
	mu    sync.Mutex
	lines []string
	subs  map[string]chan struct{}
}

// liveTail starts `aws logs start-live-tail` on a log group (skipping when the CLI is absent); it is
// stopped when the test ends.
func liveTail(t *testing.T, e *env, groupArn string) *cliTail {
	t.Helper()
	awsCLI(t, e) // skips when the CLI is missing
	bin, _ := exec.LookPath("aws")
	cmd := exec.Command(bin, "logs", "start-live-tail", "--log-group-identifiers", groupArn)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_ENDPOINT_URL="+e.url, "AWS_PAGER=", "AWS_DISABLE_HOST_PREFIX_INJECTION=true")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	tl := &cliTail{subs: map[string]chan struct{}{}}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			tl.mu.Lock()
			tl.lines = append(tl.lines, sc.Text())
			for k, ch := range tl.subs {
				if strings.Contains(sc.Text(), k) {
					close(ch)
					delete(tl.subs, k)
				}
			}
			tl.mu.Unlock()
		}
	}()
	return tl
}

// seen returns a channel closed once a line containing s is printed.
func (tl *cliTail) seen(s string) <-chan struct{} {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	ch := make(chan struct{})
	for _, l := range tl.lines {
		if strings.Contains(l, s) {
			close(ch)
			return ch
		}
	}
	tl.subs[s] = ch
	return ch
}

func (tl *cliTail) output() string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return strings.Join(tl.lines, "\n")
}

func strPtr(s string) *string { return &s }

// TestStories runs a stored object whose validation is retried, a rejected object and a failed one, and
// reads their stories with `sluice show` and `sluice logs` against the running stack.
func TestStories(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/sluice")
	}
	t.Parallel()
	const (
		retried  = "incoming/orders/2024-03-01.csv"
		rejected = "incoming/orders/bad-values.csv"
		failed   = "incoming/orders/2024-03-03.json"
	)
	bin := buildSluice(t)
	validate, process := newFaultProxy(t), newFaultProxy(t)
	validate.cutBody(retried, 1) // the first validation's read is cut: TransientError, retried
	held := process.holdNext(http.MethodGet, failed)
	e := startStack(t, "", "", withEndpoint("ValidateFunction", validate, 0), withEndpoint("ProcessFunction", process, 0))
	e.putSchema(t)
	e.putSample(t, "sample/"+retried)
	e.putSample(t, "sample/"+rejected)
	e.putSample(t, "sample/"+failed)
	<-held.held // its Process task is reading it: delete the version it reads, a permanent failure
	versions, err := e.s3.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: aws.String(e.bucket), Prefix: aws.String(failed)})
	if err != nil || len(versions.Versions) != 1 {
		t.Fatalf("versions of %s: %v, %v", failed, versions, err)
	}
	e.deleteVersion(t, failed, str(versions.Versions[0].VersionId))
	held.releaseHeld()
	e.waitExecutions(t, 3)

	sluice := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = repoRoot
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("sluice %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	tests := []struct {
		key       string
		show, log []string // what each must say
	}{
		{retried, []string{"stored", "ok after 2 attempts", "TransientError", "Process", "Store", "processed/orders/dt="},
			[]string{"Validate", "Process", "Store", "object validated"}},
		{rejected, []string{"rejected", "Quarantine", "quarantine/orders/bad-values.csv", "Rejected"},
			[]string{"Validate", "Quarantine", "valid=false"}},
		{failed, []string{"FAILED", "ObjectNotFoundError", "Process", "RecordFailure", "failed/orders/"},
			[]string{"Validate", "Process", "RecordFailure"}},
	}
	// sluice run --strict: a rejected object fails the run; without --strict it does not.
	run := func(strict bool) (string, error) {
		args := []string{"run", "--endpoint", e.url, "--dataset", "orders"}
		if strict {
			args = append(args, "--strict")
		}
		cmd := exec.Command(bin, append(args, "sample/incoming/orders/bad-header.csv")...)
		cmd.Dir = repoRoot
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(false); err != nil || !strings.Contains(out, "rejected") || !strings.Contains(out, "sluice show --endpoint "+e.url+" incoming/orders/bad-header.csv") {
		t.Errorf("sluice run of a rejected object: %v\n%s", err, out)
	}
	if out, err := run(true); err == nil || !strings.Contains(out, "rejected (--strict)") {
		t.Errorf("sluice run --strict of a rejected object: exit %v\n%s", err, out)
	}

	for _, tt := range tests {
		show := sluice("show", "--endpoint", e.url, tt.key)
		for _, want := range tt.show {
			if !strings.Contains(show, want) {
				t.Errorf("sluice show %s lacks %q:\n%s", tt.key, want, show)
			}
		}
		logs := sluice("logs", "--endpoint", e.url, tt.key)
		for _, want := range tt.log {
			if !strings.Contains(logs, want) {
				t.Errorf("sluice logs %s lacks %q:\n%s", tt.key, want, logs)
			}
		}
	}
}

// syncBuffer is an io.Writer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRunProgress holds an object's Process task: `sluice run` prints a progress line naming the state the
// object is in while it waits, then the object's outcome once it is let go.
func TestRunProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/sluice")
	}
	t.Parallel()
	const key = "incoming/orders/2024-03-02.jsonl"
	bin := buildSluice(t)
	p := newFaultProxy(t)
	held := p.holdNext(http.MethodGet, key)
	e := startStack(t, "", "", withEndpoint("ProcessFunction", p, 0))
	e.putSchema(t)
	var out syncBuffer
	cmd := exec.Command(bin, "run", "--endpoint", e.url, "--dataset", "orders", "sample/"+key)
	cmd.Dir, cmd.Stdout, cmd.Stderr = repoRoot, &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-held.held
	waitFor(t, "a progress line", func() bool {
		return strings.Contains(out.String(), "Process") && strings.Contains(out.String(), "running")
	})
	held.releaseHeld()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("sluice run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "stored") {
		t.Errorf("sluice run output lacks the outcome:\n%s", out.String())
	}
}
