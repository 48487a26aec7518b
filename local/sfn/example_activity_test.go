package sfn_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go/middleware"

	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// An activity worker written with the AWS SDK for Go v2: it polls GetActivityTask, does the work, and
// answers with SendTaskSuccess (or SendTaskFailure). Against AWS the same code runs with the default
// configuration in place of the endpoint below; give the worker's HTTP client a timeout above 65
// seconds, since a poll waits up to 60.
func Example_activityWorker() {
	ctx := context.Background()
	svc, err := localsfn.New()
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	hs := httptest.NewServer(svc)
	defer hs.Close()
	client := sdk.New(sdk.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
		APIOptions:  []func(*middleware.Stack) error{localsfn.DisableHostPrefix}, // for a local endpoint only
	})

	act, err := client.CreateActivity(ctx, &sdk.CreateActivityInput{Name: aws.String("greet")})
	if err != nil {
		log.Fatal(err)
	}
	machine, err := client.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{
		Name: aws.String("greeter"), RoleArn: aws.String("arn:aws:iam::000000000000:role/sfn"),
		Definition: aws.String(`{"StartAt":"Greet","States":{"Greet":{"Type":"Task","Resource":"` + *act.ActivityArn +
			`","HeartbeatSeconds":30,"End":true}}}`),
	})
	if err != nil {
		log.Fatal(err)
	}
	run, err := client.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: machine.StateMachineArn, Input: aws.String(`{"name":"world"}`)})
	if err != nil {
		log.Fatal(err)
	}

	// The worker's loop, once round: poll, work, answer.
	task, err := client.GetActivityTask(ctx, &sdk.GetActivityTaskInput{ActivityArn: act.ActivityArn, WorkerName: aws.String("example-worker")})
	if err != nil {
		log.Fatal(err)
	}
	if task.TaskToken == nil {
		log.Fatal("no task within the poll") // a real worker polls again
	}
	var in struct{ Name string }
	if err := json.Unmarshal([]byte(*task.Input), &in); err != nil {
		_, _ = client.SendTaskFailure(ctx, &sdk.SendTaskFailureInput{TaskToken: task.TaskToken, Error: aws.String("BadInput"), Cause: aws.String(err.Error())})
		log.Fatal(err)
	}
	out, _ := json.Marshal(map[string]string{"greeting": "hello " + in.Name})
	if _, err := client.SendTaskSuccess(ctx, &sdk.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(string(out))}); err != nil {
		log.Fatal(err)
	}

	if _, err := svc.Wait(ctx, *run.ExecutionArn); err != nil {
		log.Fatal(err)
	}
	d, err := client.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: run.ExecutionArn})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Status, *d.Output)
	h, err := client.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: run.ExecutionArn})
	if err != nil {
		log.Fatal(err)
	}
	var events []string
	for _, ev := range h.Events {
		if strings.HasPrefix(string(ev.Type), "Activity") {
			events = append(events, string(ev.Type))
		}
	}
	fmt.Println(strings.Join(events, " "))
	// Output:
	// SUCCEEDED {"greeting":"hello world"}
	// ActivityScheduled ActivityStarted ActivitySucceeded
}
