package interp

import (
	"strings"
	"time"
)

// Activities: a Task whose Resource is an activity ARN,
// arn:<partition>:states:<region>:<account>:activity:<name>, hands its input to a worker that polls for it
// (GetActivityTask) and answers through the task token (SendTaskSuccess, SendTaskFailure,
// SendTaskHeartbeat). https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html
//
// The interpreter registers a token, records ActivityScheduled and gives the TaskInvoker a TaskRequest
// with the token: the host queues the task for its workers and returns at once (an error there is
// ActivityScheduleFailed). When a worker takes the task the host calls TaskTokens.Start, which records
// ActivityStarted with the worker's name; the worker's answer completes the task. TimeoutSeconds runs
// from the scheduling (a task no worker takes times out too); HeartbeatSeconds from the start and from
// each heartbeat.

// IsActivityArn reports whether a Task resource is an activity ARN.
func IsActivityArn(resource string) bool {
	parts := strings.Split(resource, ":")
	return len(parts) == 7 && parts[0] == "arn" && parts[1] != "" && parts[2] == "states" &&
		parts[3] != "" && parts[4] != "" && parts[5] == "activity" && parts[6] != ""
}

// Start tells the task waiting on token that a worker has taken it: the execution records
// ActivityStarted with workerName, and its HeartbeatSeconds starts to run. Starting a task twice is
// not an error; the second start is not recorded.
func (t *TaskTokens) Start(token, workerName string) error {
	tw, err := t.lookup(token)
	if err != nil {
		return err
	}
	tw.mu.Lock()
	if tw.done || tw.startedBy != nil {
		tw.mu.Unlock()
		return nil
	}
	tw.startedBy = &workerName
	w := tw.w
	tw.mu.Unlock()
	if w != nil {
		w.fire(wakeActivityStarted)
	}
	return nil
}

const wakeActivityStarted = wakeHeartbeatTimeout + 1

// invokeActivity runs an activity task with params under its timeouts (seconds, 0 for none).
func (th *thread) invokeActivity(n *node, params any, timeout, heartbeat int) (any, *Failure) {
	t := n.task
	tw := &taskWait{}
	tok := th.e.m.cfg.tokens.register(tw)
	defer th.e.m.cfg.tokens.remove(tok)
	th.token = tok
	th.emit(&HistoryEvent{Type: ActivityScheduled, ActivityScheduledEventDetails: &ActivityScheduledEventDetails{
		Resource: t.resource, Input: th.text(params), TimeoutInSeconds: int64(timeout), HeartbeatInSeconds: int64(heartbeat),
	}})
	scheduled := th.clock().Now()

	var result any
	var f *Failure
	req := th.taskRequest(n, params)
	handled := false
	if ic := th.e.m.cfg.intercept; ic != nil {
		var r any
		var err error
		if r, handled, err = ic.InterceptTask(th.ctx, req); handled {
			result, f = th.taskResult(th.ctx, r, err)
		}
	}
	if !handled {
		var err error
		if inv := th.e.m.cfg.tasks; inv == nil {
			f = &Failure{Error: "States.Runtime", Cause: "no task invoker serves activity " + t.resource}
		} else if _, err = inv.InvokeTask(th.ctx, req); err != nil {
			_, f = th.taskResult(th.ctx, nil, err)
		}
		if f != nil {
			if f != errStopped {
				th.emit(&HistoryEvent{Type: ActivityScheduleFailed, ActivityScheduleFailedEventDetails: &FailureEventDetails{Error: f.Error, Cause: f.Cause}})
			}
			return nil, f
		}
		result, f = th.awaitActivity(tw, scheduled, seconds(int64(timeout)), seconds(int64(heartbeat)))
	}

	resultText := ""
	if f == nil {
		if resultText = th.text(result); len(resultText) > th.e.m.cfg.payloadLimit {
			f = &Failure{Error: "States.DataLimitExceeded", Cause: "The state/task '" + t.resource +
				"' returned a result with a size exceeding the maximum number of bytes service limit."}
		}
	}
	switch {
	case f == errStopped:
		return nil, f
	case f == nil:
		th.emit(&HistoryEvent{Type: ActivitySucceeded, ActivitySucceededEventDetails: &OutputEventDetails{Output: resultText}})
		return result, nil
	case f == errTaskTimeout || f == errHeartbeatTimeout:
		th.emit(&HistoryEvent{Type: ActivityTimedOut, ActivityTimedOutEventDetails: &FailureEventDetails{Error: f.Error}})
		return nil, &Failure{Error: f.Error}
	default:
		th.emit(&HistoryEvent{Type: ActivityFailed, ActivityFailedEventDetails: &FailureEventDetails{Error: f.Error, Cause: f.Cause}})
		return nil, f
	}
}

// awaitActivity waits for a worker to take the task (recording ActivityStarted) and for its answer,
// under TimeoutSeconds from scheduled and HeartbeatSeconds from the start and each heartbeat.
func (th *thread) awaitActivity(tw *taskWait, scheduled time.Time, timeout, heartbeat time.Duration) (any, *Failure) {
	c := th.clock()
	reported := false
	for {
		tw.mu.Lock()
		worker := tw.startedBy
		done := tw.done
		if done {
			tw.mu.Unlock()
		} else {
			tw.w = newWakeup(c)
			tw.mu.Unlock()
		}
		if worker != nil && !reported {
			reported = true
			th.emit(&HistoryEvent{Type: ActivityStarted, ActivityStartedEventDetails: &ActivityStartedEventDetails{WorkerName: *worker}})
		}
		if done {
			return tw.result, tw.fail
		}
		tw.mu.Lock()
		w := tw.w
		tw.mu.Unlock()
		var stops []func() bool
		if timeout > 0 {
			stops = append(stops, c.AfterFunc(scheduled.Add(timeout).Sub(c.Now()), func() { w.fire(wakeTimer) }))
		}
		if heartbeat > 0 && reported {
			stops = append(stops, c.AfterFunc(heartbeat, func() { w.fire(wakeHeartbeatTimeout) }))
		}
		unwatch := th.sc.watch(w)
		reason := w.wait()
		unwatch()
		for _, s := range stops {
			s()
		}
		switch reason {
		case wakeTimer:
			return nil, errTaskTimeout
		case wakeHeartbeatTimeout:
			return nil, errHeartbeatTimeout
		case wakeCancel:
			return nil, errStopped
		}
	}
}

// Pending reports whether a task is still waiting on token.
func (t *TaskTokens) Pending(token string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.pending[token]
	return ok
}
