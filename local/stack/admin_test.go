package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/sluicehq/sluice/local/lambda"
)

// TestDeadLettersListAndRedrive sends an event through the EventBridge API to a rule whose target is a
// state machine the stack does not have: delivery gives up at once (not retryable), the event is kept, and
// the local API lists and redrives it.
func TestDeadLettersListAndRedrive(t *testing.T) {
	tpl, err := os.ReadFile(filepath.Join("..", "..", "deploy", "template.json"))
	if err != nil {
		t.Skip("no generated template")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	noop := func(rt lambda.Runtime, endpoint string) awslambda.Handler {
		return awslambda.NewHandler(func(context.Context, json.RawMessage) (string, error) { return "", errors.New("unused") })
	}
	st, err := Start(l, Config{Template: tpl, DataDir: t.TempDir(), Functions: map[string]HandlerFactory{
		"ValidateFunction": noop, "ProcessFunction": noop, "StoreFunction": noop,
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	eb := eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("to-nowhere"), EventPattern: aws.String(`{"source":["test"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("to-nowhere"), Targets: []ebtypes.Target{{
		Id: aws.String("missing"), Arn: aws.String("arn:aws:states:us-east-1:000000000000:stateMachine:missing"),
	}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String("test"), DetailType: aws.String("t"), Detail: aws.String(`{}`),
	}}}); err != nil {
		t.Fatal(err)
	}
	list := func() DeadLetterList {
		resp, err := http.Get(st.URL() + "/_sluice/dead-letters")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out DeadLetterList
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	var got DeadLetterList
	deadline := time.Now().Add(10 * time.Second)
	for got = list(); len(got.DeadLetters) == 0 && time.Now().Before(deadline); got = list() {
		time.Sleep(10 * time.Millisecond) // delivery is asynchronous, as on AWS
	}
	if len(got.DeadLetters) != 1 || got.DeadLetters[0].Attributes["ERROR_CODE"] != "RESOURCE_NOT_FOUND" {
		t.Fatalf("dead letters: got %+v, want one RESOURCE_NOT_FOUND", got)
	}
	resp, err := http.Post(st.URL()+"/_sluice/dead-letters/redrive", "application/json", bytes.NewReader([]byte(`{}`)))
	if err != nil {
		t.Fatal(err)
	}
	var rr RedriveResult
	if err := json.NewDecoder(resp.Body).Decode(&rr); err != nil || rr.Redriven != 1 {
		t.Errorf("redrive all: got %+v (%v), want 1", rr, err)
	}
	resp.Body.Close()
	resp, err = http.Post(st.URL()+"/_sluice/dead-letters/redrive", "application/json", bytes.NewReader([]byte(`{"ids":["nope"]}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("redrive of an unknown id: got %d, want 404", resp.StatusCode)
	}
	resp, err = http.Get(st.URL() + "/_sluice/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown local API: got %d, want 404", resp.StatusCode)
	}
}
