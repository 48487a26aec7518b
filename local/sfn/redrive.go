package sfn

import (
	"context"
	"time"

	"github.com/sluicehq/sluice/asl/interp"
)

// RedriveExecution: a FAILED, ABORTED or TIMED_OUT standard execution continues from the state that did not
// succeed, with the same ARN, input, start date and definition (the one it started with, whatever
// UpdateStateMachine did since), its history followed by ExecutionRedriven and the redriven part; the engine
// reruns only the Parallel branches and inline Map iterations that did not succeed (asl/interp/redrive.go).
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html
// https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html

// The limits of redrive.
const (
	// redrivablePeriod: an execution can be redriven within 14 days of its stop.
	redrivablePeriod = 14 * 24 * time.Hour
	// maxExecutionTime: a standard execution runs at most a year, redrives included.
	maxExecutionTime = 365 * 24 * time.Hour
	// maxRedrives is how many times one execution can be redriven.
	maxRedrives = 1000
	// redriveHistoryLimit: the history must leave room for the redrive (AWS: fewer than 24,999 events).
	redriveHistoryLimit = 24999
	// clientTokenTTL and clientTokensKept: RedriveExecution answers idempotently for the last 10 client
	// tokens of successful redrives, each for 15 minutes after its first use.
	clientTokenTTL   = 15 * time.Minute
	clientTokensKept = 10
)

// Redrive statuses and the reasons AWS gives for NOT_REDRIVABLE (DescribeExecution's redriveStatusReason;
// the text of "Execution is SUCCEEDED and cannot be redriven" is as recorded from AWS in the shared
// conformance cases). RedriveExecution answers ExecutionNotRedrivable with the reason as its message.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
const (
	redrivable    = "REDRIVABLE"
	notRedrivable = "NOT_REDRIVABLE"

	reasonDeleting     = "State machine is in DELETING status"
	reasonRunning      = "Execution is RUNNING and cannot be redriven"
	reasonSucceeded    = "Execution is SUCCEEDED and cannot be redriven"
	reasonBeforeLaunch = "Execution was started before the launch of RedriveExecution"
	reasonHistory      = "Execution history event limit exceeded"
	reasonMaxTime      = "Execution has exceeded the max execution time"
	reasonPeriod       = "Execution redrivable period exceeded"
	// Not in AWS's list of reasons: the one this service gives when the redrive limit is reached.
	reasonRedriveLimit = "Execution has reached the maximum number of redrives"
)

// redriveToken is a client token of a successful redrive, kept for idempotent answers.
type redriveToken struct {
	Token string    `json:"token"`
	Used  time.Time `json:"used"` // when first used
	Date  time.Time `json:"date"` // the redriveDate answered
}

type redriveExecutionInput struct {
	ExecutionArn string  `json:"executionArn"`
	ClientToken  *string `json:"clientToken"`
}

// redriveStatus tells whether v can be redriven now, and why not.
func (s *Service) redriveStatus(v execView, now time.Time) (status, reason string) {
	switch v.status {
	case interp.StatusRunning:
		return notRedrivable, reasonRunning
	case interp.StatusSucceeded:
		return notRedrivable, reasonSucceeded
	}
	s.mu.RLock()
	m := s.machines[v.rec.MachineArn]
	s.mu.RUnlock()
	switch {
	case m == nil || m.deleting:
		return notRedrivable, reasonDeleting
	case !v.hasRedrivePoint():
		// Ended before this service kept redrive points (or a history limit was reached: see below).
		if v.eventCount() >= redriveHistoryLimit {
			return notRedrivable, reasonHistory
		}
		return notRedrivable, reasonBeforeLaunch
	case v.eventCount() >= redriveHistoryLimit:
		return notRedrivable, reasonHistory
	case now.Sub(v.rec.Start) >= maxExecutionTime:
		return notRedrivable, reasonMaxTime
	case now.Sub(v.end.Stop) > redrivablePeriod:
		return notRedrivable, reasonPeriod
	case v.rec.RedriveCount >= maxRedrives:
		return notRedrivable, reasonRedriveLimit
	}
	return redrivable, ""
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html
func (s *Service) redriveExecution(ctx context.Context, body []byte) (any, error) {
	var in redriveExecutionInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	token := ""
	if in.ClientToken != nil {
		token = *in.ClientToken
		if err := checkClientToken(token); err != nil {
			return nil, err
		}
	}
	date, err := s.Redrive(ctx, in.ExecutionArn, token)
	if err != nil {
		return nil, err
	}
	return struct {
		RedriveDate epoch `json:"redriveDate"`
	}{epoch(date)}, nil
}

// checkClientToken applies the API's constraints on clientToken: 1 to 64 printable ASCII characters.
func checkClientToken(token string) error {
	if len(token) < 1 || len(token) > 64 {
		return validationErrorf("Value '%s' at 'clientToken' failed to satisfy constraint: Member must have length less than or equal to 64", token)
	}
	for i := 0; i < len(token); i++ {
		if token[i] < '!' || token[i] > '~' {
			return validationErrorf("Value '%s' at 'clientToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [!-~]+", token)
		}
	}
	return nil
}

// Redrive redrives an execution, as RedriveExecution does, and returns the redrive date. A clientToken
// ("" for none) used for a successful redrive of this execution in the last 15 minutes answers that
// redrive's date again without redriving. The console and the CLI use it.
func (s *Service) Redrive(ctx context.Context, arn, clientToken string) (time.Time, error) {
	v, err := s.view(arn, true)
	if err != nil {
		return time.Time{}, err
	}
	if v.live != nil && v.status != interp.StatusRunning {
		// Ended, and on its way to the history store: redrive it from there.
		select {
		case <-v.live.ended:
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		}
		if v, err = s.view(arn, true); err != nil {
			return time.Time{}, err
		}
		if v.live != nil && v.status != interp.StatusRunning {
			return time.Time{}, errNotSaved // the history store refused it (a full disk): kept in memory
		}
	}
	now := s.clock.Now().UTC()
	if clientToken != "" {
		for _, t := range v.rec.RedriveTokens {
			if t.Token == clientToken && now.Sub(t.Used) <= clientTokenTTL {
				return t.Date, nil
			}
		}
	}
	if status, reason := s.redriveStatus(v, now); status != redrivable {
		return time.Time{}, apiErrorf(CodeExecutionNotRedrivable, "%s", reason)
	}
	compiled, err := s.compile(v.rec.Definition)
	if err != nil {
		return time.Time{}, err
	}
	rec := v.rec
	rec.RedriveCount++
	rec.RedriveDate = now
	if clientToken != "" {
		tokens := append([]redriveToken(nil), rec.RedriveTokens...)
		tokens = append(tokens, redriveToken{Token: clientToken, Used: now, Date: now})
		rec.RedriveTokens = tokens[max(0, len(tokens)-clientTokensKept):]
	}
	snap := v.point.Redrive(now)
	e := &execution{
		rec:    rec,
		status: interp.StatusRunning,
		ended:  make(chan struct{}),
		events: append([]interp.HistoryEvent(nil), v.events...),
	}
	e.journaled, e.snap = len(e.events), &snap

	release := s.holdJournal()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		release()
		return time.Time{}, apiErrorf(CodeInternalFailure, "the service is shutting down")
	}
	if s.executions[arn] != nil {
		s.mu.Unlock()
		release()
		return time.Time{}, apiErrorf(CodeExecutionNotRedrivable, "%s", reasonRunning) // redriven meanwhile
	}
	s.executions[arn] = e
	s.byMachine[rec.MachineArn] = append(s.byMachine[rec.MachineArn], e)
	s.mu.Unlock()
	// The redrive is durable before the API answers: a restart resumes it from this record.
	if err := s.persist(&record{Kind: kindRedrive, Execution: &e.rec, Events: e.events, Snapshot: &snap}); err != nil {
		s.forget(e)
		release()
		return time.Time{}, err
	}
	release()
	s.launch(compiled, e, func(ctx context.Context, opts []interp.ExecOption) *interp.Execution {
		run, err := compiled.Resume(ctx, snap, opts...)
		if err != nil {
			// Not for the definition the execution started with, which is the one compiled here.
			s.logger.Error("step functions: redrive point not resumable", "execution", arn, "err", err)
			input, derr := decodeInput(rec.Input)
			if derr != nil {
				input = map[string]any{}
			}
			return compiled.Start(ctx, input, opts...)
		}
		return run
	})
	return now, nil
}

// redriveFilter applies ListExecutions' redriveFilter.
func redriveFilter(filter string, count int) bool {
	switch filter {
	case "REDRIVEN":
		return count > 0
	case "NOT_REDRIVEN":
		return count == 0
	}
	return true
}
