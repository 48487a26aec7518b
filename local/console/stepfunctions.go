package console

import (
	"context"
	"encoding/json"
	"sync"
	"time"
)

// The Step Functions API's shapes, as far as the console reads them.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html

type machineItem struct {
	StateMachineArn string    `json:"stateMachineArn"`
	Name            string    `json:"name"`
	Type            string    `json:"type"`
	CreationDate    epochTime `json:"creationDate"`
}

type executionItem struct {
	ExecutionArn    string     `json:"executionArn"`
	StateMachineArn string     `json:"stateMachineArn"`
	Name            string     `json:"name"`
	Status          string     `json:"status"`
	StartDate       epochTime  `json:"startDate"`
	StopDate        *epochTime `json:"stopDate"`
}

type describedExecution struct {
	ExecutionArn    string     `json:"executionArn"`
	StateMachineArn string     `json:"stateMachineArn"`
	Name            string     `json:"name"`
	Status          string     `json:"status"`
	StartDate       epochTime  `json:"startDate"`
	StopDate        *epochTime `json:"stopDate"`
	Input           string     `json:"input"`
	Output          string     `json:"output"`
	Error           string     `json:"error"`
	Cause           string     `json:"cause"`
	// Redrive (RedriveExecution): how many times, when last, and whether it can be now.
	RedriveCount        int        `json:"redriveCount"`
	RedriveDate         *epochTime `json:"redriveDate"`
	RedriveStatus       string     `json:"redriveStatus"`
	RedriveStatusReason string     `json:"redriveStatusReason"`
}

func (c *Console) listMachines(ctx context.Context) ([]machineItem, error) {
	var all []machineItem
	token := ""
	for range 100 {
		var out struct {
			StateMachines []machineItem `json:"stateMachines"`
			NextToken     string        `json:"nextToken"`
		}
		in := map[string]any{"maxResults": 1000}
		if token != "" {
			in["nextToken"] = token
		}
		if err := c.sfn.Call(ctx, "AWSStepFunctions.ListStateMachines", in, &out); err != nil {
			return nil, err
		}
		all = append(all, out.StateMachines...)
		if token = out.NextToken; token == "" {
			break
		}
	}
	// The pipeline's machine first.
	for i, m := range all {
		if m.StateMachineArn == c.machine && i > 0 {
			all[0], all[i] = all[i], all[0]
		}
	}
	return all, nil
}

// listPage is one page of ListExecutions.
func (c *Console) listPage(ctx context.Context, machine, status, token string, n int) ([]executionItem, string, error) {
	in := map[string]any{"stateMachineArn": machine, "maxResults": n}
	if status != "" {
		in["statusFilter"] = status
	}
	if token != "" {
		in["nextToken"] = token
	}
	var out struct {
		Executions []executionItem `json:"executions"`
		NextToken  string          `json:"nextToken"`
	}
	if err := c.sfn.Call(ctx, "AWSStepFunctions.ListExecutions", in, &out); err != nil {
		return nil, "", err
	}
	return out.Executions, out.NextToken, nil
}

func (c *Console) describe(ctx context.Context, arn string) (*describedExecution, error) {
	var d describedExecution
	if err := c.sfn.Call(ctx, "AWSStepFunctions.DescribeExecution", map[string]string{"executionArn": arn}, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// history reads the whole history, oldest first, page by page.
func (c *Console) history(ctx context.Context, arn string) ([]*Event, error) {
	var events []*Event
	token := ""
	for {
		var out struct {
			Events    []json.RawMessage `json:"events"`
			NextToken string            `json:"nextToken"`
		}
		in := map[string]any{"executionArn": arn, "maxResults": 1000}
		if token != "" {
			in["nextToken"] = token
		}
		if err := c.sfn.Call(ctx, "AWSStepFunctions.GetExecutionHistory", in, &out); err != nil {
			return nil, err
		}
		for _, raw := range out.Events {
			ev, err := decodeEvent(raw)
			if err != nil {
				return nil, err
			}
			events = append(events, &ev)
		}
		if token = out.NextToken; token == "" {
			return events, nil
		}
	}
}

// objectRef is the S3 object an execution was started for, read from its input (the EventBridge "Object
// Created" event: detail.bucket.name and detail.object.key).
type objectRef struct {
	Bucket, Key string
}

func objectOf(input string) objectRef {
	var in struct {
		Detail struct {
			Bucket struct {
				Name string `json:"name"`
			} `json:"bucket"`
			Object struct {
				Key string `json:"key"`
			} `json:"object"`
		} `json:"detail"`
	}
	_ = json.Unmarshal([]byte(input), &in)
	return objectRef{in.Detail.Bucket.Name, in.Detail.Object.Key}
}

// outcomeOf is what became of the pipeline's object: stored, duplicate, rejected, or the status.
func outcomeOf(d *describedExecution) string {
	if d.Status != "SUCCEEDED" {
		return lowerStatus(d.Status)
	}
	var out struct {
		Stored *struct {
			Output struct {
				Outcome string `json:"outcome"`
			} `json:"output"`
		} `json:"stored"`
		Quarantined json.RawMessage `json:"quarantined"`
	}
	if json.Unmarshal([]byte(d.Output), &out) != nil {
		return "succeeded"
	}
	switch {
	case out.Stored != nil && out.Stored.Output.Outcome != "":
		return out.Stored.Output.Outcome
	case out.Quarantined != nil:
		return "rejected"
	}
	return "succeeded"
}

func lowerStatus(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if ch >= 'A' && ch <= 'Z' {
			b[i] = ch + 'a' - 'A'
		}
	}
	return string(b)
}

// info is what the list shows of an execution beyond ListExecutions: read once from DescribeExecution
// (an ended execution never changes).
type info struct {
	Key, Outcome string
}

// infoCache keeps the info of ended executions, up to a bound (then it forgets an arbitrary half).
type infoCache struct {
	mu  sync.Mutex
	max int
	m   map[string]info
}

func newInfoCache(n int) *infoCache { return &infoCache{max: n, m: map[string]info{}} }

func (ic *infoCache) get(arn string) (info, bool) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	i, ok := ic.m[arn]
	return i, ok
}

func (ic *infoCache) put(arn string, i info) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if len(ic.m) >= ic.max {
		n := 0
		for k := range ic.m {
			delete(ic.m, k)
			if n++; n >= ic.max/2 {
				break
			}
		}
	}
	ic.m[arn] = i
}

// infoOf reads (or recalls) an execution's object key and outcome.
func (c *Console) infoOf(ctx context.Context, it executionItem) info {
	if i, ok := c.cache.get(it.ExecutionArn); ok {
		return i
	}
	d, err := c.describe(ctx, it.ExecutionArn)
	if err != nil {
		return info{}
	}
	i := info{Key: objectOf(d.Input).Key, Outcome: outcomeOf(d)}
	if d.Status != "RUNNING" {
		c.cache.put(it.ExecutionArn, i)
	}
	return i
}

func stopOf(it executionItem) time.Time {
	if it.StopDate == nil {
		return time.Time{}
	}
	return time.Time(*it.StopDate)
}
