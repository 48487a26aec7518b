package interp

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/jsonpath"
	"github.com/sluicehq/sluice/internal/uuid"
)

// A distributed Map runs each item (or batch of items) as a child workflow
// execution with its own ARN and history, under a Map Run that the host
// can watch and update. Items are pulled one at a time from the ItemReader
// (or the state's input), selected, batched and dispatched as child
// executions finish, so neither the items nor, with a ResultWriter, the
// results are ever all in memory.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html

// The tolerated failure threshold's error and cause, as AWS raises them
// (recorded by the TestState API).
// https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html
const causeExceedTolerated = "The specified tolerated failure threshold was exceeded"

// expressMaxSeconds is the longest an Express execution runs.
const expressMaxSeconds = 300

// distPlan is a Map Run's configuration once every field is resolved.
type distPlan struct {
	limit      int
	tolCount   int64 // -1: not set
	tolPct     float64
	items      []any // the items, when they come from the input
	fromInput  bool
	readReq    ItemReadRequest
	batchItems int // 0: no batching by count
	batchBytes int // 0: no batching by size
	batching   bool
	batchInput any
	hasBatchIn bool
	writeReq   *ResultWriteRequest
}

// runDistributed runs a distributed Map state. env is the JSONata
// environment of a JSONata state, nil for JSONPath.
func (th *thread) runDistributed(n *node, eff any, env *jstates) (any, *Failure) {
	p, f := th.planDistributed(n, eff, env)
	if f != nil {
		return nil, f
	}
	return th.runMapRun(n, eff, env, p)
}

// planDistributed resolves a distributed Map's fields in the order AWS
// does: MaxConcurrency and the items of the input first, then (after the
// MapStateStarted event) the tolerated failures and the reader, batcher
// and writer settings. Failures before the Map Run starts record no
// MapStateFailed event (recorded by AWS for the JSONPath Path fields).
func (th *thread) planDistributed(n *node, eff any, env *jstates) (*distPlan, *Failure) {
	ms, d := n.mapSpec, n.mapSpec.dist
	p := &distPlan{limit: ms.maxConcurrency, tolCount: int64(ms.toleratedCount), tolPct: ms.toleratedPercent}
	var f *Failure
	if env == nil {
		if ms.maxConcurrencyPath != nil {
			if p.limit, f = th.intField("MaxConcurrencyPath", ms.maxConcurrencyPath, eff); f != nil {
				return nil, f
			}
		}
		if d.reader == nil {
			itemsV, f := th.evalPath(ms.itemsPath, eff)
			if f != nil {
				return nil, f
			}
			items, isArray := itemsV.([]any)
			if !isArray {
				return nil, th.runtimeError("Invalid path '%s': The Map state's ItemsPath must reference a JSON array, found %s", itemsPathText(ms), render(itemsV))
			}
			p.items, p.fromInput = items, true
		}
		th.emit(&HistoryEvent{Type: MapStateStarted, MapStateStartedEventDetails: &MapStateStartedEventDetails{Length: len(p.items)}})
		if ms.toleratedCountPath != nil {
			v, f := th.intField("ToleratedFailureCountPath", ms.toleratedCountPath, eff)
			if f != nil {
				return nil, f
			}
			p.tolCount = int64(v)
		}
		if ms.toleratedPctPath != nil {
			v, err := ms.toleratedPctPath.Eval(th.scope(eff))
			r, ok := numberRat(v)
			if err != nil || !ok {
				return nil, th.runtimeError("The ToleratedFailurePercentagePath field refers to value %q which is not a valid float: %s", rawText(v), ms.toleratedPctPath)
			}
			p.tolPct, _ = r.Float64()
			if p.tolPct < 0 || p.tolPct > 100 {
				return nil, th.runtimeError("ToleratedFailurePercentage must be between 0 and 100.")
			}
		}
	} else {
		js := n.js
		if d.reader == nil {
			items, f := th.jsonataItems(n, eff, env)
			if f != nil {
				return nil, f
			}
			p.items, p.fromInput = items, true
		}
		if js.maxConcurrency != nil {
			if p.limit, f = env.intField(js.maxConcurrency, "MaxConcurrency"); f != nil {
				return nil, f
			}
		}
		if js.toleratedCount != nil {
			v, f := env.intField(js.toleratedCount, "ToleratedFailureCount")
			if f != nil {
				return nil, f
			}
			p.tolCount = int64(v)
		}
		if js.toleratedP != nil {
			if p.tolPct, f = th.jsonataPercentage(js.toleratedP, env); f != nil {
				return nil, f
			}
		}
		th.emit(&HistoryEvent{Type: MapStateStarted, MapStateStartedEventDetails: &MapStateStartedEventDetails{Length: len(p.items)}})
	}
	if r := d.reader; r != nil {
		args, f := th.evalArguments(r.params, r.args, eff, env, "ItemReader")
		if f != nil {
			return nil, f
		}
		p.readReq = ItemReadRequest{Resource: r.resource, Arguments: args, Config: r.config,
			ExecutionArn: th.e.cfg.arn, StateName: n.name}
		if r.config.CSVHeaders != nil {
			p.readReq.Config.CSVHeaders = append([]string(nil), r.config.CSVHeaders...)
		}
		if p.readReq.Config.MaxItems, f = th.resolveInt(r.maxItems, eff, env); f != nil {
			return nil, f
		}
	}
	if b := d.batcher; b != nil {
		p.batching = true
		if p.batchItems, f = th.resolveInt(b.maxItems, eff, env); f != nil {
			return nil, f
		}
		if p.batchBytes, f = th.resolveInt(b.maxBytes, eff, env); f != nil {
			return nil, f
		}
		switch {
		case b.input != nil:
			if p.batchInput, f = th.evalTemplate(b.input, eff); f != nil {
				return nil, f
			}
			p.hasBatchIn = true
		case b.inputJ != nil:
			if p.batchInput, f = env.eval(b.inputJ); f != nil {
				return nil, f
			}
			p.hasBatchIn = true
		}
	}
	if w := d.writer; w != nil {
		req := &ResultWriteRequest{Resource: w.resource, Config: w.config, ExecutionArn: th.e.cfg.arn, StateName: n.name}
		if w.resource != "" {
			if req.Arguments, f = th.evalArguments(w.params, w.args, eff, env, "ResultWriter"); f != nil {
				return nil, f
			}
		}
		p.writeReq = req
	}
	return p, nil
}

// jsonataItems resolves a JSONata Map's Items, by default its input.
func (th *thread) jsonataItems(n *node, input any, env *jstates) ([]any, *Failure) {
	js := n.js
	if js.items == nil {
		a, ok := input.([]any)
		if !ok {
			return nil, th.queryError("Items", "Map state input must be an array but was: %s", jsonTypeName(input))
		}
		return a, nil
	}
	v, f := env.eval(js.items)
	if f != nil {
		return nil, f
	}
	a, ok := v.([]any)
	if !ok {
		return nil, th.queryError("Items", "The JSONata expression '%s' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '%s' for value: %s",
			js.items.src, jsonTypeName(v), render(v))
	}
	return a, nil
}

// jsonataPercentage evaluates ToleratedFailurePercentage written as an
// expression.
func (th *thread) jsonataPercentage(t *jtemplate, env *jstates) (float64, *Failure) {
	v, f := env.eval(t)
	if f != nil {
		return 0, f
	}
	r, ok := numberRat(v)
	var pct float64
	if ok {
		pct, _ = r.Float64()
	}
	if !ok || pct < 0 || pct > 100 {
		return 0, th.queryError("ToleratedFailurePercentage", "The JSONata expression '%s' specified for the field 'ToleratedFailurePercentage' returned an unexpected result type. Expected 'number between 0 and 100', but was '%s' for value: %s",
			t.src, jsonTypeName(v), render(v))
	}
	return pct, nil
}

// evalArguments evaluates an ItemReader's or ResultWriter's Parameters
// (JSONPath) or Arguments (JSONata) into an object.
func (th *thread) evalArguments(params *jsonpath.Template, args *jtemplate, eff any, env *jstates, field string) (map[string]any, *Failure) {
	var v any
	var f *Failure
	switch {
	case params != nil:
		v, f = th.evalTemplate(params, eff)
	case args != nil:
		v, f = env.eval(args)
	default:
		return map[string]any{}, nil
	}
	if f != nil {
		return nil, f
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, th.runtimeError("The %s's parameters must be a JSON object, found %s", field, render(v))
	}
	return m, nil
}

// resolveInt resolves an integer field (0 when absent).
func (th *thread) resolveInt(s intSource, eff any, env *jstates) (int, *Failure) {
	switch {
	case !s.set:
		return 0, nil
	case s.path != nil:
		return th.intField(s.field+"Path", s.path, eff)
	case s.expr != nil:
		return env.intField(s.expr, s.field)
	}
	return s.val, nil
}

// mapRunNames are the ARNs of a Map Run and the naming of its children.
type mapRunNames struct {
	runArn, smArn, childPrefix string
}

// names makes a Map Run's ARN, its state machine ARN and the prefix of its
// child execution ARNs from the parent's state machine ARN and the label:
// arn:aws:states:<region>:<account>:mapRun:<machine>/<label>:<id>.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html
func (th *thread) mapRunNames(d *distSpec) mapRunNames {
	smArn := th.e.cfg.stateMachineArn
	prefix := th.e.m.arnPrefix
	if i := strings.Index(smArn, ":stateMachine:"); i > 0 {
		prefix = smArn[:i]
	}
	machine := d.label
	if name := th.e.smName(); name != "" {
		machine = name + "/" + d.label
	}
	kind := ":execution:"
	if d.executionType == string(asl.ExecutionExpress) {
		kind = ":express:"
	}
	return mapRunNames{
		runArn:      prefix + ":mapRun:" + machine + ":" + uuid.New(),
		smArn:       prefix + ":stateMachine:" + machine,
		childPrefix: prefix + kind + machine + ":",
	}
}

// itemSource yields a Map Run's items: the input's array or the reader's.
type itemSource struct {
	items []any
	iter  ItemIterator
	next  int64
	max   int64 // 0: no limit
}

func (s *itemSource) pull(ctx context.Context) (any, bool, error) {
	if s.max > 0 && s.next >= s.max {
		return nil, false, nil
	}
	if s.iter == nil {
		if s.next >= int64(len(s.items)) {
			return nil, false, nil
		}
		s.next++
		return s.items[s.next-1], true, nil
	}
	v, err := s.iter.Next(ctx)
	if errors.Is(err, io.EOF) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	s.next++
	return v, true, nil
}

// hostFailure turns a host error into the state's failure: the ASL
// failure it carries, or name with the error's text as cause.
func hostFailure(name string, err error) *Failure {
	if f := AsFailure(err); f != nil {
		return f
	}
	return &Failure{Error: name, Cause: err.Error()}
}

// runMapRun starts the Map Run, streams the items through child
// executions and ends the run.
func (th *thread) runMapRun(n *node, eff any, env *jstates, p *distPlan) (any, *Failure) {
	ms, d := n.mapSpec, n.mapSpec.dist
	cfg := &th.e.m.cfg
	if p.limit == 0 || p.limit > distributedMaxConcurrency {
		p.limit = 0 // the ceiling applies; DescribeMapRun shows 0
	}
	dp := &dispatcher{th: th, n: n, ms: ms, d: d, p: p}
	dp.keep = p.writeReq == nil || p.writeReq.Resource == ""
	dp.takeReuse()
	names := th.mapRunNames(d)
	// A redrive continues the Map Run that failed, under its ARN.
	// https://docs.aws.amazon.com/step-functions/latest/dg/redrive-map-run.html
	prevArn, redriven := dp.reuse[dp.memoKey+memoRun].(string)
	if redriven {
		names.runArn = prevArn
	}
	dp.memoizeRun(names.runArn)
	desc := MapRunDescription{
		MapRunArn: names.runArn, ExecutionArn: th.e.cfg.arn, StateMachineArn: names.smArn,
		ParentStateMachineArn: th.e.cfg.stateMachineArn, StateName: n.name, Label: d.label,
		ExecutionType: d.executionType, Status: MapRunStatusRunning, StartDate: th.clock().Now(),
		MaxConcurrency: p.limit,
	}
	if p.tolCount >= 0 {
		desc.ToleratedFailureCount = p.tolCount
	}
	if p.tolPct >= 0 {
		desc.ToleratedFailurePercentage = p.tolPct
	}
	if redriven {
		desc.RedriveCount, desc.RedriveDate = th.e.redriveCount, th.e.redriveDate
	}
	run := newMapRun(desc)
	run.countSet, run.pctSet = p.tolCount >= 0, p.tolPct >= 0
	if h := cfg.mapRuns; h != nil {
		if err := h.MapRunStarted(th.ctx, run); err != nil {
			return nil, th.runtimeError("%v", err)
		}
	}
	// From here on a failure is the Map's own: it records MapStateFailed.
	th.started = true
	if redriven {
		th.emit(&HistoryEvent{Type: MapRunRedriven, MapRunRedrivenEventDetails: &MapRunRedrivenEventDetails{
			MapRunArn: names.runArn, RedriveCount: th.e.redriveCount}})
	} else {
		th.emit(&HistoryEvent{Type: MapRunStarted, MapRunStartedEventDetails: &MapRunStartedEventDetails{MapRunArn: names.runArn}})
	}
	dp.run, dp.names = run, names
	out, f := dp.execute(eff, env)
	return out, f
}

// dispatcher runs one Map Run: the producer (the Map state's own thread)
// pulls, selects and batches items and starts a child execution per batch
// whenever fewer than MaxConcurrency run; each child reports its end.
type dispatcher struct {
	th     *thread
	n      *node
	ms     *mapSpec
	d      *distSpec
	p      *distPlan
	run    *MapRun
	names  mapRunNames
	child  *Machine
	sc     *cancelScope
	names8 *rand.ChaCha8

	sinkMu sync.Mutex
	sink   ResultSink

	jobs    chan childJob // to idle workers
	quit    chan struct{} // closed when the run has ended
	yieldAt int

	mu          sync.Mutex
	running     int
	waiter      *wakeup
	seq         int64 // child executions started
	items       int64 // items read
	totalKnown  bool
	total       int64 // the number of items, once known
	failedItems int64
	stop        *Failure // the failure that ends the run early
	keep        bool     // results are kept for the state's output
	results     []any
	resultBytes int
	overflow    bool

	// memoKey names this Map state's children in the execution's memo of
	// completed children (redrive.go); reuse holds the outputs of the
	// children that succeeded before a redrive. Only a run whose results
	// stay in the state's output keeps them (bounded by the payload limit).
	memoKey string
	reuse   map[string]any

	pendingFailed bool // exporting PENDING records failed: stop reading
}

func (dp *dispatcher) execute(eff any, env *jstates) (any, *Failure) {
	th, p, cfg := dp.th, dp.p, &dp.th.e.m.cfg
	var seed [32]byte
	copy(seed[:], uuid.New())
	dp.names8 = rand.NewChaCha8(seed)
	dp.child = &Machine{cfg: *cfg, top: dp.ms.processor, arnPrefix: th.e.m.arnPrefix, defaultArn: dp.names.smArn}
	if dp.d.executionType == string(asl.ExecutionExpress) {
		// An Express execution runs for at most five minutes.
		// https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html
		dp.child.timeout = expressMaxSeconds
	}
	dp.sc = th.sc.child()
	defer th.sc.release(dp.sc)
	dp.jobs, dp.quit = make(chan childJob), make(chan struct{})
	defer close(dp.quit)
	dp.yieldAt = 4 * runtime.GOMAXPROCS(0)
	dp.run.setNotify(func() {
		// A changed threshold applies at once; a changed MaxConcurrency
		// when the producer next looks.
		dp.mu.Lock()
		dp.checkThreshold()
		dp.mu.Unlock()
		dp.poke()
	})

	src := &itemSource{items: p.items}
	if !p.fromInput {
		r := cfg.itemReader
		if r == nil {
			return dp.end(nil, &Failure{Error: asl.ErrItemReaderFailed, Cause: "no ItemReader is configured for resource " + p.readReq.Resource})
		}
		p.readReq.MapRunArn = dp.names.runArn
		// The reader and the writer live as long as the state, not as
		// the children: after a threshold stops the children, the rest of
		// the items are still read to be exported as PENDING.
		it, err := r.OpenItems(th.ctx, p.readReq)
		if err != nil {
			return dp.end(nil, hostFailure(asl.ErrItemReaderFailed, err))
		}
		defer it.Close()
		src.iter = it
	}
	src.max = int64(p.readReq.Config.MaxItems)
	if w := p.writeReq; w != nil && w.Resource != "" {
		if cfg.resultWriter == nil {
			return dp.end(nil, &Failure{Error: asl.ErrResultWriterFailed, Cause: "no ResultWriter is configured for resource " + w.Resource})
		}
		w.MapRunArn = dp.names.runArn
		sink, err := cfg.resultWriter.OpenResults(th.ctx, *w)
		if err != nil {
			return dp.end(nil, hostFailure(asl.ErrResultWriterFailed, err))
		}
		dp.sink = sink
	}
	if p.fromInput {
		dp.setTotal(int64(len(p.items)))
	}
	f := dp.produce(src, eff, env)
	if f != nil {
		dp.mu.Lock()
		if dp.stop == nil {
			dp.stopWith(f)
		}
		dp.mu.Unlock()
	}
	dp.drain()
	if f == nil {
		dp.mu.Lock()
		f = dp.stop
		dp.mu.Unlock()
	}
	return dp.end(eff, f)
}

// produce pulls every item, selects and batches them, and dispatches the
// child executions. It returns a failure of the run's own (reader,
// ItemSelector); child failures beyond the threshold arrive in dp.stop.
func (dp *dispatcher) produce(src *itemSource, eff any, env *jstates) *Failure {
	th, p := dp.th, dp.p
	sel := th.child(th.sc)
	sel.state, sel.enter, sel.retry, sel.enteredEventID = th.state, th.enter, th.retry, th.enteredEventID
	var batch []any
	var batchIndex int64
	batchSize := 0
	overhead := 0
	if p.batching && p.batchBytes > 0 {
		overhead = len(`{"Items":[]}`)
		if p.hasBatchIn {
			overhead += len(`,"BatchInput":`) + len(render(p.batchInput))
		}
	}
	flush := func() bool {
		if len(batch) == 0 {
			return true
		}
		input := map[string]any{"Items": batch}
		if p.hasBatchIn {
			input["BatchInput"] = p.batchInput
		}
		ok := dp.dispatch(input, batchIndex, len(batch))
		batch, batchSize = nil, 0
		return ok
	}
	for {
		if dp.stopped() && !dp.exportingPending() {
			return nil
		}
		index := src.next
		item, ok, err := src.pull(th.ctx)
		if err != nil {
			if th.ctx.Err() != nil || dp.stopped() {
				return nil
			}
			return hostFailure(asl.ErrItemReaderFailed, err)
		}
		if !ok {
			break
		}
		dp.read()
		input, f := dp.selectItem(sel, eff, env, index, item)
		if f != nil {
			return f
		}
		if !p.batching {
			if !dp.dispatch(input, index, 1) {
				return nil
			}
			continue
		}
		size := 0
		if p.batchBytes > 0 {
			size = len(render(input)) + 1
			if len(batch) > 0 && overhead+batchSize+size > p.batchBytes {
				if !flush() {
					return nil
				}
			}
		}
		if len(batch) == 0 {
			batchIndex = index
		}
		batch = append(batch, input)
		batchSize += size
		if p.batchItems > 0 && len(batch) >= p.batchItems {
			if !flush() {
				return nil
			}
		}
	}
	flush()
	dp.setTotal(src.next)
	return nil
}

// selectItem applies ItemSelector to one item, with $$.Map.Item (JSONPath)
// or $states.context.Map.Item (JSONata) bound to its index and value.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemselector.html
func (dp *dispatcher) selectItem(sel *thread, eff any, env *jstates, index int64, item any) (any, *Failure) {
	n := dp.n
	switch {
	case n.js != nil && n.js.itemSelector != nil:
		sel.mapCtx = map[string]any{"Item": map[string]any{"Index": jsonInt64(index), "Value": item}}
		v, f := sel.jenv(eff).eval(n.js.itemSelector)
		sel.endMapContext()
		return v, f
	case n.js == nil && dp.ms.itemSelector != nil:
		sel.mapCtx = map[string]any{"Item": map[string]any{"Index": jsonInt64(index), "Value": item}}
		v, f := sel.evalTemplate(dp.ms.itemSelector, eff)
		sel.endMapContext()
		return v, f
	}
	return item, nil
}

func jsonInt64(n int64) any { return jsonIntValue(int(n)) }

// read counts one more item read, pending until its child starts.
func (dp *dispatcher) read() {
	dp.mu.Lock()
	dp.items++
	known := dp.totalKnown
	dp.mu.Unlock()
	dp.run.update(func(d *MapRunDescription) {
		d.Items.Pending++
		if !known {
			d.Items.Total++
		}
	})
}

// setTotal records that the data set has total items: the percentage
// threshold can be judged from now on.
func (dp *dispatcher) setTotal(total int64) {
	dp.mu.Lock()
	if dp.totalKnown {
		dp.mu.Unlock()
		return
	}
	dp.totalKnown, dp.total = true, total
	dp.mu.Unlock()
	dp.run.update(func(d *MapRunDescription) { d.Items.Total = total })
	dp.mu.Lock()
	dp.checkThreshold()
	dp.mu.Unlock()
}

func (dp *dispatcher) stopped() bool {
	dp.mu.Lock()
	defer dp.mu.Unlock()
	return dp.stop != nil || dp.sc.Err() != nil
}

// limit is the run's MaxConcurrency now (UpdateMapRun may change it).
func (dp *dispatcher) limit() int {
	l := dp.run.maxConcurrency()
	if l <= 0 || l > distributedMaxConcurrency {
		return distributedMaxConcurrency
	}
	return l
}

// waitLocked waits, with dp.mu held, until poke (a child's end, an
// update) or, with cancellable, the run's cancellation wakes it; it
// returns with dp.mu held.
func (dp *dispatcher) waitLocked(cancellable bool) {
	w := newWakeup(dp.th.clock())
	dp.waiter = w
	dp.mu.Unlock()
	unwatch := func() {}
	if cancellable {
		unwatch = dp.sc.watch(w)
	}
	w.wait()
	unwatch()
	dp.mu.Lock()
}

// poke wakes the producer if it waits.
func (dp *dispatcher) poke() {
	dp.mu.Lock()
	w := dp.waiter
	dp.waiter = nil
	dp.mu.Unlock()
	if w != nil {
		w.fire(wakeDone)
	}
}

// dispatch starts a child execution for input once a slot is free; false
// when the run stopped instead.
func (dp *dispatcher) dispatch(input any, index int64, nItems int) bool {
	dp.mu.Lock()
	for dp.running >= dp.limit() && dp.stop == nil && dp.sc.Err() == nil {
		dp.waitLocked(true)
	}
	if dp.stop != nil || dp.sc.Err() != nil {
		dp.mu.Unlock()
		if dp.exportingPending() {
			dp.addPending(input, index, nItems)
			return true
		}
		return false
	}
	seq := dp.seq
	dp.seq++
	if dp.keep && !dp.overflow {
		dp.results = append(dp.results, nil)
	}
	if out, ok := dp.reuse[dp.memoKey+strconv.FormatInt(seq, 10)]; ok {
		// Succeeded before the redrive: not run again.
		if !dp.overflow {
			dp.store(seq, out, len(render(out)))
		}
		if !dp.overflow {
			dp.memoize(seq, out)
		}
		dp.mu.Unlock()
		dp.run.update(func(d *MapRunDescription) {
			d.Items.Pending -= int64(nItems)
			d.Items.Succeeded += int64(nItems)
			d.Executions.Succeeded++
			d.Executions.Total++
		})
		return true
	}
	dp.running++
	running := dp.running
	dp.mu.Unlock()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], dp.names8.Uint64())
	binary.LittleEndian.PutUint64(b[8:], dp.names8.Uint64())
	name := uuid.From(b)
	dp.run.update(func(d *MapRunDescription) {
		d.Items.Pending -= int64(nItems)
		d.Items.Running += int64(nItems)
		d.Executions.Running++
		d.Executions.Total++
	})
	// The child holds the clock while it runs; an idle worker takes it,
	// else a new one starts. Workers stay until the run ends, so their
	// grown stacks serve the next children.
	hold(dp.th.clock())
	job := childJob{seq: seq, name: name, input: input, index: index, items: nItems}
	select {
	case dp.jobs <- job:
	default:
		go dp.worker(job)
	}
	if running > dp.yieldAt {
		// Children that compute rather than wait run no faster for
		// having thousands started ahead of them: let them catch up, so
		// that few workers (and goroutine stacks) serve the run. Children
		// that wait leave the processors free, and the run goes on.
		runtime.Gosched()
	}
	return true
}

// childJob is one child execution to run.
type childJob struct {
	seq   int64
	name  string
	input any
	index int64
	items int
}

// worker runs child executions until the run ends. It holds the clock
// while a child runs (the dispatcher took it on its behalf) and not while
// it waits for the next.
func (dp *dispatcher) worker(job childJob) {
	c := dp.th.clock()
	for {
		dp.runChild(job.seq, job.name, job.input, job.index, job.items)
		release(c)
		select {
		case job = <-dp.jobs:
		case <-dp.quit:
			return
		}
	}
}

// drain waits for every running child execution to end (each pokes as it
// does; a cancelled run's children end by themselves).
func (dp *dispatcher) drain() {
	dp.mu.Lock()
	for dp.running > 0 {
		dp.waitLocked(false)
	}
	dp.mu.Unlock()
}

// runChild runs one child workflow execution to its end and records it.
func (dp *dispatcher) runChild(seq int64, name string, input any, index int64, nItems int) {
	h := dp.th.e.m.cfg.mapRuns
	ce := ChildExecution{Arn: dp.names.childPrefix + name, Name: name, StateMachineArn: dp.names.smArn,
		MapRunArn: dp.names.runArn, ExecutionType: dp.d.executionType, Index: index, Items: nItems}
	e := dp.child.newExecution(dp.sc, input, []ExecOption{
		WithExecutionName(name), WithExecutionArn(ce.Arn), WithStateMachineArn(dp.names.smArn),
		WithRoleArn(dp.th.e.cfg.roleArn)})
	th := e.newThread(nil)
	inputText := th.text(input)
	ce.Input, ce.StartDate = inputText, e.start
	if h != nil {
		if sink := h.ChildStarted(dp.run, ce); sink != nil {
			e.cfg.sink = sink
		}
	}
	// A child sees none of the parent's variables (a Distributed Map
	// cannot reference outer scopes:
	// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html).
	// Nobody reads the history of a child the host does not watch: its
	// states record nothing (the start and end events still count).
	th.mute = e.cfg.sink == nil
	th.prev = e.emitStart(th)
	th.inputText = inputText
	out, f := th.runProgram(dp.child.top, input, true)
	e.finish(th, out, f)
	r := e.result
	if h != nil {
		h.ChildEnded(dp.run, ce, r)
	}
	cr := ChildResult{ExecutionArn: ce.Arn, Name: name, StateMachineArn: dp.names.smArn, Input: inputText,
		Error: r.Error, Cause: r.Cause, Status: r.Status, StartDate: r.StartDate, StopDate: r.StopDate,
		Index: index, Items: nItems}
	if r.Status == StatusSucceeded {
		cr.Output = th.text(r.Output)
	}
	dp.childEnded(seq, cr, r.Output)
}

// exportingPending reports whether the run stopped at its tolerated
// failure threshold with a ResultWriter: the items that will never run are
// then read on and exported as PENDING records, as AWS's PENDING_n.json
// files list them.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
func (dp *dispatcher) exportingPending() bool {
	if dp.sink == nil || dp.th.ctx.Err() != nil {
		return false
	}
	dp.mu.Lock()
	defer dp.mu.Unlock()
	return dp.stop != nil && dp.stop.Error == asl.ErrExceedToleratedFailureThreshold && !dp.pendingFailed
}

// addPending exports an item (or batch) that will never run.
func (dp *dispatcher) addPending(input any, index int64, nItems int) {
	cr := ChildResult{Input: render(input), Status: StatusPending, Index: index, Items: nItems}
	dp.sinkMu.Lock()
	err := dp.sink.Add(dp.th.ctx, cr)
	dp.sinkMu.Unlock()
	if err != nil {
		// The run has failed already: the export's own failure shows
		// when it is closed, if at all.
		dp.mu.Lock()
		dp.pendingFailed = true
		dp.mu.Unlock()
	}
}

// childEnded records a child's end: counts, threshold, result.
func (dp *dispatcher) childEnded(seq int64, cr ChildResult, output any) {
	var werr error
	if dp.sink != nil {
		dp.sinkMu.Lock()
		werr = dp.sink.Add(dp.th.ctx, cr)
		dp.sinkMu.Unlock()
	}
	n := int64(cr.Items)
	dp.run.update(func(d *MapRunDescription) {
		d.Items.Running -= n
		d.Executions.Running--
		switch cr.Status {
		case StatusSucceeded:
			d.Items.Succeeded += n
			d.Executions.Succeeded++
		case StatusFailed:
			d.Items.Failed += n
			d.Executions.Failed++
		case StatusTimedOut:
			d.Items.TimedOut += n
			d.Executions.TimedOut++
		default:
			d.Items.Aborted += n
			d.Executions.Aborted++
		}
		if dp.sink != nil && werr == nil {
			d.Items.ResultsWritten += n
			d.Executions.ResultsWritten++
		}
	})
	dp.mu.Lock()
	dp.running--
	if werr != nil && dp.stop == nil {
		dp.stopWith(hostFailure(asl.ErrResultWriterFailed, werr))
	}
	if cr.Status == StatusFailed || cr.Status == StatusTimedOut {
		dp.failedItems += n
		dp.checkThreshold()
	}
	if dp.keep && !dp.overflow {
		dp.keepResult(seq, cr, output)
		if cr.Status == StatusSucceeded && !dp.overflow {
			dp.memoize(seq, output)
		}
	}
	dp.mu.Unlock()
	dp.poke()
}

// takeReuse prepares the memo of this run's children: what an earlier
// attempt of the state left is stale, and the children that succeeded
// before a redrive are taken once.
// https://docs.aws.amazon.com/step-functions/latest/dg/redrive-map-run.html
func (dp *dispatcher) takeReuse() {
	e := dp.th.e
	dp.memoKey = dp.th.memoPath() + dp.n.name + memoState
	e.memoMu.Lock()
	defer e.memoMu.Unlock()
	for k := range e.memo {
		if strings.HasPrefix(k, dp.memoKey) {
			delete(e.memo, k)
		}
	}
	for k, v := range e.reuse {
		if rest, ok := strings.CutPrefix(k, dp.memoKey); ok && !strings.Contains(rest, memoChild) {
			if dp.reuse == nil {
				dp.reuse = map[string]any{}
			}
			dp.reuse[k] = v
			delete(e.reuse, k)
		}
	}
	if !dp.keep {
		// Results exported by a ResultWriter are not kept: every child
		// runs again; only the run's ARN carries over.
		for k := range dp.reuse {
			if k != dp.memoKey+memoRun {
				delete(dp.reuse, k)
			}
		}
	}
}

// memoRun names the Map Run's ARN in the memo of the state's children.
const memoRun = "run"

// memoizeRun remembers the Map Run's ARN, so that a redrive of a failed
// run continues it.
func (dp *dispatcher) memoizeRun(arn string) {
	e := dp.th.e
	e.memoMu.Lock()
	if e.memo == nil {
		e.memo = map[string]any{}
	}
	e.memo[dp.memoKey+memoRun] = arn
	e.memoMu.Unlock()
}

// memoize remembers a child that succeeded, so that a redrive after the
// run fails does not run it again. Called with dp.mu held.
func (dp *dispatcher) memoize(seq int64, out any) {
	e := dp.th.e
	e.memoMu.Lock()
	if e.memo == nil {
		e.memo = map[string]any{}
	}
	e.memo[dp.memoKey+strconv.FormatInt(seq, 10)] = out
	e.memoMu.Unlock()
}

// forget drops what was remembered of the run's children: it succeeded, or
// its results grew past what a redrive could reuse.
func (dp *dispatcher) forget() {
	e := dp.th.e
	e.memoMu.Lock()
	for k := range e.memo {
		if strings.HasPrefix(k, dp.memoKey) {
			delete(e.memo, k)
		}
	}
	e.memoMu.Unlock()
}

// keepResult stores a child's result for the state's output, as the
// WriterConfig's Transformation says (COMPACT without a ResultWriter): a
// child that did not succeed is kept as its full record. Past the payload
// limit nothing more is kept: the state will fail with
// States.DataLimitExceeded.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
func (dp *dispatcher) keepResult(seq int64, cr ChildResult, output any) {
	var v any
	var size int
	transform := ""
	if w := dp.p.writeReq; w != nil {
		transform = w.Config.Transformation
	}
	switch {
	case cr.Status != StatusSucceeded || transform == "NONE":
		rec := cr.Record()
		v, size = rec, len(render(rec))
	default:
		v, size = output, len(cr.Output)
	}
	dp.store(seq, v, size)
}

// store keeps result seq of size bytes, unless the results grow past the
// payload limit. Called with dp.mu held.
func (dp *dispatcher) store(seq int64, v any, size int) {
	dp.resultBytes += size + 1
	if dp.resultBytes > dp.th.e.m.cfg.payloadLimit {
		dp.overflow, dp.results = true, nil
		return
	}
	dp.results[seq] = v
}

// checkThreshold stops the run once the failed items exceed the tolerated
// count or percentage, whichever is set (either, when both are): with
// neither, one failure is too many. The percentage is judged once the
// number of items is known. Called with dp.mu held.
// https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html
func (dp *dispatcher) checkThreshold() {
	if dp.stop != nil || dp.failedItems == 0 {
		return
	}
	desc, countSet, pctSet := dp.run.thresholds()
	exceeded := false
	switch {
	case !countSet && !pctSet:
		exceeded = true
	default:
		if countSet && dp.failedItems > desc.ToleratedFailureCount {
			exceeded = true
		}
		if pctSet && dp.totalKnown && float64(dp.failedItems)*100 > desc.ToleratedFailurePercentage*float64(dp.total) {
			exceeded = true
		}
	}
	if exceeded {
		dp.stopWith(&Failure{Error: asl.ErrExceedToleratedFailureThreshold, Cause: causeExceedTolerated})
	}
}

// stopWith ends the run early: running children are aborted and no more
// start. Called with dp.mu held.
func (dp *dispatcher) stopWith(f *Failure) {
	dp.stop = f
	dp.sc.cancel()
}

// end closes the export, records the Map Run's end and returns the
// state's result.
func (dp *dispatcher) end(eff any, f *Failure) (any, *Failure) {
	th := dp.th
	aborted := th.ctx.Err() != nil
	status := MapRunStatusSucceeded
	switch {
	case aborted:
		status = MapRunStatusAborted
	case f != nil:
		status = MapRunStatusFailed
	}
	var details map[string]any
	if dp.sink != nil {
		desc := dp.run.Describe()
		sum := MapRunSummary{MapRunArn: dp.names.runArn, Status: status, Items: desc.Items, Executions: desc.Executions}
		if f != nil {
			sum.Error, sum.Cause = f.Error, f.Cause
		}
		// The export is written even when the run failed, so that the
		// failed items can be examined.
		ctx := th.ctx
		if aborted {
			ctx = context.WithoutCancel(ctx)
		}
		var err error
		dp.sinkMu.Lock()
		details, err = dp.sink.Close(ctx, sum)
		dp.sinkMu.Unlock()
		if err != nil && f == nil && !aborted {
			f, status = hostFailure(asl.ErrResultWriterFailed, err), MapRunStatusFailed
		}
	}
	if f == nil && !aborted && dp.overflow {
		f, status = &Failure{Error: "States.DataLimitExceeded", Cause: fmt.Sprintf(
			"The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", dp.n.name)}, MapRunStatusFailed
	}
	if f == nil || dp.overflow {
		dp.forget()
	}
	dp.run.finish(status, th.clock().Now(), f)
	if h := th.e.m.cfg.mapRuns; h != nil {
		h.MapRunEnded(dp.run)
	}
	switch {
	case aborted:
		th.emit(&HistoryEvent{Type: MapRunAborted})
		return nil, errStopped
	case f != nil:
		th.emit(&HistoryEvent{Type: MapRunFailed, MapRunFailedEventDetails: &FailureEventDetails{Error: f.Error, Cause: f.Cause}})
		return nil, f
	}
	th.emit(&HistoryEvent{Type: MapRunSucceeded})
	th.emit(&HistoryEvent{Type: MapStateSucceeded})
	if dp.sink != nil {
		return map[string]any{"MapRunArn": dp.names.runArn, "ResultWriterDetails": details}, nil
	}
	if dp.p.writeReq != nil && dp.p.writeReq.Config.Transformation == "FLATTEN" {
		return flatten(dp.results), nil
	}
	if dp.results == nil {
		return []any{}, nil
	}
	return dp.results, nil
}

// flatten joins the array outputs of child executions into one array
// (Transformation FLATTEN); other outputs are kept as they are.
func flatten(results []any) []any {
	out := make([]any, 0, len(results))
	for _, r := range results {
		if a, ok := r.([]any); ok {
			out = append(out, a...)
			continue
		}
		out = append(out, r)
	}
	return out
}

// Record renders a child execution's result as AWS's result files and a
// NONE transformation do: the fields of DescribeExecution, capitalized,
// with the child's redrive status (a child that did not succeed is
// redriven with its Map Run, never on its own).
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
func (r ChildResult) Record() map[string]any {
	rec := map[string]any{
		"Input":        r.Input,
		"InputDetails": map[string]any{"Included": true},
		"Status":       string(r.Status),
		"RedriveCount": jsonInt(r.RedriveCount),
	}
	for k, v := range map[string]string{"ExecutionArn": r.ExecutionArn, "Name": r.Name, "StateMachineArn": r.StateMachineArn} {
		if v != "" {
			rec[k] = v
		}
	}
	if !r.StartDate.IsZero() {
		rec["StartDate"] = formatTime(r.StartDate)
	}
	if !r.StopDate.IsZero() {
		rec["StopDate"] = formatTime(r.StopDate)
	}
	switch r.Status {
	case StatusSucceeded:
		rec["Output"] = r.Output
		rec["OutputDetails"] = map[string]any{"Included": true}
		rec["RedriveStatus"] = "NOT_REDRIVABLE"
		rec["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
	case StatusPending:
		rec["RedriveStatus"] = "NOT_REDRIVABLE"
		rec["RedriveStatusReason"] = "Execution has not started"
	default:
		rec["Error"] = r.Error
		rec["Cause"] = r.Cause
		rec["RedriveStatus"] = "REDRIVABLE_BY_MAP_RUN"
	}
	return rec
}
