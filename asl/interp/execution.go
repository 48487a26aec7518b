package interp

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluicehq/sluice/asl/jsonpath"
)

// Status is an execution's status, as DescribeExecution reports it.
type Status string

// The execution statuses.
const (
	StatusRunning   Status = "RUNNING"
	StatusSucceeded Status = "SUCCEEDED"
	StatusFailed    Status = "FAILED"
	StatusTimedOut  Status = "TIMED_OUT"
	StatusAborted   Status = "ABORTED"
)

// Result is how an execution ended.
type Result struct {
	Status Status
	// Output is the execution's output (SUCCEEDED only).
	Output any
	// Error and Cause describe a FAILED, TIMED_OUT or ABORTED execution.
	Error string
	Cause string
	// StartDate and StopDate come from the clock.
	StartDate time.Time
	StopDate  time.Time
}

// An ExecOption configures one execution.
type ExecOption func(*execConfig)

type execConfig struct {
	name            string
	arn             string
	stateMachineArn string
	roleArn         string
	sink            HistorySink
	checkpoint      func(Snapshot)
	versionArn      string
	aliasArn        string
}

// WithExecutionName sets the execution's name ($$.Execution.Name).
func WithExecutionName(name string) ExecOption { return func(c *execConfig) { c.name = name } }

// WithExecutionArn sets the execution's ARN ($$.Execution.Id).
func WithExecutionArn(arn string) ExecOption { return func(c *execConfig) { c.arn = arn } }

// WithStateMachineArn sets the state machine's ARN ($$.StateMachine.Id);
// its last component is $$.StateMachine.Name.
func WithStateMachineArn(arn string) ExecOption {
	return func(c *execConfig) { c.stateMachineArn = arn }
}

// WithRoleArn sets $$.Execution.RoleArn.
func WithRoleArn(arn string) ExecOption { return func(c *execConfig) { c.roleArn = arn } }

// WithStateMachineVersion names the state machine version the execution runs and the alias that chose
// it ("" for none), for its ExecutionStarted event.
func WithStateMachineVersion(versionArn, aliasArn string) ExecOption {
	return func(c *execConfig) { c.versionArn, c.aliasArn = versionArn, aliasArn }
}

// WithHistory sends the execution's history events to sink.
func WithHistory(sink HistorySink) ExecOption { return func(c *execConfig) { c.sink = sink } }

// WithCheckpoint calls f with a Snapshot of the execution before each
// transition between top-level states, so the host can persist it and
// Resume later. f runs on the execution's goroutine: keep it short.
func WithCheckpoint(f func(Snapshot)) ExecOption { return func(c *execConfig) { c.checkpoint = f } }

// Execution is one run of a Machine.
type Execution struct {
	m      *Machine
	cfg    execConfig
	input  any
	root   *cancelScope    // &rootScope
	ctx    context.Context // root
	unhook func() bool     // removes the host ctx hook
	// stopTimer stops the machine's TimeoutSeconds timer.
	stopTimer func() bool
	start     time.Time

	rootScope cancelScope
	// ended is set once result is final; doneCh is the Done channel, made
	// when a host first asks for it (a host that runs an execution on its
	// own goroutine never does). Both are written under mu.
	ended  atomic.Bool
	doneCh atomic.Value // chan struct{}

	// ctxExecution is $$.Execution; ctxStateMachine is $$.StateMachine.
	// They are built by contextObjects on first use, after which they are
	// read-only.
	ctxOnce         sync.Once
	ctxExecution    map[string]any
	ctxStateMachine map[string]any
	ctxExecOnly     map[string]any // {"Execution": ..., "StateMachine": ...}, see executionContext
	// ctxMembers holds $$.Execution.Name and Id and $$.StateMachine.Name
	// and Id as values (see contextMember), each made on first use.
	ctxMembers [4]atomic.Value
	// ctxOverride replaces members of the context object (TestState's
	// context).
	ctxOverride map[string]any
	// stateNameOverride is $$.State.Name for every state (TestState's).
	stateNameOverride string

	// slab gives the details of the top level's events (see thread.slab).
	slab detailSlab
	// borrows: the sink keeps nothing of an event past Record
	// (BorrowingSink), so threads record their events with details of
	// their own that they overwrite (thread.scratch).
	borrows bool

	mu         sync.Mutex
	nextID     int64
	lastTime   time.Time // timestamp of the last event
	events     int
	stopReason *Failure // set by Stop, the machine timeout or the history limit
	stopStatus Status
	result     Result

	// Redrive (redrive.go). at and atInput are the running top-level state
	// and its input, atVars the variables when the execution ended;
	// written by the top-level thread only.
	at           string
	atInput      any
	atVars       map[string]any
	redriveCount int
	redriveDate  time.Time
	memoMu       sync.Mutex
	memo         map[string]any // outputs of children that succeeded in running Parallel and Map states
	reuse        map[string]any // outputs of children that succeeded before a redrive, not yet reused
}

// errStopped marks a thread unwound by Stop, the execution timeout or the
// history limit; the execution's stopReason says which.
var errStopped = &Failure{Error: "interp.stopped"}

// Start begins an execution of m with input (a JSON value as
// encoding/json decodes it with UseNumber) and returns at once. ctx bounds
// the execution: cancelling it aborts the execution.
func (m *Machine) Start(ctx context.Context, input any, opts ...ExecOption) *Execution {
	// Hold the clock before anything schedules a timer: a virtual clock
	// runs due timers (the machine's TimeoutSeconds among them) as soon as
	// nobody holds it.
	hold(m.cfg.clock)
	e := m.newExecution(ctx, input, opts)
	th := e.newThread(nil)
	th.prev = e.emitStart(th)
	go func() {
		defer release(m.cfg.clock)
		out, f := th.runProgram(m.top, input, true)
		e.finish(th, out, f)
	}()
	return e
}

// Run runs an execution to its end on the calling goroutine and returns
// its result. It behaves as Start followed by Wait, without the goroutine.
func (m *Machine) Run(ctx context.Context, input any, opts ...ExecOption) Result {
	e := m.RunExecution(ctx, input, opts...)
	r := e.result
	e.recycle()
	return r
}

// executions holds Executions that ended in Run and that nothing refers to
// any more (see recycle), for the next execution.
var executions = sync.Pool{New: func() any { return new(Execution) }}

// recycle hands e, an execution Run has ended, to the next execution when
// nothing can refer to it any more. Run never gives e to its caller; the
// interpreter itself may still hold it only where the program can wait
// or start a goroutine: a task that timed out runs on with its thread, the
// machine's TimeoutSeconds timer holds e until stopped, a wait on one of
// e's scopes hooks the host's context (the hook may be running), and a
// child execution's root is its Map's. An instant program (see
// program.instant) runs every state on Run's goroutine, hands the
// execution's context to no host code (no task, no wait), and leaves
// nothing behind but the top-level thread kept in threadBufs, which points
// to e and is made new (thread.init) before it runs again. Values the
// execution made (its output, the context object's maps) never point to
// e.
func (e *Execution) recycle() {
	if !e.m.top.instant || e.m.timeout > 0 || e.doneCh.Load() != nil {
		return
	}
	r := &e.rootScope
	r.mu.Lock()
	hooked, adopted := r.hooked, r.adopted
	r.mu.Unlock()
	if hooked || adopted {
		return
	}
	*e = Execution{}
	executions.Put(e)
}

// RunExecution is Run for a host that needs more of the ended execution
// than its result (its RedrivePoint, say): it runs the execution to its
// end on the calling goroutine and returns it, done.
func (m *Machine) RunExecution(ctx context.Context, input any, opts ...ExecOption) *Execution {
	hold(m.cfg.clock)
	e := m.newExecution(ctx, input, opts)
	bufs := threadBufs.Get().(*threadBuf)
	th := bufs.thread(e, m.top.instant)
	th.buf, th.tmplText = bufs.render[:0], bufs.tmpl[:0]
	if e.borrows && m.top.instant {
		// Every thread of the execution runs on this goroutine, so it has
		// ended when this function resets the arena (see textArena).
		th.arena = &bufs.arena
	}
	// An object a previous execution's template made and left free: the
	// first template of this one builds its payload in it.
	th.spare, th.spareBy = bufs.spare, bufs.spareBy
	bufs.spare, bufs.spareBy = nil, nil
	th.prev = e.emitStart(th)
	out, f := th.runProgram(m.top, input, true)
	e.finish(th, out, f)
	// The execution is over: every text was copied out of the thread's
	// scratch space (history payloads are strings), which the next
	// execution may use, and the texts in the arena, if it had one, were
	// only lent to a sink that has let them go.
	bufs.keep(th.buf, th.tmplText)
	th.buf, th.tmplText, th.tmplVal = nil, nil, nil
	if th.arena != nil {
		th.arena, th.memoVal, th.memoText = nil, nil, ""
		bufs.arena.reset()
	}
	bufs.keepFree(th, e.result.Status == StatusSucceeded)
	if m.top.instant {
		bufs.th = th
	}
	threadBufs.Put(bufs)
	release(m.cfg.clock)
	return e
}

// threadBuf is the scratch space of a thread that renders payloads: its
// buffer for rendering and the one for a template's text; with them, an
// object a finished execution left free (see keepFree), the top-level
// thread of one whose program was instant, and the arena of one whose
// sink borrowed its events.
type threadBuf struct {
	render, tmpl []byte
	spare        map[string]any
	spareBy      *jsonpath.Template
	th           *thread
	// arena holds the texts of an execution whose sink borrows its events.
	arena textArena
}

// threadBufs holds the scratch space of finished executions run by Run, so
// that one execution after another does not grow buffers anew.
var threadBufs = sync.Pool{New: func() any {
	return &threadBuf{render: make([]byte, 0, 512), tmpl: make([]byte, 0, 512)}
}}

// thread returns the top-level thread of e: the one kept from a finished
// execution when e's program is instant, else a new one. An instant
// program runs every state on the calling goroutine (no task, no wait, no
// goroutine of a fan-out), so nothing refers to its thread once
// RunExecution returns; another program's task may still be running on a
// goroutine of its own (a task that timed out) with the thread. The last
// child thread of an inline fan-out is kept with it (see child).
func (b *threadBuf) thread(e *Execution, instant bool) *thread {
	th := b.th
	b.th = nil
	if th == nil || !instant {
		return e.newThread(nil)
	}
	last := th.lastChild
	th.reinit(e, nil)
	th.lastChild = last
	return th
}

// keepFree keeps the object th's last template left free, if any: the
// spare no template used, or, when the execution succeeded (its last
// state's setting in place stands), the object the last state replaced
// when nothing refers to it (thread.undo.freed).
func (b *threadBuf) keepFree(th *thread, succeeded bool) {
	switch {
	case th.spare != nil:
		b.spare, b.spareBy = th.spare, th.spareBy
	case succeeded && th.undo.m != nil && th.undo.freed:
		b.spare, b.spareBy = th.undo.old.(map[string]any), th.undo.madeBy
	}
	th.spare, th.spareBy = nil, nil
}

// maxKeptBuf is the largest buffer kept for the next execution: one that
// grew for a large payload is left to the garbage collector.
const maxKeptBuf = 64 << 10

// keep records the buffers a thread ended with, where they are not too
// large to keep.
func (b *threadBuf) keep(render, tmpl []byte) {
	if cap(render) <= maxKeptBuf {
		b.render = render[:0]
	}
	if cap(tmpl) <= maxKeptBuf {
		b.tmpl = tmpl[:0]
	}
}

func (m *Machine) newExecution(ctx context.Context, input any, opts []ExecOption) *Execution {
	e := executions.Get().(*Execution) // zero (see recycle)
	e.m, e.input = m, input
	for _, o := range opts {
		o(&e.cfg)
	}
	if e.cfg.name == "" {
		e.cfg.name = "execution"
	}
	e.borrows = borrows(e.cfg.sink)
	if e.cfg.stateMachineArn == "" {
		e.cfg.stateMachineArn = m.defaultArn
	}
	if e.cfg.arn == "" {
		e.cfg.arn = m.arnPrefix + ":execution:" + e.smName() + ":" + e.cfg.name
	}
	e.slab.first = m.top.minRun
	e.rootScope.parent = ctx
	e.root = &e.rootScope
	e.ctx = e.root
	// A host cancelling ctx aborts the execution; finish drops the hook so
	// a long-lived ctx does not accumulate them. A context that can never
	// be cancelled needs no hook, and one already ended aborts the
	// execution at once.
	e.unhook = noHook
	if ps, ok := ctx.(*cancelScope); ok {
		// A child execution of a distributed Map, under the Map's scope:
		// cancelled with it, as its child scopes are.
		e.unhook = ps.adopt(e.root)
	} else if ctx.Done() != nil {
		if err := ctx.Err(); err != nil {
			e.root.cancelWith(err)
		} else {
			// The hook is made when something first waits on the execution's
			// scopes (see cancelScope.host): most executions of a service
			// never wait, and register nothing with its context.
			e.root.host = ctx
		}
	}
	e.start = m.cfg.clock.Now()
	e.stopTimer = noHook
	if m.timeout > 0 {
		// finish stops the timer.
		e.stopTimer = m.cfg.clock.AfterFunc(seconds(int64(m.timeout)), func() {
			e.stop(StatusTimedOut, &Failure{Error: "States.Timeout"})
		})
	}
	return e
}

func noHook() bool { return true }

// smName is the state machine's name, the last component of its ARN.
func (e *Execution) smName() string {
	return e.cfg.stateMachineArn[lastColon(e.cfg.stateMachineArn)+1:]
}

// contextObjects returns $$.Execution and $$.StateMachine, building them
// on first use: most states of most machines never read $$.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
func (e *Execution) contextObjects() (execution, stateMachine map[string]any) {
	e.ctxOnce.Do(func() {
		e.ctxExecution = map[string]any{
			"Id":           e.cfg.arn,
			"Input":        e.input,
			"Name":         e.cfg.name,
			"RoleArn":      e.cfg.roleArn,
			"StartTime":    formatTime(e.start),
			"RedriveCount": jsonIntValue(e.redriveCount),
		}
		if e.redriveCount > 0 {
			e.ctxExecution["RedriveTime"] = formatTime(e.redriveDate)
		}
		e.ctxStateMachine = map[string]any{"Id": e.cfg.stateMachineArn, "Name": e.smName()}
		e.ctxExecOnly = map[string]any{"Execution": e.ctxExecution, "StateMachine": e.ctxStateMachine}
	})
	return e.ctxExecution, e.ctxStateMachine
}

// contextMember returns $$.Execution.Name or Id, or $$.StateMachine.Name
// or Id, the values contextObjects puts there, without the maps built:
// a template that reads $$ most often reads one of these, and the three
// maps built for it cost about a kilobyte an execution.
func (e *Execution) contextMember(parent, member string) (any, bool) {
	i := -1
	switch parent {
	case "Execution":
		switch member {
		case "Name":
			i = 0
		case "Id":
			i = 1
		}
	case "StateMachine":
		switch member {
		case "Name":
			i = 2
		case "Id":
			i = 3
		}
	}
	if i < 0 {
		return nil, false
	}
	// Each is made into a value on first use (a template most often reads
	// one of them). Threads of a fan-out that ask at once may each make
	// it: they store the same.
	if v := e.ctxMembers[i].Load(); v != nil {
		return v, true
	}
	var v any
	switch i {
	case 0:
		v = e.cfg.name
	case 1:
		v = e.cfg.arn
	case 2:
		v = e.smName()
	default:
		v = e.cfg.stateMachineArn
	}
	e.ctxMembers[i].Store(v)
	return v, true
}

// executionContext is the part of the context object that stays the same
// for the whole execution: $$.Execution and $$.StateMachine, no $$.State.
func (e *Execution) executionContext() map[string]any {
	e.contextObjects()
	return e.ctxExecOnly
}

func (e *Execution) emitStart(th *thread) int64 {
	// The ExecutionStarted event is stamped with the execution's start
	// date, as DescribeExecution's startDate matches it on AWS.
	var details *ExecutionStartedEventDetails
	if e.borrows {
		details = &th.events().started
	} else {
		details = new(ExecutionStartedEventDetails)
	}
	*details = ExecutionStartedEventDetails{
		Input: th.historyText(e.input), RoleArn: e.cfg.roleArn,
		StateMachineVersionArn: e.cfg.versionArn, StateMachineAliasArn: e.cfg.aliasArn,
	}
	return e.emit(0, &HistoryEvent{Type: ExecutionStarted, Timestamp: e.start, ExecutionStartedEventDetails: details})
}

// Done is closed when the execution has ended.
func (e *Execution) Done() <-chan struct{} {
	if ch, ok := e.doneCh.Load().(chan struct{}); ok {
		return ch
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if ch, ok := e.doneCh.Load().(chan struct{}); ok {
		return ch
	}
	ch := closedChan
	if !e.ended.Load() {
		ch = make(chan struct{})
	}
	e.doneCh.Store(ch)
	return ch
}

// Wait blocks until the execution ends or ctx is done.
func (e *Execution) Wait(ctx context.Context) (Result, error) {
	if e.ended.Load() {
		return e.result, nil
	}
	select {
	case <-e.Done():
		return e.result, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Result returns the result of an ended execution, or a RUNNING result.
func (e *Execution) Result() Result {
	if e.ended.Load() {
		return e.result
	}
	return Result{Status: StatusRunning, StartDate: e.start}
}

// Arn returns the execution's ARN.
func (e *Execution) Arn() string { return e.cfg.arn }

// Stop aborts the execution with the given error and cause, as
// StopExecution does: running tasks are cancelled and the execution ends
// ABORTED. Stopping an ended execution does nothing.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
func (e *Execution) Stop(errName, cause string) {
	e.stop(StatusAborted, &Failure{Error: errName, Cause: cause})
}

func (e *Execution) stop(status Status, f *Failure) {
	e.mu.Lock()
	if e.stopReason == nil {
		e.stopReason, e.stopStatus = f, status
	}
	e.mu.Unlock()
	e.root.cancel()
}

func (e *Execution) stopped() (*Failure, Status) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stopReason, e.stopStatus
}

// finish records the terminal event and publishes the result.
func (e *Execution) finish(th *thread, out any, f *Failure) {
	r := Result{StartDate: e.start}
	e.atVars = th.vars.vals
	if reason, status := e.stopped(); reason != nil && (f != nil || e.ctx.Err() != nil) {
		f = nil
		r.Status, r.Error, r.Cause = status, reason.Error, reason.Cause
	} else if f == errStopped || (f == nil && e.ctx.Err() != nil) {
		r.Status, r.Error, r.Cause = StatusAborted, "", ""
	} else if f != nil {
		r.Status, r.Error, r.Cause = StatusFailed, f.Error, f.Cause
	} else {
		r.Status, r.Output = StatusSucceeded, out
	}
	var details *FailureEventDetails
	if r.Status != StatusSucceeded {
		details = &FailureEventDetails{Error: r.Error, Cause: r.Cause}
	}
	switch r.Status {
	case StatusSucceeded:
		var output *OutputEventDetails
		if e.borrows {
			output = &th.events().output
		} else {
			output = new(OutputEventDetails)
		}
		*output = OutputEventDetails{Output: th.historyText(out)}
		th.emitFinal(&HistoryEvent{Type: ExecutionSucceeded, ExecutionSucceededEventDetails: output})
	case StatusFailed:
		th.emitFinal(&HistoryEvent{Type: ExecutionFailed, ExecutionFailedEventDetails: details})
	case StatusTimedOut:
		th.emitFinal(&HistoryEvent{Type: ExecutionTimedOut, ExecutionTimedOutEventDetails: details})
	case StatusAborted:
		th.emitFinal(&HistoryEvent{Type: ExecutionAborted, ExecutionAbortedEventDetails: details})
	}
	// The stop date is the terminal event's timestamp.
	e.mu.Lock()
	r.StopDate = e.lastTime
	e.mu.Unlock()
	e.result = r
	e.unhook()
	e.root.unhookHost()
	e.stopTimer()
	e.root.cancel()
	e.mu.Lock()
	e.ended.Store(true)
	ch, _ := e.doneCh.Load().(chan struct{})
	e.mu.Unlock()
	if ch != nil {
		close(ch)
	}
}

// emit appends an event after prev and returns its id. When the history
// limit is reached the execution fails instead; terminal events are always
// recorded. ev is the caller's, filled in and handed to the sink as a
// copy: a pointer spares copying the event on its way.
func (e *Execution) emit(prev int64, ev *HistoryEvent) int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	terminal := ev.Type == ExecutionSucceeded || ev.Type == ExecutionFailed ||
		ev.Type == ExecutionAborted || ev.Type == ExecutionTimedOut
	if !terminal && e.events >= e.m.cfg.historyLimit-1 {
		if e.stopReason == nil {
			e.stopReason, e.stopStatus = &Failure{
				Error: "States.Runtime",
				Cause: fmt.Sprintf("The execution reached the maximum number of history events (%d).", e.m.cfg.historyLimit),
			}, StatusFailed
			e.root.cancel()
		}
		return prev
	}
	e.events++
	e.nextID++
	ev.ID, ev.PreviousEventID = e.nextID, prev
	// An event stamped by its caller (a state's entered event carries the
	// instant the state was entered, $$.State.EnteredTime) keeps that
	// time, but never earlier than the event before it, so that
	// timestamps follow ids when branches run concurrently.
	if ev.Timestamp.IsZero() {
		ev.Timestamp = e.m.cfg.clock.Now()
	} else if ev.Timestamp.Before(e.lastTime) {
		ev.Timestamp = e.lastTime
	}
	e.lastTime = ev.Timestamp
	if e.cfg.sink != nil {
		e.cfg.sink.Record(*ev)
	}
	return ev.ID
}

func lastColon(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ':' {
			return i
		}
	}
	return -1
}

// formatTime renders a time as the context object does: ISO 8601 UTC with
// milliseconds.
func formatTime(t time.Time) string {
	const layout = "2006-01-02T15:04:05.000Z"
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.Format(layout)
	}
	// The layout's digits written directly: time.Format, which parses its
	// layout on every call, is a good part of building the context object.
	hour, minute, sec := t.Clock()
	var b [len(layout)]byte
	put := func(i, v, n int) {
		for j := i + n - 1; j >= i; j-- {
			b[j] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, year, 4)
	b[4] = '-'
	put(5, int(month), 2)
	b[7] = '-'
	put(8, day, 2)
	b[10] = 'T'
	put(11, hour, 2)
	b[13] = ':'
	put(14, minute, 2)
	b[16] = ':'
	put(17, sec, 2)
	b[19] = '.'
	put(20, t.Nanosecond()/1e6, 3)
	b[23] = 'Z'
	return string(b[:])
}
