package console_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/sluicehq/sluice/local/console"
	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// manyExecutions starts n executions of a one-Pass-state machine on a fresh Step Functions service, each
// for an object key of its own, waits for them to end, and returns a console over that service.
func manyExecutions(tb testing.TB, n int) (*console.Console, string) {
	c, arn, _ := manyExecutionsAPI(tb, n)
	return c, arn
}

func manyExecutionsAPI(tb testing.TB, n int) (*console.Console, string, console.API) {
	tb.Helper()
	svc, err := localsfn.New()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { svc.Close() })
	api := console.HandlerAPI(svc)
	ctx := context.Background()
	var created struct {
		StateMachineArn string `json:"stateMachineArn"`
	}
	if err := api.Call(ctx, "AWSStepFunctions.CreateStateMachine", map[string]any{
		"name": "many", "roleArn": "arn:aws:iam::000000000000:role/r",
		"definition": `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`,
	}, &created); err != nil {
		tb.Fatal(err)
	}
	var last string
	for i := range n {
		var out struct {
			ExecutionArn string `json:"executionArn"`
		}
		input := fmt.Sprintf(`{"detail":{"bucket":{"name":"b"},"object":{"key":"incoming/many/%06d.csv"}}}`, i)
		if err := api.Call(ctx, "AWSStepFunctions.StartExecution", map[string]any{
			"stateMachineArn": created.StateMachineArn, "name": fmt.Sprintf("exec-%06d", i), "input": input,
		}, &out); err != nil {
			tb.Fatal(err)
		}
		last = out.ExecutionArn
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if _, err := svc.Wait(wctx, last); err != nil {
		tb.Fatal(err)
	}
	return console.New(console.WithStepFunctions(api), console.WithStateMachine(created.StateMachineArn)), created.StateMachineArn, api
}

var (
	rowArn   = regexp.MustCompile(`<tr class="exec" data-arn="([^"]+)"`)
	nextLink = regexp.MustCompile(`next=([^"&]+)`)
)

func getPage(tb testing.TB, srv *httptest.Server, path string) string {
	tb.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return string(b)
}

// TestPagingEveryExecution walks the executions list page by page with the API's nextToken: every
// execution appears once, and a search by object key finds exactly its own.
func TestPagingEveryExecution(t *testing.T) {
	const n = 1234
	c, machine := manyExecutions(t, n)
	srv := httptest.NewServer(c)
	defer srv.Close()
	seen := map[string]int{}
	path := "/_console/executions?sm=" + url.QueryEscape(machine)
	pages := 0
	for ; pages < n; pages++ {
		body := getPage(t, srv, path)
		for _, m := range rowArn.FindAllStringSubmatch(body, -1) {
			seen[html.UnescapeString(m[1])]++
		}
		next := nextLink.FindStringSubmatch(body)
		if next == nil {
			break
		}
		token, err := url.QueryUnescape(html.UnescapeString(next[1]))
		if err != nil {
			t.Fatal(err)
		}
		path = "/_console/executions?sm=" + url.QueryEscape(machine) + "&next=" + url.QueryEscape(token)
	}
	if len(seen) != n {
		t.Errorf("%d executions listed over %d pages, want %d", len(seen), pages+1, n)
	}
	for arn, k := range seen {
		if k != 1 {
			t.Errorf("%s listed %d times", arn, k)
		}
	}
	body := getPage(t, srv, "/_console/executions?sm="+url.QueryEscape(machine)+"&q="+url.QueryEscape("incoming/many/000777.csv"))
	got := rowArn.FindAllStringSubmatch(body, -1)
	if len(got) != 1 || nameOf(html.UnescapeString(got[0][1])) != "exec-000777" {
		t.Errorf("search by key found %v, want exec-000777 only", got)
	}
}

func nameOf(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == ':' {
			return arn[i+1:]
		}
	}
	return arn
}

// BenchmarkExecutionsPage serves the first page of the executions list, and a page 90% down it, with
// 100,000 executions, against the first page with 100 as the baseline (ratio-100k-*).
//
//	go test -run '^$' -bench ExecutionsPage -benchtime 20x ./test/console/
func BenchmarkExecutionsPage(b *testing.B) {
	page := func(b *testing.B, c *console.Console, path string) time.Duration {
		srv := httptest.NewServer(c)
		defer srv.Close()
		getPage(b, srv, path) // warm the describe cache, as a user paging through would
		start := time.Now()
		for range b.N {
			getPage(b, srv, path)
		}
		return time.Since(start) / time.Duration(b.N)
	}
	b.StopTimer()
	small, smallArn := manyExecutions(b, 100)
	large, largeArn, api := manyExecutionsAPI(b, 100_000)
	// The nextToken of the page after the first 90,000, as a user paging on would hold it.
	token := ""
	for range 90 {
		var out struct {
			NextToken string `json:"nextToken"`
		}
		in := map[string]any{"stateMachineArn": largeArn, "maxResults": 1000}
		if token != "" {
			in["nextToken"] = token
		}
		if err := api.Call(context.Background(), "AWSStepFunctions.ListExecutions", in, &out); err != nil {
			b.Fatal(err)
		}
		token = out.NextToken
	}
	b.StartTimer()
	base := page(b, small, "/_console/executions?sm="+url.QueryEscape(smallArn))
	first := page(b, large, "/_console/executions?sm="+url.QueryEscape(largeArn))
	deep := page(b, large, "/_console/executions?sm="+url.QueryEscape(largeArn)+"&next="+url.QueryEscape(token))
	b.ReportMetric(float64(base.Microseconds()), "µs/page-100")
	b.ReportMetric(float64(first.Microseconds()), "µs/first-page-100k")
	b.ReportMetric(float64(deep.Microseconds()), "µs/deep-page-100k")
	b.ReportMetric(float64(first)/float64(base), "ratio-100k-first")
	b.ReportMetric(float64(deep)/float64(base), "ratio-100k-deep")
}
