package interp

import (
	"fmt"
	"math"
	"math/big"
	"sync"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/jsonpath"
)

// Concurrency ceilings of the Map state's two modes.
const (
	inlineMaxConcurrency      = 40
	distributedMaxConcurrency = 10000
)

// mapSpec is a compiled Map state.
type mapSpec struct {
	processor          *program
	distributed        bool
	itemsPath          ioPath
	itemSelector       *jsonpath.Template
	maxConcurrency     int
	maxConcurrencyPath *jsonpath.Path
	toleratedCount     int // -1: not set
	toleratedCountPath *jsonpath.Path
	toleratedPercent   float64 // -1: not set
	toleratedPctPath   *jsonpath.Path
	unsupported        string // why the state cannot run, "" when it can
	dist               *distSpec
	// freesItems: the ItemSelector makes an object and no iteration's
	// output, variables or anything else refers to it once the iteration
	// succeeded (see canFreeItems): the iterations of an instant
	// processor, which run one after another on the Map's goroutine,
	// build their selector's object in the previous one's.
	freesItems bool
}

// canFreeItems reports whether the object an ItemSelector makes is
// referred to by nothing once its iteration has succeeded: the processor
// is one JSONPath Pass state whose output is the object its Parameters
// make (no Result, no ResultPath but "$", no OutputPath but "$", no
// Assign) from a template that cannot hold its input.
func (ms *mapSpec) canFreeItems() bool {
	if ms.itemSelector == nil || !ms.itemSelector.MakesObject() || ms.processor == nil || ms.distributed ||
		!ms.processor.instant || len(ms.processor.states) != 1 {
		return false
	}
	n := ms.processor.states[ms.processor.startAt]
	return n != nil && n.js == nil && n.typ == asl.TypePass && n.assign == nil && !n.hasResult &&
		n.parameters != nil && n.parameters.MakesObject() && !n.parameters.MayHoldInput() &&
		(n.resultPath.kind == ioAbsent || n.resultPath.kind == ioRoot) &&
		(n.outputPath.kind == ioAbsent || n.outputPath.kind == ioRoot)
}

// mapState compiles a Map state's processor and limits; for a JSONata
// state (jsonata) the JSONPath fields are left to compileJSONata.
func (c *compiler) mapState(name string, st *asl.Map, lang asl.QueryLanguage, jsonata bool) (*mapSpec, error) {
	ms := &mapSpec{toleratedCount: -1, toleratedPercent: -1}
	var err error
	c.loc = append(c.loc, "ItemProcessor")
	proc := st.ItemProcessor
	if proc == nil {
		proc = st.Iterator
	}
	if proc == nil {
		err = c.errorf("Map state has no ItemProcessor")
	} else {
		ms.distributed = proc.ProcessorConfig != nil && proc.ProcessorConfig.Mode == asl.ModeDistributed
		ms.processor, err = c.program(proc.StartAt, proc.States, lang)
	}
	if err == nil && ms.distributed {
		ms.dist, err = c.distributed(name, st, proc, jsonata)
	} else if err == nil && (st.ItemReader != nil || st.ItemBatcher != nil || st.ResultWriter != nil) {
		// AWS accepts these fields on an inline Map at definition time;
		// only a distributed Map can run them.
		ms.unsupported = "ItemReader, ItemBatcher and ResultWriter need a Map state in DISTRIBUTED mode"
	}
	c.loc = c.loc[:len(c.loc)-1]
	if err != nil {
		return nil, err
	}
	if jsonata {
		if st.MaxConcurrency != nil {
			ms.maxConcurrency = st.MaxConcurrency.Value
		}
		if st.ToleratedFailureCount != nil && st.ToleratedFailureCount.Expr == "" {
			ms.toleratedCount = st.ToleratedFailureCount.Value
		}
		if st.ToleratedFailurePercentage != nil && st.ToleratedFailurePercentage.Expr == "" {
			ms.toleratedPercent = st.ToleratedFailurePercentage.Value
		}
		return ms, nil
	}
	if st.ItemsPath != "" {
		if ms.itemsPath, err = c.ioPath("ItemsPath", asl.PathOf(st.ItemsPath)); err != nil {
			return nil, err
		}
	}
	sel := st.ItemSelector
	if sel == nil {
		sel = st.Parameters
	}
	if ms.itemSelector, err = c.template("ItemSelector", sel); err != nil {
		return nil, err
	}
	ms.freesItems = ms.canFreeItems()
	if st.MaxConcurrency != nil {
		ms.maxConcurrency = st.MaxConcurrency.Value
	}
	if st.ToleratedFailureCount != nil {
		ms.toleratedCount = st.ToleratedFailureCount.Value
	}
	if st.ToleratedFailurePercentage != nil {
		ms.toleratedPercent = st.ToleratedFailurePercentage.Value
	}
	if ms.maxConcurrencyPath, err = c.path("MaxConcurrencyPath", st.MaxConcurrencyPath); err != nil {
		return nil, err
	}
	if ms.toleratedCountPath, err = c.path("ToleratedFailureCountPath", st.ToleratedFailureCountPath); err != nil {
		return nil, err
	}
	if ms.toleratedPctPath, err = c.path("ToleratedFailurePercentagePath", st.ToleratedFailurePercentagePath); err != nil {
		return nil, err
	}
	return ms, nil
}

// runMap runs the item processor once per item of the ItemsPath array, at
// most MaxConcurrency at a time (0: no limit), and returns the outputs in
// item order. A failed iteration fails the state with its error unless a
// tolerated failure count or percentage allows it; beyond the tolerance the
// state fails with States.ExceedToleratedFailureThreshold.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
func (th *thread) runMap(n *node, eff any) (any, *Failure) {
	ms := n.mapSpec
	if ms.unsupported != "" {
		return nil, th.runtimeError("%s", ms.unsupported)
	}
	if ms.dist != nil {
		return th.runDistributed(n, eff, nil)
	}
	limit := ms.maxConcurrency
	if ms.maxConcurrencyPath != nil {
		v, ok := th.intField("MaxConcurrencyPath", ms.maxConcurrencyPath, eff)
		if ok != nil {
			return nil, ok
		}
		limit = v
	}
	itemsV, f := th.evalPath(ms.itemsPath, eff)
	if f != nil {
		return nil, f
	}
	items, isArray := itemsV.([]any)
	if !isArray {
		return nil, th.runtimeError("Invalid path '%s': The Map state's ItemsPath must reference a JSON array, found %s", itemsPathText(ms), render(itemsV))
	}
	th.emit(&HistoryEvent{Type: MapStateStarted, MapStateStartedEventDetails: &MapStateStartedEventDetails{Length: len(items)}})
	tolCount, tolPct := ms.toleratedCount, ms.toleratedPercent
	if ms.toleratedCountPath != nil {
		v, f := th.intField("ToleratedFailureCountPath", ms.toleratedCountPath, eff)
		if f != nil {
			return nil, f
		}
		tolCount = v
	}
	if ms.toleratedPctPath != nil {
		v, err := ms.toleratedPctPath.Eval(th.scope(eff))
		r, ok := numberRat(v)
		if err != nil || !ok {
			return nil, th.runtimeError("The ToleratedFailurePercentagePath field refers to value %q which is not a valid float: %s", rawText(v), ms.toleratedPctPath)
		}
		tolPct, _ = r.Float64()
		if tolPct < 0 || tolPct > 100 {
			return nil, th.runtimeError("ToleratedFailurePercentage must be between 0 and 100.")
		}
	}
	return th.runItems(n, eff, items, limit, tolCount, tolPct)
}

// mapItems starts a Map state's run over items (JSONata: the Started event
// comes once every field is evaluated).
func (th *thread) mapItems(n *node, eff any, items []any, limit, tolCount int, tolPct float64) (any, *Failure) {
	th.emit(&HistoryEvent{Type: MapStateStarted, MapStateStartedEventDetails: &MapStateStartedEventDetails{Length: len(items)}})
	return th.runItems(n, eff, items, limit, tolCount, tolPct)
}

// runItems runs the iterations of a Map state whose Started event is
// recorded.
func (th *thread) runItems(n *node, eff any, items []any, limit, tolCount int, tolPct float64) (any, *Failure) {
	// An inline Map runs at most 40 iterations at once, whatever its
	// MaxConcurrency (a distributed Map: see map_distributed.go).
	// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
	if limit == 0 || limit > inlineMaxConcurrency {
		limit = inlineMaxConcurrency
	}
	// From here on a failure is the Map's own: it records MapStateFailed.
	th.started = true
	tolerant := tolCount >= 0 || tolPct >= 0
	exceeded := func(nfail int) bool {
		if !tolerant {
			return true
		}
		if tolCount >= 0 && nfail > tolCount {
			if tolPct < 0 || float64(nfail)*100 > tolPct*float64(len(items)) {
				return true
			}
		}
		if tolPct >= 0 && float64(nfail)*100 > tolPct*float64(len(items)) {
			return tolCount < 0 || nfail > tolCount
		}
		return false
	}
	started := th.prev
	job, done := th.completed(n, len(items), func(sc *cancelScope, i int) (any, *Failure) {
		return th.iteration(sc, n, eff, items, i, started)
	})
	results, first := th.fanout(len(items), limit, n.mapSpec.processor.instant, job, exceeded)
	th.itemSpare = nil
	done(first == nil && th.ctx.Err() == nil, results)
	if th.ctx.Err() != nil {
		return nil, errStopped
	}
	if first != nil {
		if tolerant {
			return nil, &Failure{Error: "States.ExceedToleratedFailureThreshold",
				Cause: "The specified tolerated failure threshold was exceeded"}
		}
		return nil, first
	}
	th.emit(&HistoryEvent{Type: MapStateSucceeded})
	return results, nil
}

func itemsPathText(ms *mapSpec) string {
	if ms.itemsPath.expr == "" {
		return "$"
	}
	return ms.itemsPath.expr
}

// intField reads a non-negative integer through a path (MaxConcurrencyPath,
// ToleratedFailureCountPath).
func (th *thread) intField(field string, p *jsonpath.Path, input any) (int, *Failure) {
	v, err := p.Eval(th.scope(input))
	r, ok := numberRat(v)
	if s, isStr := v.(string); isStr {
		// AWS accepts an integer written as a string.
		r, ok = new(big.Rat).SetString(s)
	}
	if err != nil || !ok || !r.IsInt() || r.Sign() < 0 || !r.Num().IsInt64() || r.Num().Int64() > math.MaxInt32 {
		return 0, th.runtimeError("The %s field refers to value %s which is not a valid integer: %s", field, fmt.Sprintf("%q", rawText(v)), p)
	}
	return int(r.Num().Int64()), nil
}

// iteration runs the item processor for item i on its own thread.
func (th *thread) iteration(sc *cancelScope, n *node, eff any, items []any, i int, started int64) (any, *Failure) {
	ms := n.mapSpec
	c := th.branch(sc, n, i)
	c.prev = started
	details := c.iterationDetails()
	*details = MapIterationEventDetails{Name: n.name, Index: i}
	c.emit(&HistoryEvent{Type: MapIterationStarted, MapIterationStartedEventDetails: details})
	input := items[i]
	if n.js != nil && n.js.itemSelector != nil {
		// $states.context.Map.Item is the item and its index; $states.input
		// is the Map state's input.
		c.state, c.enter, c.retry, c.enteredEventID = n, th.enter, th.retry, th.enteredEventID
		c.mapCtx = map[string]any{"Item": map[string]any{"Index": jsonIntValue(i), "Value": items[i]}}
		var f *Failure
		input, f = c.jenv(eff).eval(n.js.itemSelector)
		c.state = nil
		c.endMapContext()
		if f != nil {
			c.emit(&HistoryEvent{Type: MapIterationFailed, MapIterationFailedEventDetails: details})
			return nil, f
		}
	} else if ms.itemSelector != nil {
		// ItemSelector runs in the Map state's context, where $$.Map.Item
		// is the item and its index.
		c.state, c.enter, c.retry, c.enteredEventID = n, th.enter, th.retry, th.enteredEventID
		var reused *mapItemCtx
		if n.mapItemLeaves {
			reused = mapItemCtxs.Get().(*mapItemCtx)
			reused.item["Index"], reused.item["Value"] = jsonIntValue(i), items[i]
			c.mapCtx = reused.ctx
		} else {
			c.mapCtx = map[string]any{"Item": map[string]any{"Index": jsonIntValue(i), "Value": items[i]}}
		}
		reuse := ms.freesItems && th.inlineFanout
		if reuse {
			// The previous iteration's selector object, free once that
			// iteration succeeded.
			c.spare, th.itemSpare = th.itemSpare, nil
		}
		var f *Failure
		input, f = c.evalTemplate(ms.itemSelector, eff)
		c.spare = nil
		c.state = nil
		c.endMapContext()
		if reused != nil {
			reused.item["Value"] = nil // not kept alive by the pool
			mapItemCtxs.Put(reused)
		}
		if f != nil {
			c.emit(&HistoryEvent{Type: MapIterationFailed, MapIterationFailedEventDetails: details})
			return nil, f
		}
	}
	out, f := c.runProgram(ms.processor, input, false)
	if m, ok := input.(map[string]any); ok && f == nil && ms.freesItems && th.inlineFanout && ms.itemSelector != nil {
		th.itemSpare = m
	}
	switch {
	case f == errStopped:
		c.emit(&HistoryEvent{Type: MapIterationAborted, MapIterationAbortedEventDetails: details})
	case f != nil:
		c.emit(&HistoryEvent{Type: MapIterationFailed, MapIterationFailedEventDetails: details})
	default:
		c.emit(&HistoryEvent{Type: MapIterationSucceeded, MapIterationSucceededEventDetails: details})
	}
	return out, f
}

// mapItemCtx is a $$.Map of an iteration, {"Item": item}, whose item
// ({"Index", "Value"}) is set for each iteration.
type mapItemCtx struct{ ctx, item map[string]any }

// mapItemCtxs holds the $$.Map objects of the ItemSelectors that read only
// $$.Map.Item.Index and $$.Map.Item.Value (node.mapItemLeaves): no path
// of such a selector returns either object, so they are used again once
// the selector is evaluated.
var mapItemCtxs = sync.Pool{New: func() any {
	item := make(map[string]any, 2)
	return &mapItemCtx{ctx: map[string]any{"Item": item}, item: item}
}}
