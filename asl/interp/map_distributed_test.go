package interp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// genReader is an in-memory ItemReader: item i of n is item(i). It holds
// no items: a test can stream millions through it.
type genReader struct {
	n      int
	item   func(i int) any
	open   error // returned by OpenItems
	failAt int   // Next fails at this index; -1 never

	mu     sync.Mutex
	reqs   []ItemReadRequest
	closed int
}

func newGenReader(n int, item func(i int) any) *genReader {
	return &genReader{n: n, item: item, failAt: -1}
}

func (r *genReader) OpenItems(_ context.Context, req ItemReadRequest) (ItemIterator, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
	if r.open != nil {
		return nil, r.open
	}
	return &genIter{r: r}, nil
}

type genIter struct {
	r *genReader
	i int
}

func (it *genIter) Next(context.Context) (any, error) {
	if it.i == it.r.failAt {
		return nil, errors.New("the object is not valid JSON")
	}
	if it.i >= it.r.n {
		return nil, io.EOF
	}
	it.i++
	return it.r.item(it.i - 1), nil
}

func (it *genIter) Close() error {
	it.r.mu.Lock()
	it.r.closed++
	it.r.mu.Unlock()
	return nil
}

// memWriter is an in-memory ResultWriter keeping every record.
type memWriter struct {
	open     error
	addFails int // the n-th Add (1-based) fails; 0 never
	closeErr error

	mu      sync.Mutex
	reqs    []ResultWriteRequest
	results []ChildResult
	summary *MapRunSummary
	adds    int
}

func (w *memWriter) OpenResults(_ context.Context, req ResultWriteRequest) (ResultSink, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reqs = append(w.reqs, req)
	if w.open != nil {
		return nil, w.open
	}
	return w, nil
}

func (w *memWriter) Add(_ context.Context, r ChildResult) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.adds++
	if w.adds == w.addFails {
		return errors.New("access denied")
	}
	w.results = append(w.results, r)
	return nil
}

func (w *memWriter) Close(_ context.Context, s MapRunSummary) (map[string]any, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.summary = &s
	if w.closeErr != nil {
		return nil, w.closeErr
	}
	return map[string]any{"Bucket": "results", "Key": "out/" + s.MapRunArn[strings.LastIndex(s.MapRunArn, ":")+1:] + "/manifest.json"}, nil
}

// recordingHost is a MapRunHost that keeps every run and child history.
type recordingHost struct {
	mu       sync.Mutex
	runs     []*MapRun
	children []ChildExecution
	results  map[string]Result
	history  map[string]*HistoryLog
	ended    []MapRunDescription
}

func newRecordingHost() *recordingHost {
	return &recordingHost{results: map[string]Result{}, history: map[string]*HistoryLog{}}
}

func (h *recordingHost) MapRunStarted(_ context.Context, run *MapRun) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.runs = append(h.runs, run)
	return nil
}

func (h *recordingHost) ChildStarted(_ *MapRun, c ChildExecution) HistorySink {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.children = append(h.children, c)
	log := &HistoryLog{}
	h.history[c.Arn] = log
	return log
}

func (h *recordingHost) ChildEnded(_ *MapRun, c ChildExecution, r Result) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.results[c.Arn] = r
}

func (h *recordingHost) MapRunEnded(run *MapRun) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ended = append(h.ended, run.Describe())
}

var (
	_ ItemReader   = (*genReader)(nil)
	_ ResultWriter = (*memWriter)(nil)
	_ ResultSink   = (*memWriter)(nil)
	_ MapRunHost   = (*recordingHost)(nil)
)

// distMap is a distributed Map definition around the given fields, with a
// processor of one Pass state unless processor is given.
func distMap(fields, processor string) string {
	if processor == "" {
		processor = `"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}`
	}
	return `{"StartAt":"M","States":{"M":{"Type":"Map",` + fields + `
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},` + processor + `},"End":true}}}`
}

func eventTypes(ev []HistoryEvent) []string {
	var out []string
	for _, e := range ev {
		out = append(out, string(e.Type))
	}
	return out
}

func numbered(i int) any { return map[string]any{"n": jsonInt(i)} }

// An ItemReader's Parameters are evaluated against the state's input and
// handed to the host with the ReaderConfig resolved; MaxItems and
// MaxItemsPath cap the items, whatever the reader does; the output is
// the children's outputs in item order.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
func TestDistributedItemReader(t *testing.T) {
	tests := []struct {
		name, config, input, want string
	}{
		{"all items", `"InputType":"JSON"`, `{"b":"in","k":"a.json"}`, `[{"n":0},{"n":1},{"n":2},{"n":3},{"n":4}]`},
		{"MaxItems", `"InputType":"JSONL","MaxItems":2`, `{"b":"in","k":"a.json"}`, `[{"n":0},{"n":1}]`},
		{"MaxItemsPath", `"InputType":"CSV","CSVHeaderLocation":"GIVEN","CSVHeaders":["a","b"],"CSVDelimiter":"PIPE","MaxItemsPath":"$.max"}`, `{"b":"in","k":"a.json","max":3}`, `[{"n":0},{"n":1},{"n":2}]`},
		{"MaxItemsPath as a string", `"InputType":"CSV","MaxItemsPath":"$.max"`, `{"b":"in","k":"a.json","max":"4"}`, `[{"n":0},{"n":1},{"n":2},{"n":3}]`},
		{"MaxItems above the data set", `"InputType":"JSON","MaxItems":100`, `{"b":"in","k":"a.json"}`, `[{"n":0},{"n":1},{"n":2},{"n":3},{"n":4}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			config := tc.config
			if !strings.HasSuffix(config, "}") {
				config += "}"
			}
			reader := newGenReader(5, numbered)
			def := distMap(`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{`+config+`,
				"Parameters":{"Bucket.$":"$.b","Key.$":"$.k","VersionId":"v1"}},`, "")
			r, ev := run(t, def, tc.input, WithItemReader(reader))
			if r.Status != StatusSucceeded {
				t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
			}
			if diff := cmp.Diff(canon(t, r.Output), tc.want); diff != "" {
				t.Errorf("output (-got +want):\n%s", diff)
			}
			if len(reader.reqs) != 1 || reader.closed != 1 {
				t.Fatalf("reader opened %d times, closed %d, want 1 and 1", len(reader.reqs), reader.closed)
			}
			req := reader.reqs[0]
			if diff := cmp.Diff(canon(t, req.Arguments), `{"Bucket":"in","Key":"a.json","VersionId":"v1"}`); diff != "" {
				t.Errorf("arguments (-got +want):\n%s", diff)
			}
			if req.Resource != "arn:aws:states:::s3:getObject" || req.StateName != "M" || req.MapRunArn == "" || req.ExecutionArn == "" {
				t.Errorf("request = %+v", req)
			}
			if tc.name == "MaxItemsPath" {
				want := ReaderConfig{InputType: "CSV", CSVHeaderLocation: "GIVEN", CSVHeaders: []string{"a", "b"}, CSVDelimiter: "PIPE", MaxItems: 3}
				if diff := cmp.Diff(req.Config, want); diff != "" {
					t.Errorf("config (-got +want):\n%s", diff)
				}
			}
			wantEvents := []string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"}
			if diff := cmp.Diff(eventTypes(ev), wantEvents); diff != "" {
				t.Errorf("events (-got +want):\n%s", diff)
			}
		})
	}
}

// The Map Run's ARN names the state machine and the label; its child
// executions have ARNs of their own under the Map Run's state machine,
// and the host sees each one's history.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html
func TestDistributedMapRunHost(t *testing.T) {
	host := newRecordingHost()
	def := distMap(`"Label":"Files","ItemsPath":"$.items","MaxConcurrency":2,"ToleratedFailureCount":1,`,
		`"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"exec.$":"$$.Execution.Id","sm.$":"$$.StateMachine.Id","v.$":"$"},"End":true}}`)
	clock := NewVirtualClock(epoch)
	m := compile(t, def, WithClock(clock), WithMapRunHost(host), WithRegion("eu-west-1", "123456789012"))
	var h HistoryLog
	e := m.Start(t.Context(), mustJSON(t, `{"items":["a","b","c"]}`), WithHistory(&h),
		WithStateMachineArn("arn:aws:states:eu-west-1:123456789012:stateMachine:Pipeline"), WithExecutionName("run1"))
	r := wait(t, e)
	if r.Status != StatusSucceeded {
		t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
	}
	if len(host.runs) != 1 || len(host.ended) != 1 {
		t.Fatalf("runs started %d, ended %d", len(host.runs), len(host.ended))
	}
	d := host.ended[0]
	uuidRE := `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`
	if !regexp.MustCompile(`^arn:aws:states:eu-west-1:123456789012:mapRun:Pipeline/Files:` + uuidRE + `$`).MatchString(d.MapRunArn) {
		t.Errorf("map run ARN %q", d.MapRunArn)
	}
	var started string
	for _, ev := range h.Events() {
		if ev.MapRunStartedEventDetails != nil {
			started = ev.MapRunStartedEventDetails.MapRunArn
		}
	}
	if started != d.MapRunArn {
		t.Errorf("MapRunStarted names %q, the run is %q", started, d.MapRunArn)
	}
	wantDesc := MapRunDescription{
		MapRunArn: d.MapRunArn, ExecutionArn: "arn:aws:states:eu-west-1:123456789012:execution:Pipeline:run1",
		StateMachineArn:       "arn:aws:states:eu-west-1:123456789012:stateMachine:Pipeline/Files",
		ParentStateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:Pipeline",
		StateName:             "M", Label: "Files", ExecutionType: "STANDARD", Status: MapRunStatusSucceeded,
		StartDate: d.StartDate, StopDate: d.StopDate, MaxConcurrency: 2, ToleratedFailureCount: 1,
		Items:      MapRunCounts{Succeeded: 3, Total: 3},
		Executions: MapRunCounts{Succeeded: 3, Total: 3},
	}
	if diff := cmp.Diff(d, wantDesc); diff != "" {
		t.Errorf("description (-got +want):\n%s", diff)
	}
	if len(host.children) != 3 {
		t.Fatalf("%d children, want 3", len(host.children))
	}
	childRE := regexp.MustCompile(`^arn:aws:states:eu-west-1:123456789012:execution:Pipeline/Files:(` + uuidRE + `)$`)
	outputs := map[string]bool{}
	for _, c := range host.children {
		m := childRE.FindStringSubmatch(c.Arn)
		if m == nil || m[1] != c.Name {
			t.Errorf("child ARN %q, name %q", c.Arn, c.Name)
		}
		res := host.results[c.Arn]
		out, _ := res.Output.(map[string]any)
		if res.Status != StatusSucceeded || out["exec"] != c.Arn || out["sm"] != wantDesc.StateMachineArn {
			t.Errorf("child %s ended %s with %v", c.Arn, res.Status, res.Output)
		}
		outputs[fmt.Sprint(out["v"])] = true
		types := eventTypes(host.history[c.Arn].Events())
		if diff := cmp.Diff(types, []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}); diff != "" {
			t.Errorf("child history (-got +want):\n%s", diff)
		}
	}
	if diff := cmp.Diff(outputs, map[string]bool{"a": true, "b": true, "c": true}); diff != "" {
		t.Errorf("child inputs (-got +want):\n%s", diff)
	}
	if err := host.runs[0].Update(MapRunUpdate{MaxConcurrency: ptr(5)}); !errors.Is(err, ErrMapRunEnded) {
		t.Errorf("Update after the end: %v, want ErrMapRunEnded", err)
	}
}

func ptr[T any](v T) *T { return &v }

// ItemSelector sees $$.Map.Item.Index and Value (JSONPath) and
// $states.context.Map.Item (JSONata), for items read by an ItemReader too.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemselector.html
func TestDistributedItemSelector(t *testing.T) {
	tests := []struct {
		name, def, input, want string
	}{
		{"JSONPath over the input", distMap(`"ItemsPath":"$.xs","ItemSelector":{"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value","k.$":"$.k"},`, ""),
			`{"k":"K","xs":["a","b"]}`, `[{"i":0,"k":"K","v":"a"},{"i":1,"k":"K","v":"b"}]`},
		{"JSONPath over a reader", distMap(`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"},"Parameters":{"Bucket":"b","Key":"k"}},
			"ItemSelector":{"i.$":"$$.Map.Item.Index","n.$":"$$.Map.Item.Value.n"},`, ""),
			`{}`, `[{"i":0,"n":0},{"i":1,"n":1},{"i":2,"n":2}]`},
		{"JSONata", `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":"{% $states.input.xs %}",
			"ItemSelector":{"i":"{% $states.context.Map.Item.Index %}","v":"{% $states.context.Map.Item.Value %}","k":"{% $states.input.k %}"},
			"MaxConcurrency":"{% 1 %}",
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
			`{"k":"K","xs":["a","b"]}`, `[{"i":0,"k":"K","v":"a"},{"i":1,"k":"K","v":"b"}]`},
		{"JSONata over a reader", `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map",
			"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON","MaxItems":"{% $states.input.max %}"},"Arguments":{"Bucket":"{% $states.input.b %}","Key":"k"}},
			"ItemSelector":{"i":"{% $states.context.Map.Item.Index %}","n":"{% $states.context.Map.Item.Value.n %}"},
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
			`{"b":"bkt","max":2}`, `[{"i":0,"n":0},{"i":1,"n":1}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := run(t, tc.def, tc.input, WithItemReader(newGenReader(3, numbered)))
			if r.Status != StatusSucceeded {
				t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
			}
			if diff := cmp.Diff(canon(t, r.Output), tc.want); diff != "" {
				t.Errorf("output (-got +want):\n%s", diff)
			}
		})
	}
}

// ItemBatcher groups items into child inputs {"Items": [...],
// "BatchInput": ...} by count and by size (the child input's JSON bytes).
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html
func TestDistributedItemBatcher(t *testing.T) {
	items := `["aaaa","bbbb","cccc","dddd","eeee"]` // each renders as 6 bytes, 7 with its comma
	tests := []struct {
		name, batcher, want string
	}{
		{"two per batch", `{"MaxItemsPerBatch":2}`, `[{"Items":["aaaa","bbbb"]},{"Items":["cccc","dddd"]},{"Items":["eeee"]}]`},
		{"from a path, with BatchInput", `{"MaxItemsPerBatchPath":"$.per","BatchInput":{"job.$":"$.job","fixed":1}}`,
			`[{"BatchInput":{"fixed":1,"job":"J"},"Items":["aaaa","bbbb","cccc"]},{"BatchInput":{"fixed":1,"job":"J"},"Items":["dddd","eeee"]}]`},
		// {"Items":[]} is 12 bytes; two items make 26 (<= 26), three 33.
		{"by size", `{"MaxInputBytesPerBatch":26}`, `[{"Items":["aaaa","bbbb"]},{"Items":["cccc","dddd"]},{"Items":["eeee"]}]`},
		{"by size from a path", `{"MaxInputBytesPerBatchPath":"$.bytes"}`, `[{"Items":["aaaa","bbbb","cccc"]},{"Items":["dddd","eeee"]}]`},
		{"size caps count", `{"MaxItemsPerBatch":4,"MaxInputBytesPerBatch":26}`, `[{"Items":["aaaa","bbbb"]},{"Items":["cccc","dddd"]},{"Items":["eeee"]}]`},
		{"count caps size", `{"MaxItemsPerBatch":1,"MaxInputBytesPerBatch":1000}`, `[{"Items":["aaaa"]},{"Items":["bbbb"]},{"Items":["cccc"]},{"Items":["dddd"]},{"Items":["eeee"]}]`},
		{"an item larger than the limit goes alone", `{"MaxInputBytesPerBatch":5}`, `[{"Items":["aaaa"]},{"Items":["bbbb"]},{"Items":["cccc"]},{"Items":["dddd"]},{"Items":["eeee"]}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := distMap(`"ItemsPath":"$.items","ItemBatcher":`+tc.batcher+`,`, "")
			r, _ := run(t, def, `{"job":"J","per":3,"bytes":33,"items":`+items+`}`)
			if r.Status != StatusSucceeded {
				t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
			}
			if diff := cmp.Diff(canon(t, r.Output), tc.want); diff != "" {
				t.Errorf("output (-got +want):\n%s", diff)
			}
		})
	}
}

// The JSONata forms of ItemBatcher: expressions for the limits and
// BatchInput.
func TestDistributedItemBatcherJSONata(t *testing.T) {
	def := `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":"{% $states.input.items %}",
		"ItemBatcher":{"MaxItemsPerBatch":"{% $states.input.per %}","BatchInput":{"job":"{% $states.input.job %}"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	r, _ := run(t, def, `{"job":"J","per":2,"items":[1,2,3]}`)
	if r.Status != StatusSucceeded {
		t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
	}
	want := `[{"BatchInput":{"job":"J"},"Items":[1,2]},{"BatchInput":{"job":"J"},"Items":[3]}]`
	if diff := cmp.Diff(canon(t, r.Output), want); diff != "" {
		t.Errorf("output (-got +want):\n%s", diff)
	}
}

// A child execution sees none of the parent's variables: a Distributed
// Map cannot reference outer scopes; values go through ItemSelector.
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
func TestDistributedVariableScope(t *testing.T) {
	inner := `"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"x.$":"$x"},"End":true}}`
	def := `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":1},"Next":"M"},"M":{"Type":"Map","ItemsPath":"$.items",
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},` + inner + `},"End":true}}}`
	host := newRecordingHost()
	r, _ := run(t, def, `{"items":[1]}`, WithMapRunHost(host))
	if r.Error != "States.ExceedToleratedFailureThreshold" {
		t.Fatalf("got %s %s %s", r.Status, r.Error, r.Cause)
	}
	for _, res := range host.results {
		if res.Error != "States.Runtime" {
			t.Errorf("child ended %s %s %s, want States.Runtime", res.Status, res.Error, res.Cause)
		}
	}
	withSelector := `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":1},"Next":"M"},"M":{"Type":"Map","ItemsPath":"$.items","ItemSelector":{"x.$":"$x"},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	if r, _ := run(t, withSelector, `{"items":[1]}`); r.Status != StatusSucceeded || canon(t, r.Output) != `[{"x":1}]` {
		t.Errorf("through ItemSelector: %s %s %v", r.Status, r.Error, r.Output)
	}
}

// failingItems is a task that fails for items {"fail": true}.
var failingItems = TaskInvokerFunc(func(_ context.Context, req TaskRequest) (any, error) {
	if in, _ := req.Input.(map[string]any); in["fail"] == true {
		return nil, Fail("Item.Failed", "bad item")
	}
	if in, _ := req.Input.(map[string]any); in != nil {
		if items, _ := in["Items"].([]any); len(items) > 0 {
			for _, it := range items {
				if m, _ := it.(map[string]any); m["fail"] == true {
					return nil, Fail("Item.Failed", "bad batch")
				}
			}
		}
	}
	return req.Input, nil
})

const failingProcessor = `"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::test:item","End":true}}`

// The Map Run fails with States.ExceedToleratedFailureThreshold once the
// failed items exceed the tolerated count or percentage (either, when both
// are set); with neither, one failure fails it. The percentage is failed
// items over all items.
// https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html
func TestDistributedToleratedFailures(t *testing.T) {
	// 10 items, of which the ones listed fail.
	tests := []struct {
		name, fields string
		fail         []int
		wantError    string
	}{
		{"no threshold, no failure", ``, nil, ""},
		{"no threshold, one failure", ``, []int{3}, "States.ExceedToleratedFailureThreshold"},
		{"count equal to failures", `"ToleratedFailureCount":2,`, []int{1, 2}, ""},
		{"count one below failures", `"ToleratedFailureCount":1,`, []int{1, 2}, "States.ExceedToleratedFailureThreshold"},
		{"count zero", `"ToleratedFailureCount":0,`, []int{9}, "States.ExceedToleratedFailureThreshold"},
		{"count from a path", `"ToleratedFailureCountPath":"$.count",`, []int{1, 2, 3}, ""},
		{"percentage equal to failures", `"ToleratedFailurePercentage":20,`, []int{0, 9}, ""},
		{"percentage just below failures", `"ToleratedFailurePercentage":19.9,`, []int{0, 9}, "States.ExceedToleratedFailureThreshold"},
		{"percentage 100", `"ToleratedFailurePercentage":100,`, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, ""},
		{"percentage 0", `"ToleratedFailurePercentage":0,`, []int{5}, "States.ExceedToleratedFailureThreshold"},
		{"percentage from a path", `"ToleratedFailurePercentagePath":"$.pct",`, []int{0, 1, 2}, ""},
		{"both, count exceeded", `"ToleratedFailureCount":1,"ToleratedFailurePercentage":50,`, []int{0, 1}, "States.ExceedToleratedFailureThreshold"},
		{"both, percentage exceeded", `"ToleratedFailureCount":5,"ToleratedFailurePercentage":10,`, []int{0, 1}, "States.ExceedToleratedFailureThreshold"},
		{"both, neither exceeded", `"ToleratedFailureCount":2,"ToleratedFailurePercentage":20,`, []int{0, 1}, ""},
		// A failed batch fails all its items: 2 batches of 3 = 6 failed items.
		{"batches count items", `"ItemBatcher":{"MaxItemsPerBatch":3},"ToleratedFailureCount":5,`, []int{0, 3}, "States.ExceedToleratedFailureThreshold"},
		{"batches count items, tolerated", `"ItemBatcher":{"MaxItemsPerBatch":3},"ToleratedFailureCount":6,`, []int{0, 3}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var items []string
			for i := range 10 {
				if contains(tc.fail, i) {
					items = append(items, `{"fail":true}`)
				} else {
					items = append(items, fmt.Sprintf(`{"i":%d}`, i))
				}
			}
			def := distMap(`"ItemsPath":"$.items","MaxConcurrency":1,`+tc.fields, failingProcessor)
			host := newRecordingHost()
			r, ev := run(t, def, `{"count":3,"pct":30,"items":[`+strings.Join(items, ",")+`]}`, WithTaskInvoker(failingItems), WithMapRunHost(host))
			if r.Error != tc.wantError {
				t.Fatalf("error: got %q (%s: %s), want %q", r.Error, r.Status, r.Cause, tc.wantError)
			}
			if tc.wantError == "" {
				if r.Status != StatusSucceeded {
					t.Fatalf("status %s", r.Status)
				}
				// A tolerated failure is kept in the output as its record.
				out := r.Output.([]any)
				failed := 0
				for _, o := range out {
					if m, _ := o.(map[string]any); m["Status"] == "FAILED" && m["Error"] == "Item.Failed" {
						failed++
					}
				}
				if len(tc.fail) > 0 && failed == 0 {
					t.Errorf("no failed record in the output %s", canon(t, r.Output))
				}
				return
			}
			if r.Cause != "The specified tolerated failure threshold was exceeded" {
				t.Errorf("cause %q", r.Cause)
			}
			types := eventTypes(ev)
			want := []string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"}
			if diff := cmp.Diff(types, want); diff != "" {
				t.Errorf("events (-got +want):\n%s", diff)
			}
			for _, e := range ev {
				if d := e.MapRunFailedEventDetails; d != nil && (d.Error != r.Error || d.Cause != r.Cause) {
					t.Errorf("MapRunFailed details %+v", d)
				}
			}
			if d := host.ended[0]; d.Status != MapRunStatusFailed || d.Error != r.Error {
				t.Errorf("map run ended %s %q", d.Status, d.Error)
			}
		})
	}
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Failures of the run's own: the Path fields (recorded by AWS: no
// MapStateFailed event), the reader and the writer.
func TestDistributedFailures(t *testing.T) {
	reader := `"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"},"Parameters":{"Bucket":"b","Key":"k"}},`
	writer := `"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"p"}},`
	tests := []struct {
		name, fields, input  string
		reader               *genReader
		writer               *memWriter
		wantError, wantCause string
		wantEvents           []string
	}{
		{"MaxItemsPath not an integer", `"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","MaxItemsPath":"$.MaxItems"},"Parameters":{"Bucket":"b","Key":"k"}},`,
			`{"MaxItems":1.5}`, newGenReader(3, numbered), nil, "States.Runtime",
			`An error occurred while executing the state 'M' (entered at the event id #2). The MaxItemsPath field refers to value "1.5" which is not a valid integer: $.MaxItems`,
			[]string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "ExecutionFailed"}},
		{"ToleratedFailurePercentagePath out of range", `"ItemsPath":"$.items","ToleratedFailurePercentagePath":"$.p",`, `{"items":[1],"p":100.1}`, nil, nil, "States.Runtime",
			`An error occurred while executing the state 'M' (entered at the event id #2). ToleratedFailurePercentage must be between 0 and 100.`,
			[]string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "ExecutionFailed"}},
		{"MaxItemsPerBatchPath not an integer", `"ItemsPath":"$.items","ItemBatcher":{"MaxItemsPerBatchPath":"$.n"},`, `{"items":[1],"n":"x"}`, nil, nil, "States.Runtime",
			`An error occurred while executing the state 'M' (entered at the event id #2). The MaxItemsPerBatchPath field refers to value "x" which is not a valid integer: $.n`,
			[]string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "ExecutionFailed"}},
		{"no reader", reader, `{}`, nil, nil, "States.ItemReaderFailed", "",
			[]string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"}},
		{"reader cannot open", reader, `{}`, &genReader{open: errors.New("The specified key does not exist."), failAt: -1}, nil, "States.ItemReaderFailed", "The specified key does not exist.",
			[]string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"}},
		{"reader fails midway", reader, `{}`, &genReader{n: 10, item: numbered, failAt: 4}, nil, "States.ItemReaderFailed", "the object is not valid JSON",
			[]string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"}},
		{"reader fails with an ASL error", reader, `{}`, &genReader{open: Fail("States.ItemReaderFailed", "Attempting to map over non-iterable node."), failAt: -1}, nil,
			"States.ItemReaderFailed", "Attempting to map over non-iterable node.",
			[]string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"}},
		{"no writer", `"ItemsPath":"$.items",` + writer, `{"items":[1]}`, nil, nil, "States.ResultWriterFailed", "",
			[]string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"}},
		{"writer cannot open", `"ItemsPath":"$.items",` + writer, `{"items":[1]}`, nil, &memWriter{open: errors.New("bucket not found")}, "States.ResultWriterFailed", "bucket not found",
			[]string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"}},
		{"writer fails to add", `"ItemsPath":"$.items","MaxConcurrency":1,` + writer, `{"items":[1,2,3,4]}`, nil, &memWriter{addFails: 2}, "States.ResultWriterFailed", "access denied",
			[]string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"}},
		{"writer fails to close", `"ItemsPath":"$.items",` + writer, `{"items":[1]}`, nil, &memWriter{closeErr: errors.New("slow down")}, "States.ResultWriterFailed", "slow down",
			[]string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []Option
			if tc.reader != nil {
				opts = append(opts, WithItemReader(tc.reader))
			}
			if tc.writer != nil {
				opts = append(opts, WithResultWriter(tc.writer))
			}
			r, ev := run(t, distMap(tc.fields, ""), tc.input, opts...)
			if r.Error != tc.wantError || (tc.wantCause != "" && r.Cause != tc.wantCause) {
				t.Errorf("got %s %q %q, want %q %q", r.Status, r.Error, r.Cause, tc.wantError, tc.wantCause)
			}
			if diff := cmp.Diff(eventTypes(ev), tc.wantEvents); diff != "" {
				t.Errorf("events (-got +want):\n%s", diff)
			}
			if tc.reader != nil && tc.reader.open == nil && len(tc.reader.reqs) > 0 && tc.reader.closed != 1 {
				t.Errorf("reader closed %d times", tc.reader.closed)
			}
		})
	}
}

// A ResultWriter receives one record per child execution, successes and
// tolerated failures alike, and the Map's output names the Map Run and
// the export.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
func TestDistributedResultWriter(t *testing.T) {
	w := &memWriter{}
	def := distMap(`"ItemsPath":"$.items","ToleratedFailureCount":5,
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix.$":"$.prefix"},"WriterConfig":{"OutputType":"JSONL","Transformation":"COMPACT"}},`, failingProcessor)
	r, _ := run(t, def, `{"prefix":"runs","items":[{"a":1},{"fail":true},{"a":3}]}`, WithResultWriter(w), WithTaskInvoker(failingItems))
	if r.Status != StatusSucceeded {
		t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
	}
	out := r.Output.(map[string]any)
	runArn, _ := out["MapRunArn"].(string)
	if !strings.Contains(runArn, ":mapRun:") {
		t.Fatalf("output %s", canon(t, r.Output))
	}
	if diff := cmp.Diff(canon(t, out["ResultWriterDetails"]), `{"Bucket":"results","Key":"out/`+runArn[strings.LastIndex(runArn, ":")+1:]+`/manifest.json"}`); diff != "" {
		t.Errorf("details (-got +want):\n%s", diff)
	}
	if len(w.reqs) != 1 {
		t.Fatalf("%d opens", len(w.reqs))
	}
	req := w.reqs[0]
	if diff := cmp.Diff(canon(t, req.Arguments), `{"Bucket":"out","Prefix":"runs"}`); diff != "" {
		t.Errorf("arguments (-got +want):\n%s", diff)
	}
	if req.Config != (WriterConfig{OutputType: "JSONL", Transformation: "COMPACT"}) || req.MapRunArn != runArn {
		t.Errorf("request %+v", req)
	}
	got := map[string]string{}
	for _, c := range w.results {
		got[c.Input] = string(c.Status) + " " + c.Output + c.Error
		if c.ExecutionArn == "" || !strings.HasSuffix(c.ExecutionArn, c.Name) || c.StopDate.Before(c.StartDate) || c.Items != 1 {
			t.Errorf("record %+v", c)
		}
	}
	want := map[string]string{`{"a":1}`: `SUCCEEDED {"a":1}`, `{"fail":true}`: `FAILED Item.Failed`, `{"a":3}`: `SUCCEEDED {"a":3}`}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("records (-got +want):\n%s", diff)
	}
	if s := w.summary; s == nil || s.Status != MapRunStatusSucceeded || s.Items.Succeeded != 2 || s.Items.Failed != 1 || s.Items.ResultsWritten != 3 {
		t.Errorf("summary %+v", w.summary)
	}
}

// A ResultWriter with only a WriterConfig shapes the state's output:
// NONE keeps each child's record, COMPACT its output, FLATTEN joins
// array outputs.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
func TestDistributedWriterConfig(t *testing.T) {
	tests := []struct{ transformation, want string }{
		{"COMPACT", `[[1,2],[3],4]`},
		{"FLATTEN", `[1,2,3,4]`},
	}
	for _, tc := range tests {
		t.Run(tc.transformation, func(t *testing.T) {
			def := distMap(`"ItemsPath":"$.items","ResultWriter":{"WriterConfig":{"OutputType":"JSON","Transformation":"`+tc.transformation+`"}},`, "")
			r, _ := run(t, def, `{"items":[[1,2],[3],4]}`)
			if r.Status != StatusSucceeded {
				t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
			}
			if diff := cmp.Diff(canon(t, r.Output), tc.want); diff != "" {
				t.Errorf("output (-got +want):\n%s", diff)
			}
		})
	}
	t.Run("NONE", func(t *testing.T) {
		def := distMap(`"ItemsPath":"$.items","ResultWriter":{"WriterConfig":{"OutputType":"JSON","Transformation":"NONE"}},`, "")
		r, _ := run(t, def, `{"items":[{"x":1}]}`)
		out, _ := r.Output.([]any)
		if r.Status != StatusSucceeded || len(out) != 1 {
			t.Fatalf("status %s, output %v", r.Status, r.Output)
		}
		rec := out[0].(map[string]any)
		for _, k := range []string{"ExecutionArn", "Name", "StateMachineArn", "StartDate", "StopDate"} {
			if s, _ := rec[k].(string); s == "" {
				t.Errorf("record has no %s: %s", k, canon(t, rec))
			}
		}
		if rec["Input"] != `{"x":1}` || rec["Output"] != `{"x":1}` || rec["Status"] != "SUCCEEDED" {
			t.Errorf("record %s", canon(t, rec))
		}
	})
}

// gate is a task that blocks every invocation until released, counting
// invocations in flight.
type gate struct {
	mu       sync.Mutex
	inFlight int
	max      int
	started  chan struct{}
	release  chan struct{}
}

func (g *gate) InvokeTask(ctx context.Context, req TaskRequest) (any, error) {
	g.mu.Lock()
	g.inFlight++
	g.max = max(g.max, g.inFlight)
	g.mu.Unlock()
	g.started <- struct{}{}
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	g.mu.Lock()
	g.inFlight--
	g.mu.Unlock()
	return req.Input, nil
}

// UpdateMapRun raises MaxConcurrency while the run waits for a slot: more
// child executions start at once; lowering it lets the running ones end
// first.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateMapRun.html
func TestDistributedUpdateMapRun(t *testing.T) {
	g := &gate{started: make(chan struct{}, 100), release: make(chan struct{})}
	host := newRecordingHost()
	def := distMap(`"ItemsPath":"$.items","MaxConcurrency":1,`, `"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::test:gate","End":true}}`)
	m := compile(t, def, WithTaskInvoker(g), WithMapRunHost(host))
	e := m.Start(t.Context(), mustJSON(t, `{"items":[0,1,2,3,4,5,6,7]}`))
	recv := func(n int) {
		t.Helper()
		for range n {
			select {
			case <-g.started:
			case <-time.After(10 * time.Second):
				t.Fatal("no child started")
			}
		}
	}
	recv(1)
	inFlight := func() int { g.mu.Lock(); defer g.mu.Unlock(); return g.inFlight }
	if got := inFlight(); got != 1 {
		t.Fatalf("in flight %d with MaxConcurrency 1", got)
	}
	host.mu.Lock()
	run := host.runs[0]
	host.mu.Unlock()
	if err := run.Update(MapRunUpdate{MaxConcurrency: ptr(4)}); err != nil {
		t.Fatal(err)
	}
	recv(3) // three more start without any ending
	if got := inFlight(); got != 4 {
		t.Fatalf("in flight %d after raising MaxConcurrency to 4", got)
	}
	d := run.Describe()
	if d.MaxConcurrency != 4 || d.Executions.Running != 4 || d.Items.Running != 4 || d.Items.Pending < 0 {
		t.Errorf("description while running: %+v", d)
	}
	if err := run.Update(MapRunUpdate{ToleratedFailurePercentage: ptr(101.0)}); !errors.Is(err, ErrInvalidMapRunUpdate) {
		t.Errorf("percentage 101: %v", err)
	}
	if err := run.Update(MapRunUpdate{MaxConcurrency: ptr(2)}); err != nil {
		t.Fatal(err)
	}
	for range 8 {
		g.release <- struct{}{}
	}
	r := wait(t, e)
	if r.Status != StatusSucceeded || len(r.Output.([]any)) != 8 {
		t.Fatalf("status %s %s, output %v", r.Status, r.Error, r.Output)
	}
	if g.max != 4 {
		t.Errorf("max in flight %d, want 4", g.max)
	}
}

// Stopping the execution aborts the Map Run and its children.
func TestDistributedAbort(t *testing.T) {
	g := &gate{started: make(chan struct{}, 100), release: make(chan struct{})}
	host := newRecordingHost()
	def := distMap(`"ItemsPath":"$.items",`, `"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::test:gate","End":true}}`)
	m := compile(t, def, WithTaskInvoker(g), WithMapRunHost(host))
	var h HistoryLog
	e := m.Start(t.Context(), mustJSON(t, `{"items":[0,1,2]}`), WithHistory(&h))
	for range 3 {
		<-g.started
	}
	e.Stop("Operator", "stop")
	r := wait(t, e)
	if r.Status != StatusAborted {
		t.Fatalf("status %s", r.Status)
	}
	types := eventTypes(h.Events())
	if diff := cmp.Diff(types[len(types)-3:], []string{"MapRunAborted", "MapStateAborted", "ExecutionAborted"}); diff != "" {
		t.Errorf("last events (-got +want):\n%s", diff)
	}
	d := host.ended[0]
	if d.Status != MapRunStatusAborted || d.Executions.Aborted != 3 {
		t.Errorf("map run %s, executions %+v", d.Status, d.Executions)
	}
}

// Without a ResultWriter the results are the state's output, so they are
// bounded by the payload limit: past it the state fails as any state
// whose result is too large, without keeping the rest.
func TestDistributedResultsTooLarge(t *testing.T) {
	def := distMap(`"ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2","Parameters":{"Bucket":"b"}},`, "")
	big := strings.Repeat("x", 1000)
	r, _ := run(t, def, `{}`, WithItemReader(newGenReader(300, func(int) any { return big })))
	if r.Error != "States.DataLimitExceeded" {
		t.Fatalf("got %s %s %s", r.Status, r.Error, r.Cause)
	}
}

// A million items stream through a distributed Map with a ResultWriter in
// bounded memory: neither the items nor the results are held.
func TestDistributedMillionItems(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a million child executions: run without -short and -race")
	}
	n := 1_000_000
	if testing.Verbose() && os.Getenv("DMAP_N") != "" {
		n, _ = strconv.Atoi(os.Getenv("DMAP_N"))
	}
	reader := newGenReader(n, numbered)
	var peak uint64
	var count int
	var ms runtime.MemStats
	sink := &sampledSink{every: 100_000, sample: func() {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}, count: &count}
	def := distMap(`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSONL"},"Parameters":{"Bucket":"b","Key":"k"}},
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out"}},`, "")
	m := compile(t, def, WithItemReader(reader), WithResultWriter(sink))
	r := m.Run(t.Context(), map[string]any{})
	if r.Status != StatusSucceeded {
		t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
	}
	if count != n {
		t.Errorf("%d results written, want %d", count, n)
	}
	// A million results kept would be hundreds of MiB; a bounded run
	// stays within a few MiB of concurrency's working set.
	const bound = 256 << 20
	if peak > bound {
		t.Errorf("peak heap %d MiB, want under %d MiB", peak>>20, bound>>20)
	}
	t.Logf("peak heap %.1f MiB over %d items", float64(peak)/(1<<20), n)
}

// sampledSink counts results and samples the heap now and then.
type sampledSink struct {
	every  int
	sample func()
	count  *int
}

func (s *sampledSink) OpenResults(context.Context, ResultWriteRequest) (ResultSink, error) {
	return s, nil
}

func (s *sampledSink) Add(context.Context, ChildResult) error {
	*s.count++
	if *s.count%s.every == 0 {
		s.sample()
	}
	return nil
}

func (s *sampledSink) Close(context.Context, MapRunSummary) (map[string]any, error) {
	return map[string]any{}, nil
}

// Without host hooks a distributed Map still runs its items from the
// input (the conformance cases and TestState rely on it), with EXPRESS
// children named under ":express:".
func TestDistributedExpressChildren(t *testing.T) {
	host := newRecordingHost()
	def := strings.Replace(distMap(`"ItemsPath":"$",`, ""), `"STANDARD"`, `"EXPRESS"`, 1)
	r, _ := run(t, def, `[1,2]`, WithMapRunHost(host))
	if r.Status != StatusSucceeded || canon(t, r.Output) != `[1,2]` {
		t.Fatalf("status %s output %v", r.Status, r.Output)
	}
	var arns []string
	for _, c := range host.children {
		arns = append(arns, c.Arn)
		if c.ExecutionType != "EXPRESS" || !strings.Contains(c.Arn, ":express:machine/") {
			t.Errorf("child %+v", c)
		}
	}
	sort.Strings(arns)
	if len(arns) != 2 || arns[0] == arns[1] {
		t.Errorf("child ARNs %v", arns)
	}
}

// onceFailing is a task that fails the first time it sees each item listed.
type onceFailing struct {
	mu    sync.Mutex
	fail  map[string]bool
	calls map[string]int
}

func (o *onceFailing) InvokeTask(_ context.Context, req TaskRequest) (any, error) {
	k := fmt.Sprint(req.Input)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls[k]++
	if o.fail[k] && o.calls[k] == 1 {
		return nil, Fail("Injected", "first try of "+k)
	}
	return k + " done", nil
}

// Redriving a failed distributed Map runs only the children that did not
// succeed; the others' outputs are reused.
// https://docs.aws.amazon.com/step-functions/latest/dg/redrive-map-run.html
func TestDistributedRedrive(t *testing.T) {
	def := distMap(`"ItemsPath":"$.items","MaxConcurrency":1,`, failingProcessor)
	inv := &onceFailing{fail: map[string]bool{"b": true}, calls: map[string]int{}}
	clock := NewVirtualClock(epoch)
	host := newRecordingHost()
	m := compile(t, def, WithClock(clock), WithTaskInvoker(inv), WithMapRunHost(host))
	e := m.Start(t.Context(), mustJSON(t, `{"items":["a","b","c","d"]}`))
	if r := wait(t, e); r.Error != "States.ExceedToleratedFailureThreshold" {
		t.Fatalf("first attempt: %s %s", r.Status, r.Error)
	}
	point := e.RedrivePoint()
	if point == nil {
		t.Fatal("no redrive point")
	}
	var h HistoryLog
	e2, err := m.Resume(t.Context(), point.Redrive(clock.Now()), WithHistory(&h))
	if err != nil {
		t.Fatal(err)
	}
	r := wait(t, e2)
	// The redrive continues the Map Run under its ARN.
	if len(host.ended) != 2 || host.ended[0].MapRunArn != host.ended[1].MapRunArn {
		t.Fatalf("map runs %+v", host.ended)
	}
	if d := host.ended[1]; d.RedriveCount != 1 || d.RedriveDate.IsZero() || d.Status != MapRunStatusSucceeded || d.Items.Succeeded != 4 {
		t.Errorf("redriven run %+v", d)
	}
	var redriven *MapRunRedrivenEventDetails
	for _, ev := range h.Events() {
		if ev.Type == MapRunStarted {
			t.Errorf("a redriven run records MapRunStarted")
		}
		if ev.MapRunRedrivenEventDetails != nil {
			redriven = ev.MapRunRedrivenEventDetails
		}
	}
	if redriven == nil || redriven.MapRunArn != host.ended[0].MapRunArn || redriven.RedriveCount != 1 {
		t.Errorf("MapRunRedriven %+v", redriven)
	}
	if r.Status != StatusSucceeded {
		t.Fatalf("redrive: %s %s %s", r.Status, r.Error, r.Cause)
	}
	if diff := cmp.Diff(canon(t, r.Output), `["a done","b done","c done","d done"]`); diff != "" {
		t.Errorf("output (-got +want):\n%s", diff)
	}
	// The first run stopped at b's failure (no tolerance, one child at a
	// time): a succeeded then and does not run again.
	if diff := cmp.Diff(inv.calls, map[string]int{"a": 1, "b": 2, "c": 1, "d": 1}); diff != "" {
		t.Errorf("calls (-got +want):\n%s", diff)
	}
}

// A run stopped at its tolerated failure threshold exports the items that
// never ran as PENDING records, after the children's.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
func TestDistributedPendingExport(t *testing.T) {
	w := &memWriter{}
	def := distMap(`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSONL"},"Parameters":{"Bucket":"b","Key":"k"}},
		"MaxConcurrency":1,"ItemBatcher":{"MaxItemsPerBatch":2},
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out"}},`, failingProcessor)
	reader := newGenReader(9, func(i int) any {
		if i == 2 {
			return map[string]any{"fail": true}
		}
		return numbered(i)
	})
	r, _ := run(t, def, `{}`, WithItemReader(reader), WithResultWriter(w), WithTaskInvoker(failingItems))
	if r.Error != "States.ExceedToleratedFailureThreshold" {
		t.Fatalf("got %s %s", r.Status, r.Error)
	}
	var got []string
	for _, c := range w.results {
		got = append(got, fmt.Sprintf("%s %d+%d", c.Status, c.Index, c.Items))
	}
	// Batches [0,1] succeed, [2,3] fails; [4,5], [6,7] and [8] never run.
	want := []string{"SUCCEEDED 0+2", "FAILED 2+2", "PENDING 4+2", "PENDING 6+2", "PENDING 8+1"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("records (-got +want):\n%s", diff)
	}
	if s := w.summary; s == nil || s.Status != MapRunStatusFailed || s.Items.Pending != 5 || s.Items.Total != 9 || s.Items.Failed != 2 {
		t.Errorf("summary %+v", w.summary)
	}
	if len(w.results) == 5 {
		rec := w.results[2].Record()
		if rec["Status"] != "PENDING" || rec["Input"] != `{"Items":[{"n":4},{"n":5}]}` || rec["ExecutionArn"] != nil {
			t.Errorf("pending record %s", canon(t, rec))
		}
	}
}

// An EXPRESS child runs for at most five minutes, then times out; a timed
// out item counts against the threshold like a failed one.
// https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html
func TestDistributedExpressTimeout(t *testing.T) {
	host := newRecordingHost()
	wait300 := `"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s","End":true}}`
	for _, tc := range []struct {
		typ, wantError string
		wantStatus     Status
	}{
		{"EXPRESS", "States.ExceedToleratedFailureThreshold", StatusTimedOut},
		{"STANDARD", "", StatusSucceeded},
	} {
		def := strings.Replace(distMap(`"ItemsPath":"$.items",`, wait300), `"STANDARD"`, `"`+tc.typ+`"`, 1)
		r, _ := run(t, def, `{"items":[{"s":10},{"s":301}]}`, WithMapRunHost(host))
		if r.Error != tc.wantError {
			t.Errorf("%s: got %s %s", tc.typ, r.Status, r.Error)
		}
		d := host.ended[len(host.ended)-1]
		if tc.wantStatus == StatusTimedOut && (d.Items.TimedOut != 1 || d.Executions.TimedOut != 1) {
			t.Errorf("%s: counts %+v", tc.typ, d.Items)
		}
	}
}
