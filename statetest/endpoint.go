package statetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// Endpoint runs cases through a Step Functions API (a running local stack, Step Functions Local, or AWS)
// on the state machine named by the case file's stateMachineName, which must exist there. A case whose
// mocks come from the mock configuration file starts on "<stateMachineArn>#<TestCase>", as Step
// Functions Local serves mocked test cases, so the endpoint must have loaded the same mock file
// (SFN_MOCK_CONFIG); a case without mocks starts on the machine itself and calls the real integrations;
// mocks written in the case file cannot be sent and fail the case. The definition's coverage is computed
// from GetExecutionHistory.
type Endpoint struct {
	Client *sfn.Client
	// Poll is the interval between DescribeExecution calls (100ms when zero); Timeout bounds one case
	// (10 minutes when zero: against a real clock, retry back-off takes real time).
	Poll, Timeout time.Duration

	once sync.Once
	arn  string
	err  error
}

var _ Runner = (*Endpoint)(nil)

// machineArn finds the state machine by name, once.
func (e *Endpoint) machineArn(ctx context.Context, name string) (string, error) {
	e.once.Do(func() {
		p := sfn.NewListStateMachinesPaginator(e.Client, &sfn.ListStateMachinesInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				e.err = fmt.Errorf("list state machines: %w", err)
				return
			}
			for _, m := range page.StateMachines {
				if aws.ToString(m.Name) == name {
					e.arn = aws.ToString(m.StateMachineArn)
					return
				}
			}
		}
		e.err = fmt.Errorf("the endpoint has no state machine named %q", name)
	})
	return e.arn, e.err
}

// RunCase starts c's execution, waits for its end and reads its history.
func (e *Endpoint) RunCase(ctx context.Context, s *Suite, c Case) (Outcome, error) {
	if len(c.Mocks) > 0 {
		return Outcome{}, errInlineMocks
	}
	arn, err := e.machineArn(ctx, s.Cases.StateMachineName)
	if err != nil {
		return Outcome{}, err
	}
	if tc := s.Cases.mockCaseName(c); tc != "" {
		arn += "#" + tc
	}
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	name := c.Name
	if len(name) > 70 {
		name = name[:70]
	}
	started, err := e.Client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(arn), Input: aws.String(s.Cases.input(c)),
		Name: aws.String(name + "-" + hex.EncodeToString(suffix[:])),
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("start execution on %s: %w", arn, err)
	}
	poll, timeout := e.Poll, e.Timeout
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d *sfn.DescribeExecutionOutput
	for {
		d, err = e.Client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: started.ExecutionArn})
		if err != nil {
			return Outcome{}, fmt.Errorf("describe execution: %w", err)
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			break
		}
		select {
		case <-ctx.Done():
			return Outcome{}, fmt.Errorf("execution %s still running: %w", aws.ToString(started.ExecutionArn), ctx.Err())
		case <-time.After(poll):
		}
	}
	out := Outcome{Status: string(d.Status), Output: aws.ToString(d.Output), Error: aws.ToString(d.Error), Cause: aws.ToString(d.Cause)}
	p := sfn.NewGetExecutionHistoryPaginator(e.Client, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return Outcome{}, fmt.Errorf("get execution history: %w", err)
		}
		out.Events = append(out.Events, EventsFromAPI(page.Events)...)
	}
	return out, nil
}

// EventsFromAPI converts a GetExecutionHistory page.
func EventsFromAPI(h []sfntypes.HistoryEvent) []Event {
	out := make([]Event, 0, len(h))
	for _, ev := range h {
		e := Event{Type: string(ev.Type)}
		switch {
		case ev.StateEnteredEventDetails != nil:
			e.State, e.Input = aws.ToString(ev.StateEnteredEventDetails.Name), aws.ToString(ev.StateEnteredEventDetails.Input)
		case ev.StateExitedEventDetails != nil:
			e.State, e.Output = aws.ToString(ev.StateExitedEventDetails.Name), aws.ToString(ev.StateExitedEventDetails.Output)
		case ev.TaskFailedEventDetails != nil:
			e.Error = aws.ToString(ev.TaskFailedEventDetails.Error)
		case ev.TaskTimedOutEventDetails != nil:
			e.Error = aws.ToString(ev.TaskTimedOutEventDetails.Error)
		case ev.LambdaFunctionFailedEventDetails != nil:
			e.Error = aws.ToString(ev.LambdaFunctionFailedEventDetails.Error)
		case ev.LambdaFunctionTimedOutEventDetails != nil:
			e.Error = aws.ToString(ev.LambdaFunctionTimedOutEventDetails.Error)
		}
		out = append(out, e)
	}
	return out
}
