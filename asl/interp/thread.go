package interp

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/jsonpath"
)

// thread runs states one after another: the top level of an execution, a
// Parallel branch or a Map iteration. Its events chain through prev.
type thread struct {
	e    *Execution
	sc   *cancelScope
	ctx  context.Context // sc.ctx
	prev int64
	vars *varScope
	// partialCtx: the scope's Context holds only the members of the
	// context object the state reads (FullContext builds the whole).
	// execOnly: the state reads only $$.Execution and $$.StateMachine; the
	// scope's Context is left nil, for ContextMember to answer what it
	// can and Context to give the two (executionContext) otherwise.
	partialCtx bool
	execOnly   bool
	top        bool // the execution's top level (checkpoints happen here)
	retry      int  // $$.State.RetryCount of the running state
	state      *node
	enter      time.Time
	exited     time.Time // when the previous state of this thread exited, if it just did
	token      string    // $$.Task.Token of the running task
	mapCtx     any       // $$.Map while evaluating a Map's ItemSelector
	// inputText is the text of the input runFrom starts with, when known.
	inputText string

	buf       []byte         // scratch space for rendering payloads
	evalScope jsonpath.Scope // reused by scope: one evaluation at a time
	hint      spliceHint     // how the last ResultPath made its output
	memoVal   map[string]any // the last object rendered (see text)
	memoText  string
	// tmplVal is the object the last template evaluation built and
	// tmplText its text, written as it was built (evalTemplate).
	tmplVal        map[string]any
	tmplText       []byte
	enteredEventID int64 // id of the running state's entered event
	mute           bool  // records no events (a distributed Map's child execution)
	started        bool  // the running Map or Parallel state recorded its Started event
	// pathText names this branch or iteration among the execution's
	// (redrive.go), made from the parent's when first needed (see
	// memoPath): pathParent's, then pathNode's name and pathIndex.
	pathText   string
	pathKnown  bool
	pathParent *thread
	pathNode   *node
	pathIndex  int
	ownVars    varScope
	mapScope   map[string]any // the context object of an ItemSelector, from mapScopes

	// owned is the object the thread's last state made by copying its
	// input to set its ResultPath's field, when that state was one that
	// sets in place (node.setsInPlace): nothing but the thread refers to
	// it, so the next state, if it sets in place too and gets this object
	// as its input, sets its field in the object itself rather than in a
	// copy. undo puts back what that state replaced, for a state that then
	// fails or an execution stopped before the next state starts, so that
	// the input a redrive starts from is the state's input.
	owned map[string]any
	undo  setUndo
	// fresh is the object the last state that set in place made with its
	// Parameters and set, while the thread owns the object it is in;
	// spare is such an object that a later state replaced and left no
	// reference to (node.freesOld): the next template builds its object
	// in it rather than in a new map.
	fresh map[string]any
	spare map[string]any
	// freshBy is the template that made fresh. spareBy is the one that
	// made spare when the objects it made inside spare are free too (the
	// state that replaced spare took none of them, see
	// jsonpath.Template.MayHoldMade), else nil.
	freshBy *jsonpath.Template
	spareBy *jsonpath.Template
	// itemSpare is the object the ItemSelector of this thread's running
	// inline Map made for the iteration that last succeeded, when nothing
	// refers to it any more (mapSpec.freesItems).
	itemSpare map[string]any

	// slab gives the details of the thread's events: the execution's for
	// its top level, the parent's while the parent runs a fan-out on its
	// own goroutine (inlineFanout), else one of the thread's own.
	slab         *detailSlab
	inlineFanout bool
	// lastChild is the thread of the last child of a fan-out run on this
	// goroutine, made again for the next child (see child).
	lastChild *thread

	// arena, when not nil, holds the texts of the thread's events: the
	// execution's sink borrows them (see BorrowingSink and textArena).
	arena *textArena
	// scratch holds the details of the thread's events when the
	// execution's sink borrows them, each overwritten by the next event of
	// its kind, instead of details from the slab. Made on first use, it
	// stays with the thread when the thread is made again (init).
	scratch *eventScratch
}

// eventScratch is the details of a thread's events for a sink that
// borrows them: a state's entered and exited events, a Map iteration's
// (the thread's own, as an iteration's events are its child thread's),
// and the execution's first and last (the top level's).
type eventScratch struct {
	state   stateDetails
	iter    MapIterationEventDetails
	started ExecutionStartedEventDetails
	output  OutputEventDetails
}

// setUndo is what a state that set its ResultPath's field in place
// replaced: the field's value before, or that there was none.
type setUndo struct {
	m   map[string]any
	key string
	old any
	had bool
	// freed: old is an object nothing refers to once the state has
	// ended (it becomes the thread's spare); madeBy, when not nil, is the
	// template that made it, and the objects it made inside old are free
	// too.
	freed  bool
	madeBy *jsonpath.Template
}

// undoSet puts back what the last state set in place, if it did.
func (th *thread) undoSet() {
	u := th.undo
	if u.m == nil {
		return
	}
	if u.had {
		u.m[u.key] = u.old
	} else {
		delete(u.m, u.key)
	}
	if sameMap(u.m, th.memoVal) {
		th.memoVal = nil
	}
	th.undo, th.owned, th.fresh, th.freshBy = setUndo{}, nil, nil, nil
}

// mapScopes holds the context objects scope makes for ItemSelectors that
// read only $$.Map, $$.Execution and $$.StateMachine. Such a map is only
// ever the root an evaluation starts from (a path to $$ itself gets the
// whole context object), so it can be used again once the ItemSelector
// is evaluated (endMapContext).
var mapScopes = sync.Pool{New: func() any { return make(map[string]any, 3) }}

// endMapContext ends the evaluation of a Map state's ItemSelector: $$.Map
// is unset and the ItemSelector's context object goes back to mapScopes.
func (th *thread) endMapContext() {
	th.mapCtx = nil
	if m := th.mapScope; m != nil {
		th.mapScope = nil
		clear(m)
		mapScopes.Put(m)
	}
}

func (e *Execution) newThread(parent *varScope) *thread {
	th := new(thread)
	th.init(e, parent)
	return th
}

// init makes th a new thread of e whose variables' enclosing scope is
// parent.
func (th *thread) init(e *Execution, parent *varScope) {
	*th = thread{e: e, sc: e.root, ctx: e.root, scratch: th.scratch}
	th.ownVars.parent = parent
	th.vars = &th.ownVars // one allocation for the thread and its scope
	th.slab = &e.slab
}

// reinit is init for a thread that ran before (the last child of a
// fan-out on this goroutine): it leaves th as init does, but writes only
// the fields that are not already so. Clearing the thread whole would
// write each of its pointers through the collector's write barrier while
// it marks, which for the children of an inline Map or Parallel state
// costs more than the rest of their setting up; a field that holds what
// it should costs only its reading. TestReinitIsInit holds it to init,
// every field included.
func (th *thread) reinit(e *Execution, parent *varScope) {
	put(&th.e, e)
	put(&th.sc, e.root)
	if th.ctx != context.Context(e.root) {
		th.ctx = e.root
	}
	put(&th.prev, 0)
	put(&th.vars, &th.ownVars)
	put(&th.partialCtx, false)
	put(&th.execOnly, false)
	put(&th.top, false)
	put(&th.retry, 0)
	put(&th.state, nil)
	put(&th.enter, time.Time{})
	put(&th.exited, time.Time{})
	put(&th.token, "")
	if th.mapCtx != nil {
		th.mapCtx = nil
	}
	put(&th.inputText, "")
	if th.buf != nil {
		th.buf = nil
	}
	s := &th.evalScope
	if s.Input != nil {
		s.Input = nil
	}
	if s.Context != nil {
		s.Context = nil
	}
	if s.FullContext != nil {
		s.FullContext = nil
	}
	if s.Var != nil {
		s.Var = nil
	}
	if s.Host != nil {
		s.Host = nil
	}
	if s.Random != nil {
		s.Random = nil
	}
	h := &th.hint
	if h.base != nil {
		h.base = nil
	}
	if h.out != nil {
		h.out = nil
	}
	put(&h.key, "")
	if h.val != nil {
		h.val = nil
	}
	if th.memoVal != nil {
		th.memoVal = nil
	}
	put(&th.memoText, "")
	if th.tmplVal != nil {
		th.tmplVal = nil
	}
	if th.tmplText != nil {
		th.tmplText = nil
	}
	put(&th.enteredEventID, 0)
	put(&th.mute, false)
	put(&th.started, false)
	put(&th.pathText, "")
	put(&th.pathKnown, false)
	put(&th.pathParent, nil)
	put(&th.pathNode, nil)
	put(&th.pathIndex, 0)
	put(&th.ownVars.parent, parent)
	if th.ownVars.vals != nil {
		th.ownVars.vals = nil
	}
	if th.mapScope != nil {
		th.mapScope = nil
	}
	if th.owned != nil {
		th.owned = nil
	}
	u := &th.undo
	if u.m != nil {
		u.m = nil
	}
	put(&u.key, "")
	if u.old != nil {
		u.old = nil
	}
	put(&u.had, false)
	put(&u.freed, false)
	put(&u.madeBy, nil)
	if th.fresh != nil {
		th.fresh = nil
	}
	if th.spare != nil {
		th.spare = nil
	}
	put(&th.freshBy, nil)
	put(&th.spareBy, nil)
	if th.itemSpare != nil {
		th.itemSpare = nil
	}
	put(&th.slab, &e.slab)
	put(&th.inlineFanout, false)
	put(&th.lastChild, nil)
	put(&th.arena, nil)
	// scratch stays, as init keeps it.
}

// put sets *p to v unless it holds v already (see reinit).
func put[T comparable](p *T, v T) {
	if *p != v {
		*p = v
	}
}

func (th *thread) child(sc *cancelScope) *thread {
	var c *thread
	if th.inlineFanout && th.lastChild != nil {
		// The children of a fan-out on this goroutine run one after
		// another: the last one has ended, and nothing refers to its
		// thread any more.
		c = th.lastChild
		c.reinit(th.e, th.vars)
	} else {
		c = th.e.newThread(th.vars)
	}
	if th.inlineFanout {
		th.lastChild = c
	}
	c.sc, c.ctx = sc, sc
	c.prev = th.prev
	c.mute = th.mute
	if th.inlineFanout {
		// The children run one after another on this goroutine while
		// this thread waits: they share its details, its scratch space
		// and its arena, and it forgets what its scratch space held.
		c.slab = th.slab
		c.buf, c.tmplText = th.buf[:0], th.tmplText[:0]
		c.arena = th.arena
		th.tmplVal = nil
	} else {
		c.slab = new(detailSlab)
	}
	return c
}

func (th *thread) emit(ev *HistoryEvent) {
	if !th.mute {
		th.prev = th.e.emit(th.prev, ev)
	}
}

func (th *thread) emitFinal(ev *HistoryEvent) { th.prev = th.e.emit(th.prev, ev) }

func (th *thread) clock() Clock { return th.e.m.cfg.clock }

// scope returns the evaluation scope with $ bound to input. The scope is
// the thread's own, overwritten by the next call: a thread evaluates one
// expression at a time and jsonpath keeps no reference to a scope once an
// evaluation returns.
func (th *thread) scope(input any) *jsonpath.Scope {
	s := &th.evalScope
	// Only Input, Host and Context are ever set (Context by this function
	// and by an evaluation that builds the context object): a scope built
	// anew for each evaluation would write all its pointers, each through
	// the collector's write barrier while it marks.
	s.Input = input
	if s.Host != jsonpath.Host(th) {
		s.Host = th
	}
	if s.Context != nil {
		s.Context = nil
	}
	th.partialCtx, th.execOnly = false, false
	switch {
	case th.state != nil && th.state.ctxExecOnly && th.e.ctxOverride == nil:
		// The state reads only members of $$.Execution and $$.StateMachine:
		// a context object of those two, made once per execution, reads
		// the same; a message that quotes $$ gets the whole of it. It is
		// made when a path needs more than ContextMember answers.
		th.partialCtx, th.execOnly = true, true
	case th.state != nil && th.state.ctxMapOnly && th.mapCtx != nil && th.e.ctxOverride == nil:
		// A Map state's ItemSelector that reads only $$.Map besides
		// $$.Execution and $$.StateMachine: the item's $$.Map beside the
		// two made once per execution read the same, and $$.Map alone
		// when the state reads neither of the two.
		if th.mapScope == nil {
			th.mapScope = mapScopes.Get().(map[string]any)
			if !th.state.ctxMapAlone {
				execution, stateMachine := th.e.contextObjects()
				th.mapScope["Execution"], th.mapScope["StateMachine"] = execution, stateMachine
			}
		}
		th.mapScope["Map"] = th.mapCtx
		s.Context, th.partialCtx = th.mapScope, true
	}
	// Otherwise Context stays nil: the Host (the thread) builds the whole
	// context object for an expression that reads "$$" (most read none).
	return s
}

var _ jsonpath.Host = (*thread)(nil)

// Context returns the context object for a scope whose Context is nil:
// the part of it the state reads (see execOnly), else the whole.
func (th *thread) Context() any {
	if th.execOnly {
		return th.e.executionContext()
	}
	return th.contextObject()
}

var _ jsonpath.ContextMembers = (*thread)(nil)

// ContextMember answers $$.Execution.Name and Id and $$.StateMachine.Name
// and Id for a state that reads only those two members of $$ (execOnly).
func (th *thread) ContextMember(parent, member string) (any, bool) {
	if !th.execOnly {
		return nil, false
	}
	return th.e.contextMember(parent, member)
}

// Variable returns the value of a variable in the thread's scope.
func (th *thread) Variable(name string) (any, bool) { return th.vars.get(name) }

// FullContext returns the whole context object when the evaluation scope
// holds only part of it, else nil: the scope's Context is whole.
func (th *thread) FullContext() any {
	if !th.partialCtx {
		return nil
	}
	return th.contextObject()
}

// contextObject builds $$ for the running state.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
func (th *thread) contextObject() any {
	st := map[string]any{}
	if th.state != nil {
		st["Name"] = th.state.name
		if th.e.stateNameOverride != "" {
			st["Name"] = th.e.stateNameOverride
		}
		st["EnteredTime"] = formatTime(th.enter)
	}
	// Only the states that can retry have a RetryCount (recorded: a Pass
	// state's $states.context.State has none).
	if th.state == nil || th.state.typ == asl.TypeTask || th.state.typ == asl.TypeParallel || th.state.typ == asl.TypeMap {
		st["RetryCount"] = jsonIntValue(th.retry)
	}
	execution, stateMachine := th.e.contextObjects()
	c := map[string]any{
		"Execution":    execution,
		"State":        st,
		"StateMachine": stateMachine,
	}
	if th.token != "" {
		c["Task"] = map[string]any{"Token": th.token}
	}
	if th.mapCtx != nil {
		c["Map"] = th.mapCtx
	}
	for k, v := range th.e.ctxOverride {
		c[k] = v
	}
	return c
}

// runProgram runs p from its StartAt state with input until a terminal
// state, returning the output or the failure.
func (th *thread) runProgram(p *program, input any, top bool) (any, *Failure) {
	return th.runFrom(p, p.startAt, input, top)
}

func (th *thread) runFrom(p *program, name string, input any, top bool) (any, *Failure) {
	th.top = top
	// text is the input rendered, when the previous state (or the caller,
	// through inputText) already did it.
	text := th.inputText
	th.inputText = ""
	for {
		if th.ctx.Err() != nil {
			th.undoSet()
			return nil, errStopped
		}
		if th.undo.freed {
			// The state that replaced it ended: nothing refers to it.
			th.spare, th.spareBy = th.undo.old.(map[string]any), th.undo.madeBy
		}
		// No state has set in place yet (undoSet does nothing without m):
		// the rest of undo is read only where m or freed is set again.
		th.undo.m, th.undo.freed = nil, false
		n := p.states[name]
		if top {
			th.e.at, th.e.atInput = name, input
		}
		if top && th.e.cfg.checkpoint != nil {
			th.e.cfg.checkpoint(th.snapshot(name, input))
			th.exited = time.Time{} // the host's checkpoint took time
		}
		out, outText, next, f := th.runState(n, input, text)
		if f != nil {
			th.undoSet()
			return nil, f
		}
		if next == "" {
			return out, nil
		}
		input, name, text = out, next, outText
	}
}

// runState runs one state: entered event, the state's work, exited event.
// next is "" when the state ends its program.
func (th *thread) runState(n *node, input any, inputText string) (out any, outText, next string, f *Failure) {
	th.state, th.retry, th.token = n, 0, ""
	th.hint.key = "" // no hint (renderOutput); a new one sets every field
	if th.owned != nil && !n.setsInPlace {
		th.owned, th.fresh, th.freshBy = nil, nil, nil
	}
	// A state is entered the instant the previous one exited (nothing runs
	// in between); the first state of a thread reads the clock.
	if th.enter = th.exited; th.enter.IsZero() {
		th.enter = th.clock().Now()
	}
	th.exited = time.Time{}
	if inputText == "" {
		inputText = th.historyText(input)
	}
	// The entered and exited details of a state share one allocation, or
	// none for a sink that borrows them.
	details := th.stateDetails()
	// The details are zero but for what is set here (see stateDetails).
	details.entered.Name, details.entered.Input = n.name, inputText
	th.emit(&HistoryEvent{Type: n.entered, Timestamp: th.enter, StateEnteredEventDetails: &details.entered})
	th.enteredEventID = th.prev
	var assigned map[string]any
	switch {
	case n.js != nil && n.typ == asl.TypeFail:
		return nil, "", "", th.failJSONata(n, input)
	case n.js != nil && (n.typ == asl.TypeTask || n.typ == asl.TypeParallel || n.typ == asl.TypeMap):
		out, next, assigned, f = th.runWithRetry(n, input)
	case n.js != nil:
		out, next, assigned, f = th.runJSONata(n, input)
	}
	switch {
	case n.js != nil:
	default:
		out, next, assigned, f = th.runJSONPath(n, input)
		if n.typ == asl.TypeFail {
			return nil, "", "", f
		}
	}
	if f == errStopped {
		th.aborted(n)
	}
	if f != nil {
		return nil, "", "", f
	}
	return th.exitState(n, input, inputText, out, next, assigned, &details.exited)
}

// runJSONPath runs the work of a JSONPath state.
func (th *thread) runJSONPath(n *node, input any) (out any, next string, assigned map[string]any, f *Failure) {
	switch n.typ {
	case asl.TypePass:
		out, assigned, f = th.runPass(n, input)
		next = n.next
	case asl.TypeTask, asl.TypeParallel, asl.TypeMap:
		out, next, assigned, f = th.runWithRetry(n, input)
	case asl.TypeChoice:
		out, next, assigned, f = th.runChoice(n, input)
	case asl.TypeWait:
		out, assigned, f = th.runWait(n, input)
		next = n.next
	case asl.TypeSucceed:
		var eff any
		if eff, f = th.inputPath(n, input); f == nil {
			out, f = th.outputPath(n, eff)
		}
	case asl.TypeFail:
		f = th.runFail(n, input)
	}
	return out, next, assigned, f
}

// stateDetails holds the details of a state's entered and exited events.
type stateDetails struct {
	entered StateEnteredEventDetails
	exited  StateExitedEventDetails
}

// stateDetails returns the details for a state's entered and exited
// events, zero but for the names, input and output its callers set: the
// thread's scratch when the sink borrows them, else new ones from the
// slab.
func (th *thread) stateDetails() *stateDetails {
	if th.e.borrows {
		d := &th.events().state
		// Zeroed field by field, and only what its users do not set
		// (runState sets the entered name and input, exitState the exited
		// name and output): clearing the struct whole would write each of
		// its pointers through the collector's write barrier while it
		// marks.
		d.entered.InputDetails, d.exited.OutputDetails = DataDetails{}, DataDetails{}
		if d.exited.AssignedVariables != nil {
			d.exited.AssignedVariables = nil
		}
		return d
	}
	return th.slab.state()
}

// iterationDetails is stateDetails for a Map iteration's events (which
// its caller sets whole).
func (th *thread) iterationDetails() *MapIterationEventDetails {
	if th.e.borrows {
		return &th.events().iter
	}
	return th.slab.iteration()
}

// events returns the thread's scratch details, made on first use.
func (th *thread) events() *eventScratch {
	if th.scratch == nil {
		th.scratch = new(eventScratch)
	}
	return th.scratch
}

// aborted records that a state was interrupted by Stop or the execution
// timeout (not by a failing sibling branch or iteration).
func (th *thread) aborted(n *node) {
	if reason, _ := th.e.stopped(); reason == nil {
		return
	}
	switch n.typ {
	case asl.TypeTask:
		th.emit(&HistoryEvent{Type: TaskStateAborted})
	case asl.TypeWait:
		th.emit(&HistoryEvent{Type: WaitStateAborted})
	case asl.TypeParallel:
		th.emit(&HistoryEvent{Type: ParallelStateAborted})
	case asl.TypeMap:
		th.emit(&HistoryEvent{Type: MapStateAborted})
	}
}

// exitState checks the output size, records the exited event and applies
// the state's variable assignments, which take effect only now.
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
func (th *thread) exitState(n *node, input any, inputText string, out any, next string, assigned map[string]any, details *StateExitedEventDetails) (any, string, string, *Failure) {
	text := th.renderOutput(input, inputText, out)
	if m, ok := out.(map[string]any); ok {
		th.remember(m, text)
	}
	if len(text) > th.e.m.cfg.payloadLimit {
		return nil, "", "", &Failure{Error: "States.DataLimitExceeded", Cause: fmt.Sprintf(
			"The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", n.name)}
	}
	details.Name, details.Output = n.name, text // zero but for these (stateDetails)
	if len(assigned) > 0 {
		details.AssignedVariables = make(map[string]string, len(assigned))
		for k, v := range assigned {
			details.AssignedVariables[k] = render(v)
		}
		th.vars.assign(assigned)
	}
	th.exited = th.clock().Now()
	th.emit(&HistoryEvent{Type: n.exited, Timestamp: th.exited, StateExitedEventDetails: details})
	return out, text, next, nil
}

// renderOutput renders a state's output: the input's text when the output
// is the input (a Choice state, ResultPath null), spliced from it when the
// output is the input with one top-level field set by ResultPath.
func (th *thread) renderOutput(input any, inputText string, out any) string {
	in, _ := input.(map[string]any)
	o, _ := out.(map[string]any)
	// A hint first: a field set in place makes the output the input
	// object, with another text.
	if h := &th.hint; h.key != "" {
		if sameMap(h.base, in) && sameMap(h.out, o) {
			var b []byte
			var ok bool
			if valText, known := th.knownText(h.val); known {
				b, ok = appendSpliced(th.buf[:0], inputText, h.key, h.val, valText)
			} else if m, isMap := h.val.(map[string]any); isMap && sameMap(m, th.tmplVal) {
				b, ok = appendSpliced(th.buf[:0], inputText, h.key, h.val, th.tmplText)
			} else {
				b, ok = appendSpliced(th.buf[:0], inputText, h.key, h.val, "")
			}
			if ok {
				th.buf = b
				return th.keepText(b)
			}
		}
	} else if inputText != "" && sameMap(in, o) {
		return inputText
	}
	return th.historyText(out)
}

// runtimeError is a States.Runtime failure of the running state, with the
// cause prefix AWS uses.
func (th *thread) runtimeError(format string, args ...any) *Failure {
	return &Failure{Error: "States.Runtime", Cause: th.causePrefix() + fmt.Sprintf(format, args...)}
}

func (th *thread) causePrefix() string {
	if th.state == nil {
		return ""
	}
	return fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). ",
		th.state.name, th.enteredID())
}

func (th *thread) enteredID() int64 { return th.enteredEventID }

// evalFailure turns an evaluation error into a state failure: a
// *jsonpath.Error keeps its name, with the state's cause prefix for
// States.Runtime.
func (th *thread) evalFailure(err error) *Failure {
	if f := AsFailure(err); f != nil {
		if f.Error == "States.Runtime" {
			return &Failure{Error: f.Error, Cause: th.causePrefix() + f.Cause}
		}
		return f
	}
	return th.runtimeError("%v", err)
}

// sleep waits d of clock time, or until the thread's context ends.
func (th *thread) sleep(d time.Duration) *Failure {
	if d <= 0 {
		return nil
	}
	c := th.clock()
	w := newWakeup(c)
	stop := c.AfterFunc(d, func() { w.fire(wakeTimer) })
	unwatch := th.sc.watch(w)
	reason := w.wait()
	unwatch()
	stop()
	if reason == wakeCancel {
		return errStopped
	}
	return nil
}

func jsonInt(n int) json.Number {
	if n >= 0 && n < len(smallInts) {
		return smallInts[n]
	}
	return json.Number(strconv.Itoa(n))
}

// jsonIntValue is jsonInt(n) as a value, without an allocation for a
// small n (a Map item's index, a retry count).
func jsonIntValue(n int) any {
	if n >= 0 && n < len(smallIntValues) {
		return smallIntValues[n]
	}
	return jsonInt(n)
}

// smallInts and smallIntValues are the numbers 0 to 255 as jsonInt writes
// them.
var smallInts, smallIntValues = func() (ns [256]json.Number, vs [256]any) {
	for i := range ns {
		ns[i] = json.Number(strconv.Itoa(i))
		vs[i] = ns[i]
	}
	return ns, vs
}()
