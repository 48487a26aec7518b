package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/asl"
)

type executionData struct {
	Exec       *describedExecution
	Start      time.Time
	Stop       time.Time
	Duration   time.Duration
	Running    bool
	Graph      *Graph
	GraphError string
	States     []*StateDetail
	Events     []HistoryRow
	EventTypes []string
	Timeline   Timeline
	Object     objectRef
	Outputs    []OutputLink
	Input      string
	Output     string
	Legend     []string
	Definition string
	Outcome    string
	Failed     *Visit
}

// StateDetail is what the side panel shows when a state is clicked.
type StateDetail struct {
	Name, Type, Status string
	Flow               []FlowField // the state's data-flow fields, as the definition sets them
	Retry              []string
	Catch              []string
	Visits             []VisitDetail
}

// FlowField is one data-flow field of a state's definition ("InputPath": "$.detail").
type FlowField struct{ Name, Value string }

// VisitDetail is one entry into the state.
type VisitDetail struct {
	N          int
	Iteration  int // the Map iteration's index, or -1
	Status     string
	Entered    time.Time
	Duration   time.Duration
	Input      string
	Parameters string
	Result     string
	Output     string
	Error      string
	Cause      string
	Attempts   []AttemptDetail
	Steps      []FlowStep
}

// AttemptDetail is one try of a task.
type AttemptDetail struct {
	N         int
	Scheduled time.Time
	Delay     time.Duration
	Duration  time.Duration
	Ended     bool
	Error     string
	Cause     string
	Function  string
	RequestID string
	Logs      []string
	LogNote   string
}

// HistoryRow is one row of the history table: the event as GetExecutionHistory answers it.
type HistoryRow struct {
	ID, Prev  int64
	Type      string
	State     string
	Resource  string
	Elapsed   time.Duration
	Timestamp time.Time
	Details   string
	Kind      string // failed, succeeded, started, ...
}

// OutputLink is an object the execution read or wrote.
type OutputLink struct{ Label, Key string }

func (c *Console) execution(w http.ResponseWriter, r *http.Request) {
	arn := r.URL.Query().Get("arn")
	d, err := c.loadExecution(r.Context(), arn)
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.Status < 500 {
			c.fail(w, r, http.StatusNotFound, err)
			return
		}
		c.fail(w, r, http.StatusBadGateway, err)
		return
	}
	c.render(w, r, "execution", page{Title: d.Exec.Name, Nav: "executions", Data: d})
}

func (c *Console) loadExecution(ctx context.Context, arn string) (*executionData, error) {
	exec, err := c.describe(ctx, arn)
	if err != nil {
		return nil, err
	}
	var def struct {
		Definition string `json:"definition"`
	}
	if err := c.sfn.Call(ctx, "AWSStepFunctions.DescribeStateMachineForExecution", map[string]string{"executionArn": arn}, &def); err != nil {
		return nil, err
	}
	events, err := c.history(ctx, arn)
	if err != nil {
		return nil, err
	}
	now := c.now()
	d := &executionData{Exec: exec, Start: time.Time(exec.StartDate), Running: exec.Status == "RUNNING",
		Object: objectOf(exec.Input), Input: indentJSON(exec.Input), Output: indentJSON(exec.Output),
		Definition: indentJSON(def.Definition), Outcome: outcomeOf(exec),
		Legend: []string{StatusInProgress, StatusSucceeded, StatusFailed, StatusCaught, StatusCancelled, StatusNotStarted}}
	if exec.StopDate != nil {
		d.Stop = time.Time(*exec.StopDate)
		d.Duration = d.Stop.Sub(d.Start)
	} else {
		d.Duration = now.Sub(d.Start)
	}
	visits := analyse(events, exec.Status)
	status, retries := stateStatus(visits)

	sm, perr := asl.Parse([]byte(def.Definition))
	if perr != nil {
		d.GraphError = perr.Error()
	} else {
		d.Graph = Layout(sm)
		for _, n := range d.Graph.Nodes {
			n.Status = status[n.Name]
			if n.Status == "" {
				n.Status = StatusNotStarted
			}
			n.Retries = retries[n.Name]
		}
	}
	rawStates := rawStateDefs(def.Definition)
	d.States = c.stateDetails(ctx, sm, rawStates, visits, status, exec.ExecutionArn, now)
	d.Events, d.EventTypes = historyRows(events, visits, d.Start)
	d.Timeline = timeline(visits, d.Start, d.Start.Add(d.Duration), now)
	for _, v := range visits {
		if v.Status == StatusFailed && v.Type != "Fail" {
			d.Failed = v
		}
	}
	d.Outputs = c.outputs(ctx, d.Object, visits)
	return d, nil
}

// rawStateDefs maps each state name (at any depth) to its definition's JSON object.
func rawStateDefs(definition string) map[string]map[string]json.RawMessage {
	out := map[string]map[string]json.RawMessage{}
	var walk func(states map[string]json.RawMessage)
	walk = func(states map[string]json.RawMessage) {
		for name, raw := range states {
			var fields map[string]json.RawMessage
			if json.Unmarshal(raw, &fields) != nil {
				continue
			}
			out[name] = fields
			var nested struct {
				Branches []struct {
					States map[string]json.RawMessage
				}
				ItemProcessor, Iterator *struct {
					States map[string]json.RawMessage
				}
			}
			_ = json.Unmarshal(raw, &nested)
			for _, b := range nested.Branches {
				walk(b.States)
			}
			for _, p := range []*struct{ States map[string]json.RawMessage }{nested.ItemProcessor, nested.Iterator} {
				if p != nil {
					walk(p.States)
				}
			}
		}
	}
	var top struct {
		States map[string]json.RawMessage
	}
	_ = json.Unmarshal([]byte(definition), &top)
	walk(top.States)
	return out
}

// flowFieldNames are the data-flow fields in the order Step Functions applies them.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html
var flowFieldNames = []string{"InputPath", "Parameters", "Arguments", "ItemsPath", "ItemSelector", "ResultSelector", "ResultPath", "OutputPath", "Output", "Assign"}

func (c *Console) stateDetails(ctx context.Context, sm *asl.StateMachine, raw map[string]map[string]json.RawMessage,
	visits []*Visit, status map[string]string, execArn string, now time.Time) []*StateDetail {
	byName := map[string]*StateDetail{}
	var names []string
	for name, fields := range raw {
		sd := &StateDetail{Name: name, Status: status[name]}
		if sd.Status == "" {
			sd.Status = StatusNotStarted
		}
		var t string
		_ = json.Unmarshal(fields["Type"], &t)
		sd.Type = t
		for _, f := range flowFieldNames {
			if v, ok := fields[f]; ok {
				sd.Flow = append(sd.Flow, FlowField{f, compactJSON(v)})
			}
		}
		var rc struct {
			Retry []struct {
				ErrorEquals     []string
				IntervalSeconds *float64
				MaxAttempts     *int
				BackoffRate     *float64
				MaxDelaySeconds *int
				JitterStrategy  string
			}
			Catch []struct {
				ErrorEquals []string
				Next        string
				ResultPath  *string
			}
		}
		b, _ := json.Marshal(fields)
		_ = json.Unmarshal(b, &rc)
		for _, r := range rc.Retry {
			interval, attempts, rate := 1.0, 3, 2.0
			if r.IntervalSeconds != nil {
				interval = *r.IntervalSeconds
			}
			if r.MaxAttempts != nil {
				attempts = *r.MaxAttempts
			}
			if r.BackoffRate != nil {
				rate = *r.BackoffRate
			}
			s := fmt.Sprintf("%s: up to %d retries, %gs × %g", strings.Join(r.ErrorEquals, ", "), attempts, interval, rate)
			if r.MaxDelaySeconds != nil {
				s += fmt.Sprintf(", at most %ds", *r.MaxDelaySeconds)
			}
			if r.JitterStrategy != "" {
				s += ", jitter " + r.JitterStrategy
			}
			sd.Retry = append(sd.Retry, s)
		}
		for _, ct := range rc.Catch {
			s := strings.Join(ct.ErrorEquals, ", ") + " → " + ct.Next
			if ct.ResultPath != nil {
				s += " (ResultPath " + *ct.ResultPath + ")"
			}
			sd.Catch = append(sd.Catch, s)
		}
		byName[name] = sd
		names = append(names, name)
	}
	sort.Strings(names)
	for _, v := range visits {
		sd := byName[v.State]
		if sd == nil {
			continue
		}
		vd := VisitDetail{N: len(sd.Visits) + 1, Iteration: v.Iteration, Status: v.Status, Entered: v.Entered.Timestamp, Duration: v.Duration(now),
			Input: indentJSON(v.Entered.Details.Input)}
		if v.Exited != nil {
			vd.Output = indentJSON(v.Exited.Details.Output)
		}
		if v.Failure != nil {
			vd.Error, vd.Cause = v.Failure.Details.Error, indentJSON(v.Failure.Details.Cause)
		}
		vd.Steps = flowSteps(raw[v.State], v)
		for _, a := range v.Attempts {
			ad := AttemptDetail{N: a.N, Scheduled: a.Scheduled.Timestamp, Delay: a.Delay, Error: a.Error, Cause: indentJSON(a.Cause),
				RequestID: a.RequestID}
			if a.End != nil {
				ad.Ended = true
				ad.Duration = a.End.Timestamp.Sub(a.Scheduled.Timestamp)
			} else {
				ad.Duration = now.Sub(a.Scheduled.Timestamp)
			}
			vd.Parameters = indentJSON(a.Scheduled.Details.Parameters)
			if a.Output != "" {
				vd.Result = indentJSON(a.Output)
			}
			ad.Function = functionOf(a.Scheduled)
			c.attachLogs(ctx, &ad, a, execArn)
			vd.Attempts = append(vd.Attempts, ad)
		}
		sd.Visits = append(sd.Visits, vd)
	}
	out := make([]*StateDetail, 0, len(names))
	for _, n := range names {
		out = append(out, byName[n])
	}
	return out
}

// functionOf is the Lambda function a task attempt invoked: the FunctionName parameter of
// arn:aws:states:::lambda:invoke, or the resource of a bare function ARN.
func functionOf(scheduled *Event) string {
	fn := ""
	if strings.HasPrefix(scheduled.Type, "LambdaFunction") {
		fn = scheduled.Details.Resource
	} else if scheduled.Details.ResourceType == "lambda" {
		var p struct{ FunctionName string }
		_ = json.Unmarshal([]byte(scheduled.Details.Parameters), &p)
		fn = p.FunctionName
	}
	if i := strings.Index(fn, ":function:"); i >= 0 {
		fn = fn[i+len(":function:"):]
		if j := strings.IndexByte(fn, ':'); j >= 0 {
			fn = fn[:j]
		}
	}
	return fn
}

// attachLogs finds the log of the invocation an attempt made: by the request id its result carries, else
// the one invocation of the function in the attempt's time window that logged this execution's ARN.
func (c *Console) attachLogs(ctx context.Context, ad *AttemptDetail, a *Attempt, execArn string) {
	if c.logs == nil || ad.Function == "" {
		return
	}
	from := a.Scheduled.Timestamp.Add(-time.Second)
	to := c.now().Add(time.Second)
	if a.End != nil {
		to = a.End.Timestamp.Add(time.Second)
	}
	invs, err := c.logs.Invocations(ctx, ad.Function, from, to)
	if err != nil {
		ad.LogNote = "logs unavailable: " + err.Error()
		return
	}
	var pick *Invocation
	for i := range invs {
		if ad.RequestID != "" && invs[i].RequestID == ad.RequestID {
			pick = &invs[i]
			break
		}
	}
	if pick == nil && ad.RequestID == "" {
		var cands []*Invocation
		for i := range invs {
			if strings.Contains(strings.Join(invs[i].Lines, "\n"), execArn) {
				cands = append(cands, &invs[i])
			}
		}
		if len(cands) == 0 && len(invs) == 1 {
			cands = append(cands, &invs[0]) // the only invocation of the function at that time
		}
		// An attempt's invocation starts after it was scheduled; with several, take the first.
		if len(cands) > 0 {
			sort.Slice(cands, func(i, j int) bool { return cands[i].Start.Before(cands[j].Start) })
			for _, cand := range cands {
				if !cand.Start.Before(a.Scheduled.Timestamp.Add(-50 * time.Millisecond)) {
					pick = cand
					break
				}
			}
			if pick == nil {
				pick = cands[len(cands)-1]
			}
		}
	}
	if pick == nil {
		ad.LogNote = "no log found for this invocation"
		return
	}
	ad.RequestID = pick.RequestID
	ad.Logs = pick.Lines
}

func historyRows(events []*Event, visits []*Visit, start time.Time) ([]HistoryRow, []string) {
	stateOf := map[int64]string{}
	for _, v := range visits {
		for _, ev := range v.Events {
			stateOf[ev.ID] = v.State
		}
	}
	types := map[string]bool{}
	rows := make([]HistoryRow, 0, len(events))
	for _, ev := range events {
		types[ev.Type] = true
		row := HistoryRow{ID: ev.ID, Prev: ev.PreviousEventID, Type: ev.Type, State: stateOf[ev.ID], Resource: ev.Details.Resource,
			Elapsed: ev.Timestamp.Sub(start), Timestamp: ev.Timestamp, Details: ev.DetailsJSON()}
		if ev.Details.Name != "" && row.State == "" {
			row.State = ev.Details.Name
		}
		if row.Resource == "" && ev.Details.ResourceType == "lambda" {
			row.Resource = "lambda"
		}
		if ev.Details.ResourceType != "" && ev.Details.Resource != "" {
			row.Resource = ev.Details.ResourceType + ":" + ev.Details.Resource
		}
		switch {
		case isFailureType(ev.Type) || strings.HasSuffix(ev.Type, "Failed") || strings.HasSuffix(ev.Type, "TimedOut"):
			row.Kind = "failed"
		case strings.HasSuffix(ev.Type, "Succeeded"):
			row.Kind = "succeeded"
		case strings.HasSuffix(ev.Type, "Aborted"):
			row.Kind = "cancelled"
		}
		rows = append(rows, row)
	}
	var list []string
	for t := range types {
		list = append(list, t)
	}
	sort.Strings(list)
	return rows, list
}

// outputs lists the objects of an execution: the object it was started for, what its tasks returned
// (keys and manifests) and the siblings of those keys (a quarantined object's .report.json).
func (c *Console) outputs(ctx context.Context, obj objectRef, visits []*Visit) []OutputLink {
	var out []OutputLink
	seen := map[string]bool{}
	add := func(label, key string) {
		if key != "" && !seen[key] {
			seen[key] = true
			out = append(out, OutputLink{label, key})
		}
	}
	for _, v := range visits {
		for _, a := range v.Attempts {
			if a.Output == "" {
				continue
			}
			var res struct {
				Payload map[string]any
			}
			if json.Unmarshal([]byte(a.Output), &res) != nil {
				continue
			}
			for _, f := range []string{"key", "manifest"} {
				if s, ok := res.Payload[f].(string); ok && !strings.Contains(s, "://") {
					label := v.State + " " + f
					if f == "key" {
						label = v.State
					}
					add(label, s)
					if f == "key" && c.objects != nil {
						// Siblings written with it (a quarantined object's report).
						l, err := c.objects.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(c.bucket), Prefix: aws.String(s), MaxKeys: aws.Int32(5)})
						if err == nil {
							for _, o := range l.Contents {
								if k := aws.ToString(o.Key); k != s {
									add(v.State+" "+strings.TrimPrefix(k, s+"."), k)
								}
							}
						}
					}
				}
			}
		}
	}
	return out
}

func compactJSON(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return indentJSON(string(raw))
}
