package interp

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/sluicehq/sluice/asl"
)

// TestState runs one state of a machine once, the way the TestState API
// does: with the given input, variables and context object, an optional
// mocked result or error instead of the task, Parallel or Map work, and a
// stated retry count; it reports what the state would do next (SUCCEEDED
// with its output and next state, CAUGHT_ERROR, RETRIABLE, FAILED) and, at
// DEBUG and TRACE, the data after each data-flow step. It neither retries
// nor waits: a Retrier that applies is reported as RETRIABLE with the
// back-off it would wait, and a Wait state returns at once.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
// https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html

// InspectionLevel is how much TestState reports.
type InspectionLevel string

// The inspection levels.
const (
	InspectionInfo  InspectionLevel = "INFO"
	InspectionDebug InspectionLevel = "DEBUG"
	InspectionTrace InspectionLevel = "TRACE"
)

// TestStatus is the outcome TestState reports.
type TestStatus string

// The TestState outcomes.
const (
	TestSucceeded   TestStatus = "SUCCEEDED"
	TestFailed      TestStatus = "FAILED"
	TestRetriable   TestStatus = "RETRIABLE"
	TestCaughtError TestStatus = "CAUGHT_ERROR"
)

// TestStateRequest is one TestState call against a compiled machine.
type TestStateRequest struct {
	// StateName is the state to test; "" tests the machine's StartAt state.
	// States inside Parallel branches and Map processors can be named.
	StateName string
	Input     any
	// Variables are the workflow variables in scope.
	Variables map[string]any
	// Context replaces members of the context object ($$, $states.context):
	// Execution, StateMachine, State, Task, Map.
	Context map[string]any
	Level   InspectionLevel
	// Mock, when set, stands for the state's work (a task's invocation, a
	// Parallel's branches, a Map's iterations).
	Mock *TestMock
	// RetrierRetryCount is how many retries the matching Retrier has done.
	RetrierRetryCount int
	// MapIterationFailureCount is how many of a mocked Map's iterations
	// failed (-1: none given).
	MapIterationFailureCount int
	// ErrorCausedByState names the state of a Map's item processor or a
	// Parallel's branch whose error the mock's error stands for.
	ErrorCausedByState string
	// RoleArn, ExecutionArn and StateMachineArn name the generated context.
	RoleArn, ExecutionArn, StateMachineArn string
}

// TestMock is a mocked result or error.
type TestMock struct {
	Result any
	Error  *Failure // set for a mocked error
}

// TestStateResult is what TestState answers.
type TestStateResult struct {
	Status     TestStatus
	Output     any // SUCCEEDED and CAUGHT_ERROR
	Error      string
	Cause      string
	NextState  string
	Inspection *Inspection // DEBUG and TRACE only
}

// Inspection is the data after each step of the state's data flow, as JSON
// text ("" for a step the state did not take).
type Inspection struct {
	Input               string
	AfterInputPath      string
	AfterParameters     string
	AfterArguments      string
	Result              string
	AfterResultSelector string
	AfterResultPath     string
	Variables           string
	MaxConcurrency      *int
	ToleratedCount      *int
	ToleratedPercentage *float64
	ErrorDetails        *TestErrorDetails
}

// TestErrorDetails tells which Retrier or Catcher applied.
type TestErrorDetails struct {
	RetryIndex                  *int
	RetryBackoffIntervalSeconds *int
	CatchIndex                  *int
}

// TestStateError is a request TestState refuses; Message is AWS's
// ValidationException message.
type TestStateError struct{ Message string }

func (e *TestStateError) Error() string { return e.Message }

func testErrorf(format string, args ...any) error {
	return &TestStateError{Message: fmt.Sprintf(format, args...)}
}

// findNode finds the state named name anywhere in p.
func findNode(p *program, name string) *node {
	if n, ok := p.states[name]; ok {
		return n
	}
	names := make([]string, 0, len(p.states))
	for k := range p.states {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		n := p.states[k]
		for _, b := range n.branches {
			if f := findNode(b, name); f != nil {
				return f
			}
		}
		if n.mapSpec != nil && n.mapSpec.processor != nil {
			if f := findNode(n.mapSpec.processor, name); f != nil {
				return f
			}
		}
	}
	return nil
}

// TestState runs one state as the TestState API does (see the type docs).
// A request TestState refuses is a *TestStateError.
func (m *Machine) TestState(ctx context.Context, req TestStateRequest) (*TestStateResult, error) {
	name := req.StateName
	if name == "" {
		name = m.top.startAt
	}
	n := findNode(m.top, name)
	if n == nil {
		return nil, testErrorf("State '%s' does not exist in the definition", name)
	}
	if err := checkTestRequest(n, req); err != nil {
		return nil, err
	}
	opts := []ExecOption{WithRoleArn(req.RoleArn), WithExecutionName(newUUID()),
		WithStateMachineArn(m.arnPrefix + ":stateMachine:TestStateMachine-" + newUUID())}
	if req.ExecutionArn != "" {
		opts = append(opts, WithExecutionArn(req.ExecutionArn), WithExecutionName(req.ExecutionArn[lastColon(req.ExecutionArn)+1:]))
	}
	if req.StateMachineArn != "" {
		opts = append(opts, WithStateMachineArn(req.StateMachineArn))
	}
	e := m.newExecution(ctx, req.Input, opts)
	defer func() {
		e.unhook()
		e.root.unhookHost()
		e.stopTimer()
		e.root.cancel()
	}()
	// TestState runs as an express execution: its context names it so, and
	// has no RedriveCount; RoleArn is null when the request gives none
	// (recorded).
	var role any
	if req.RoleArn != "" {
		role = req.RoleArn
	}
	e.ctxOverride = map[string]any{"Execution": map[string]any{
		"Id":        m.arnPrefix + ":express:" + e.smName() + ":" + e.cfg.name,
		"Input":     req.Input,
		"Name":      e.cfg.name,
		"RoleArn":   role,
		"StartTime": formatTime(e.start),
	}}
	for k, v := range req.Context {
		e.ctxOverride[k] = v
	}
	// The state under test is "StateName" in its context, whatever its
	// name in the definition (recorded).
	e.stateNameOverride = "StateName"
	th := e.newThread(nil)
	th.mute = true
	if len(req.Variables) > 0 {
		th.vars.assign(req.Variables)
	}
	th.state, th.retry, th.enter = n, req.RetrierRetryCount, m.cfg.clock.Now()
	if tok, ok := contextTaskToken(req.Context); ok {
		th.token = tok
	}
	t := &tester{th: th, n: n, req: req, insp: &Inspection{}}
	res := t.run(req.Input)
	if req.Level == InspectionDebug || req.Level == InspectionTrace {
		res.Inspection = t.insp
	}
	return res, nil
}

func contextTaskToken(c map[string]any) (string, bool) {
	task, _ := c["Task"].(map[string]any)
	tok, ok := task["Token"].(string)
	return tok, ok
}

// checkTestRequest refuses what TestState refuses before running anything.
func checkTestRequest(n *node, req TestStateRequest) error {
	if _, hasTask := req.Context["Task"]; hasTask && (n.task == nil || !n.task.waitForToken && !n.task.sync()) {
		return testErrorf("Invalid Context object provided: Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern")
	}
	if req.Mock == nil {
		return nil
	}
	switch n.typ {
	case asl.TypeTask, asl.TypeParallel, asl.TypeMap:
	default:
		return testErrorf("State type '%s' is not supported when a mock is specified", n.typ)
	}
	if req.Mock.Error != nil {
		return nil
	}
	switch n.typ {
	case asl.TypeParallel:
		a, ok := req.Mock.Result.([]any)
		if !ok || len(a) != len(n.branches) {
			return testErrorf("Mocked result must contain the same number of items as number of Parallel branches.")
		}
	case asl.TypeMap:
		a, ok := req.Mock.Result.([]any)
		if !ok {
			return testErrorf("Mocked result of a Map state must be an array.")
		}
		if req.MapIterationFailureCount > len(a) {
			return testErrorf("Map iteration failure count must be less than or equal to the number of Map iterations")
		}
	}
	return nil
}

// sync reports whether the task uses the .sync integration pattern.
func (t *taskSpec) sync() bool {
	return len(t.resourceName) > 5 && (t.resourceName[len(t.resourceName)-5:] == ".sync" ||
		len(t.resourceName) > 8 && t.resourceName[len(t.resourceName)-8:] == ".sync:2")
}

// tester runs one state for TestState, recording the inspection data.
type tester struct {
	th   *thread
	n    *node
	req  TestStateRequest
	insp *Inspection
}

func (t *tester) text(v any) string { return t.th.render(v) }

func (t *tester) run(input any) *TestStateResult {
	th, n := t.th, t.n
	t.insp.Input = t.text(input)
	if n.js != nil {
		return t.runJSONata(input)
	}
	switch n.typ {
	case asl.TypeTask, asl.TypeParallel, asl.TypeMap:
		return t.runWork(input)
	case asl.TypeFail:
		eff, f := th.inputPath(n, input)
		if f == nil {
			t.insp.AfterInputPath = t.text(eff)
			f = th.runFail(n, input)
		}
		return failed(f)
	case asl.TypePass:
		return t.runPass(input)
	}
	// Choice, Wait, Succeed: input processing, the choice, output.
	eff, f := th.inputPath(n, input)
	if f != nil {
		return failed(f)
	}
	t.insp.AfterInputPath = t.text(eff)
	next := n.next
	var assigned map[string]any
	if n.typ == asl.TypeChoice {
		var out any
		out, next, assigned, f = th.runChoice(n, input)
		if f != nil {
			return failed(f)
		}
		return t.succeeded(out, next, assigned)
	}
	if n.typ == asl.TypeWait {
		if assigned, f = th.evalAssign(n.assign, eff, nil); f != nil {
			return failed(f)
		}
	}
	out, f := th.outputPath(n, eff)
	if f != nil {
		return failed(f)
	}
	return t.succeeded(out, next, assigned)
}

// runPass runs a JSONPath Pass state. With Result, AWS reports the result
// and what follows it, not the input processing the Result replaces.
func (t *tester) runPass(input any) *TestStateResult {
	th, n := t.th, t.n
	eff, f := th.inputPath(n, input)
	if f != nil {
		return failed(f)
	}
	if n.parameters != nil {
		if eff, f = th.evalTemplate(n.parameters, eff); f != nil {
			return failed(f)
		}
	}
	result := eff
	if n.hasResult {
		result = n.result
		t.insp.Result = t.text(result)
	} else {
		t.insp.AfterInputPath = t.text(eff)
		t.insp.AfterParameters = t.text(eff)
		if n.parameters != nil {
			if v, f := th.inputPath(n, input); f == nil {
				t.insp.AfterInputPath = t.text(v)
			}
		}
	}
	t.insp.AfterResultSelector = t.text(result)
	assigned, f := th.evalAssign(n.assign, result, nil)
	if f != nil {
		return failed(f)
	}
	out, f := th.resultPath(n.resultPath, input, result)
	if f != nil {
		return failed(f)
	}
	t.insp.AfterResultPath = t.text(out)
	out, f = th.outputPath(n, out)
	if f != nil {
		return failed(f)
	}
	return t.succeeded(out, n.next, assigned)
}

// runWork runs a JSONPath Task, Parallel or Map state once.
func (t *tester) runWork(input any) *TestStateResult {
	th, n := t.th, t.n
	eff, f := th.inputPath(n, input)
	if f != nil {
		return t.failure(input, f)
	}
	t.insp.AfterInputPath = t.text(eff)
	var result any
	switch n.typ {
	case asl.TypeTask:
		params := eff
		if n.parameters != nil {
			if params, f = th.evalTemplate(n.parameters, eff); f != nil {
				return t.failure(input, f)
			}
		}
		t.insp.AfterParameters = t.text(params)
		result, f = t.invoke(params)
	case asl.TypeParallel:
		if t.req.Mock != nil {
			result, f = t.mocked()
		} else {
			result, f = th.runParallel(n, eff)
		}
	case asl.TypeMap:
		result, f = t.mapWork(eff, nil)
	}
	if f != nil {
		return t.failure(input, f)
	}
	if n.typ == asl.TypeTask {
		t.insp.Result = t.text(result)
	}
	if n.resultSelector != nil {
		if result, f = th.evalTemplate(n.resultSelector, result); f != nil {
			return t.failure(input, f)
		}
	}
	t.insp.AfterResultSelector = t.text(result)
	assigned, f := th.evalAssign(n.assign, result, nil)
	if f != nil {
		return t.failure(input, f)
	}
	out, f := th.resultPath(n.resultPath, input, result)
	if f != nil {
		return t.failure(input, f)
	}
	t.insp.AfterResultPath = t.text(out)
	if out, f = th.outputPath(n, out); f != nil {
		return t.failure(input, f)
	}
	return t.succeeded(out, n.next, assigned)
}

// runJSONata runs a JSONata state once.
func (t *tester) runJSONata(input any) *TestStateResult {
	th, n := t.th, t.n
	switch n.typ {
	case asl.TypeFail:
		return failed(th.failJSONata(n, input))
	case asl.TypeTask, asl.TypeParallel, asl.TypeMap:
	default:
		out, next, assigned, f := th.runJSONata(n, input)
		if f != nil {
			return failed(f)
		}
		return t.succeeded(out, next, assigned)
	}
	env := th.jenv(input)
	var result any
	var f *Failure
	args := input
	if n.js.arguments != nil {
		if args, f = env.eval(n.js.arguments); f != nil {
			return t.failure(input, f)
		}
		t.insp.AfterArguments = t.text(args)
	}
	switch n.typ {
	case asl.TypeTask:
		result, f = t.invoke(args)
		if f == nil {
			t.insp.Result = t.text(result)
		}
	case asl.TypeParallel:
		if t.req.Mock != nil {
			result, f = t.mocked()
		} else {
			result, f = th.runParallel(n, args)
		}
	case asl.TypeMap:
		result, f = t.mapWork(input, env)
	}
	if f != nil {
		return t.failure(input, f)
	}
	out, assigned, f := th.succeedJSONata(n, input, result)
	if f != nil {
		return t.failure(input, f)
	}
	return t.succeeded(out, n.next, assigned)
}

// invoke calls the task's resource, or answers with the mock.
func (t *tester) invoke(params any) (any, *Failure) {
	if t.req.Mock != nil {
		return t.mocked()
	}
	th, n := t.th, t.n
	if n.task.waitForToken {
		return nil, &Failure{Error: "States.Runtime", Cause: "TestState cannot wait for a task token without a mock"}
	}
	if n.task.kind == taskActivity { // TestState runs an activity task only with a mock (API_TestState)
		return nil, &Failure{Error: "States.Runtime", Cause: "TestState cannot wait for an activity worker without a mock"}
	}
	return th.invokeResource(n, params, nil, n.task.timeout, 0)
}

func (t *tester) mocked() (any, *Failure) {
	if e := t.req.Mock.Error; e != nil {
		return nil, e
	}
	return t.req.Mock.Result, nil
}

// mapWork resolves a Map's items and limits and runs it, or applies the
// mocked result and the stated iteration failures to its tolerance.
func (t *tester) mapWork(eff any, env *jstates) (any, *Failure) {
	th, n := t.th, t.n
	ms := n.mapSpec
	limit, tolCount, tolPct := ms.maxConcurrency, ms.toleratedCount, ms.toleratedPercent
	var f *Failure
	if env != nil {
		js := n.js
		if js.maxConcurrency != nil {
			if limit, f = env.intField(js.maxConcurrency, "MaxConcurrency"); f != nil {
				return nil, f
			}
		}
		if js.toleratedCount != nil {
			if tolCount, f = env.intField(js.toleratedCount, "ToleratedFailureCount"); f != nil {
				return nil, f
			}
		}
		if js.toleratedP != nil {
			v, f := env.eval(js.toleratedP)
			if f != nil {
				return nil, f
			}
			r, ok := numberRat(v)
			if !ok {
				return nil, th.queryError("ToleratedFailurePercentage", "The JSONata expression '%s' specified for the field 'ToleratedFailurePercentage' returned an unexpected result type. Expected 'number', but was '%s' for value: %s",
					js.toleratedP.src, jsonTypeName(v), render(v))
			}
			tolPct, _ = r.Float64()
		}
	}
	t.insp.MaxConcurrency = &limit
	if tolCount >= 0 {
		t.insp.ToleratedCount = &tolCount
	}
	if tolPct >= 0 {
		t.insp.ToleratedPercentage = &tolPct
	}
	if t.req.Mock == nil {
		if env != nil {
			return th.runMapJSONata(n, eff)
		}
		return th.runMap(n, eff)
	}
	if env == nil && ms.itemsPath.kind == ioExpr {
		// The items are still resolved: a mock does not make a bad
		// ItemsPath good.
		v, f := th.evalPath(ms.itemsPath, eff)
		if f != nil {
			return nil, f
		}
		if _, ok := v.([]any); !ok {
			return nil, &Failure{Error: "States.Runtime", Cause: fmt.Sprintf("Reference path %q must point to array.", ms.itemsPath.expr)}
		}
	}
	result, f := t.mocked()
	if f != nil {
		return nil, f
	}
	items, _ := result.([]any)
	// Iteration failures count only against a tolerance the state sets
	// (recorded: without one, a mocked Map with failed iterations
	// succeeds).
	if nfail := t.req.MapIterationFailureCount; nfail > 0 && (tolCount >= 0 || tolPct >= 0) {
		exceeded := true
		switch {
		case tolCount >= 0 && nfail <= tolCount:
			exceeded = false
		case tolPct >= 0 && float64(nfail)*100 <= tolPct*float64(len(items)):
			exceeded = false
		}
		if exceeded {
			return nil, &Failure{Error: "States.ExceedToleratedFailureThreshold",
				Cause: "The specified tolerated failure threshold was exceeded"}
		}
	}
	return result, nil
}

// failure applies the state's Retriers and Catchers to a failed attempt.
func (t *tester) failure(input any, f *Failure) *TestStateResult {
	th, n := t.th, t.n
	if f.Error == "States.Runtime" || f == errStopped {
		return failed(f)
	}
	details := &TestErrorDetails{}
	if i := matchRetrier(n.retry, f.Error); i >= 0 {
		details.RetryIndex = &i
		if r := &n.retry[i]; t.req.RetrierRetryCount < r.maxAttempts {
			// The back-off this retry would wait, without jitter.
			p := *r
			p.fullJitter = false
			secs := int(math.Round(p.backoff(t.req.RetrierRetryCount, nil).Seconds()))
			details.RetryBackoffIntervalSeconds = &secs
			t.insp.ErrorDetails = details
			return &TestStateResult{Status: TestRetriable, Error: f.Error, Cause: f.Cause}
		}
	}
	for j, c := range n.catch {
		if !asl.ErrorMatches(c.errorEquals, f.Error) {
			continue
		}
		details.CatchIndex = &j
		t.insp.ErrorDetails = details
		errOut := map[string]any{"Error": f.Error, "Cause": f.Cause}
		var out any
		var assigned map[string]any
		var cf *Failure
		if n.js != nil {
			out, assigned, cf = th.catchJSONata(n, j, input, errOut)
		} else {
			if assigned, cf = th.evalAssign(c.assign, errOut, nil); cf == nil {
				out, cf = th.resultPath(c.resultPath, input, errOut)
			}
		}
		if cf != nil {
			return failed(cf)
		}
		r := t.succeeded(out, c.next, assigned)
		r.Status, r.Error, r.Cause = TestCaughtError, f.Error, f.Cause
		return r
	}
	if details.RetryIndex != nil {
		t.insp.ErrorDetails = details
	}
	return failed(f)
}

func (t *tester) succeeded(out any, next string, assigned map[string]any) *TestStateResult {
	if len(assigned) > 0 {
		t.th.vars.assign(assigned)
	}
	if vals := t.th.vars.vals; len(vals) > 0 {
		t.insp.Variables = t.text(vals)
	}
	return &TestStateResult{Status: TestSucceeded, Output: out, NextState: next}
}

func failed(f *Failure) *TestStateResult {
	return &TestStateResult{Status: TestFailed, Error: f.Error, Cause: f.Cause}
}

// ParseTestDefinition parses a TestState definition: a whole state machine,
// or one state, which it wraps in a machine of its own, with a Succeed state
// standing for each state its transitions name, and returns the machine
// and the state's name ("" for a whole machine).
func ParseTestDefinition(def []byte) (*asl.StateMachine, string, error) {
	raw, err := decodeJSON(def)
	if err != nil {
		return nil, "", err
	}
	obj, _ := raw.(map[string]any)
	if _, isState := obj["Type"]; !isState || obj["States"] != nil {
		sm, err := asl.Parse(def)
		return sm, "", err
	}
	// AWS names the state it tests alone "StateName" ($states.context.State.Name, recorded).
	const name = "StateName"
	states := map[string]any{name: obj}
	for _, target := range stateTargets(obj) {
		if target != name {
			states[target] = map[string]any{"Type": "Succeed"}
		}
	}
	machine := map[string]any{"StartAt": name, "States": states}
	if ql, ok := obj["QueryLanguage"]; ok {
		machine["QueryLanguage"] = ql
	}
	sm, err := asl.Parse([]byte(render(machine)))
	return sm, name, err
}

// stateTargets lists the state names a state's transitions name.
func stateTargets(s map[string]any) []string {
	var out []string
	add := func(v any) {
		if n, ok := v.(string); ok && n != "" {
			out = append(out, n)
		}
	}
	add(s["Next"])
	add(s["Default"])
	for _, key := range []string{"Choices", "Catch"} {
		list, _ := s[key].([]any)
		for _, c := range list {
			if m, ok := c.(map[string]any); ok {
				add(m["Next"])
			}
		}
	}
	return out
}
