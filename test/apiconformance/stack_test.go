package apiconformance

import (
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go/middleware"

	"github.com/sluicehq/sluice/asl/interp"
	localsfn "github.com/sluicehq/sluice/local/sfn"
	"github.com/sluicehq/sluice/local/stack"
)

// repoRoot is the repository root, from this package's directory.
const repoRoot = "../.."

// sharedFile opens a file of ../shared/conformance (beside the repository root), skipping the test when
// it is absent.
func sharedFile(tb testing.TB, name string) *os.File {
	tb.Helper()
	path := filepath.Join(repoRoot, "..", "shared", "conformance", name)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		tb.Skipf("%s absent: recorded cases skipped", path)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// env is a stack built from deploy/template.json, its Step Functions engine on a virtual clock (a Wait
// of an hour or a retry back-off takes no time), and SDK clients for its one endpoint.
type env struct {
	st     *stack.Stack
	url    string
	http   *http.Client
	sfn    *sfn.Client
	eb     *eventbridge.Client
	s3     *s3.Client
	lambda *lambda.Client
	cw     *cloudwatch.Client
}

func startStack(tb testing.TB) *env {
	tb.Helper()
	tpl, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "template.json"))
	if err != nil {
		tb.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	st, err := stack.Start(l, stack.Config{
		Template:  tpl,
		DataDir:   tb.TempDir(),
		Functions: stack.PipelineFunctions(),
		Clock:     interp.NewVirtualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)),
	})
	if err != nil {
		l.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := st.Close(); err != nil {
			tb.Errorf("close stack: %v", err)
		}
	})
	url := aws.String(st.URL())
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 32
	hc := &http.Client{Transport: transport, Timeout: time.Minute}
	return &env{
		st: st, url: st.URL(), http: hc,
		sfn: sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: url, Credentials: creds, HTTPClient: hc,
			APIOptions: []func(*middleware.Stack) error{localsfn.DisableHostPrefix}}),
		eb: eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: url, Credentials: creds, HTTPClient: hc}),
		s3: s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: url, Credentials: creds, HTTPClient: hc, UsePathStyle: true,
			RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired, ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired}),
		lambda: lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: url, Credentials: creds, HTTPClient: hc}),
		cw:     cloudwatch.New(cloudwatch.Options{Region: "us-east-1", BaseEndpoint: url, Credentials: creds, HTTPClient: hc}),
	}
}
