package sfn_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/sluicehq/sluice/asl/interp"
	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// pipelineLambda answers the pipeline's three functions with payloads of the size the real handlers
// return for a small object.
type pipelineLambda struct{}

func (pipelineLambda) InvokeLambda(_ context.Context, req interp.LambdaRequest) (interp.LambdaResponse, error) {
	var out string
	switch {
	case strings.HasSuffix(req.FunctionName, "validate"):
		out = `{"valid":true,"dataset":"orders","format":"csv","rows":12,"columns":["id","customer","amount","currency","ts"],"bytes":512,"sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","errors":[]}`
	case strings.HasSuffix(req.FunctionName, "process"):
		out = `{"staged":"staging/orders/2024/03/01/obj-0001.jsonl.gz","rows":12,"bytes":311,"sha256":"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"}`
	default:
		out = `{"committed":"processed/orders/2024/03/01/obj-0001.jsonl.gz","manifest":"processed/orders/_manifest/obj-0001.json","rows":12}`
	}
	return interp.LambdaResponse{Payload: []byte(out)}, nil
}

// countingSink counts execution log records.
type countingSink struct {
	mu sync.Mutex
	n  int
}

func (c *countingSink) PutExecutionLog(ctx context.Context, rec localsfn.ExecutionLog) error {
	return c.PutExecutionLogs(ctx, []localsfn.ExecutionLog{rec})
}

func (c *countingSink) PutExecutionLogs(_ context.Context, recs []localsfn.ExecutionLog) error {
	c.mu.Lock()
	c.n += len(recs)
	c.mu.Unlock()
	return nil
}

func (c *countingSink) PutExecutionLogsLent(_ context.Context, recs []localsfn.LentExecutionLog) error {
	c.mu.Lock()
	c.n += len(recs)
	c.mu.Unlock()
	return nil
}

// objectCreated is the EventBridge event of an object landing under incoming/, as the pipeline's input.
const objectCreated = `{"version":"0","id":"17793124-05d4-b198-2fde-7ededc63b103","detail-type":"Object Created","source":"aws.s3",` +
	`"account":"000000000000","time":"2024-03-01T12:00:00Z","region":"us-east-1","resources":["arn:aws:s3:::sluice-data"],` +
	`"detail":{"version":"0","bucket":{"name":"sluice-data"},"object":{"key":"incoming/orders/obj-0001.csv","size":512,` +
	`"etag":"b1946ac92492d2347c6235b4d2611184","sequencer":"00617F08299329D189"},"request-id":"N4N7GDK58NMKJ12R",` +
	`"requester":"000000000000","source-ip-address":"127.0.0.1","reason":"PutObject"}}`

// BenchmarkPipelineExecutions runs the pipeline's state machine (statemachine/pipeline.asl.json: three
// lambda:invoke tasks and a Choice) as the local stack does, with a data directory synced, execution
// logging at ALL and 32 executions in flight, against functions that answer at once. It reports the
// process's CPU time per execution.
func BenchmarkPipelineExecutions(b *testing.B) {
	def, err := os.ReadFile("../../statemachine/pipeline.asl.json")
	if err != nil {
		b.Fatal(err)
	}
	text := strings.NewReplacer("${ValidateFunctionArn}", "validate", "${ProcessFunctionArn}", "process", "${StoreFunctionArn}", "store").Replace(string(def))
	const group = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/vendedlogs/states/pipeline:*"
	svc, c := start(b, localsfn.WithLambdaInvoker(pipelineLambda{}), localsfn.WithLogSink(&countingSink{}), localsfn.WithDataDir(b.TempDir()))
	ctx := b.Context()
	sm, err := c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{Name: aws.String("pipeline"), Definition: aws.String(text), RoleArn: aws.String(role),
		LoggingConfiguration: &types.LoggingConfiguration{Level: types.LogLevelAll, IncludeExecutionData: true,
			Destinations: []types.LogDestination{{CloudWatchLogsLogGroup: &types.CloudWatchLogsLogGroup{LogGroupArn: aws.String(group)}}}}})
	if err != nil {
		b.Fatal(err)
	}
	machine := aws.ToString(sm.StateMachineArn)
	run := func() {
		arn, err := svc.Start(ctx, machine, "", objectCreated)
		if err != nil {
			b.Error(err)
			return
		}
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if status, err := svc.Wait(wctx, arn); err != nil || status != "SUCCEEDED" {
			b.Errorf("execution %s: %s %v", arn, status, err)
		}
	}
	run() // compile the machine, open the log stream
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for range b.N {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			run()
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(processCPU()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// processCPU returns the CPU time (user and system) the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
