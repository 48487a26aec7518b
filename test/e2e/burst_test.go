package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// burstSize is the number of objects of a burst.
const burstSize = 1000

// burstObject is one small object of a burst.
type burstObject struct {
	key   string
	body  []byte
	valid bool
}

// burstObjects makes n small CSV objects of the orders dataset under incoming/orders/<tag>-NNNN.csv;
// every invalidEvery-th is invalid (a quantity below the schema's minimum, an unknown currency), none
// when invalidEvery is 0.
func burstObjects(n int, tag string, invalidEvery int) []burstObject {
	const header = "order_id,line,customer_email,sku,quantity,unit_price,currency,status,gift,order_date,created_at,note\n"
	objs := make([]burstObject, n)
	for i := range objs {
		o := burstObject{key: fmt.Sprintf("incoming/orders/%s-%04d.csv", tag, i), valid: invalidEvery == 0 || i%invalidEvery != invalidEvery-1}
		qty, currency := 1+i%5, "EUR"
		if !o.valid {
			qty, currency = -1, "XXX"
		}
		o.body = fmt.Appendf(nil, "%sORD-%06d,1,ana.silva@example.com,TEA-0042,%d,7.50,%s,paid,false,2024-03-01,2024-03-01T08:15:02Z,burst %d\n",
			header, 200000+i, qty, currency, i)
		objs[i] = o
	}
	return objs
}

// putAll writes the objects with workers concurrent clients and returns the keys whose PutObject failed
// (the stack stopped under them), in no particular order.
func (e *env) putAll(objs []burstObject, workers int, onPut func()) (failed []string) {
	var mu sync.Mutex
	next := make(chan burstObject)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range next {
				_, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(o.key), Body: strings.NewReader(string(o.body))})
				if err != nil {
					mu.Lock()
					failed = append(failed, o.key)
					mu.Unlock()
					continue
				}
				if onPut != nil {
					onPut()
				}
			}
		}()
	}
	for _, o := range objs {
		next <- o
	}
	close(next)
	wg.Wait()
	return failed
}

// accounting is what became of a burst.
type accounting struct {
	executions int
	byStatus   map[sfntypes.ExecutionStatus]int
	manifests  map[string]int // source key -> manifests
	reports    map[string]int // source key -> quarantine reports
	failures   map[string]int // source key -> failure records
	stored     map[string]int // source key -> executions whose Store task answered "stored"
	outputs    int            // objects under processed/
	staging    []string       // objects left under staging/
}

// account lists what the pipeline left in the bucket and the executions' statuses.
func (e *env) account(tb testing.TB) accounting {
	tb.Helper()
	a := accounting{byStatus: map[sfntypes.ExecutionStatus]int{}, manifests: map[string]int{}, reports: map[string]int{},
		failures: map[string]int{}, stored: map[string]int{}}
	for _, x := range e.describeAll(tb) {
		a.executions++
		a.byStatus[x.Status]++
		if o := outcomeOf(tb, x); o.Stored != nil && o.Stored.Output.Outcome == "stored" {
			a.stored[x.event.Detail.Object.Key]++
		}
	}
	for _, k := range e.keys(tb, "manifests/orders/") {
		// manifests/orders/<name>.<etag>.json
		name := strings.TrimSuffix(strings.TrimPrefix(k, "manifests/orders/"), ".json")
		a.manifests["incoming/orders/"+name[:strings.LastIndex(name, ".")]]++
	}
	for _, k := range e.keys(tb, "quarantine/orders/") {
		if name, ok := strings.CutSuffix(strings.TrimPrefix(k, "quarantine/orders/"), ".report.json"); ok {
			a.reports["incoming/orders/"+name]++
		}
	}
	for _, k := range e.keys(tb, "failed/orders/") {
		// failed/orders/<name>.<execution-name>.json
		name := strings.TrimSuffix(strings.TrimPrefix(k, "failed/orders/"), ".json")
		a.failures["incoming/orders/"+name[:strings.LastIndex(name, ".")]]++
	}
	a.outputs = len(e.keys(tb, "processed/"))
	a.staging = e.keys(tb, "staging/")
	return a
}

// check reports every object of objs that is not accounted for exactly once: a valid object has one
// manifest, an invalid one a quarantine report, and none has a failure record. Every execution ended in
// SUCCEEDED; there are at least as many as objects (a redelivered event adds one).
func (a accounting) check(tb testing.TB, objs []burstObject) {
	tb.Helper()
	var problems []string
	valid := 0
	for _, o := range objs {
		want := accounting{manifests: map[string]int{}, reports: map[string]int{}}
		if o.valid {
			valid++
			want.manifests[o.key] = 1
		} else {
			want.reports[o.key] = 1
		}
		if a.manifests[o.key] != want.manifests[o.key] || a.reports[o.key] != want.reports[o.key] || a.failures[o.key] != 0 {
			problems = append(problems, fmt.Sprintf("%s (valid %v): %d manifests, %d quarantine reports, %d failure records",
				o.key, o.valid, a.manifests[o.key], a.reports[o.key], a.failures[o.key]))
		}
	}
	slices.Sort(problems)
	if len(problems) > 0 {
		tb.Errorf("%d of %d objects not accounted for exactly once, e.g.:\n  %s", len(problems), len(objs), strings.Join(problems[:min(10, len(problems))], "\n  "))
	}
	if a.executions < len(objs) || a.byStatus[sfntypes.ExecutionStatusSucceeded] != a.executions {
		tb.Errorf("executions: got %d with statuses %v, want at least %d, all SUCCEEDED", a.executions, a.byStatus, len(objs))
	}
	if a.outputs != valid {
		tb.Errorf("outputs under processed/: got %d, want %d", a.outputs, valid)
	}
}

// checkStaging reports staging objects left behind.
func (a accounting) checkStaging(tb testing.TB) {
	tb.Helper()
	if len(a.staging) != 0 {
		tb.Errorf("%d staging objects left behind, e.g. %s", len(a.staging), a.staging[0])
	}
}

// checkStoredOnce reports every valid object that more than one execution (or none) claims to have
// stored: a redelivered event's execution must find the manifest and answer "duplicate".
func (a accounting) checkStoredOnce(tb testing.TB, objs []burstObject) {
	tb.Helper()
	var problems []string
	for _, o := range objs {
		if o.valid && a.stored[o.key] != 1 {
			problems = append(problems, fmt.Sprintf("%s: stored by %d executions", o.key, a.stored[o.key]))
		}
	}
	if len(problems) > 0 {
		tb.Errorf("%d objects not stored exactly once, e.g.:\n  %s", len(problems), strings.Join(problems[:min(10, len(problems))], "\n  "))
	}
}

// TestBurst puts 1,000 small objects at once from 32 clients (200 with -short): every one ends with a
// manifest or a quarantine report, and every execution ends.
func TestBurst(t *testing.T) {
	t.Parallel()
	n := burstSize
	if testing.Short() {
		n = burstSize / 5
	}
	e := startStack(t, "", "")
	e.putSchema(t)
	objs := burstObjects(n, "burst", 10)
	if failed := e.putAll(objs, 32, nil); len(failed) > 0 {
		t.Fatalf("%d puts failed, e.g. %s", len(failed), failed[0])
	}
	e.waitExecutionsWithin(t, len(objs), burstSettleTimeout)
	a := e.account(t)
	a.check(t, objs)
	a.checkStoredOnce(t, objs)
	a.checkStaging(t)
}
