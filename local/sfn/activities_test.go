package sfn_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"

	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// activityMachine runs one activity task with the given timing fields.
func activityMachine(activityArn, timing string) string {
	return `{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"` + activityArn + `"` + timing + `,"End":true}}}`
}

func createActivity(tb testing.TB, c *sdk.Client, name string) string {
	tb.Helper()
	out, err := c.CreateActivity(context.Background(), &sdk.CreateActivityInput{Name: aws.String(name)})
	if err != nil {
		tb.Fatalf("CreateActivity: %v", err)
	}
	return *out.ActivityArn
}

func eventTypes(tb testing.TB, c *sdk.Client, execArn string) []string {
	tb.Helper()
	h, err := c.GetExecutionHistory(context.Background(), &sdk.GetExecutionHistoryInput{ExecutionArn: &execArn})
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, ev := range h.Events {
		out = append(out, string(ev.Type))
	}
	return out
}

// TestActivityWorker: a worker polling with the SDK completes the tasks of several executions, and the
// histories carry the activity events with AWS's details.
func TestActivityWorker(t *testing.T) {
	svc, c := start(t)
	ctx := t.Context()
	act := createActivity(t, c, "double")
	machine := create(t, c, "uses-activity", activityMachine(act, `,"TimeoutSeconds":30,"HeartbeatSeconds":10`), types.StateMachineTypeStandard)

	const n = 5
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the worker: doubles "x", heartbeats once per task
		defer wg.Done()
		for done := 0; done < n; {
			task, err := c.GetActivityTask(ctx, &sdk.GetActivityTaskInput{ActivityArn: &act, WorkerName: aws.String("worker-1")})
			if err != nil {
				t.Error(err)
				return
			}
			if task.TaskToken == nil {
				continue
			}
			var in struct{ X int }
			if err := json.Unmarshal([]byte(aws.ToString(task.Input)), &in); err != nil {
				t.Error(err)
				return
			}
			if _, err := c.SendTaskHeartbeat(ctx, &sdk.SendTaskHeartbeatInput{TaskToken: task.TaskToken}); err != nil {
				t.Error(err)
			}
			out := fmt.Sprintf(`{"doubled":%d}`, 2*in.X)
			if _, err := c.SendTaskSuccess(ctx, &sdk.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: &out}); err != nil {
				t.Error(err)
			}
			done++
		}
	}()
	var arns []string
	for i := range n {
		out, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &machine, Input: aws.String(fmt.Sprintf(`{"X":%d}`, i))})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, *out.ExecutionArn)
	}
	for i, arn := range arns {
		if status := waitDone(t, svc, arn); status != "SUCCEEDED" {
			t.Fatalf("execution %d: %s", i, status)
		}
		d, err := c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: &arn})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := aws.ToString(d.Output), fmt.Sprintf(`{"doubled":%d}`, 2*i); got != want {
			t.Errorf("execution %d output: got %s, want %s", i, got, want)
		}
	}
	wg.Wait()

	h, err := c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: &arns[0]})
	if err != nil {
		t.Fatal(err)
	}
	var types_ []string
	for _, ev := range h.Events {
		types_ = append(types_, string(ev.Type))
		switch ev.Type {
		case "ActivityScheduled":
			d := ev.ActivityScheduledEventDetails
			if got := fmt.Sprint(aws.ToString(d.Resource), " ", aws.ToString(d.Input), " ", aws.ToInt64(d.TimeoutInSeconds), " ", aws.ToInt64(d.HeartbeatInSeconds)); got != act+` {"X":0} 30 10` {
				t.Errorf("ActivityScheduled details: %s", got)
			}
		case "ActivityStarted":
			if got := aws.ToString(ev.ActivityStartedEventDetails.WorkerName); got != "worker-1" {
				t.Errorf("ActivityStarted worker: %q", got)
			}
		case "ActivitySucceeded":
			if got := aws.ToString(ev.ActivitySucceededEventDetails.Output); got != `{"doubled":0}` {
				t.Errorf("ActivitySucceeded output: %s", got)
			}
		}
	}
	want := []string{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"}
	if diff := cmp.Diff(types_, want); diff != "" {
		t.Errorf("history (-got +want):\n%s", diff)
	}
}

// TestActivityTimeouts: a worker that stops heartbeating fails the task with States.HeartbeatTimeout; a
// task no worker takes fails with States.Timeout; a late answer is TaskTimedOut; an activity that does
// not exist fails the scheduling.
func TestActivityTimeouts(t *testing.T) {
	svc, c := start(t)
	ctx := t.Context()
	act := createActivity(t, c, "slow")
	hb := create(t, c, "heartbeat", activityMachine(act, `,"HeartbeatSeconds":1`), types.StateMachineTypeStandard)
	run, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &hb})
	if err != nil {
		t.Fatal(err)
	}
	task, err := c.GetActivityTask(ctx, &sdk.GetActivityTaskInput{ActivityArn: &act})
	if err != nil || task.TaskToken == nil {
		t.Fatalf("GetActivityTask: %+v, %v", task, err)
	}
	if status := waitDone(t, svc, *run.ExecutionArn); status != "FAILED" {
		t.Fatalf("status %s, want FAILED", status)
	}
	d, err := c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: run.ExecutionArn})
	if err != nil || aws.ToString(d.Error) != "States.HeartbeatTimeout" {
		t.Errorf("error: %v, %v", aws.ToString(d.Error), err)
	}
	_, err = c.SendTaskSuccess(ctx, &sdk.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String("{}")})
	mustCode(t, err, "TaskTimedOut")
	if diff := cmp.Diff(eventTypes(t, c, *run.ExecutionArn), []string{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivityTimedOut", "ExecutionFailed"}); diff != "" {
		t.Errorf("heartbeat timeout history (-got +want):\n%s", diff)
	}

	unclaimed := create(t, c, "unclaimed", activityMachine(createActivity(t, c, "nobody"), `,"TimeoutSeconds":1`), types.StateMachineTypeStandard)
	run, err = c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &unclaimed})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, svc, *run.ExecutionArn)
	d, _ = c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: run.ExecutionArn})
	if aws.ToString(d.Error) != "States.Timeout" {
		t.Errorf("a task no worker took: error %q, want States.Timeout", aws.ToString(d.Error))
	}

	missing := create(t, c, "missing", activityMachine("arn:aws:states:us-east-1:000000000000:activity:gone", ""), types.StateMachineTypeStandard)
	run, err = c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &missing})
	if err != nil {
		t.Fatal(err)
	}
	if status := waitDone(t, svc, *run.ExecutionArn); status != "FAILED" {
		t.Errorf("activity that does not exist: %s", status)
	}
	if diff := cmp.Diff(eventTypes(t, c, *run.ExecutionArn), []string{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityScheduleFailed", "ExecutionFailed"}); diff != "" {
		t.Errorf("schedule failure history (-got +want):\n%s", diff)
	}
}

// TestGetActivityTaskLongPoll: a poll with nothing to do answers no task once the poll time is up; a poll
// waiting when a task is scheduled gets it at once.
func TestGetActivityTaskLongPoll(t *testing.T) {
	const poll = 300 * time.Millisecond
	_, c := start(t, localsfn.WithActivityPollTimeout(poll))
	ctx := t.Context()
	act := createActivity(t, c, "poll")
	began := time.Now()
	task, err := c.GetActivityTask(ctx, &sdk.GetActivityTaskInput{ActivityArn: &act})
	if err != nil {
		t.Fatal(err)
	}
	if task.TaskToken != nil || task.Input != nil {
		t.Errorf("empty poll answered %q, %q", aws.ToString(task.TaskToken), aws.ToString(task.Input))
	}
	if waited := time.Since(began); waited < poll {
		t.Errorf("empty poll answered after %v, before the poll time %v", waited, poll)
	}

	_, c2 := start(t) // the default poll: 60 s, far longer than the task takes to arrive
	act = createActivity(t, c2, "poll")
	machine := create(t, c2, "m", activityMachine(act, ""), types.StateMachineTypeStandard)
	got := make(chan *sdk.GetActivityTaskOutput, 1)
	go func() {
		task, err := c2.GetActivityTask(ctx, &sdk.GetActivityTaskInput{ActivityArn: &act})
		if err != nil {
			t.Error(err)
		}
		got <- task
	}()
	time.Sleep(50 * time.Millisecond) // let the poll start waiting (it works either way)
	if _, err := c2.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &machine, Input: aws.String(`{"k":1}`)}); err != nil {
		t.Fatal(err)
	}
	select {
	case task := <-got:
		if task == nil || aws.ToString(task.Input) != `{"k":1}` || task.TaskToken == nil {
			t.Errorf("waiting poll got %+v", task)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a waiting poll did not get the task scheduled meanwhile")
	}
}

// TestActivityAPI: the activities' life cycle and AWS's error codes.
func TestActivityAPI(t *testing.T) {
	_, c := start(t)
	ctx := t.Context()
	first, err := c.CreateActivity(ctx, &sdk.CreateActivityInput{Name: aws.String("a1"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateActivity(ctx, &sdk.CreateActivityInput{Name: aws.String("a1"), Tags: []types.Tag{{Key: aws.String("other"), Value: aws.String("tags")}}})
	if err != nil || *again.ActivityArn != *first.ActivityArn || !again.CreationDate.Equal(*first.CreationDate) {
		t.Errorf("CreateActivity is not idempotent: %+v, %v", again, err)
	}
	if *first.ActivityArn != "arn:aws:states:us-east-1:000000000000:activity:a1" {
		t.Errorf("activity ARN %s", *first.ActivityArn)
	}
	// Tags: those of the first CreateActivity (a repeated create ignores its tags, as AWS does), then
	// TagResource and UntagResource.
	listTags := func() string {
		t.Helper()
		out, err := c.ListTagsForResource(ctx, &sdk.ListTagsForResourceInput{ResourceArn: first.ActivityArn})
		if err != nil {
			t.Fatal(err)
		}
		var kv []string
		for _, tg := range out.Tags {
			kv = append(kv, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return strings.Join(kv, ",")
	}
	if got := listTags(); got != "k=v" {
		t.Errorf("activity tags after create: %q", got)
	}
	if _, err := c.TagResource(ctx, &sdk.TagResourceInput{ResourceArn: first.ActivityArn, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &sdk.UntagResourceInput{ResourceArn: first.ActivityArn, TagKeys: []string{"k"}}); err != nil {
		t.Fatal(err)
	}
	if got := listTags(); got != "team=data" {
		t.Errorf("activity tags after tag and untag: %q", got)
	}
	for _, name := range []string{"a2", "a3"} {
		createActivity(t, c, name)
	}
	d, err := c.DescribeActivity(ctx, &sdk.DescribeActivityInput{ActivityArn: first.ActivityArn})
	if err != nil || aws.ToString(d.Name) != "a1" {
		t.Errorf("DescribeActivity: %+v, %v", d, err)
	}
	var names []string
	var next *string
	for {
		page, err := c.ListActivities(ctx, &sdk.ListActivitiesInput{MaxResults: 2, NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Activities {
			names = append(names, aws.ToString(a.Name))
		}
		if next = page.NextToken; next == nil {
			break
		}
	}
	if diff := cmp.Diff(names, []string{"a1", "a2", "a3"}); diff != "" {
		t.Errorf("ListActivities (-got +want):\n%s", diff)
	}
	if _, err := c.DeleteActivity(ctx, &sdk.DeleteActivityInput{ActivityArn: first.ActivityArn}); err != nil {
		t.Fatal(err)
	}
	missing := "arn:aws:states:us-east-1:000000000000:activity:nope"
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"describe a deleted activity", func() error {
			_, err := c.DescribeActivity(ctx, &sdk.DescribeActivityInput{ActivityArn: first.ActivityArn})
			return err
		}, "ActivityDoesNotExist"},
		{"poll a missing activity", func() error {
			_, err := c.GetActivityTask(ctx, &sdk.GetActivityTaskInput{ActivityArn: &missing})
			return err
		}, "ActivityDoesNotExist"},
		{"poll with a state machine ARN", func() error {
			_, err := c.GetActivityTask(ctx, &sdk.GetActivityTaskInput{ActivityArn: aws.String("arn:aws:states:us-east-1:000000000000:stateMachine:m")})
			return err
		}, "InvalidArn"},
		{"invalid name", func() error {
			_, err := c.CreateActivity(ctx, &sdk.CreateActivityInput{Name: aws.String("a b")})
			return err
		}, "InvalidName"},
		{"delete with a bad ARN", func() error {
			_, err := c.DeleteActivity(ctx, &sdk.DeleteActivityInput{ActivityArn: aws.String("activity")})
			return err
		}, "InvalidArn"},
		{"tags of a missing activity", func() error {
			_, err := c.ListTagsForResource(ctx, &sdk.ListTagsForResourceInput{ResourceArn: &missing})
			return err
		}, "ResourceNotFound"},
		{"list with maxResults over 1000", func() error {
			_, err := c.ListActivities(ctx, &sdk.ListActivitiesInput{MaxResults: 1001})
			return err
		}, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { mustCode(t, tt.call(), tt.code) })
	}
	if _, err := c.DeleteActivity(ctx, &sdk.DeleteActivityInput{ActivityArn: &missing}); err != nil {
		t.Errorf("deleting an activity that does not exist: %v", err)
	}
}

// TestActivitiesSurviveRestart: activities are durable, and a task pending on one when the service
// stops is scheduled again when its execution resumes: a worker after the restart completes it, and the
// token handed out before the restart is answered TaskTimedOut.
func TestActivitiesSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	a := openServed(t, localsfn.WithDataDir(dir))
	act := createActivity(t, a.c, "durable")
	machine := create(t, a.c, "m", activityMachine(act, `,"TimeoutSeconds":60`), types.StateMachineTypeStandard)
	run, err := a.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &machine, Input: aws.String(`{"n":7}`)})
	if err != nil {
		t.Fatal(err)
	}
	old, err := a.c.GetActivityTask(ctx, &sdk.GetActivityTaskInput{ActivityArn: &act, WorkerName: aws.String("before")})
	if err != nil || old.TaskToken == nil {
		t.Fatalf("GetActivityTask: %+v, %v", old, err)
	}
	a.close(t)

	b := openServed(t, localsfn.WithDataDir(dir))
	defer b.close(t)
	if _, err := b.c.DescribeActivity(ctx, &sdk.DescribeActivityInput{ActivityArn: &act}); err != nil {
		t.Fatalf("activity after restart: %v", err)
	}
	task, err := b.c.GetActivityTask(ctx, &sdk.GetActivityTaskInput{ActivityArn: &act, WorkerName: aws.String("after")})
	if err != nil || task.TaskToken == nil || aws.ToString(task.Input) != `{"n":7}` {
		t.Fatalf("the task again after restart: %+v, %v", task, err)
	}
	_, err = b.c.SendTaskSuccess(ctx, &sdk.SendTaskSuccessInput{TaskToken: old.TaskToken, Output: aws.String(`"stale"`)})
	mustCode(t, err, "TaskTimedOut")
	if _, err := b.c.SendTaskSuccess(ctx, &sdk.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`"done"`)}); err != nil {
		t.Fatal(err)
	}
	if status := waitDone(t, b.svc, *run.ExecutionArn); status != "SUCCEEDED" {
		t.Errorf("resumed execution: %s", status)
	}
}
