package sfn

import (
	"context"
	"sync"

	"github.com/sluicehq/sluice/asl/interp"
)

// Execution log records reach the LogSink in groups. Handing each record over on its own cost a write
// (and, with a synced CloudWatch Logs, an fsync) per history event: about a quarter of what Step Functions spent
// on an execution of the pipeline. Records are queued, and one delivery at a time hands the sink all
// that is queued, from every execution; an execution waits for its records to be delivered only where
// they must be out before it goes on:
//
//   - before a task runs (TaskStarted, LambdaFunctionStarted, ActivityScheduled): as when each record
//     was delivered at once, the records of a task's scheduling are delivered before it runs;
//   - before a snapshot is journaled (checkpoint): a restart does not run again the states before a
//     journaled snapshot, so their records would not be logged again;
//   - at the execution's end (ExecutionSucceeded, Failed, Aborted, TimedOut): everything an execution
//     logged is delivered before it is seen to have ended.
//
// Elsewhere (a Wait state's entry, say) the record goes out with the next delivery, which starts as soon
// as a record is queued and none is under way. At most maxQueuedLogs records wait: beyond that, the
// execution waits for its record's delivery.

// BatchLogSink is a LogSink that also takes several records in one call, in the order they were logged.
// The local stack's adapter writes the records of each log stream in one CloudWatch Logs batch.
type BatchLogSink interface {
	LogSink
	PutExecutionLogs(ctx context.Context, recs []ExecutionLog) error
}

// maxQueuedLogs is the number of records queued beyond which an execution waits for its record's delivery.
const maxQueuedLogs = 4096

// logDelivery is the queue of records and its delivery.
type logDelivery struct {
	mu        sync.Mutex
	delivered sync.Cond // signalled when a delivery ends; its L is &mu
	queue     []ExecutionLog
	spare     []ExecutionLog // the previous delivery's slice, for the next queue
	queued    uint64         // records ever queued
	done      uint64         // records delivered (the first done queued)
	running   bool           // a delivery is under way
}

// logTicket is a record's place in the queue: it is delivered once done reaches it.
type logTicket uint64

// queueLog queues a record and starts a delivery unless one is under way. It returns the record's ticket.
func (s *Service) queueLog(rec ExecutionLog) logTicket {
	d := &s.logs
	d.mu.Lock()
	d.queue = append(d.queue, rec)
	d.queued++
	t := logTicket(d.queued)
	start := !d.running
	d.running = true
	backlog := d.queued - d.done
	d.mu.Unlock()
	if start && !s.background(s.deliverLogs) {
		s.deliverLogs() // the service is closing: deliver here
	}
	if backlog > maxQueuedLogs {
		s.waitLogs(t)
	}
	return t
}

// waitLogs returns once the record of ticket t, and every one queued before it, has been delivered.
func (s *Service) waitLogs(t logTicket) {
	if t == 0 {
		return
	}
	d := &s.logs
	d.mu.Lock()
	for d.done < uint64(t) {
		d.delivered.Wait()
	}
	d.mu.Unlock()
}

// deliverLogs hands the queued records to the sink until the queue is empty.
func (s *Service) deliverLogs() {
	d := &s.logs
	for {
		d.mu.Lock()
		batch := d.queue
		if len(batch) == 0 {
			d.running = false
			d.mu.Unlock()
			return
		}
		d.queue, d.spare = d.spare[:0], nil
		d.mu.Unlock()

		s.putLogs(batch)

		clear(batch) // let go of the messages
		d.mu.Lock()
		d.done += uint64(len(batch))
		if cap(batch) <= maxQueuedLogs {
			d.spare = batch[:0]
		}
		d.delivered.Broadcast()
		d.mu.Unlock()
	}
}

// putLogs hands records to the sink, in one call when it takes batches.
func (s *Service) putLogs(recs []ExecutionLog) {
	ctx := context.WithoutCancel(s.ctx)
	if b, ok := s.logSink.(BatchLogSink); ok && len(recs) > 1 {
		if err := b.PutExecutionLogs(ctx, recs); err != nil {
			s.logger.Warn("step functions: execution logs not delivered", "records", len(recs), "err", err)
		}
		return
	}
	for _, rec := range recs {
		if err := s.logSink.PutExecutionLog(ctx, rec); err != nil {
			s.logger.Warn("step functions: execution log not delivered", "group", rec.LogGroupArn, "err", err)
		}
	}
}

// logBarrier reports whether the execution waits for the delivery of its records once it has logged an
// event of type t: a task is about to run, or the execution has ended.
func logBarrier(t interp.EventType) bool {
	switch t {
	case interp.TaskStarted, interp.LambdaFunctionStarted, interp.ActivityScheduled,
		interp.ExecutionSucceeded, interp.ExecutionFailed, interp.ExecutionAborted, interp.ExecutionTimedOut:
		return true
	}
	return false
}
