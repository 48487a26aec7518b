package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/lambda"
	localsfn "github.com/sluicehq/sluice/local/sfn"
	"github.com/sluicehq/sluice/local/stack"
	"github.com/sluicehq/sluice/tasks"
)

// repoRoot is the repository root, from this package's directory.
const repoRoot = "../.."

// screenshotDir is where the tests save the main pages (named in the README).
const screenshotDir = "screenshots"

// settle bounds every wait; it guards against a hang and is not a speed assertion.
const settle = 90 * time.Second

// The sample dataset's objects and what becomes of each (sample/README.md).
var sampleOutcomes = map[string]string{
	"incoming/orders/2024-03-01.csv":       "stored",
	"incoming/orders/2024-03-02.jsonl":     "stored",
	"incoming/orders/2024-03-03.json":      "stored",
	"incoming/orders/2024-03-04.csv.gz":    "stored",
	"incoming/orders/bad-values.csv":       "rejected",
	"incoming/orders/bad-header.csv":       "rejected",
	"incoming/orders/bad-syntax.jsonl":     "rejected",
	"incoming/orders/bad-truncated.csv.gz": "rejected",
	"incoming/orders/bad-format.xml":       "rejected",
}

const (
	faultKey = "incoming/orders/fault-2024-03-09.csv"
	holdKey  = "incoming/orders/held-2024-03-10.csv"
	// An object key a page could mistake for markup.
	htmlKey = `incoming/orders/<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>.csv`
)

// env is the one stack and the one browser the tests share.
type env struct {
	st      *stack.Stack
	url     string
	bucket  string
	machine string
	s3      *s3.Client
	sfn     *sfn.Client
	release func() // lets the held Validate invocation go on
	browser context.Context
	shots   string
}

// faultyProcess fails the process task of faultKey twice with TransientError (retried by the state
// machine) and then with ObjectChangedError (not retried: caught into RecordFailure). holdValidate keeps
// the validate task of holdKey running until release is closed.
func pipelineWithFaults(release <-chan struct{}) map[string]stack.HandlerFactory {
	fns := stack.PipelineFunctions()
	var attempts atomic.Int64
	process := fns["ProcessFunction"]
	fns["ProcessFunction"] = func(rt lambda.Runtime, endpoint string) awslambda.Handler {
		inner := process(rt, endpoint)
		return handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			if !strings.Contains(string(payload), faultKey) {
				return inner.Invoke(ctx, payload)
			}
			n := attempts.Add(1)
			var in struct{ Execution string }
			_ = json.Unmarshal(payload, &in)
			fmt.Fprintf(rt.Stdout, `{"level":"ERROR","msg":"injected fault","attempt":%d,"execution":%q}`+"\n", n, in.Execution)
			if n <= 2 {
				return nil, &tasks.TransientError{Op: "get " + faultKey, Err: errors.New("503 SlowDown (injected)")}
			}
			return nil, &tasks.ObjectChangedError{Bucket: "sluice-bucket", Key: faultKey, WantETag: "injected"}
		})
	}
	validate := fns["ValidateFunction"]
	fns["ValidateFunction"] = func(rt lambda.Runtime, endpoint string) awslambda.Handler {
		inner := validate(rt, endpoint)
		return handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			if strings.Contains(string(payload), holdKey) {
				fmt.Fprintln(rt.Stdout, `{"level":"INFO","msg":"held open by the test"}`)
				select {
				case <-release:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
			return inner.Invoke(ctx, payload)
		})
	}
	return fns
}

type handlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// findChromium is the browser to drive: Debian's chromium (installed by .ci/run), or another Chrome.
func findChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed, and CI requires the browser tests: apt-get install chromium")
	}
	t.Skip("chromium is not installed (apt-get install chromium); the browser tests need it")
	return ""
}

func TestConsole(t *testing.T) {
	chrome := findChromium(t)
	e := startEnv(t)
	e.uploadAll(t)
	e.waitEnded(t, len(sampleOutcomes)+2)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.WindowSize(1440, 1000),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	e.browser = bctx

	t.Run("Home", e.testHome)
	t.Run("ExecutionList", e.testExecutionList)
	t.Run("RejectedObject", e.testRejected)
	t.Run("FailedExecution", e.testFailed)
	t.Run("HistoryMatchesAPI", e.testHistory)
	t.Run("HTMLKeyIsText", e.testHTMLKey)
	t.Run("StoredOutput", e.testStoredOutput)
	t.Run("LiveExecution", e.testLive)
	t.Run("CrossOriginCannotAct", e.testCrossOrigin)
	t.Run("StartWithEditedInput", e.testStart)
	t.Run("Metrics", e.testMetrics)
	t.Run("DeadLetters", e.testDeadLetters)
	t.Run("RedriveExecution", e.testRedriveExecution)
}

func startEnv(t *testing.T) *env {
	tpl, err := os.ReadFile(filepath.Join(repoRoot, "deploy/template.json"))
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var once sync.Once
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	st, err := stack.Start(l, stack.Config{Template: tpl, DataDir: t.TempDir(), Functions: pipelineWithFaults(release)})
	if err != nil {
		l.Close()
		t.Fatal(err)
	}
	releaseOnce := func() { once.Do(func() { close(release) }) }
	t.Cleanup(func() {
		releaseOnce()
		st.Close()
	})
	res := st.Resources()
	creds := credentials.NewStaticCredentialsProvider("local", "local", "")
	e := &env{st: st, url: st.URL(), bucket: res.Bucket, machine: res.StateMachineArn, release: releaseOnce,
		s3: s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), UsePathStyle: true, Credentials: creds,
			RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired, ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired}),
		sfn: sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), Credentials: creds,
			APIOptions: []func(*middleware.Stack) error{localsfn.DisableHostPrefix}}),
		shots: filepath.Join(screenshotDir),
	}
	if err := os.MkdirAll(e.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) put(t *testing.T, key string, body []byte) {
	t.Helper()
	if _, err := e.s3.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func (e *env) uploadAll(t *testing.T) {
	sample := func(rel string) []byte {
		b, err := os.ReadFile(filepath.Join(repoRoot, "sample", rel))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	e.put(t, "schemas/orders.json", sample("schemas/orders.json"))
	for key := range sampleOutcomes {
		e.put(t, key, sample(key))
	}
	good := sample("incoming/orders/2024-03-01.csv")
	e.put(t, faultKey, good)
	e.put(t, htmlKey, good)
}

// executions lists the pipeline's executions, newest first.
func (e *env) executions(t *testing.T) []sfntypes.ExecutionListItem {
	t.Helper()
	var all []sfntypes.ExecutionListItem
	p := sfn.NewListExecutionsPaginator(e.sfn, &sfn.ListExecutionsInput{StateMachineArn: aws.String(e.machine)})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Executions...)
	}
	return all
}

// waitEnded waits until n executions exist and none is running.
func (e *env) waitEnded(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(settle)
	for {
		all := e.executions(t)
		running := slices.IndexFunc(all, func(x sfntypes.ExecutionListItem) bool { return x.Status == sfntypes.ExecutionStatusRunning })
		if len(all) >= n && running < 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d executions, running index %d, after %v", len(all), running, settle)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// executionFor finds the execution started for key.
func (e *env) executionFor(t *testing.T, key string) string {
	t.Helper()
	deadline := time.Now().Add(settle)
	for {
		for _, x := range e.executions(t) {
			d, err := e.sfn.DescribeExecution(t.Context(), &sfn.DescribeExecutionInput{ExecutionArn: x.ExecutionArn})
			if err != nil {
				t.Fatal(err)
			}
			var in struct {
				Detail struct {
					Object struct{ Key string } `json:"object"`
				} `json:"detail"`
			}
			_ = json.Unmarshal([]byte(aws.ToString(d.Input)), &in)
			if in.Detail.Object.Key == key {
				return aws.ToString(x.ExecutionArn)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no execution for %s", key)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// do runs browser steps with a bound.
func (e *env) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(e.browser, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// get runs one browser action that returns a value.
func get[T any](t *testing.T, e *env, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(e.browser, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func eval[T any](t *testing.T, e *env, js string) T {
	t.Helper()
	return get(t, e, chromedp.Evaluate[T](js))
}

func (e *env) text(t *testing.T, css string) string {
	t.Helper()
	return get(t, e, chromedp.Text(chromedp.CSS(css)))
}

func visible(css string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(css))
}

// shot saves a screenshot of the whole page.
func (e *env) shot(t *testing.T, name string) {
	t.Helper()
	buf := get(t, e, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(e.shots, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// follow opens the link the selector finds, as a click on it would.
func (e *env) follow(t *testing.T, css string) {
	t.Helper()
	href := eval[string](t, e, `(document.querySelector(`+strconv.Quote(css)+`) || {}).href || ""`)
	if href == "" {
		t.Fatalf("no link %s on the page", css)
	}
	e.do(t, chromedp.Navigate(href))
}

func (e *env) page(path string) string { return e.url + path }

func (e *env) execPage(arn string) string { return e.url + e.st.Console.ExecutionPath(arn) }

func (e *env) testHome(t *testing.T) {
	e.do(t, chromedp.Navigate(e.st.ConsoleURL()), visible(`table.list`))
	body := e.text(t, `body`)
	for _, want := range []string{"sluice-StateMachine", "incoming/", "quarantine/", "processed/", "failed/"} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	e.shot(t, "home")
	// The endpoint itself, opened in a browser, leads to the console.
	e.do(t, chromedp.Navigate(e.url+"/"), visible(`table.list`))
	if url := get(t, e, chromedp.Location()); !strings.HasSuffix(url, "/_console/") {
		t.Errorf("the endpoint led to %s, want the console", url)
	}
}

func (e *env) testExecutionList(t *testing.T) {
	e.do(t, chromedp.Navigate(e.page("/_console/executions")), visible(`table.executions`))
	rows := eval[[]map[string]string](t, e, `Array.from(document.querySelectorAll("table.executions tr.exec")).map(r => ({
			key: r.querySelector("td.key").textContent.trim(),
			outcome: r.cells[3].textContent.trim(),
			status: r.cells[1].textContent.trim()}))`)
	got := map[string]string{}
	for _, r := range rows {
		got[r["key"]] = r["outcome"]
	}
	for key, want := range sampleOutcomes {
		if got[key] != want {
			t.Errorf("list: %s outcome %q, want %q", key, got[key], want)
		}
	}
	if got[faultKey] != "failed" {
		t.Errorf("list: %s outcome %q, want failed", faultKey, got[faultKey])
	}
	e.shot(t, "executions")

	// Search by object key, and filter by status.
	e.do(t, chromedp.Navigate(e.page("/_console/executions?q=bad-")), visible(`table.executions`))
	if n := eval[int](t, e, `document.querySelectorAll("table.executions tr.exec").length`); n != 5 {
		t.Errorf("search bad-: %d rows, want 5", n)
	}
	e.do(t, chromedp.Navigate(e.page("/_console/executions?status=FAILED")), visible(`table.executions`))
	if n := eval[int](t, e, `document.querySelectorAll("table.executions tr.exec").length`); n != 1 {
		t.Errorf("status FAILED: %d rows, want 1", n)
	}
}

// nodeStatusJS reads the colour class of each state in the graph.
const nodeStatusJS = `Object.fromEntries(Array.from(document.querySelectorAll("#graph .node")).map(n =>
	[n.dataset.state, Array.from(n.classList).find(c => c.startsWith("s-")).slice(2)]))`

func (e *env) testRejected(t *testing.T) {
	arn := e.executionFor(t, "incoming/orders/bad-values.csv")
	e.do(t, chromedp.Navigate(e.execPage(arn)), visible(`#graph`))
	status := eval[map[string]string](t, e, nodeStatusJS)
	want := map[string]string{"Validate": "succeeded", "IsValid": "succeeded", "Quarantine": "succeeded", "Rejected": "succeeded",
		"Process": "not-started", "Store": "not-started", "Stored": "not-started", "RecordFailure": "not-started", "Failed": "not-started"}
	for state, w := range want {
		if status[state] != w {
			t.Errorf("%s is %q, want %q (all: %v)", state, status[state], w, status)
		}
	}
	// The Choice rule is on its edge.
	if labels := eval[string](t, e, `document.getElementById("graph").textContent`); !strings.Contains(labels, "$.validation.report.valid == true") {
		t.Errorf("the Choice edge has no rule label: %q", labels)
	}
	// Clicking Validate shows its output with the report.
	e.do(t, chromedp.Click(chromedp.CSS(`#graph .node[data-state="Validate"]`)), visible(`.state-detail[data-state="Validate"]`))
	detail := e.text(t, `.state-detail[data-state="Validate"]`)
	for _, w := range []string{"State input", "Task result", "After ResultSelector", "After ResultPath", "State output", `"valid": false`, "ORD-10030"} {
		if !strings.Contains(detail, w) {
			t.Errorf("Validate's details lack %q", w)
		}
	}
	// Validate has no OutputPath: the output worked out after ResultPath is the recorded state output.
	steps := eval[map[string]string](t, e, `Object.fromEntries(Array.from(document.querySelectorAll(
		'.state-detail[data-state="Validate"] li[data-step]')).map(li => [li.dataset.step, (li.querySelector("pre") || {}).textContent || ""]))`)
	var afterResultPath, output any
	if err := json.Unmarshal([]byte(steps["After ResultPath"]), &afterResultPath); err != nil {
		t.Fatalf("After ResultPath: %v: %q", err, steps["After ResultPath"])
	}
	if err := json.Unmarshal([]byte(steps["State output (after OutputPath)"]), &output); err != nil {
		t.Fatalf("State output: %v", err)
	}
	if diff := cmp.Diff(afterResultPath, output); diff != "" {
		t.Errorf("worked-out ResultPath step differs from the recorded output (-got +want):\n%s", diff)
	}
	e.shot(t, "execution-rejected")
	// The report, from the execution's outputs.
	e.follow(t, `#summary a[href*="bad-values.csv.report.json"]`)
	e.do(t, visible(`#report`))
	report := e.text(t, `#report`)
	for _, w := range []string{"invalid", "ORD-10030", "Problems"} {
		if !strings.Contains(report, w) {
			t.Errorf("report page lacks %q: %s", w, report)
		}
	}
	e.shot(t, "report")
}

func (e *env) testFailed(t *testing.T) {
	arn := e.executionFor(t, faultKey)
	e.do(t, chromedp.Navigate(e.execPage(arn)), visible(`#graph`))
	status := eval[map[string]string](t, e, nodeStatusJS)
	want := map[string]string{"Validate": "succeeded", "Process": "caught", "RecordFailure": "succeeded", "Failed": "failed", "Store": "not-started"}
	for state, w := range want {
		if status[state] != w {
			t.Errorf("%s is %q, want %q", state, status[state], w)
		}
	}
	if retries := eval[string](t, e, `document.querySelector('#graph .node[data-state="Process"] .retries').textContent`); !strings.Contains(retries, "2") {
		t.Errorf("Process retry badge %q, want 2 retries", retries)
	}
	e.do(t, chromedp.Click(chromedp.CSS(`#graph .node[data-state="Process"]`)), visible(`.state-detail[data-state="Process"] table.attempts`))
	attempts := eval[[]map[string]string](t, e, `Array.from(document.querySelectorAll('.state-detail[data-state="Process"] tr.attempt')).map(r => ({
			n: r.cells[0].textContent.trim(), wait: r.cells[2].textContent.trim(), result: r.cells[4].textContent.trim()}))`)
	wantResults := []string{"TransientError", "TransientError", "ObjectChangedError"}
	if len(attempts) != len(wantResults) {
		t.Fatalf("attempts %v, want %d", attempts, len(wantResults))
	}
	for i, a := range attempts {
		if a["result"] != wantResults[i] {
			t.Errorf("attempt %d result %q, want %q", i+1, a["result"], wantResults[i])
		}
		if i > 0 && (a["wait"] == "—" || a["wait"] == "") {
			t.Errorf("attempt %d shows no retry wait", i+1)
		}
	}
	detail := e.text(t, `.state-detail[data-state="Process"]`)
	for _, w := range []string{"Caught by the state's Catch", "injected fault", "503 SlowDown (injected)"} {
		if !strings.Contains(detail, w) {
			t.Errorf("Process details lack %q", w)
		}
	}
	e.shot(t, "execution-failed")
}

// apiHistory is GetExecutionHistory as the AWS CLI receives it: the raw JSON of each event.
func (e *env) apiHistory(t *testing.T, arn string) []map[string]json.RawMessage {
	t.Helper()
	var events []map[string]json.RawMessage
	token := ""
	for {
		body := map[string]any{"executionArn": arn}
		if token != "" {
			body["nextToken"] = token
		}
		b, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.url+"/", bytes.NewReader(b))
		req.Header.Set("X-Amz-Target", "AWSStepFunctions.GetExecutionHistory")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out struct {
			Events    []map[string]json.RawMessage `json:"events"`
			NextToken string                       `json:"nextToken"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("history: %v: %s", err, raw)
		}
		events = append(events, out.Events...)
		if token = out.NextToken; token == "" {
			return events
		}
	}
}

func (e *env) testHistory(t *testing.T) {
	for _, key := range []string{faultKey, "incoming/orders/2024-03-02.jsonl"} {
		arn := e.executionFor(t, key)
		api := e.apiHistory(t, arn)
		e.do(t, chromedp.Navigate(e.execPage(arn)), visible(`#events`))
		type row struct {
			ID      string `json:"id"`
			Type    string `json:"type"`
			Details string `json:"details"`
		}
		rows := eval[[]row](t, e, `Array.from(document.querySelectorAll("#events tr.ev")).map(r => ({
				id: r.dataset.id, type: r.dataset.type, details: r.nextElementSibling.querySelector("pre").textContent}))`)
		if len(rows) != len(api) {
			t.Fatalf("%s: table has %d events, GetExecutionHistory %d", key, len(rows), len(api))
		}
		for i, ev := range api {
			var id int64
			var typ string
			_ = json.Unmarshal(ev["id"], &id)
			_ = json.Unmarshal(ev["type"], &typ)
			if rows[i].ID != fmt.Sprint(id) || rows[i].Type != typ {
				t.Errorf("%s row %d: %s %s, want %d %s", key, i, rows[i].ID, rows[i].Type, id, typ)
			}
			for field, want := range ev {
				if !strings.HasSuffix(field, "EventDetails") {
					continue
				}
				var gotV, wantV any
				if err := json.Unmarshal([]byte(rows[i].Details), &gotV); err != nil {
					t.Fatalf("%s event %d details are not JSON: %v", key, id, err)
				}
				_ = json.Unmarshal(want, &wantV)
				gb, _ := json.Marshal(gotV)
				wb, _ := json.Marshal(wantV)
				if !bytes.Equal(gb, wb) {
					t.Errorf("%s event %d %s:\n got %s\nwant %s", key, id, field, gb, wb)
				}
			}
		}
	}
	// The type filter hides the other rows (the page is the last execution's: no TaskFailed there, so
	// pick a type it has).
	e.do(t, chromedp.SetValue(chromedp.ID("evtype"), "TaskSucceeded"))
	eval[bool](t, e, `document.getElementById("evtype").dispatchEvent(new Event("change", {bubbles: true}))`)
	visibleTypes := eval[[]string](t, e, `Array.from(document.querySelectorAll("#events tr.ev:not([hidden])")).map(r => r.dataset.type)`)
	if len(visibleTypes) == 0 {
		t.Error("filter TaskSucceeded shows no row")
	}
	for _, v := range visibleTypes {
		if v != "TaskSucceeded" {
			t.Errorf("filter TaskSucceeded shows a %s row", v)
		}
	}
}

func (e *env) testHTMLKey(t *testing.T) {
	check := func(where string) {
		if pwned := eval[any](t, e, `window.pwned === undefined ? null : window.pwned`); pwned != nil {
			t.Errorf("%s: the key ran as markup (window.pwned = %v)", where, pwned)
		}
		if n := eval[int](t, e, `document.querySelectorAll('img[src="x"], main script').length`); n != 0 {
			t.Errorf("%s: the key became %d elements", where, n)
		}
		if text := e.text(t, `body`); !strings.Contains(text, htmlKey) {
			t.Errorf("%s: the key is not shown as text", where)
		}
	}
	e.do(t, chromedp.Navigate(e.page("/_console/executions")), visible(`table.executions`))
	check("executions")
	arn := e.executionFor(t, htmlKey)
	e.do(t, chromedp.Navigate(e.execPage(arn)), visible(`#graph`))
	check("execution")
	e.do(t, chromedp.Navigate(e.page("/_console/object?key="+url.QueryEscape(htmlKey))), visible(`h1.key`))
	check("object")
}

func (e *env) testStoredOutput(t *testing.T) {
	arn := e.executionFor(t, "incoming/orders/2024-03-01.csv")
	e.do(t, chromedp.Navigate(e.execPage(arn)), visible(`#graph`))
	e.shot(t, "execution-stored")
	e.follow(t, `#summary a[href*="key=processed"]`)
	e.do(t, visible(`#rows`))
	cols := eval[[]string](t, e, `Array.from(document.querySelectorAll("#rows thead th")).map(th => th.textContent)`)
	if n := eval[int](t, e, `document.querySelectorAll("#rows tbody tr").length`); n != 8 {
		t.Errorf("processed output shows %d rows, want 8", n)
	}
	if !slices.Contains(cols, "order_id") {
		t.Errorf("processed output columns %v lack order_id", cols)
	}
	if src := e.text(t, `.summary`); !strings.Contains(src, "Made from") || !strings.Contains(src, "incoming/orders/2024-03-01.csv") {
		t.Errorf("the processed object does not link its source: %q", src)
	}
	e.shot(t, "object-output")
	e.do(t, chromedp.Navigate(e.page("/_console/objects?prefix=quarantine/orders/")), visible(`table.objects`))
	e.shot(t, "objects")
}

func (e *env) testLive(t *testing.T) {
	e.put(t, holdKey, []byte("order_id,customer_id\n"))
	arn := e.executionFor(t, holdKey)
	// A second tab shows the executions list while the first shows the execution.
	listTab, closeTab := chromedp.NewContext(e.browser)
	defer closeTab()
	if err := chromedp.Do(listTab); err != nil { // the tab lives as long as the context of its first run
		t.Fatal(err)
	}
	row := `tr.exec[data-arn="` + arn + `"]`
	inList := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		ctx, cancel := context.WithTimeout(listTab, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	inList(chromedp.Navigate(e.page("/_console/executions")), visible(row+` .s-running`),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.marker = "same list"`))
			return err
		}))

	e.do(t, chromedp.Navigate(e.execPage(arn)), visible(`#graph`))
	eval[string](t, e, `window.marker = "same page"`)
	status := eval[map[string]string](t, e, nodeStatusJS)
	if status["Validate"] != "in-progress" {
		t.Fatalf("Validate is %q while held, want in-progress", status["Validate"])
	}
	e.shot(t, "execution-running")
	e.release()
	// The graph turns without a reload: the marker set on this page survives.
	e.do(t, visible(`#graph .node[data-state="Validate"].s-succeeded`), visible(`#graph .node[data-state="Rejected"].s-succeeded`))
	if marker := eval[string](t, e, `window.marker`); marker != "same page" {
		t.Errorf("the page was reloaded (marker %q)", marker)
	}
	if n := eval[string](t, e, `document.body.dataset.redraws || ""`); n == "" {
		t.Error("the page did not redraw itself")
	}
	// So does the list's row.
	inList(visible(row + ` .s-succeeded`))
	ctx, cancel := context.WithTimeout(listTab, 10*time.Second)
	defer cancel()
	marker, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.marker`))
	if err != nil || marker != "same list" {
		t.Errorf("the list was reloaded (marker %q, %v)", marker, err)
	}
}

func (e *env) testCrossOrigin(t *testing.T) {
	arn := e.executionFor(t, "incoming/orders/2024-03-03.json")
	before := len(e.executions(t))
	// Another site, even one that somehow knew the token, posts to the console's actions from its page.
	token := e.st.Console.Token()
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><body>
<form id=f method=post action="%[1]s/_console/actions/rerun"><input name=token value="%[2]s"><input name=executionArn value="%[3]s"></form>
<script>
fetch("%[1]s/_console/actions/rerun", {method: "POST", mode: "no-cors", headers: {"Content-Type": "application/x-www-form-urlencoded"},
  body: "token=%[2]s&executionArn=%[3]s"}).finally(() => { document.getElementById("f").submit(); });
</script></body>`, e.url, token, arn)
	}))
	defer evil.Close()
	e.do(t, chromedp.Navigate(evil.URL), chromedp.Sleep(time.Second))
	if body := strings.ToLower(e.text(t, `body`)); !strings.Contains(body, "accessdenied") && !strings.Contains(body, "forbidden") {
		t.Errorf("the cross-origin form was not refused: %q", body)
	}
	if after := len(e.executions(t)); after != before {
		t.Errorf("a cross-origin page started %d executions", after-before)
	}
	// The console's own button works.
	e.do(t, chromedp.Navigate(e.execPage(arn)), visible(`#rerun`), chromedp.Click(chromedp.ID("rerun")), chromedp.Sleep(300*time.Millisecond), visible(`#graph`))
	if after := len(e.executions(t)); after != before+1 {
		t.Errorf("re-run from the console started %d executions, want 1", after-before)
	}
	// Without the token, even the console's origin is refused.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.url+"/_console/actions/rerun",
		strings.NewReader("executionArn="+url.QueryEscape(arn)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.url)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a request without the token: %d, want 403", resp.StatusCode)
	}
	e.waitEnded(t, before+1)
}

func (e *env) testMetrics(t *testing.T) {
	e.do(t, chromedp.Navigate(e.page("/_console/metrics")), visible(`.charts`))
	titles := eval[[]string](t, e, `Array.from(document.querySelectorAll(".chart h2")).map(h => h.firstChild.textContent.trim())`)
	for _, w := range []string{"Executions", "Function invocations", "Objects"} {
		if !slices.Contains(titles, w) {
			t.Errorf("metrics page lacks the %q widget (has %v)", w, titles)
		}
	}
	// The functions' invocations and the objects' outcomes have data locally.
	legends := e.text(t, `.charts`)
	for _, w := range []string{"Invocations sluice-ValidateFunction sum", "ObjectsRejected validate sum"} {
		if !strings.Contains(legends, w) {
			t.Errorf("metrics page has no data for %q: %s", w, legends)
		}
	}
	e.shot(t, "metrics")
}

// testDeadLetters makes EventBridge give up on an event (its rule's target is a state machine that does
// not exist), then redrives it from the page.
func (e *env) testDeadLetters(t *testing.T) {
	ctx := t.Context()
	eb := eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("console-test"), EventPattern: aws.String(`{"source":["console.test"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("console-test"), Targets: []ebtypes.Target{{
		Id: aws.String("gone"), Arn: aws.String("arn:aws:states:us-east-1:000000000000:stateMachine:gone"),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/r")}}}); err != nil {
		t.Fatal(err)
	}
	const key = "incoming/orders/undeliverable.csv"
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String("console.test"), DetailType: aws.String("Object Created"),
		Detail: aws.String(`{"bucket":{"name":"` + e.bucket + `"},"object":{"key":"` + key + `"}}`)}}}); err != nil {
		t.Fatal(err)
	}
	rows := func() []string {
		return eval[[]string](t, e, `Array.from(document.querySelectorAll("table.dead td.key")).map(td => td.textContent.trim())`)
	}
	waitRow := func() {
		t.Helper()
		deadline := time.Now().Add(settle)
		for {
			e.do(t, chromedp.Navigate(e.page("/_console/dead-letters")), visible(`table.dead`))
			if slices.Contains(rows(), key) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no dead letter for %s", key)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	waitRow()
	if errs := e.text(t, `table.dead td.err`); !strings.Contains(errs, "RESOURCE_NOT_FOUND") {
		t.Errorf("the dead letter's error: %q", errs)
	}
	e.shot(t, "dead-letters")
	first := eval[string](t, e, `document.querySelector('table.dead input[name="id"]').value`)
	e.do(t, chromedp.Click(chromedp.CSS(`table.dead button`)), visible(`p.notice`))
	// Delivered again, it fails again: a new dead letter for the same object.
	waitRow()
	if again := eval[string](t, e, `document.querySelector('table.dead input[name="id"]').value`); again == first {
		t.Errorf("the redriven event is still dead letter %s", first)
	}
}

func (e *env) testStart(t *testing.T) {
	arn := e.executionFor(t, "incoming/orders/bad-header.csv")
	before := len(e.executions(t))
	e.do(t, chromedp.Navigate(e.page("/_console/start?from="+url.QueryEscape(arn))), visible(`#input`))
	if input := eval[string](t, e, `document.getElementById("input").value`); !strings.Contains(input, "bad-header.csv") {
		t.Fatalf("the editor does not hold the execution's input: %q", input)
	}
	// Invalid JSON is refused in the page, before anything is sent.
	e.do(t, chromedp.SetValue(chromedp.ID("input"), `{"detail": `))
	eval[bool](t, e, `document.getElementById("input").dispatchEvent(new Event("input", {bubbles: true}))`)
	if msg := e.text(t, `#input-error`); !strings.Contains(msg, "not valid JSON") {
		t.Errorf("invalid input shows %q", msg)
	}
	e.shot(t, "start")
	e.do(t, chromedp.Click(chromedp.CSS(`#startform button.primary`)), chromedp.Sleep(300*time.Millisecond))
	if after := len(e.executions(t)); after != before {
		t.Fatalf("invalid input started %d executions", after-before)
	}
	// A valid one starts an execution and shows it.
	input := `{"detail":{"bucket":{"name":"` + e.bucket + `"},"object":{"key":"incoming/orders/bad-header.csv"}}}`
	e.do(t, chromedp.SetValue(chromedp.ID("input"), input), chromedp.Click(chromedp.CSS(`#startform button.primary`)), visible(`#graph`))
	if after := len(e.executions(t)); after != before+1 {
		t.Errorf("start started %d executions, want 1", after-before)
	}
	if url := get(t, e, chromedp.Location()); !strings.Contains(url, "/_console/execution?arn=") {
		t.Errorf("after start the browser is at %s", url)
	}
	e.waitEnded(t, before+1)
}
