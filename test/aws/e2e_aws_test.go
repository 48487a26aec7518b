//go:build aws

package aws

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/sluicehq/sluice/statemachine"
	"github.com/sluicehq/sluice/tasks"
)

// executionDeadline bounds the wait for one execution: event delivery takes seconds, the tasks on a
// sample object well under a minute.
const executionDeadline = 5 * time.Minute

type env struct {
	bucket, machine string
	s3              *s3.Client
	sfn             *sfn.Client
}

func setup(t *testing.T) env {
	t.Helper()
	e := env{bucket: os.Getenv("SLUICE_BUCKET"), machine: os.Getenv("SLUICE_STATE_MACHINE_ARN")}
	if e.bucket == "" || e.machine == "" {
		t.Fatal("set SLUICE_BUCKET and SLUICE_STATE_MACHINE_ARN to the deployed stack's outputs (see doc.go)")
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatalf("load AWS configuration: %v", err)
	}
	e.s3 = s3.NewFromConfig(cfg)
	e.sfn = sfn.NewFromConfig(cfg)
	return e
}

func (e env) put(ctx context.Context, t *testing.T, key, file string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(key), Body: bytes.NewReader(b)}); err != nil {
		t.Fatalf("put s3://%s/%s: %v", e.bucket, key, err)
	}
	t.Cleanup(func() {
		if strings.HasPrefix(key, tasks.PrefixIncoming) {
			e.s3.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(key)})
		}
	})
}

func (e env) exists(ctx context.Context, key string) (bool, error) {
	_, err := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(key)})
	var nf *s3types.NotFound
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &nf):
		return false, nil
	}
	return false, err
}

// execution waits for the execution started for key to finish and returns it.
func (e env) execution(ctx context.Context, t *testing.T, key string) *sfn.DescribeExecutionOutput {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, executionDeadline)
	defer cancel()
	tick := time.NewTicker(3 * time.Second)
	defer tick.Stop()
	for {
		p := sfn.NewListExecutionsPaginator(e.sfn, &sfn.ListExecutionsInput{StateMachineArn: aws.String(e.machine)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("list executions: %v", err)
			}
			for _, ex := range page.Executions {
				d, err := e.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.ExecutionArn})
				if err != nil {
					t.Fatalf("describe execution: %v", err)
				}
				var in struct {
					Detail struct {
						Object tasks.S3Object `json:"object"`
					} `json:"detail"`
				}
				if json.Unmarshal([]byte(aws.ToString(d.Input)), &in) == nil && in.Detail.Object.Key == key &&
					d.Status != sfntypes.ExecutionStatusRunning {
					return d
				}
			}
			if len(page.Executions) > 0 && page.Executions[len(page.Executions)-1].StartDate.Before(time.Now().Add(-executionDeadline)) {
				break // older executions cannot be ours
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no finished execution for %s within %v", key, executionDeadline)
		case <-tick.C:
		}
	}
}

type output struct {
	Validation  struct{ Report tasks.Report }        `json:"validation"`
	Stored      struct{ Output tasks.StoreOutput }   `json:"stored"`
	Quarantined struct{ Output tasks.StoreOutput }   `json:"quarantined"`
	Processing  struct{ Result tasks.ProcessOutput } `json:"processing"`
	Failure     *tasks.Failure                       `json:"failure"`
}

func TestPipelineEndToEnd(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	sample := filepath.Join("..", "..", "sample")
	run := fmt.Sprintf("e2e-%d", time.Now().UnixNano())

	e.put(ctx, t, tasks.PrefixSchemas+"orders.json", filepath.Join(sample, "schemas", "orders.json"))
	good := tasks.PrefixIncoming + "orders/" + run + ".csv"
	bad := tasks.PrefixIncoming + "orders/" + run + "-bad-values.csv"
	e.put(ctx, t, good, filepath.Join(sample, "incoming", "orders", "2024-03-01.csv"))
	e.put(ctx, t, bad, filepath.Join(sample, "incoming", "orders", "bad-values.csv"))

	t.Run("valid object is stored", func(t *testing.T) {
		d := e.execution(ctx, t, good)
		if d.Status != sfntypes.ExecutionStatusSucceeded {
			t.Fatalf("status %s: %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
		}
		var out output
		if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &out); err != nil {
			t.Fatal(err)
		}
		if !out.Validation.Report.Valid || out.Stored.Output.Outcome != "stored" {
			t.Fatalf("output %s: want a valid report and outcome stored", aws.ToString(d.Output))
		}
		for _, key := range []string{out.Stored.Output.Key, out.Stored.Output.Manifest} {
			if ok, err := e.exists(ctx, key); err != nil || !ok {
				t.Errorf("s3://%s/%s exists = %v (%v), want true", e.bucket, key, ok, err)
			}
		}
		if ok, err := e.exists(ctx, out.Processing.Result.Staging.Key); err != nil || ok {
			t.Errorf("staging object %s still exists = %v (%v)", out.Processing.Result.Staging.Key, ok, err)
		}

		// The same event again (a duplicate delivery) stores nothing twice.
		again, err := e.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(e.machine), Input: d.Input})
		if err != nil {
			t.Fatal(err)
		}
		waitCtx, cancel := context.WithTimeout(ctx, executionDeadline)
		defer cancel()
		for {
			d2, err := e.sfn.DescribeExecution(waitCtx, &sfn.DescribeExecutionInput{ExecutionArn: again.ExecutionArn})
			if err != nil {
				t.Fatal(err)
			}
			if d2.Status != sfntypes.ExecutionStatusRunning {
				var out2 output
				if err := json.Unmarshal([]byte(aws.ToString(d2.Output)), &out2); err != nil {
					t.Fatalf("status %s, output %q: %v", d2.Status, aws.ToString(d2.Output), err)
				}
				if out2.Stored.Output.Outcome != "duplicate" {
					t.Errorf("second execution outcome %q, want duplicate", out2.Stored.Output.Outcome)
				}
				break
			}
			select {
			case <-waitCtx.Done():
				t.Fatal("duplicate execution did not finish")
			case <-time.After(3 * time.Second):
			}
		}
	})

	t.Run("invalid object is quarantined", func(t *testing.T) {
		d := e.execution(ctx, t, bad)
		if d.Status != sfntypes.ExecutionStatusSucceeded {
			t.Fatalf("status %s: %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
		}
		var out output
		if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &out); err != nil {
			t.Fatal(err)
		}
		if out.Validation.Report.Valid || out.Quarantined.Output.Outcome != "quarantined" {
			t.Fatalf("output %s: want an invalid report and outcome quarantined", aws.ToString(d.Output))
		}
		if ok, err := e.exists(ctx, out.Quarantined.Output.Key); err != nil || !ok {
			t.Errorf("quarantined object %s exists = %v (%v)", out.Quarantined.Output.Key, ok, err)
		}
		h, err := e.sfn.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: d.ExecutionArn, ReverseOrder: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range h.Events {
			if ev.StateEnteredEventDetails != nil {
				if got := aws.ToString(ev.StateEnteredEventDetails.Name); got != statemachine.StateRejected {
					t.Errorf("last state entered %q, want %q", got, statemachine.StateRejected)
				}
				break
			}
		}
	})
}
