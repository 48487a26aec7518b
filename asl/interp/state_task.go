package interp

import (
	"context"
	"strings"
	"time"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/jsonpath"
	"github.com/sluicehq/sluice/internal/kept"
)

type taskKind uint8

const (
	taskGeneric      taskKind = iota // through the TaskInvoker
	taskLambdaARN                    // a bare Lambda function ARN
	taskLambdaInvoke                 // arn:aws:states:::lambda:invoke
	taskActivity                     // an activity ARN (activity.go)
)

// taskSpec is a compiled Task state's resource and timing.
type taskSpec struct {
	resource      string
	kind          taskKind
	waitForToken  bool
	resourceType  string // for TaskScheduled and friends: "lambda", ...
	resourceName  string // "invoke", "invoke.waitForTaskToken", ...
	timeout       int
	timeoutPath   *jsonpath.Path
	heartbeat     int
	heartbeatPath *jsonpath.Path
}

func (c *compiler) task(st *asl.Task) (*taskSpec, error) {
	t := &taskSpec{resource: st.Resource}
	switch {
	case strings.HasPrefix(st.Resource, "arn:aws:lambda:") || strings.Contains(st.Resource, ":lambda:") && strings.Contains(st.Resource, ":function:"):
		t.kind = taskLambdaARN
	case IsActivityArn(st.Resource):
		t.kind, t.resourceType, t.resourceName = taskActivity, "activity", st.Resource
	case strings.HasPrefix(st.Resource, "arn:") && strings.Contains(st.Resource, ":states:::"):
		rest := st.Resource[strings.Index(st.Resource, ":states:::")+len(":states:::"):]
		t.resourceType, t.resourceName, _ = strings.Cut(rest, ":")
		t.waitForToken = strings.HasSuffix(rest, ".waitForTaskToken")
		if t.resourceType == "lambda" && strings.TrimSuffix(t.resourceName, ".waitForTaskToken") == "invoke" {
			t.kind = taskLambdaInvoke
		}
	default:
		parts := strings.Split(st.Resource, ":")
		if len(parts) >= 6 {
			t.resourceType, t.resourceName = parts[5], strings.Join(parts[6:], ":")
		} else {
			t.resourceType, t.resourceName = "unknown", st.Resource
		}
	}
	if t.kind == taskLambdaARN {
		t.resourceType, t.resourceName = "lambda", st.Resource
	}
	if st.TimeoutSeconds != nil {
		t.timeout = st.TimeoutSeconds.Value
	}
	if st.HeartbeatSeconds != nil {
		t.heartbeat = st.HeartbeatSeconds.Value
	}
	var err error
	if t.timeoutPath, err = c.path("TimeoutSecondsPath", st.TimeoutSecondsPath); err != nil {
		return nil, err
	}
	if t.heartbeatPath, err = c.path("HeartbeatSecondsPath", st.HeartbeatSecondsPath); err != nil {
		return nil, err
	}
	return t, nil
}

// attempt runs one attempt of a Task, Parallel or Map state: input
// processing, the work and ResultSelector.
func (th *thread) attempt(n *node, input any) (any, *Failure) {
	th.started = false
	eff, f := th.inputPath(n, input)
	if f != nil {
		return nil, f
	}
	var result any
	switch n.typ {
	case asl.TypeTask:
		result, f = th.runTask(n, eff)
	case asl.TypeParallel:
		result, f = th.runParallel(n, eff)
	case asl.TypeMap:
		result, f = th.runMap(n, eff)
	}
	if f != nil {
		return nil, f
	}
	if n.resultSelector != nil {
		return th.evalTemplate(n.resultSelector, result)
	}
	return result, nil
}

// durationField resolves TimeoutSeconds/TimeoutSecondsPath or the
// heartbeat pair to seconds (0 for none).
func (th *thread) durationField(name string, fixed int, p *jsonpath.Path, input any) (int, *Failure) {
	if p == nil {
		return fixed, nil
	}
	v, err := p.Eval(th.scope(input))
	if err != nil {
		return 0, th.runtimeError("The %sPath parameter does not reference an input value: %s", name, p)
	}
	r, ok := numberRat(v)
	if !ok || !r.IsInt() || r.Sign() <= 0 || !r.Num().IsInt64() {
		return 0, th.runtimeError("The %sPath parameter does not reference a positive integer: %s == %s", name, p, render(v))
	}
	return int(r.Num().Int64()), nil
}

func (th *thread) runTask(n *node, eff any) (any, *Failure) {
	t := n.task
	params := eff
	var f *Failure
	if t.waitForToken {
		tw := &taskWait{}
		th.token = th.e.m.cfg.tokens.register(tw)
		defer func(tok string) { th.e.m.cfg.tokens.remove(tok) }(th.token)
		return th.invokeTask(n, eff, tw)
	}
	if n.parameters != nil {
		if params, f = th.evalTemplate(n.parameters, eff); f != nil {
			return nil, f
		}
	}
	return th.invokeTask(n, params, nil)
}

// invokeTask records the scheduling events, invokes the resource under its
// timeouts and records the outcome.
func (th *thread) invokeTask(n *node, eff any, tw *taskWait) (any, *Failure) {
	t := n.task
	params := eff
	var f *Failure
	if tw != nil && n.parameters != nil {
		// Parameters of a callback task see $$.Task.Token.
		if params, f = th.evalTemplate(n.parameters, eff); f != nil {
			return nil, f
		}
	}
	timeout, f := th.durationField("TimeoutSeconds", t.timeout, t.timeoutPath, eff)
	if f != nil {
		return nil, f
	}
	heartbeat, f := th.durationField("HeartbeatSeconds", t.heartbeat, t.heartbeatPath, eff)
	if f != nil {
		return nil, f
	}
	return th.invokeResource(n, params, tw, timeout, heartbeat)
}

// invokeResource records the scheduling events, invokes the resource with
// params under its timeouts (seconds, 0 for none) and records the outcome.
func (th *thread) invokeResource(n *node, params any, tw *taskWait, timeout, heartbeat int) (any, *Failure) {
	t := n.task
	if t.kind == taskActivity {
		return th.invokeActivity(n, params, timeout, heartbeat)
	}
	var f *Failure
	lambdaEvents := t.kind == taskLambdaARN
	paramsText := th.text(params) // for the history and a Lambda function's payload
	var start time.Time           // the Started event's time, from which the timeouts run
	if lambdaEvents {
		th.emit(&HistoryEvent{Type: LambdaFunctionScheduled, LambdaFunctionScheduledEventDetails: &LambdaFunctionScheduledEventDetails{
			Resource: t.resource, Input: paramsText, TimeoutInSeconds: int64(timeout),
		}})
		start = th.clock().Now()
		th.emit(&HistoryEvent{Type: LambdaFunctionStarted, Timestamp: start})
	} else {
		th.emit(&HistoryEvent{Type: TaskScheduled, TaskScheduledEventDetails: &TaskScheduledEventDetails{
			ResourceType: t.resourceType, Resource: t.resourceName, Region: th.e.m.cfg.region,
			Parameters: paramsText, TimeoutInSeconds: int64(timeout), HeartbeatSeconds: int64(heartbeat),
		}})
		start = th.clock().Now()
		th.emit(&HistoryEvent{Type: TaskStarted, Timestamp: start, TaskStartedEventDetails: &TaskResourceEventDetails{
			ResourceType: t.resourceType, Resource: t.resourceName,
		}})
	}
	var result any
	if tw == nil {
		// Only a callback task can send heartbeats (SendTaskHeartbeat), so
		// HeartbeatSeconds is enforced for callback tasks only.
		heartbeat = 0
	}
	if timeout == 0 && heartbeat == 0 && tw == nil {
		result, f = th.call(th.ctx, n, params, paramsText)
	} else {
		result, f = th.callTimed(n, params, paramsText, tw, start, seconds(int64(timeout)), seconds(int64(heartbeat)))
	}
	resultText := ""
	if f == nil {
		if resultText = th.text(result); len(resultText) > th.e.m.cfg.payloadLimit {
			who := t.resourceType
			if lambdaEvents {
				who = t.resource
			}
			f = &Failure{Error: "States.DataLimitExceeded", Cause: "The state/task '" + who +
				"' returned a result with a size exceeding the maximum number of bytes service limit."}
		}
	}
	switch {
	case f == errStopped:
	case f == nil && lambdaEvents:
		th.emit(&HistoryEvent{Type: LambdaFunctionSucceeded, LambdaFunctionSucceededEventDetails: &OutputEventDetails{
			Output: resultText,
		}})
	case f == nil:
		th.emit(&HistoryEvent{Type: TaskSucceeded, TaskSucceededEventDetails: &TaskOutputEventDetails{
			ResourceType: t.resourceType, Resource: t.resourceName, Output: resultText,
		}})
	case lambdaEvents && (f.Error == "States.Timeout" || f.Error == "States.HeartbeatTimeout"):
		th.emit(&HistoryEvent{Type: LambdaFunctionTimedOut, LambdaFunctionTimedOutEventDetails: &FailureEventDetails{Error: f.Error, Cause: f.Cause}})
	case lambdaEvents:
		th.emit(&HistoryEvent{Type: LambdaFunctionFailed, LambdaFunctionFailedEventDetails: &FailureEventDetails{Error: f.Error, Cause: f.Cause}})
	case f.Error == "States.Timeout" || f.Error == "States.HeartbeatTimeout":
		th.emit(&HistoryEvent{Type: TaskTimedOut, TaskTimedOutEventDetails: &TaskFailureEventDetails{
			ResourceType: t.resourceType, Resource: t.resourceName, Error: f.Error, Cause: f.Cause,
		}})
	default:
		th.emit(&HistoryEvent{Type: TaskFailed, TaskFailedEventDetails: &TaskFailureEventDetails{
			ResourceType: t.resourceType, Resource: t.resourceName, Error: f.Error, Cause: f.Cause,
		}})
	}
	if f != nil {
		if f == errTaskTimeout || f == errHeartbeatTimeout {
			// AWS reports an empty cause for timeouts.
			return nil, &Failure{Error: f.Error}
		}
		return nil, f
	}
	return result, nil
}

// taskCalls runs callTimed's invocations. A goroutine that ran one waits
// taskCallIdle for the next before it ends, so the stack an invocation grew
// (a Lambda request, its answer's decoding) serves the next invocation
// instead of being grown again from the minimum on every call.
var taskCalls = kept.New(taskCallIdle)

const taskCallIdle = 10 * time.Second

// callTimed runs the invocation on a goroutine of its own (one kept between
// invocations, taskCalls) so that timeouts, heartbeats and Stop can
// interrupt the wait even when the invocation never returns; for a callback
// task it then waits for the token. An invocation that outlives its wait
// keeps its goroutine until it returns, as before; only then does that
// goroutine serve another.
func (th *thread) callTimed(n *node, params any, paramsText string, tw *taskWait, start time.Time, timeout, heartbeat time.Duration) (any, *Failure) {
	c := th.clock()
	sc := th.sc.child()
	defer th.sc.release(sc)
	ctx := context.Context(sc)
	callback := tw != nil
	if tw == nil {
		tw = &taskWait{}
	}
	inv := &taskWait{}
	hold(c)
	taskCalls.Go(nil, func() {
		defer release(c)
		r, f := th.call(ctx, n, params, paramsText)
		inv.complete(r, f)
		if !callback || f != nil {
			tw.complete(r, f)
		}
	})
	if callback {
		// The invocation itself must succeed first; its result is the
		// TaskSubmitted output.
		r, f := inv.await(sc, c, start, timeout, 0)
		if f != nil {
			return nil, f
		}
		th.emit(&HistoryEvent{Type: TaskSubmitted, TaskSubmittedEventDetails: &TaskOutputEventDetails{
			ResourceType: n.task.resourceType, Resource: n.task.resourceName, Output: render(r),
		}})
	}
	return tw.await(sc, c, start, timeout, heartbeat)
}

// call invokes the task's resource once; paramsText is params rendered.
// It may run on a goroutine of its own (callTimed): it must not touch
// the thread's rendering state.
func (th *thread) call(ctx context.Context, n *node, params any, paramsText string) (any, *Failure) {
	if ic := th.e.m.cfg.intercept; ic != nil {
		r, handled, err := ic.InterceptTask(ctx, th.taskRequest(n, params))
		if handled {
			return th.taskResult(ctx, r, err)
		}
	}
	switch n.task.kind {
	case taskLambdaARN:
		return th.callLambdaARN(ctx, n, params, paramsText)
	case taskLambdaInvoke:
		return th.callLambdaInvoke(ctx, n, params, paramsText)
	}
	inv := th.e.m.cfg.tasks
	if inv == nil {
		return nil, &Failure{Error: "States.TaskFailed", Cause: "no task invoker serves resource " + n.task.resource}
	}
	r, err := inv.InvokeTask(ctx, th.taskRequest(n, params))
	return th.taskResult(ctx, r, err)
}

func (th *thread) taskRequest(n *node, params any) TaskRequest {
	return TaskRequest{
		Resource: n.task.resource, Input: params, TaskToken: th.token,
		StateName: n.name, ExecutionArn: th.e.cfg.arn, Attempt: th.retry,
	}
}

// taskResult maps an invoker's answer to a result or failure.
func (th *thread) taskResult(ctx context.Context, r any, err error) (any, *Failure) {
	if err != nil {
		if ctx.Err() != nil && th.ctx.Err() != nil {
			return nil, errStopped
		}
		if f := AsFailure(err); f != nil {
			return nil, f
		}
		return nil, &Failure{Error: "States.TaskFailed", Cause: err.Error()}
	}
	return r, nil
}
