package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go/middleware"

	localsfn "github.com/sluicehq/sluice/local/sfn"
	"github.com/sluicehq/sluice/local/stack"
)

// clients reach one stack: a deployed one (in AWS with --stack, or at --endpoint such as a running
// `sluice up`) or an embedded one opened on a data directory for the length of the command.
type clients struct {
	res  stack.Resources
	s3   *s3.Client
	sfn  *sfn.Client
	logs *cwl.Client
}

// stackFlags are the flags that pick a deployed stack, as sluice run has them.
type stackFlags struct {
	endpoint, stack, region *string
}

func addStackFlags(fs *flag.FlagSet) stackFlags {
	return stackFlags{
		endpoint: fs.String("endpoint", "", "the endpoint of a running stack (sluice up: http://127.0.0.1:4566, or any other); without it and --stack, the data directory is opened"),
		stack:    fs.String("stack", "", "the deployed stack to read (default sluice with --endpoint); without --endpoint, the stack in AWS"),
		region:   fs.String("region", "", "AWS region of --stack (default: the AWS configuration's)"),
	}
}

// deployed reports whether the flags name a deployed stack rather than the data directory.
func (f stackFlags) deployed() bool { return *f.endpoint != "" || *f.stack != "" }

// args are the flags again, for the commands a command suggests next.
func (f stackFlags) args() string {
	s := endpointFlag(*f.endpoint)
	if *f.stack != "" {
		s += "--stack " + *f.stack + " "
	}
	if *f.region != "" {
		s += "--region " + *f.region + " "
	}
	return s
}

// connect returns clients for the deployed stack the flags name, with its bucket, state machine,
// functions and log groups read from the stack's outputs and resources (deployedStack, as sluice run
// does); without --endpoint and --stack it starts an embedded stack on data (which must exist) and
// returns clients for it with the function that stops it.
func connect(ctx context.Context, sf stackFlags, data, templatePath string, std stdio) (*clients, func(), error) {
	if sf.deployed() {
		target, res, err := deployedStack(ctx, *sf.endpoint, *sf.stack, *sf.region)
		if err != nil {
			return nil, nil, err
		}
		return &clients{res: res, s3: target.s3(), sfn: target.sfn(), logs: target.logs()}, func() {}, nil
	}
	tplData, err := templateBytes(templatePath)
	if err != nil {
		return nil, nil, err
	}
	tpl, err := stack.ParseTemplate(tplData, "sluice", "us-east-1", "000000000000", nil)
	if err != nil {
		return nil, nil, err
	}
	done := func() {}
	var url string
	if _, err := os.Stat(data); err != nil {
		return nil, nil, fmt.Errorf("no data in %s (run `make run` first, or pass --endpoint of a running `sluice up`): %w", data, err)
	}
	st, err := startStack("127.0.0.1:0", data, templatePath, false, false, std, nil, nil)
	if holder := runningEndpoint(err); holder != "" {
		// A running `sluice up` has the directory: read through it.
		url = holder
		fmt.Fprintf(std.Err, "sluice: %s is served by a running sluice: reading it on %s\n", data, url)
	} else if err != nil {
		return nil, nil, err
	} else {
		url, done = st.URL(), func() { st.Close() }
	}
	creds := credentials.NewStaticCredentialsProvider("local", "local", "")
	return &clients{
		res: tpl.Resources(), logs: newLogsClient(url),
		s3: s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true, Credentials: creds,
			RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired, ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired}),
		sfn: sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: creds,
			APIOptions: []func(*middleware.Stack) error{localsfn.DisableHostPrefix}}),
	}, done, nil
}

// objectKeyOf reads the object key out of an execution's input (an S3 "Object Created" event).
func objectKeyOf(input string) string {
	var in struct {
		Detail struct {
			Object struct {
				Key string `json:"key"`
			} `json:"object"`
		} `json:"detail"`
	}
	_ = json.Unmarshal([]byte(input), &in)
	return in.Detail.Object.Key
}

// executionsOf resolves a command-line target to executions: an execution ARN is itself; an object key
// is every execution started for it, oldest first.
func (c *clients) executionsOf(ctx context.Context, target string) ([]*sfn.DescribeExecutionOutput, error) {
	if strings.HasPrefix(target, "arn:") && strings.Contains(target, ":states:") { // any partition
		d, err := c.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(target)})
		if err != nil {
			return nil, err
		}
		return []*sfn.DescribeExecutionOutput{d}, nil
	}
	var out []*sfn.DescribeExecutionOutput
	p := sfn.NewListExecutionsPaginator(c.sfn, &sfn.ListExecutionsInput{StateMachineArn: aws.String(c.res.StateMachineArn), MaxResults: 1000})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range page.Executions {
			d, err := c.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: x.ExecutionArn})
			if err != nil {
				return nil, err
			}
			if objectKeyOf(aws.ToString(d.Input)) == target {
				out = append(out, d)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no execution for %q (give an object key like incoming/orders/x.csv or an execution ARN)", target)
	}
	sort.Slice(out, func(i, j int) bool { return aws.ToTime(out[i].StartDate).Before(aws.ToTime(out[j].StartDate)) })
	return out, nil
}

// history returns an execution's whole history.
func (c *clients) history(ctx context.Context, arn string) ([]sfntypes.HistoryEvent, error) {
	var out []sfntypes.HistoryEvent
	p := sfn.NewGetExecutionHistoryPaginator(c.sfn, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 1000})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Events...)
	}
	return out, nil
}

// step is one state an execution entered, as `sluice show` tells it.
type step struct {
	name            string
	entered, exited time.Time
	attempts        int
	outcome, detail string
	outputs         []string
	function        string // the Lambda function its task called
	scheduled       []time.Time
	requests        []string // the Lambda request ids of its successful invocations
}

// stepsOf folds a history into the states entered, with attempts, outcome and where output went.
func stepsOf(events []sfntypes.HistoryEvent) []*step {
	var steps []*step
	var cur *step
	input := ""
	for _, ev := range events {
		t := aws.ToTime(ev.Timestamp)
		switch {
		case ev.StateEnteredEventDetails != nil:
			cur = &step{name: aws.ToString(ev.StateEnteredEventDetails.Name), entered: t, outcome: "running"}
			input = aws.ToString(ev.StateEnteredEventDetails.Input)
			steps = append(steps, cur)
		case cur == nil:
		case ev.TaskScheduledEventDetails != nil:
			cur.attempts++
			cur.scheduled = append(cur.scheduled, t)
			var params struct{ FunctionName string }
			_ = json.Unmarshal([]byte(aws.ToString(ev.TaskScheduledEventDetails.Parameters)), &params)
			cur.function = params.FunctionName[strings.LastIndex(params.FunctionName, ":")+1:]
		case ev.TaskSucceededEventDetails != nil:
			var out struct {
				SdkResponseMetadata struct{ RequestId string }
			}
			_ = json.Unmarshal([]byte(aws.ToString(ev.TaskSucceededEventDetails.Output)), &out)
			if id := out.SdkResponseMetadata.RequestId; id != "" {
				cur.requests = append(cur.requests, id)
			}
		case ev.TaskFailedEventDetails != nil:
			cur.detail = aws.ToString(ev.TaskFailedEventDetails.Error) + ": " + causeText(aws.ToString(ev.TaskFailedEventDetails.Cause))
		case ev.StateExitedEventDetails != nil:
			cur.exited, cur.outcome = t, "ok"
			cur.outputs = newKeys(input, aws.ToString(ev.StateExitedEventDetails.Output))
			if cur.attempts > 1 {
				cur.outcome = fmt.Sprintf("ok after %d attempts", cur.attempts)
			}
		case ev.ExecutionFailedEventDetails != nil:
			cur.exited, cur.outcome = t, "FAILED"
			cur.detail = aws.ToString(ev.ExecutionFailedEventDetails.Error) + ": " + causeText(aws.ToString(ev.ExecutionFailedEventDetails.Cause))
		}
		if ev.Type == sfntypes.HistoryEventTypeFailStateEntered && cur != nil {
			cur.outcome = "failed"
		}
	}
	return steps
}

// outputPrefixes are where the pipeline writes.
var outputPrefixes = []string{"processed/", "manifests/", "quarantine/", "failed/", "staging/"}

// newKeys returns the S3 keys under the pipeline's output prefixes that a state's output names and its
// input did not.
func newKeys(input, output string) []string {
	var in, out any
	_ = json.Unmarshal([]byte(input), &in)
	_ = json.Unmarshal([]byte(output), &out)
	had := map[string]bool{}
	walkStrings(in, func(s string) { had[s] = true })
	var keys []string
	walkStrings(out, func(s string) {
		for _, p := range outputPrefixes {
			if strings.HasPrefix(s, p) && !had[s] {
				had[s] = true
				keys = append(keys, s)
			}
		}
	})
	return keys
}

func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case []any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkStrings(x[k], fn)
		}
	}
}

// stateAt names the state whose task was running function at t: the latest scheduling of that function at
// or before t.
func stateAt(steps []*step, function string, t time.Time) string {
	name, best := "", time.Time{}
	for _, s := range steps {
		if s.function != function {
			continue
		}
		for _, at := range s.scheduled {
			if !at.After(t.Add(time.Millisecond)) && !at.Before(best) {
				name, best = s.name, at
			}
		}
	}
	return name
}

// exists reports whether a key is in the bucket now.
func (c *clients) exists(ctx context.Context, key string) bool {
	_, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(c.res.Bucket), Key: aws.String(key)})
	return err == nil
}

// runningEndpoint is the endpoint of the stack that holds a data directory, when err says another one
// does and it serves on this machine.
func runningEndpoint(err error) string {
	var inUse *stack.DataDirInUseError
	if !errors.As(err, &inUse) {
		return ""
	}
	return inUse.Holder.Endpoint
}

// causeText is a cause for a terminal: a Lambda function error's message rather than its JSON document.
func causeText(cause string) string {
	var doc struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal([]byte(cause), &doc) == nil && doc.ErrorMessage != "" {
		cause = doc.ErrorMessage
	}
	return firstLine(cause)
}
