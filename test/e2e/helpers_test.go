// Package e2e runs the whole pipeline on the embedded local AWS, through public surfaces only: the stack
// is built from the generated template, and the test talks to it with the real AWS SDK clients over HTTP.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go/middleware"

	localsfn "github.com/sluicehq/sluice/local/sfn"
	"github.com/sluicehq/sluice/local/stack"
)

// env is a running stack and clients for it.
type env struct {
	st     *stack.Stack
	res    stack.Resources
	s3     *s3.Client
	sfn    *sfn.Client
	dir    string
	listen string
}

func repoFile(tb testing.TB, rel string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", rel))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// startStack builds the stack from deploy/template.json in dir (a fresh temp dir when empty), on addr
// (a free loopback port when empty).
func startStack(tb testing.TB, dir, addr string) *env {
	tb.Helper()
	if dir == "" {
		dir = tb.TempDir()
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := stack.Start(l, stack.Config{
		Template:  repoFile(tb, "deploy/template.json"),
		DataDir:   dir,
		Functions: stack.PipelineFunctions(),
	})
	if err != nil {
		l.Close()
		tb.Fatal(err)
	}
	e := &env{st: st, res: st.Resources(), dir: dir, listen: l.Addr().String()}
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	e.s3 = s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), UsePathStyle: true, Credentials: creds,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired, ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired})
	e.sfn = sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), Credentials: creds,
		APIOptions: []func(*middleware.Stack) error{localsfn.DisableHostPrefix}})
	return e
}

func (e *env) close(tb testing.TB) {
	tb.Helper()
	if err := e.st.Close(); err != nil {
		tb.Errorf("close stack: %v", err)
	}
}

func (e *env) put(tb testing.TB, key string, body []byte) {
	tb.Helper()
	if _, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(e.res.Bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
		tb.Fatalf("put %s: %v", key, err)
	}
}

func (e *env) putSample(tb testing.TB, rel string) string {
	tb.Helper()
	key := strings.TrimPrefix(rel, "sample/")
	e.put(tb, key, repoFile(tb, rel))
	return key
}

// executions lists every execution of the pipeline.
func (e *env) executions(tb testing.TB) []sfntypes.ExecutionListItem {
	tb.Helper()
	var all []sfntypes.ExecutionListItem
	p := sfn.NewListExecutionsPaginator(e.sfn, &sfn.ListExecutionsInput{StateMachineArn: aws.String(e.res.StateMachineArn), MaxResults: 1000})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
		all = append(all, page.Executions...)
	}
	return all
}

// waitExecutions waits until n executions exist and none is running, and returns them.
func (e *env) waitExecutions(tb testing.TB, n int, timeout time.Duration) []sfntypes.ExecutionListItem {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		all := e.executions(tb)
		running := 0
		for _, x := range all {
			if x.Status == sfntypes.ExecutionStatusRunning {
				running++
			}
		}
		if len(all) >= n && running == 0 {
			return all
		}
		if time.Now().After(deadline) {
			tb.Fatalf("after %v: %d executions (%d running), want %d finished", timeout, len(all), running, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// executionFor returns the execution whose input names key.
func (e *env) executionFor(tb testing.TB, key string) *sfn.DescribeExecutionOutput {
	tb.Helper()
	for _, x := range e.executions(tb) {
		d, err := e.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: x.ExecutionArn})
		if err != nil {
			tb.Fatal(err)
		}
		var in struct {
			Detail struct {
				Object struct {
					Key string `json:"key"`
				} `json:"object"`
			} `json:"detail"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(d.Input)), &in); err != nil {
			tb.Fatal(err)
		}
		if in.Detail.Object.Key == key {
			return d
		}
	}
	tb.Fatalf("no execution for %s", key)
	return nil
}

func (e *env) keys(tb testing.TB, prefix string) []string {
	tb.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(e.s3, &s3.ListObjectsV2Input{Bucket: aws.String(e.res.Bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}
