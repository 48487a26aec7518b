package console_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/chromedp/chromedp"
)

// testRedriveExecution redrives the failed execution of faultKey from its page: a succeeded execution has
// no Redrive button, a POST without the console's token is refused, and the button redrives from the state
// that failed (the Fail state after the caught failure), so Validate and Process do not run again.
func (e *env) testRedriveExecution(t *testing.T) {
	ok := e.executionFor(t, "incoming/orders/2024-03-01.csv")
	e.do(t, chromedp.Navigate(e.execPage(ok)), visible(`#graph`))
	if n := eval[int](t, e, `document.querySelectorAll('#redrive-execution').length`); n != 0 {
		t.Errorf("a succeeded execution has %d Redrive buttons, want none", n)
	}

	arn := e.executionFor(t, faultKey)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.url+"/_console/actions/redrive-execution",
		strings.NewReader("executionArn="+url.QueryEscape(arn)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.url)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a redrive without the token: %d, want 403", resp.StatusCode)
	}
	before := e.apiHistory(t, arn)

	e.do(t, chromedp.Navigate(e.execPage(arn)), visible(`#redrive-execution`), chromedp.Click(chromedp.ID("redrive-execution")),
		chromedp.Sleep(300*time.Millisecond), visible(`#redriven`))
	if got := e.text(t, `#redriven`); !strings.HasPrefix(got, "1 time") {
		t.Errorf("the page says redriven %q, want 1 time", got)
	}
	deadline := time.Now().Add(settle)
	var d *sfn.DescribeExecutionOutput
	for {
		d, err = e.sfn.DescribeExecution(t.Context(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the redriven execution did not end")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if aws.ToInt32(d.RedriveCount) != 1 || d.Status != sfntypes.ExecutionStatusFailed {
		t.Errorf("after the redrive: %s, redriveCount %d; want FAILED (the Fail state again), 1", d.Status, aws.ToInt32(d.RedriveCount))
	}
	after := e.apiHistory(t, arn)
	var types []string
	for _, ev := range after[len(before):] {
		types = append(types, strings.Trim(string(ev["type"]), `"`))
	}
	if len(types) == 0 || types[0] != "ExecutionRedriven" {
		t.Fatalf("events after the redrive: %v, want ExecutionRedriven first", types)
	}
	if slices.Contains(types, "TaskStateEntered") {
		t.Errorf("a task ran again in the redrive: %v", types)
	}
	e.shot(t, "execution-redriven")
}
