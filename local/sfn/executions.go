package sfn

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// execution is a standard execution that has not reached the history store yet (running, or ended and
// being saved), or an express one.
type execution struct {
	rec     executionRecord
	express bool

	ended chan struct{} // closed once the end is recorded

	mu        sync.Mutex
	status    interp.Status
	end       endRecord
	events    []interp.HistoryEvent
	journaled int // events[:journaled] are in the journal, with snap
	// journaledText is events[:journaledN] (journaledN <= journaled) encoded as their journal records
	// held them, separated by commas: the history blob takes it instead of encoding them again. It is
	// from journaledTexts, and given back once the execution is saved.
	journaledText *[]byte
	journaledN    int
	snap          *interp.Snapshot // the last snapshot in the journal
	point         *interp.Snapshot // where a redrive continues from, once ended (redrive.go)
	run           *interp.Execution
	logging       *executionLogging // nil when the state machine logs nothing
	logs          executionLogs     // records not yet handed to the log sink (logdelivery.go)
	stream        *eventStream      // an execution run inline: its events, encoded (stream.go); events stays empty
}

// eventCount is the number of e's history events; the caller holds e.mu.
func (e *execution) eventCount() int {
	if e.stream != nil {
		return e.stream.n
	}
	return len(e.events)
}

// eventsCopy returns a copy of e's history events; the caller holds e.mu.
func (e *execution) eventsCopy() ([]interp.HistoryEvent, error) {
	if e.stream != nil {
		return e.stream.events()
	}
	return append([]interp.HistoryEvent(nil), e.events...), nil
}

func (e *execution) snapshotStatus() (interp.Status, endRecord) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.status, e.end
}

// historySink records an execution's events on the execution. They reach the journal with the next
// snapshot, in one record, and the history store with the end: recovery resumes from the last snapshot and
// drops the events after it anyway, so journaling them one by one would buy nothing.
type historySink struct {
	s *Service
	e *execution
}

func (h historySink) Record(ev interp.HistoryEvent) {
	if h.s.ctx.Err() != nil {
		return // the service is closing: the execution resumes on restart, its last events run again
	}
	h.e.mu.Lock()
	if st := h.e.stream; st != nil {
		st.record(&ev)
	} else {
		h.e.events = append(h.e.events, ev)
	}
	h.e.mu.Unlock()
	h.s.logEvent(h.e, ev) // which keeps nothing of ev either
}

// BorrowsEvents reports whether the sink keeps nothing of an event past Record: when the execution's
// events are encoded as they are recorded (stream.go), which is set before the execution starts.
func (h historySink) BorrowsEvents() bool { return h.e.stream != nil }

var _ interp.BorrowingSink = historySink{}

// checkpoint journals a snapshot with the events recorded since the previous one, and reports whether it
// did. A failed append is logged: the execution goes on, and the next snapshot carries these events too.
func (s *Service) checkpoint(e *execution, snap interp.Snapshot) bool {
	release := s.holdJournal()
	defer release()
	e.mu.Lock()
	// The events recorded so far are not changed once recorded (new ones go after them, and the slice is
	// recycled only once the execution has ended, after its last checkpoint): encoding reads them in place.
	n := len(e.events)
	events := e.events[e.journaled:n:n]
	e.mu.Unlock()
	keep := func(text []byte) {
		// e.journaledText is read and changed only by the execution's goroutine (here) and, once the
		// execution has ended, by finish; e.mu orders those.
		e.mu.Lock()
		defer e.mu.Unlock()
		if text == nil || e.journaledN != e.journaled {
			return // the text would not follow on from what is kept: the blob encodes the rest
		}
		if e.journaledText == nil {
			e.journaledText = journaledTexts.Get().(*[]byte)
			*e.journaledText = (*e.journaledText)[:0]
		}
		t := *e.journaledText
		if len(t) > 0 {
			t = append(t, ',')
		}
		*e.journaledText = append(t, text...)
		e.journaledN = n
	}
	if err := s.journal.appendEventsLocked(s.ctx, &record{Kind: kindSnapshot, Arn: e.rec.Arn, Events: events, Snapshot: &snap}, keep); err != nil {
		if s.ctx.Err() == nil {
			s.logger.Error("step functions: snapshot not journaled; after a restart the execution resumes from an earlier one", "execution", e.rec.Arn, "err", err)
		}
		return false
	}
	e.mu.Lock()
	e.journaled, e.snap = n, &snap
	e.mu.Unlock()
	s.compactInBackground()
	return true
}

// journaledTexts are the buffers of executions' journaledText, kept up to maxKeptBlobBuffer bytes.
var journaledTexts = sync.Pool{New: func() any { return new([]byte) }}

// eventsHint is the room an execution's history starts with: an entered and an exited event for each
// top-level state, and the execution's start and end, at most maxEventsHint. Events are large structs, and
// growing the slice from nothing copied each several times.
func eventsHint(m *interp.Machine) int {
	return min(2*len(m.Definition().States)+2, maxEventsHint)
}

const maxEventsHint = 128

// eventSlices are the history slices of executions saved to the history store, for the next executions
// to start with: at a few hundred bytes an event, making them was the most the service allocated per
// execution of a short machine.
var eventSlices sync.Pool

// newEvents returns an empty history with room for n events.
func newEvents(n int) []interp.HistoryEvent {
	if p, ok := eventSlices.Get().(*[]interp.HistoryEvent); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]interp.HistoryEvent, 0, n)
}

// recycleEvents keeps the history of an execution saved to the history store, which nothing refers to
// any more, for newEvents.
func recycleEvents(events []interp.HistoryEvent) {
	if cap(events) == 0 || cap(events) > maxEventsHint {
		return
	}
	events = events[:cap(events)]
	clear(events) // let go of the events' details
	eventSlices.Put(&events)
}

// pureState reports whether a top-level state only computes from its input (Pass, Choice, Succeed, Fail):
// running it again after a restart changes nothing outside the execution. The engine offers a snapshot
// before every top-level state; one is journaled only when a state that was not pure ran since the last
// durable point (the start record, a journaled snapshot, a redrive), or when the state about to run is not
// pure and a resume from that point could reach it differently (the point is the start record, whose
// resume takes a new start date, or a state ran since that is not replayable), so that a restart never runs
// a task, a wait, a Map or a Parallel again that a journaled snapshot had put behind it, nor runs one with
// another input than it had, while a chain of Pass and Choice states costs no journal write per state.
func pureState(st asl.State) bool {
	if st == nil {
		return false
	}
	switch st.Type() {
	case asl.TypePass, asl.TypeChoice, asl.TypeSucceed, asl.TypeFail:
		return true
	}
	return false
}

// replayable reports whether a top-level state, run again from the same input and variables, gives the
// same output and next state: a JSONPath Choice that assigns nothing and reads nothing of the context object
// ($$, which holds the time the state was entered). Choice rules compare only; a path in them that reads $$
// anywhere, as a Variable or as a ...Path operand, makes the state not replayable, as does a literal operand
// that merely contains "$$" (a conservative answer costs one journal write, never a lost one).
func replayable(st asl.State, machine asl.QueryLanguage) bool {
	c, ok := st.(*asl.Choice)
	if !ok || asl.EffectiveLanguage(c, machine) != asl.JSONPath || c.Assign != nil || c.Output != nil {
		return false
	}
	for _, p := range []asl.Path{c.InputPath, c.OutputPath} {
		if x, _ := p.Expr(); strings.Contains(x, "$$") {
			return false
		}
	}
	for i := range c.Choices {
		r := &c.Choices[i]
		if r.Assign != nil || r.Output != nil || !replayableRule(r) {
			return false
		}
	}
	return true
}

func replayableRule(r *asl.ChoiceRule) bool {
	if r.Condition != nil || strings.Contains(r.Variable, "$$") {
		return false
	}
	if v, ok := r.Value.(string); ok && strings.Contains(v, "$$") {
		return false
	}
	for i := range r.And {
		if !replayableRule(&r.And[i]) {
			return false
		}
	}
	for i := range r.Or {
		if !replayableRule(&r.Or[i]) {
			return false
		}
	}
	return r.Not == nil || replayableRule(r.Not)
}

// finish moves an ended standard execution to the history store and out of memory. When the store refuses
// it (a full disk), the execution stays in memory, describable, and is retried with the next one to end;
// were the process to stop first, it resumes from its last snapshot on restart.
func (s *Service) finish(e *execution) {
	if s.history == nil {
		return
	}
	s.mu.Lock()
	pending := append(s.unsaved, e)
	s.unsaved = nil
	s.mu.Unlock()
	var failed []*execution
	for i, p := range pending {
		p.mu.Lock()
		blob := &historyBlob{Execution: p.rec, End: p.end, Events: p.events, Redrive: p.point, Stream: p.stream}
		if p.journaledText != nil {
			blob.Journaled, blob.JournaledN = *p.journaledText, p.journaledN
		}
		p.mu.Unlock()
		if err := s.history.put(context.Background(), blob); err != nil {
			s.logger.Error("step functions: finished execution not saved; kept in memory and retried", "execution", p.rec.Arn, "err", err)
			failed = append(failed, pending[i:]...)
			break
		}
		s.forget(p)
		p.mu.Lock()
		events, stream, text := p.events, p.stream, p.journaledText
		p.events, p.journaled, p.snap, p.point, p.stream = nil, 0, nil, nil, nil // a compaction that listed p before forget sees none
		p.journaledText, p.journaledN = nil, 0
		p.mu.Unlock()
		recycleEvents(events)
		if text != nil && cap(*text) <= maxKeptBlobBuffer {
			journaledTexts.Put(text)
		}
		if stream != nil {
			stream.recycle()
		}
	}
	if len(failed) > 0 {
		s.mu.Lock()
		s.unsaved = append(s.unsaved, failed...)
		s.mu.Unlock()
	}
	s.expireInBackground()
}

// forget removes an execution from the in-memory maps (it is in the history store now).
func (s *Service) forget(e *execution) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.executions[e.rec.Arn] == e {
		delete(s.executions, e.rec.Arn)
	}
	list := s.byMachine[e.rec.MachineArn]
	for i := range list {
		if list[i] == e {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(s.byMachine, e.rec.MachineArn)
	} else {
		s.byMachine[e.rec.MachineArn] = list
	}
}

// splitExecutionArn returns the state machine ARN and the name of a standard execution ARN.
func (s *Service) splitExecutionArn(arn string) (machineArn, name string, ok bool) {
	res, names, ok := arnParts(arn)
	if !ok || res != "execution" || names.n != 2 {
		return "", "", false
	}
	i := strings.Index(arn, ":execution:")
	return arn[:i] + ":stateMachine:" + names.v[0], names.v[1], true
}

func decodeInput(text string) (any, error) {
	// The engine's decoder reads the same values as encoding/json's (with UseNumber), faster; what it
	// refuses is read again by encoding/json, for its error.
	if v, err := jsonvalue.Decode([]byte(text)); err == nil {
		return v, nil
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errTrailing
	}
	return v, nil
}

var errTrailing = apiErrorf(CodeInvalidExecutionInput, "trailing data after the JSON value")

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
func (s *Service) startExecution(ctx context.Context, body []byte) (any, error) {
	in, err := decodeStartExecution(body)
	if err != nil {
		return nil, err
	}
	e, err := s.start(in, false)
	if err != nil {
		return nil, err
	}
	return startExecutionOutput{ExecutionArn: e.rec.Arn, StartDate: epoch(e.rec.Start)}, nil
}

// Start starts an execution in-process, as StartExecution does, and returns its ARN. The local stack's
// EventBridge targets use it.
func (s *Service) Start(ctx context.Context, machineArn, name, input string) (string, error) {
	in := startExecutionInput{StateMachineArn: machineArn, Name: name, Input: &input}
	e, err := s.start(in, false)
	if err != nil {
		return "", err
	}
	return e.rec.Arn, nil
}

func (s *Service) start(in startExecutionInput, sync bool) (*execution, error) {
	startArn, testCase, _ := strings.Cut(in.StateMachineArn, "#")
	if startArn == "" {
		return nil, validationErrorf("Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null")
	}
	if _, ok := parseQualifiedArn(startArn); !ok {
		if res, names, ok := arnParts(startArn); ok && res == "stateMachine" && strings.Contains(names.v[0], "/") {
			// A Distributed Map state's ARN (stateMachine:<name>/<label>): "the request fails with
			// ValidationException" (API_StartExecution).
			return nil, apiErrorf(CodeValidation, "The state machine ARN refers to a Distributed Map state, not a state machine: '%s'", startArn)
		}
		return nil, invalidArn(startArn)
	}
	input := "{}"
	if in.Input != nil {
		input = *in.Input
	}
	if len(input) > interp.MaxPayloadBytes {
		return nil, validationErrorf("Value at 'input' failed to satisfy constraint: Member must have length less than or equal to %d", interp.MaxPayloadBytes)
	}
	value, err := decodeInput(input)
	if err != nil {
		return nil, apiErrorf(CodeInvalidExecutionInput, "Invalid State Machine Execution Input: '%v'", err)
	}
	name := in.Name
	if name == "" {
		name = newID()
	} else if !validName(name) {
		return nil, apiErrorf(CodeInvalidName, "Invalid Name: '%s'", name)
	}

	s.mu.RLock()
	tg, err := s.resolveTarget(startArn) // the machine, a version, or the version an alias picks
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	rec, machineArn := tg.rec, tg.rec.Arn
	if testCase != "" && (s.mocks == nil || !s.mocks.HasCase(rec.Name, testCase)) {
		return nil, apiErrorf(CodeValidation, "Test case '%s' is not defined for state machine '%s' in the mock configuration", testCase, rec.Name)
	}
	express := rec.Type == "EXPRESS"
	if sync != express {
		return nil, apiErrorf(CodeStateMachineTypeNotSupported, "This operation is not supported by this type of state machine")
	}
	compiled, err := s.compile(rec.Definition)
	if err != nil {
		return nil, err
	}
	arn := s.executionArn(rec.Name, name)
	if express {
		arn = s.expressArn(rec.Name, name, newID())
	}
	e := &execution{
		rec: executionRecord{
			Arn: arn, Name: name, MachineArn: machineArn, Definition: rec.Definition, RoleArn: rec.RoleArn,
			Revision: rec.Revision, Input: input, Start: s.clock.Now().UTC(), TestCase: testCase,
			VersionArn: tg.versionArn, AliasArn: tg.aliasArn,
		},
		express: express,
		status:  interp.StatusRunning,
		ended:   make(chan struct{}),
		events:  newEvents(eventsHint(compiled)),
	}

	release := s.holdJournal()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		release()
		return nil, apiErrorf(CodeInternalFailure, "the service is shutting down")
	}
	// A name the service made (a random version 4 UUID, 122 random bits) is new: the history store, on
	// disk past its last 8,192 entries, is not asked.
	if in.Name != "" && !express && s.finishedName(machineArn, name) {
		s.mu.Unlock()
		release()
		return nil, apiErrorf(CodeExecutionAlreadyExists, "Execution Already Exists: '%s'", arn)
	}
	if old := s.executions[arn]; old != nil {
		s.mu.Unlock()
		release()
		// Same name, same input, still open: the original execution is the answer. Otherwise the name is
		// taken. https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
		status, _ := old.snapshotStatus()
		if status == interp.StatusRunning && jsonEqual(old.rec.Input, input) {
			return old, nil
		}
		return nil, apiErrorf(CodeExecutionAlreadyExists, "Execution Already Exists: '%s'", arn)
	}
	if !express {
		// Reserve the name, then journal outside the lock (compaction is held off meanwhile): the start is
		// durable before the API answers.
		s.executions[arn] = e
		s.byMachine[machineArn] = append(s.byMachine[machineArn], e)
	}
	s.mu.Unlock()
	if !express && testCase == "" && s.inlineable(compiled) {
		release()
		return s.runInline(compiled, e, value)
	}
	if !express {
		if err := s.persist(&record{Kind: kindExecution, Execution: &e.rec}); err != nil {
			s.forget(e)
			release()
			return nil, err
		}
	}
	release()

	s.launch(compiled, e, func(ctx context.Context, opts []interp.ExecOption) *interp.Execution {
		return compiled.Start(ctx, value, opts...)
	})
	return e, nil
}

// launch runs an execution on the engine and records its end.
func (s *Service) launch(compiled *interp.Machine, e *execution, begin func(context.Context, []interp.ExecOption) *interp.Execution) {
	run := s.begin(compiled, e, true, begin)
	// Started after Close has begun, the execution is interrupted at once (its context is s.ctx) and
	// resumes at the next start: nothing records its end.
	s.background(func() {
		<-run.Done()
		if !s.ended(e, run) {
			return
		}
		if !e.express {
			s.finish(e)
		}
		s.settled(e)
	})
}

// begin starts an execution on the engine, with its history, logging, mocks and, when checkpoints is set,
// checkpoints.
func (s *Service) begin(compiled *interp.Machine, e *execution, checkpoints bool, begin func(context.Context, []interp.ExecOption) *interp.Execution) *interp.Execution {
	if e.rec.TestCase != "" && s.mocks != nil {
		machineName := e.rec.MachineArn[strings.LastIndex(e.rec.MachineArn, ":")+1:]
		s.mu.Lock()
		s.mockRuns[e.rec.Arn] = newMockRun(s.mocks, machineName, e.rec.TestCase)
		s.mu.Unlock()
	}
	s.mu.RLock()
	if m := s.machines[e.rec.MachineArn]; m != nil {
		logging := m.rec.Logging
		if v := m.versionOf(e.rec.VersionArn); v != nil {
			logging = v.Logging // a version logs as it was published
		}
		e.logging = loggingOf(logging, m.rec.Name)
	}
	s.mu.RUnlock()
	opts := []interp.ExecOption{
		interp.WithExecutionArn(e.rec.Arn),
		interp.WithExecutionName(e.rec.Name),
		interp.WithStateMachineArn(e.rec.MachineArn),
		interp.WithRoleArn(e.rec.RoleArn),
		interp.WithStateMachineVersion(e.rec.VersionArn, e.rec.AliasArn),
		interp.WithHistory(historySink{s, e}),
	}
	if checkpoints && !e.express && s.journal != nil {
		def := compiled.Definition()
		// Since the last durable point (the start record, a journaled snapshot, the snapshot resumed or
		// redriven from): effects, a state with effects outside the execution ran; varied, a state ran
		// whose output might differ were it run again (a pure state is not always: $$.State.EnteredTime,
		// States.UUID). ran is the state offered before this one, which has run since.
		var effects, varied bool
		var ran string
		opts = append(opts, interp.WithCheckpoint(func(snap interp.Snapshot) {
			if s.ctx.Err() != nil {
				return
			}
			if ran != "" {
				prev := def.States[ran]
				effects = effects || !pureState(prev)
				varied = varied || !replayable(prev, def.QueryLanguage)
			}
			ran = snap.State
			if !effects {
				if pureState(def.States[snap.State]) {
					return // resuming from the last durable point runs the same pure states again: nothing is lost
				}
				// The state about to run has effects. When the last durable point is a snapshot and
				// only states that give the same output again ran since, resuming from it reaches this
				// state with this input, variables and start date: this snapshot would add nothing
				// but the events of those states, which a resume records again.
				e.mu.Lock()
				durable := e.snap != nil
				e.mu.Unlock()
				if durable && !varied {
					return
				}
			}
			if s.checkpoint(e, snap) {
				effects, varied = false, false
			}
		}))
	}
	run := begin(s.ctx, opts)
	e.mu.Lock()
	e.run = run
	e.mu.Unlock()
	return run
}

// ended records on e the end of its run, which is done. It reports false when the run was interrupted by
// Close: that is not an end, and the execution resumes on restart.
func (s *Service) ended(e *execution, run *interp.Execution) bool {
	if s.ctx.Err() != nil {
		return false
	}
	res := run.Result()
	end := endRecord{Status: string(res.Status), Error: res.Error, Cause: res.Cause, Stop: res.StopDate.UTC()}
	if res.Status == interp.StatusSucceeded {
		end.Output = succeededOutput(e, res.Output)
	}
	point := run.RedrivePoint()
	e.mu.Lock()
	e.status, e.end, e.point = res.Status, end, point
	e.mu.Unlock()
	return true
}

// succeededOutput is the output of an execution that succeeded, as its ExecutionSucceeded event holds it
// (the engine's rendering: no HTML escaping, as AWS shows payloads), or out rendered the same way.
func succeededOutput(e *execution, out any) string {
	e.mu.Lock()
	if st := e.stream; st != nil {
		output, ok := st.output, st.hasOutput
		e.mu.Unlock()
		if ok {
			return output
		}
		return renderOutput(out)
	}
	if n := len(e.events); n > 0 {
		if d := e.events[n-1].ExecutionSucceededEventDetails; d != nil && !d.OutputDetails.Truncated {
			e.mu.Unlock()
			return d.Output
		}
	}
	e.mu.Unlock()
	return renderOutput(out)
}

// renderOutput renders an execution's output as the engine renders payloads.
func renderOutput(out any) string {
	b, err := jsonvalue.Append(nil, out)
	if err != nil {
		return "null"
	}
	return string(b)
}

// settled lets go of what an ended execution held and tells those waiting for its end.
func (s *Service) settled(e *execution) {
	s.mu.Lock()
	delete(s.mockRuns, e.rec.Arn)
	s.mu.Unlock()
	close(e.ended)
}

func jsonEqual(a, b string) bool {
	if a == b {
		return true
	}
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x) // values just decoded from JSON: marshalling cannot fail
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartSyncExecution.html
func (s *Service) startSyncExecution(ctx context.Context, body []byte) (any, error) {
	var in startExecutionInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	e, err := s.start(in, true)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	run := e.run
	e.mu.Unlock()
	res, err := run.Wait(ctx) // a client that stops waiting stops the wait, not the execution
	if err != nil {
		return nil, err
	}
	out := syncExecutionOutput{
		ExecutionArn: e.rec.Arn, StateMachineArn: e.rec.MachineArn, Name: e.rec.Name, Status: string(res.Status),
		StartDate: epoch(e.rec.Start), StopDate: epoch(res.StopDate), Input: e.rec.Input,
		InputDetails: dataDetails{Included: true}, Error: res.Error, Cause: res.Cause,
	}
	if res.Status == interp.StatusSucceeded {
		text := renderOutput(res.Output)
		out.Output, out.OutputDetails = &text, &dataDetails{Included: true}
	}
	return out, nil
}

// execView is what the API reads of a standard execution, in memory or from the history store.
type execView struct {
	live      *execution // nil once the execution is in the history store
	rec       executionRecord
	status    interp.Status
	end       endRecord
	events    []interp.HistoryEvent // with full only
	point     *interp.Snapshot      // with full only: where a redrive continues from
	counts    *eventCounts          // from describeView: events and point not loaded, counted
	stored    finished              // the history store's entry of an execution not in memory (hasStored)
	hasStored bool
}

// view finds a standard execution by ARN. full loads everything of a stored execution (input, output,
// definition, history events); without it a stored execution's view has its identity, status and dates.
func (s *Service) view(arn string, full bool) (execView, error) {
	if err := checkExecutionArn(arn); err != nil {
		return execView{}, err
	}
	s.mu.RLock()
	e := s.executions[arn]
	s.mu.RUnlock()
	if e == nil {
		e = s.mapRunChild(arn)
	}
	if e != nil {
		v := execView{live: e, rec: e.rec}
		e.mu.Lock()
		v.status, v.end = e.status, e.end
		var err error
		if full {
			v.events, err = e.eventsCopy()
			v.point = e.point
		}
		e.mu.Unlock()
		if err != nil {
			s.logger.Error("step functions: execution history unreadable", "execution", arn, "err", err)
			return execView{}, err
		}
		return v, nil
	}
	machineArn, name, ok := s.splitExecutionArn(arn)
	var f finished
	if ok {
		f, ok = s.history.lookup(machineArn, name)
	}
	if !ok {
		return execView{}, apiErrorf(CodeExecutionDoesNotExist, "Execution Does Not Exist: '%s'", arn)
	}
	v := execView{
		rec:    executionRecord{Arn: arn, Name: name, MachineArn: machineArn, Start: time.UnixMilli(f.start).UTC()},
		status: interp.Status(statuses[f.status]),
		end:    endRecord{Status: statuses[f.status], Stop: time.UnixMilli(f.stop).UTC()},
	}
	if !full {
		v.stored, v.hasStored = f, true
		return v, nil
	}
	b, err := s.history.load(f)
	if err != nil {
		s.logger.Error("step functions: closed execution unreadable", "execution", arn, "err", err)
		return execView{}, err
	}
	v.rec, v.end, v.events, v.point = b.Execution, b.End, b.Events, b.Redrive
	return v, nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
func (s *Service) stopExecution(ctx context.Context, body []byte) (any, error) {
	var in stopExecutionInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if len(in.Error) > 256 {
		return nil, validationErrorf("Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	if len(in.Cause) > 32768 {
		return nil, validationErrorf("Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to 32768")
	}
	v, err := s.view(in.ExecutionArn, false)
	if err != nil {
		return nil, err
	}
	if v.live != nil {
		v.live.mu.Lock()
		run := v.live.run
		v.live.mu.Unlock()
		if v.status == interp.StatusRunning && run != nil {
			run.Stop(in.Error, in.Cause)
			<-run.Done()
			// StopExecution answers once the abort is recorded, so that a DescribeExecution after it sees
			// ABORTED (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html:
			// it stops an execution) and the end is durable; a service closing leaves the end to the restart.
			select {
			case <-v.live.ended:
			case <-s.ctx.Done():
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			res := run.Result()
			return struct {
				StopDate epoch `json:"stopDate"`
			}{epoch(res.StopDate)}, nil
		}
	}
	return struct {
		StopDate epoch `json:"stopDate"`
	}{epoch(v.end.Stop)}, nil
}

// Wait blocks until the execution has ended (or ctx is done) and returns its status, for in-process hosts
// such as the local stack and tests.
func (s *Service) Wait(ctx context.Context, arn string) (string, error) {
	v, err := s.view(arn, false)
	if err != nil {
		return "", err
	}
	if v.live == nil {
		return string(v.status), nil
	}
	select {
	case <-v.live.ended:
		status, _ := v.live.snapshotStatus()
		return string(status), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Exists reports whether a standard execution with this ARN exists (running or closed).
func (s *Service) Exists(arn string) bool {
	_, err := s.view(arn, false)
	return err == nil
}

// Running returns the inputs of the standard executions that are running (or ended and not yet saved),
// by ARN: local/stack uses it to tell which objects the pipeline is working on.
func (s *Service) Running() map[string]string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]string, len(s.executions))
	for arn, e := range s.executions {
		out[arn] = e.rec.Input
	}
	return out
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
func (s *Service) describeExecution(ctx context.Context, body []byte) (any, error) {
	in, err := decodeArnInput(body)
	if err != nil {
		return nil, err
	}
	v, err := s.describeView(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	status, end := v.status, v.end
	out := describeExecutionOutput{
		ExecutionArn: v.rec.Arn, StateMachineArn: v.rec.MachineArn, Name: v.rec.Name, Status: string(status),
		StartDate: epoch(v.rec.Start), Input: v.rec.Input, InputDetails: dataDetails{Included: true},
		RedriveCount:           v.rec.RedriveCount,
		StateMachineVersionArn: v.rec.VersionArn, StateMachineAliasArn: v.rec.AliasArn, MapRunArn: v.rec.MapRunArn,
	}
	if v.rec.RedriveCount > 0 {
		out.RedriveDate = epochPtr(v.rec.RedriveDate)
	}
	out.RedriveStatus, out.RedriveStatusReason = s.redriveStatus(v, s.clock.Now())
	if v.rec.MapRunArn != "" && status != interp.StatusRunning && status != interp.StatusSucceeded {
		// A Distributed Map's child is redriven with its Map Run, not on its own.
		out.RedriveStatus, out.RedriveStatusReason = "REDRIVABLE_BY_MAP_RUN", ""
	}
	if status != interp.StatusRunning {
		out.StopDate = epochPtr(end.Stop)
		out.Error, out.Cause = end.Error, end.Cause
	}
	if status == interp.StatusSucceeded {
		output := end.Output
		out.Output, out.OutputDetails = &output, &dataDetails{Included: true}
	}
	return out, nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html
// Executions are listed newest first.
func (s *Service) listExecutions(ctx context.Context, body []byte) (any, error) {
	var in listInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	switch in.StatusFilter {
	case "", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE":
	default:
		return nil, validationErrorf("Value '%s' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, FAILED, RUNNING, ABORTED]", in.StatusFilter)
	}
	switch in.RedriveFilter {
	case "", "REDRIVEN", "NOT_REDRIVEN":
	default:
		return nil, validationErrorf("Value '%s' at 'redriveFilter' failed to satisfy constraint: Member must satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]", in.RedriveFilter)
	}
	if in.MapRunArn != "" {
		if in.StateMachineArn != "" {
			return nil, apiErrorf(CodeValidation, "Only one of stateMachineArn or mapRunArn may be given")
		}
		return s.listMapRunExecutions(in)
	}
	if in.StateMachineArn == "" {
		return nil, validationErrorf("Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null")
	}
	// A version or alias ARN lists the executions started on it (versions.go).
	q, ok := parseQualifiedArn(in.StateMachineArn)
	if !ok {
		return nil, invalidArn(in.StateMachineArn)
	}
	machineArn := q.machine
	startedOn := func(versionArn, aliasArn string) bool {
		return (q.version == 0 && q.alias == "") || (q.version > 0 && versionArn == in.StateMachineArn) || (q.alias != "" && aliasArn == in.StateMachineArn)
	}
	s.mu.RLock()
	_, known := s.machines[machineArn]
	live := append([]*execution(nil), s.byMachine[machineArn]...)
	s.mu.RUnlock()
	limit := in.MaxResults
	if limit < 0 || limit > 1000 {
		return nil, validationErrorf("Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", limit)
	}
	if limit == 0 {
		limit = 100
	}
	var cur listCursor
	if in.NextToken != "" {
		tStart, tName, ok := parseListToken(in.NextToken)
		if !ok {
			return nil, apiErrorf(CodeInvalidToken, "Invalid Token: '%s'", in.NextToken)
		}
		cur = listCursor{set: true, start: tStart, name: tName}
	}
	// One list of live and closed executions, newest first, ties broken by name: a total order that does
	// not change when an execution moves from live to closed, so the next token (the last item's start and
	// name) resumes exactly after the last item returned whatever starts or ends in between. The history
	// store lists its own in that order from the token on; limit+1 of them and the live ones after the
	// token are enough to make the page and know whether another follows.
	type entry struct {
		start int64 // milliseconds
		name  string
		live  *executionListItem
		f     runRec
	}
	list := make([]entry, 0, len(live)+limit+1)
	liveNames := make(map[string]bool, len(live))
	for _, e := range live {
		liveNames[e.rec.Name] = true // a redriven execution is in the history store too
		status, end := e.snapshotStatus()
		if in.StatusFilter != "" && string(status) != in.StatusFilter || !redriveFilter(in.RedriveFilter, e.rec.RedriveCount) || !startedOn(e.rec.VersionArn, e.rec.AliasArn) {
			continue
		}
		start := e.rec.Start.UnixMilli()
		if cur.set && !listBefore(cur.start, cur.name, start, e.rec.Name) {
			continue
		}
		it := executionListItem{ExecutionArn: e.rec.Arn, StateMachineArn: e.rec.MachineArn, Name: e.rec.Name, Status: string(status), StartDate: epoch(e.rec.Start),
			RedriveCount:           e.rec.RedriveCount,
			StateMachineVersionArn: e.rec.VersionArn, StateMachineAliasArn: e.rec.AliasArn}
		if status != interp.StatusRunning {
			it.StopDate = epochPtr(end.Stop)
		}
		if e.rec.RedriveCount > 0 {
			it.RedriveDate = epochPtr(e.rec.RedriveDate)
		}
		list = append(list, entry{start: start, name: e.rec.Name, live: &it})
	}
	// An ended execution is never RUNNING: those who wait for a machine's executions to end list the
	// running ones, again and again, and need not read its whole history each time.
	if in.StatusFilter != "RUNNING" {
		closed, err := s.history.list(machineArn, cur, func(f runRec) bool {
			if in.StatusFilter != "" && statuses[f.status] != in.StatusFilter || !redriveFilter(in.RedriveFilter, int(f.redrives)) || liveNames[f.name] {
				return false
			}
			v, a := qualifierArns(machineArn, f.qual)
			return startedOn(v, a)
		}, limit+1)
		if err != nil {
			return nil, err
		}
		for _, f := range closed {
			list = append(list, entry{start: f.start, name: f.name, f: f})
		}
	}
	if !known && len(live) == 0 && len(list) == 0 && !s.history.hasMachine(machineArn) {
		return nil, apiErrorf(CodeStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", in.StateMachineArn)
	}
	sort.Slice(list, func(i, j int) bool { return listBefore(list[i].start, list[i].name, list[j].start, list[j].name) })
	from, to := 0, min(limit, len(list))
	machineName := machineArn[strings.LastIndex(machineArn, ":")+1:]
	out := make([]executionListItem, 0, to-from)
	for _, e := range list[from:to] {
		if e.live != nil {
			out = append(out, *e.live)
			continue
		}
		f := e.f
		it := executionListItem{
			ExecutionArn: s.executionArn(machineName, f.name), StateMachineArn: machineArn, Name: f.name,
			Status: statuses[f.status], StartDate: epoch(time.UnixMilli(f.start).UTC()), StopDate: epochPtr(time.UnixMilli(f.stop).UTC()),
			RedriveCount: int(f.redrives),
		}
		if f.redrives > 0 {
			// The date of the last redrive is in the blob only (few executions are redriven).
			if b, err := s.history.load(f.finished()); err == nil {
				it.RedriveDate = epochPtr(b.Execution.RedriveDate)
			} else {
				s.logger.Error("step functions: closed execution unreadable", "execution", it.ExecutionArn, "err", err)
			}
		}
		it.StateMachineVersionArn, it.StateMachineAliasArn = qualifierArns(machineArn, f.qual)
		out = append(out, it)
	}
	next := ""
	if to < len(list) {
		last := list[to-1]
		next = listToken(last.start, last.name)
	}
	return struct {
		Executions []executionListItem `json:"executions"`
		NextToken  string              `json:"nextToken,omitempty"`
	}{out, next}, nil
}

// listToken is ListExecutions' next token: the last listed execution's start (ms) and name, opaque to
// clients.
func listToken(start int64, name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(start, 10) + ":" + name))
}

func parseListToken(tok string) (int64, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, "", false
	}
	ms, name, ok := strings.Cut(string(b), ":")
	start, err := strconv.ParseInt(ms, 10, 64)
	return start, name, ok && err == nil
}

// wireEvent is a history event as the API renders it: the timestamp in epoch seconds.
type wireEvent struct {
	interp.HistoryEvent
	Timestamp epoch `json:"timestamp"`
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetExecutionHistory.html
func (s *Service) getExecutionHistory(ctx context.Context, body []byte) (any, error) {
	var in historyInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v, err := s.view(in.ExecutionArn, true)
	if err != nil {
		return nil, err
	}
	events := v.events
	if in.ReverseOrder {
		events = append([]interp.HistoryEvent(nil), events...) // a stored execution's events are shared
		for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
			events[i], events[j] = events[j], events[i]
		}
	}
	page, next, err := paginate(len(events), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := make([]wireEvent, 0, page.to-page.from)
	for _, ev := range events[page.from:page.to] {
		if in.IncludeExecutionData != nil && !*in.IncludeExecutionData {
			ev = withoutData(ev)
		}
		out = append(out, wireEvent{HistoryEvent: ev, Timestamp: epoch(ev.Timestamp)})
	}
	return struct {
		Events    []wireEvent `json:"events"`
		NextToken string      `json:"nextToken,omitempty"`
	}{out, next}, nil
}

// withoutData drops the payloads of an event, as includeExecutionData=false asks.
func withoutData(ev interp.HistoryEvent) interp.HistoryEvent {
	if d := ev.ExecutionStartedEventDetails; d != nil {
		c := *d
		c.Input = ""
		ev.ExecutionStartedEventDetails = &c
	}
	if d := ev.ExecutionSucceededEventDetails; d != nil {
		c := *d
		c.Output = ""
		ev.ExecutionSucceededEventDetails = &c
	}
	if d := ev.StateEnteredEventDetails; d != nil {
		c := *d
		c.Input = ""
		ev.StateEnteredEventDetails = &c
	}
	if d := ev.StateExitedEventDetails; d != nil {
		c := *d
		c.Output = ""
		ev.StateExitedEventDetails = &c
	}
	if d := ev.ActivityScheduledEventDetails; d != nil {
		c := *d
		c.Input = ""
		ev.ActivityScheduledEventDetails = &c
	}
	if d := ev.ActivitySucceededEventDetails; d != nil {
		c := *d
		c.Output = ""
		ev.ActivitySucceededEventDetails = &c
	}
	return ev
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachineForExecution.html
func (s *Service) describeStateMachineForExecution(ctx context.Context, body []byte) (any, error) {
	var in arnInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	v, err := s.view(in.ExecutionArn, true)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	m := s.machines[v.rec.MachineArn]
	s.mu.RUnlock()
	rec := machineRecord{Arn: v.rec.MachineArn, Definition: v.rec.Definition, RoleArn: v.rec.RoleArn, Revision: v.rec.Revision}
	if m != nil {
		rec.Name, rec.Logging, rec.Tracing, rec.Created = m.rec.Name, m.rec.Logging, m.rec.Tracing, m.rec.Updated
		if rec.Created.IsZero() {
			rec.Created = m.rec.Created
		}
	}
	d := describeMachine(rec, "")
	return struct {
		StateMachineArn      string          `json:"stateMachineArn"`
		Name                 string          `json:"name"`
		Definition           string          `json:"definition"`
		RoleArn              string          `json:"roleArn"`
		UpdateDate           epoch           `json:"updateDate"`
		LoggingConfiguration json.RawMessage `json:"loggingConfiguration,omitempty"`
		TracingConfiguration json.RawMessage `json:"tracingConfiguration,omitempty"`
		RevisionID           string          `json:"revisionId,omitempty"`
	}{d.StateMachineArn, d.Name, d.Definition, d.RoleArn, d.CreationDate, d.LoggingConfiguration, d.TracingConfiguration, d.RevisionID}, nil
}
