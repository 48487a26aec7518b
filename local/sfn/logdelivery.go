package sfn

import (
	"context"
	"sync"
	"time"

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
type BatchLogSink interface {
	LogSink
	PutExecutionLogs(ctx context.Context, recs []ExecutionLog) error
}

// LentLogSink is a LogSink that also takes several records in one call, in the order they were logged,
// with their messages lent rather than given: each message's bytes are the sink's to read until the call
// returns, and are then reused for later records, so a sink that keeps a record copies it before
// returning (the local stack's adapter writes the records of each log stream in one CloudWatch Logs
// batch, which local/logs copies into its segment as it writes it; it returns once they are durable). A
// record given as a string (ExecutionLog) had to be copied out of the buffer it was encoded in: about a
// third of the bytes Step Functions allocated for an execution of the pipeline, for a copy that the sink
// made again.
type LentLogSink interface {
	LogSink
	PutExecutionLogsLent(ctx context.Context, recs []LentExecutionLog) error
}

// LentExecutionLog is an ExecutionLog whose message is lent for one call (LentLogSink).
type LentExecutionLog struct {
	LogGroupArn string
	LogStream   string
	Timestamp   time.Time
	// Message is the record, as ExecutionLog's. Its bytes may be read until the call returns, not after,
	// and never written.
	Message []byte
}

// pendingLog is a record not yet delivered: its message is in a buffer of logRecordBuffers.
type pendingLog struct {
	groupArn, stream string
	timestamp        time.Time
	message          *[]byte
}

// executionLogs holds an execution's records not yet delivered.
type executionLogs struct {
	mu      sync.Mutex // held while delivering, so that an execution's records go out in order
	pending []pendingLog
	lent    []LentExecutionLog // the views of pending handed to a LentLogSink, kept between deliveries
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
// them all. The records' buffers go back to logRecordBuffers only once the sink has returned.
func (s *Service) queueLog(e *execution, t interp.EventType, rec *pendingLog) {
	l := &e.logs
	l.mu.Lock()
	defer l.mu.Unlock()
	if rec != nil {
		l.pending = append(l.pending, *rec)
	}
	if len(l.pending) == 0 || deferLog(t) {
		return
	}
	s.putLogs(l)
	for _, p := range l.pending {
		releaseLogRecord(p.message)
	}
	clear(l.pending) // let go of the buffers
	l.pending = l.pending[:0]
}

// putLogs hands an execution's pending records to the sink: lent, in one call, to a LentLogSink; copied
// out, in one call to a BatchLogSink, one by one to any other. The caller holds l.mu.
func (s *Service) putLogs(l *executionLogs) {
	ctx := context.WithoutCancel(s.ctx)
	recs := l.pending
	if b, ok := s.logSink.(LentLogSink); ok {
		lent := l.lent[:0]
		for _, p := range recs {
			lent = append(lent, LentExecutionLog{LogGroupArn: p.groupArn, LogStream: p.stream, Timestamp: p.timestamp, Message: *p.message})
		}
		err := b.PutExecutionLogsLent(ctx, lent)
		clear(lent) // let go of the messages
		l.lent = lent[:0]
		if err != nil {
			s.logger.Warn("step functions: execution logs not delivered", "group", recs[0].groupArn, "records", len(recs), "err", err)
		}
		return
	}
	out := make([]ExecutionLog, len(recs))
	for i, p := range recs {
		out[i] = ExecutionLog{LogGroupArn: p.groupArn, LogStream: p.stream, Timestamp: p.timestamp, Message: string(*p.message)}
	}
	if b, ok := s.logSink.(BatchLogSink); ok && len(out) > 1 {
		if err := b.PutExecutionLogs(ctx, out); err != nil {
			s.logger.Warn("step functions: execution logs not delivered", "group", out[0].LogGroupArn, "records", len(out), "err", err)
		}
		return
	}
	for _, rec := range out {
		if err := s.logSink.PutExecutionLog(ctx, rec); err != nil {
			s.logger.Warn("step functions: execution log not delivered", "group", rec.LogGroupArn, "err", err)
		}
	}
}
