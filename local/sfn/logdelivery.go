package sfn

import (
	"context"
	"sync"

	"github.com/sluicehq/sluice/asl/interp"
)

// An execution hands its log records to the LogSink a few at a time. Handing each over on its own cost a
// CloudWatch Logs write per history event: about a quarter of what Step Functions spent on an execution of
// the pipeline. The record of an event that the engine always follows at once, on the same goroutine and
// without waiting for anything, with another event (a task's scheduling is followed by its start, a Pass
// state's entry by its exit) is held on the execution and goes to the sink with the records of the next
// event that is not such: so every record is out, as before, whenever the execution waits (for a task,
// a Wait state, a branch, a snapshot's journal write) and when it ends. Each execution delivers its own
// records: executions never wait for one another's, so a delivery does not release many of them at once
// (which, tried, sent their Lambda invocations in bursts that the functions' concurrency throttled).

// BatchLogSink is a LogSink that also takes several records in one call, in the order they were logged.
// The local stack's adapter writes the records of each log stream in one CloudWatch Logs batch.
type BatchLogSink interface {
	LogSink
	PutExecutionLogs(ctx context.Context, recs []ExecutionLog) error
}

// executionLogs holds an execution's records not yet delivered.
type executionLogs struct {
	mu      sync.Mutex // held while delivering, so that an execution's records go out in order
	pending []ExecutionLog
}

// deferLog reports whether the record of an event of type t waits for the next event's: the engine
// emits that one right after it, on the same goroutine, with nothing to wait for in between (a state's
// input processing, a Choice's rules, a task's result selection only compute; where they fail, the
// failure's events follow at once).
func deferLog(t interp.EventType) bool {
	switch t {
	case interp.ExecutionStarted, interp.TaskStateEntered, interp.TaskScheduled, interp.LambdaFunctionScheduled,
		interp.TaskSucceeded, interp.LambdaFunctionSucceeded, interp.PassStateEntered, interp.ChoiceStateEntered,
		interp.SucceedStateEntered:
		return true
	}
	return false
}

// queueLog adds a record to the execution's and, unless its event's record may wait (deferLog), delivers
// them all.
func (s *Service) queueLog(e *execution, t interp.EventType, rec *ExecutionLog) {
	l := &e.logs
	l.mu.Lock()
	defer l.mu.Unlock()
	if rec != nil {
		l.pending = append(l.pending, *rec)
	}
	if len(l.pending) == 0 || deferLog(t) {
		return
	}
	recs := l.pending
	s.putLogs(recs)
	clear(recs) // let go of the messages
	l.pending = recs[:0]
}

// putLogs hands records to the sink, in one call when it takes batches.
func (s *Service) putLogs(recs []ExecutionLog) {
	ctx := context.WithoutCancel(s.ctx)
	if b, ok := s.logSink.(BatchLogSink); ok && len(recs) > 1 {
		if err := b.PutExecutionLogs(ctx, recs); err != nil {
			s.logger.Warn("step functions: execution logs not delivered", "group", recs[0].LogGroupArn, "records", len(recs), "err", err)
		}
		return
	}
	for _, rec := range recs {
		if err := s.logSink.PutExecutionLog(ctx, rec); err != nil {
			s.logger.Warn("step functions: execution log not delivered", "group", rec.LogGroupArn, "err", err)
		}
	}
}
