package events

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"
)

// pending is one event queued for one target.
type pending struct {
	id                string
	ruleARN, ruleName string
	t                 *target
	ev                *routed
	input             []byte
	attempt           int
	due               time.Time
}

// route matches an event against the enabled rules and queues a delivery per
// target of every rule that matches. The deliveries are on disk (with a Queue)
// before they are queued; an error means the event was not accepted.
func (s *Service) route(_ context.Context, ev *routed) error {
	s.mu.Lock()
	now := s.clock.Now()
	var added []*pending
	for _, r := range s.rules {
		if !r.enabled() || r.pattern == nil || len(r.targets) == 0 {
			continue
		}
		ok, err := r.pattern.Match(ev.raw)
		if err != nil || !ok {
			continue
		}
		arn := s.ruleARN(r.Name)
		for _, t := range r.targets {
			added = append(added, &pending{id: s.nextPendingID(), ruleARN: arn, ruleName: r.Name, t: t, ev: ev,
				input: targetInput(t, arn, r.Name, ev), due: now})
		}
	}
	s.mu.Unlock()
	if len(added) == 0 {
		return nil
	}
	// Outside the lock, so that concurrent events share the queue's fsyncs.
	err := s.journalAdd(added)
	s.mu.Lock()
	if err != nil {
		s.storeErr = err
		s.mu.Unlock()
		return err
	}
	s.queue = append(s.queue, added...)
	s.mu.Unlock()
	s.signal()
	return nil
}

func (s *Service) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Pending returns how many deliveries are unfinished: queued (due or waiting
// to retry) or being attempted.
func (s *Service) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue) + s.inflight
}

// DeliverDue makes every delivery attempt that is due now, waits for them,
// and returns how many it made. Failed attempts are rescheduled or moved to
// the dead-letter list.
func (s *Service) DeliverDue(ctx context.Context) int {
	var wg sync.WaitGroup
	n := s.dispatchDue(ctx, &wg)
	wg.Wait()
	return n
}

// dispatchDue starts an attempt for every delivery due now, at most
// WithConcurrency at a time across the service, and returns how many it
// started; wg tracks them.
func (s *Service) dispatchDue(ctx context.Context, wg *sync.WaitGroup) int {
	now := s.clock.Now()
	s.mu.Lock()
	var due []*pending
	rest := s.queue[:0]
	for _, p := range s.queue {
		if !p.due.After(now) {
			due = append(due, p)
		} else {
			rest = append(rest, p)
		}
	}
	clear(s.queue[len(rest):])
	s.queue = rest
	s.inflight += len(due)
	s.mu.Unlock()

	for _, p := range due {
		s.slots <- struct{}{}
		wg.Add(1)
		s.dispatch(ctx, func() {
			defer func() {
				s.mu.Lock()
				s.inflight--
				s.mu.Unlock()
				<-s.slots
				wg.Done()
			}()
			s.attempt(ctx, p)
		})
	}
	return len(due)
}

// delivererIdle is how long a goroutine that made a delivery attempt waits for another before it ends.
const delivererIdle = 10 * time.Second

// dispatch runs attempt on an idle delivery goroutine, or on a new one when none waits (internal/kept):
// the stack each grew for a delivery (the target's call, a Step Functions StartExecution and its journal)
// serves the next one. A goroutine waiting for an attempt ends with ctx, that of the dispatch that
// started it.
func (s *Service) dispatch(ctx context.Context, attempt func()) {
	s.deliverers.Go(ctx.Done(), attempt)
}

// errNoDeliverer fails deliveries when the host supplied no Deliverer.
var errNoDeliverer = notRetryable{code: "NO_DELIVERER", msg: "no deliverer is configured for target deliveries"}

type notRetryable struct{ code, msg string }

func (e notRetryable) Error() string     { return e.msg }
func (e notRetryable) Retryable() bool   { return false }
func (e notRetryable) ErrorCode() string { return e.code }

// attempt delivers once and decides what happens after a failure.
func (s *Service) attempt(ctx context.Context, p *pending) {
	var err error
	if s.deliverer == nil {
		err = errNoDeliverer
	} else {
		err = s.deliverer.Deliver(ctx, Delivery{RuleARN: p.ruleARN, RuleName: p.ruleName, TargetID: p.t.ID,
			TargetARN: p.t.Arn, RoleARN: p.t.RoleArn, Input: p.input, EventID: p.ev.id, Attempt: p.attempt})
	}
	if err == nil {
		s.journalDone(p)
		return
	}
	now := s.clock.Now()
	condition := ""
	var r interface{ Retryable() bool }
	switch {
	case errors.As(err, &r) && !r.Retryable():
		// Not retried: AWS sends such failures straight to the DLQ.
	case int64(p.attempt) >= p.t.RetryPolicy.MaximumRetryAttempts:
		condition = "MaximumRetryAttempts"
	default:
		next := now.Add(s.backoff(p.attempt))
		if next.Sub(p.ev.ingested) > time.Duration(p.t.RetryPolicy.MaximumEventAgeInSeconds)*time.Second {
			condition = "MaximumEventAgeInSeconds"
			break
		}
		p.attempt++
		p.due = next
		s.mu.Lock()
		s.queue = append(s.queue, p)
		s.mu.Unlock()
		s.signal()
		return
	}
	if s.deadLetter(p, err, condition, now) != nil {
		// Not on disk as a dead letter: leave the delivery unfinished on disk, so that it is
		// made again after a restart rather than lost.
		return
	}
	s.journalDone(p)
}

// backoff is the delay before retry number attempt+1: exponential from the
// base, capped, with half of it random ("equal jitter").
func (s *Service) backoff(attempt int) time.Duration {
	d := s.backoffMax
	if attempt < 30 {
		d = min(s.backoffBase<<attempt, s.backoffMax)
	}
	half := d / 2
	return half + time.Duration(s.random(int64(half)+1))
}

// deadLetter records a delivery that will not be retried. It stays in the list even when
// saving it fails (the error is logged and returned).
func (s *Service) deadLetter(p *pending, err error, condition string, now time.Time) error {
	code := "DELIVERY_FAILED"
	var c interface{ ErrorCode() string }
	if errors.As(err, &c) && c.ErrorCode() != "" {
		code = c.ErrorCode()
	}
	attrs := map[string]string{
		"RULE_ARN":       p.ruleARN,
		"TARGET_ARN":     p.t.Arn,
		"ERROR_CODE":     code,
		"ERROR_MESSAGE":  err.Error(),
		"RETRY_ATTEMPTS": strconv.Itoa(p.attempt),
	}
	if condition != "" {
		attrs["EXHAUSTED_RETRY_CONDITION"] = condition
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deadSeq++
	s.dead = append(s.dead, DeadLetter{
		ID: "dl-" + s.epoch + "-" + strconv.FormatInt(s.deadSeq, 10), Event: p.ev.raw, Input: p.input,
		RuleName: p.ruleName, TargetID: p.t.ID, TargetARN: p.t.Arn, RoleARN: p.t.RoleArn,
		DeadLetterARN: p.t.DeadLetterArn, Attributes: attrs, Time: now.UTC(),
	})
	if err := s.saveLocked(); err != nil {
		s.log.Error("events: save dead letter failed; the delivery will be made again after a restart", "delivery", p.id, "err", err)
		return err
	}
	return nil
}

// Run delivers queued events as they fall due until ctx is done, without
// waiting for one batch to finish before starting the next; on return it has
// waited for the attempts it started. The stack runs it in a goroutine; tests
// call DeliverDue instead.
func (s *Service) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		s.dispatchDue(ctx, &wg)
		wait := time.Hour
		s.mu.Lock()
		now := s.clock.Now()
		for _, p := range s.queue {
			wait = min(wait, p.due.Sub(now))
		}
		s.mu.Unlock()
		if wait <= 0 {
			continue
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-s.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}
