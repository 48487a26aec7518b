package sfn

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sluicehq/sluice/asl/interp"
)

// execution is one execution the service holds.
type execution struct {
	rec     executionRecord
	express bool

	ended chan struct{} // closed once the end is recorded

	mu        sync.Mutex
	status    interp.Status
	end       endRecord
	events    []interp.HistoryEvent
	journaled int // events[:journaled] are in the journal
	run       *interp.Execution
	logging   *executionLogging // nil when the state machine logs nothing
}

// unjournaled returns the journal records of the events not yet journaled, and marks them journaled.
func (e *execution) unjournaled() []*record {
	e.mu.Lock()
	defer e.mu.Unlock()
	recs := make([]*record, 0, len(e.events)-e.journaled+1)
	for i := e.journaled; i < len(e.events); i++ {
		recs = append(recs, &record{Kind: "ev", Arn: e.rec.Arn, Event: &e.events[i]})
	}
	e.journaled = len(e.events)
	return recs
}

func (e *execution) snapshotStatus() (interp.Status, endRecord) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.status, e.end
}

// historySink records an execution's events on the execution. They reach the journal in one write with
// the next snapshot or the end record: recovery resumes from the last snapshot and drops the events after
// it anyway, so journaling them one by one would buy nothing.
type historySink struct {
	s *Service
	e *execution
}

func (h historySink) Record(ev interp.HistoryEvent) {
	if h.s.ctx.Err() != nil {
		return // the service is closing: the execution resumes on restart, its last events run again
	}
	h.e.mu.Lock()
	h.e.events = append(h.e.events, ev)
	h.e.mu.Unlock()
	h.s.logEvent(h.e, ev)
}

func decodeInput(text string) (any, error) {
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
func (s *Service) startExecution(body []byte) (any, error) {
	var in startExecutionInput
	if err := decode(body, &in); err != nil {
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
	machineArn, testCase, _ := strings.Cut(in.StateMachineArn, "#")
	if err := checkMachineArn(machineArn); err != nil {
		return nil, err
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
	m, err := s.lookupMachine(machineArn)
	var rec machineRecord
	if err == nil {
		rec = m.rec
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
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
		},
		express: express,
		status:  interp.StatusRunning,
		ended:   make(chan struct{}),
	}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, apiErrorf(CodeInternalFailure, "the service is shutting down")
	}
	if old := s.executions[arn]; old != nil {
		s.mu.Unlock()
		// Same name, same input, still open: the original execution is the answer. Otherwise the name is
		// taken. https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
		status, _ := old.snapshotStatus()
		if status == interp.StatusRunning && jsonEqual(old.rec.Input, input) {
			return old, nil
		}
		return nil, apiErrorf(CodeExecutionAlreadyExists, "Execution Already Exists: '%s'", arn)
	}
	if !express {
		// Reserve the name, then journal outside the lock: the start is durable before the API answers.
		s.executions[arn] = e
		s.byMachine[machineArn] = append(s.byMachine[machineArn], e)
	}
	s.mu.Unlock()
	if !express {
		if err := s.persist(&record{Kind: "ex", Execution: &e.rec}); err != nil {
			s.mu.Lock()
			delete(s.executions, arn)
			list := s.byMachine[machineArn]
			for i := range list {
				if list[i] == e {
					s.byMachine[machineArn] = append(list[:i:i], list[i+1:]...)
					break
				}
			}
			s.mu.Unlock()
			return nil, err
		}
	}

	s.launch(compiled, e, func(ctx context.Context, opts []interp.ExecOption) *interp.Execution {
		return compiled.Start(ctx, value, opts...)
	})
	return e, nil
}

// launch runs an execution on the engine and records its end.
func (s *Service) launch(compiled *interp.Machine, e *execution, begin func(context.Context, []interp.ExecOption) *interp.Execution) {
	if e.rec.TestCase != "" && s.mocks != nil {
		machineName := e.rec.MachineArn[strings.LastIndex(e.rec.MachineArn, ":")+1:]
		s.mu.Lock()
		s.mockRuns[e.rec.Arn] = newMockRun(s.mocks, machineName, e.rec.TestCase)
		s.mu.Unlock()
	}
	s.mu.RLock()
	if m := s.machines[e.rec.MachineArn]; m != nil {
		e.logging = loggingOf(m.rec.Logging, m.rec.Name)
	}
	s.mu.RUnlock()
	opts := []interp.ExecOption{
		interp.WithExecutionArn(e.rec.Arn),
		interp.WithExecutionName(e.rec.Name),
		interp.WithStateMachineArn(e.rec.MachineArn),
		interp.WithRoleArn(e.rec.RoleArn),
		interp.WithHistory(historySink{s, e}),
	}
	if !e.express && s.journal != nil {
		opts = append(opts, interp.WithCheckpoint(func(snap interp.Snapshot) {
			if s.ctx.Err() == nil {
				_ = s.persist(append(e.unjournaled(), &record{Kind: "snap", Arn: e.rec.Arn, Snapshot: &snap})...)
			}
		}))
	}
	run := begin(s.ctx, opts)
	e.mu.Lock()
	e.run = run
	e.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		<-run.Done()
		if s.ctx.Err() != nil {
			return // interrupted by Close: not an end, the execution resumes on restart
		}
		res := run.Result()
		end := endRecord{Status: string(res.Status), Error: res.Error, Cause: res.Cause, Stop: res.StopDate.UTC()}
		if res.Status == interp.StatusSucceeded {
			out, err := json.Marshal(res.Output)
			if err != nil {
				out = []byte("null")
			}
			end.Output = string(out)
		}
		if !e.express {
			_ = s.persist(append(e.unjournaled(), &record{Kind: "end", Arn: e.rec.Arn, End: &end})...)
		}
		e.mu.Lock()
		e.status, e.end = res.Status, end
		e.mu.Unlock()
		s.mu.Lock()
		delete(s.mockRuns, e.rec.Arn)
		s.mu.Unlock()
		close(e.ended)
	}()
}

func jsonEqual(a, b string) bool {
	if a == b {
		return true
	}
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartSyncExecution.html
func (s *Service) startSyncExecution(body []byte) (any, error) {
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
	res, err := run.Wait(context.Background())
	if err != nil {
		return nil, err
	}
	out := syncExecutionOutput{
		ExecutionArn: e.rec.Arn, StateMachineArn: e.rec.MachineArn, Name: e.rec.Name, Status: string(res.Status),
		StartDate: epoch(e.rec.Start), StopDate: epoch(res.StopDate), Input: e.rec.Input,
		InputDetails: dataDetails{Included: true}, Error: res.Error, Cause: res.Cause,
	}
	if res.Status == interp.StatusSucceeded {
		b, err := json.Marshal(res.Output)
		if err != nil {
			return nil, err
		}
		text := string(b)
		out.Output, out.OutputDetails = &text, &dataDetails{Included: true}
	}
	return out, nil
}

// lookupExecution finds a (standard) execution by ARN.
func (s *Service) lookupExecution(arn string) (*execution, error) {
	if err := checkExecutionArn(arn); err != nil {
		return nil, err
	}
	s.mu.RLock()
	e := s.executions[arn]
	s.mu.RUnlock()
	if e == nil {
		return nil, apiErrorf(CodeExecutionDoesNotExist, "Execution Does Not Exist: '%s'", arn)
	}
	return e, nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
func (s *Service) stopExecution(body []byte) (any, error) {
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
	e, err := s.lookupExecution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	run, status := e.run, e.status
	e.mu.Unlock()
	if status == interp.StatusRunning && run != nil {
		run.Stop(in.Error, in.Cause)
		<-run.Done()
		res := run.Result()
		return struct {
			StopDate epoch `json:"stopDate"`
		}{epoch(res.StopDate)}, nil
	}
	_, end := e.snapshotStatus()
	return struct {
		StopDate epoch `json:"stopDate"`
	}{epoch(end.Stop)}, nil
}

// Wait blocks until the execution has ended (or ctx is done) and returns its status, for in-process hosts
// such as the local stack and tests.
func (s *Service) Wait(ctx context.Context, arn string) (string, error) {
	e, err := s.lookupExecution(arn)
	if err != nil {
		return "", err
	}
	select {
	case <-e.ended:
		status, _ := e.snapshotStatus()
		return string(status), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
func (s *Service) describeExecution(body []byte) (any, error) {
	var in arnInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	e, err := s.lookupExecution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	status, end := e.snapshotStatus()
	out := describeExecutionOutput{
		ExecutionArn: e.rec.Arn, StateMachineArn: e.rec.MachineArn, Name: e.rec.Name, Status: string(status),
		StartDate: epoch(e.rec.Start), Input: e.rec.Input, InputDetails: dataDetails{Included: true},
		RedriveStatus: "NOT_REDRIVABLE",
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
func (s *Service) listExecutions(body []byte) (any, error) {
	var in listInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	switch in.StatusFilter {
	case "", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE":
	default:
		return nil, validationErrorf("Value '%s' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, FAILED, RUNNING, ABORTED]", in.StatusFilter)
	}
	if err := checkMachineArn(in.StateMachineArn); err != nil {
		return nil, err
	}
	s.mu.RLock()
	_, known := s.machines[in.StateMachineArn]
	all := append([]*execution(nil), s.byMachine[in.StateMachineArn]...)
	s.mu.RUnlock()
	if !known && len(all) == 0 {
		return nil, apiErrorf(CodeStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", in.StateMachineArn)
	}
	items := make([]executionListItem, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		e := all[i]
		status, end := e.snapshotStatus()
		if in.StatusFilter != "" && string(status) != in.StatusFilter {
			continue
		}
		it := executionListItem{ExecutionArn: e.rec.Arn, StateMachineArn: e.rec.MachineArn, Name: e.rec.Name, Status: string(status), StartDate: epoch(e.rec.Start)}
		if status != interp.StatusRunning {
			it.StopDate = epochPtr(end.Stop)
		}
		items = append(items, it)
	}
	sort.SliceStable(items, func(i, j int) bool {
		return time.Time(items[i].StartDate).After(time.Time(items[j].StartDate))
	})
	page, next, err := paginate(len(items), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return struct {
		Executions []executionListItem `json:"executions"`
		NextToken  string              `json:"nextToken,omitempty"`
	}{items[page.from:page.to], next}, nil
}

// wireEvent is a history event as the API renders it: the timestamp in epoch seconds.
type wireEvent struct {
	interp.HistoryEvent
	Timestamp epoch `json:"timestamp"`
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetExecutionHistory.html
func (s *Service) getExecutionHistory(body []byte) (any, error) {
	var in historyInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	e, err := s.lookupExecution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	events := append([]interp.HistoryEvent(nil), e.events...)
	e.mu.Unlock()
	if in.ReverseOrder {
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
	return ev
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachineForExecution.html
func (s *Service) describeStateMachineForExecution(body []byte) (any, error) {
	var in arnInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	e, err := s.lookupExecution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	m := s.machines[e.rec.MachineArn]
	s.mu.RUnlock()
	rec := machineRecord{Arn: e.rec.MachineArn, Definition: e.rec.Definition, RoleArn: e.rec.RoleArn, Revision: e.rec.Revision}
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
