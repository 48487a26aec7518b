package stack

import (
	"net/http"
	"sync"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/local/lambda"
	"github.com/sluicehq/sluice/tasks/emf"
	"github.com/sluicehq/sluice/tasks/process"
	"github.com/sluicehq/sluice/tasks/schema"
	"github.com/sluicehq/sluice/tasks/store"
	"github.com/sluicehq/sluice/tasks/validate"
)

// PipelineFunctions maps the pipeline template's functions (ValidateFunction, ProcessFunction,
// StoreFunction) to the real task handlers, built as cmd/validate, cmd/process and cmd/store build them in
// AWS: the same handler code and SDK calls, with the S3 client pointed at the local endpoint. Logs and
// Embedded Metric Format lines go to the invocation's own output, so the local Lambda captures them.
func PipelineFunctions() map[string]HandlerFactory {
	clients := &s3Clients{m: map[string]*s3.Client{}}
	// Handlers are built per invocation; the gzip writers and part buffers outlive them in one pool, as
	// they would in a warm Lambda sandbox.
	buffers := &process.BufferPool{}
	// Parsed schemas, too, are kept across invocations of one function (revalidated against S3 on each
	// use), as a handler built once in a Lambda main keeps them.
	validateSchemas, processSchemas := schema.NewCache(0), schema.NewCache(0)
	return map[string]HandlerFactory{
		"ValidateFunction": func(rt lambda.Runtime, endpoint string) awslambda.Handler {
			h := validate.New(clients.get(endpoint), validate.WithSchemaCache(validateSchemas),
				validate.WithLogger(emf.NewLogger(rt.Stdout, emf.ParseLevel(rt.Getenv("LOG_LEVEL")))),
				validate.WithMetrics(emf.New(rt.Stdout, "validate")))
			return awslambda.NewHandler(h.Handle)
		},
		"ProcessFunction": func(rt lambda.Runtime, endpoint string) awslambda.Handler {
			h := process.New(clients.get(endpoint), process.WithBufferPool(buffers),
				process.WithSchemaCache(processSchemas),
				process.WithLogger(emf.NewLogger(rt.Stdout, emf.ParseLevel(rt.Getenv("LOG_LEVEL")))),
				process.WithMetrics(emf.New(rt.Stdout, "process")))
			return awslambda.NewHandler(h.Handle)
		},
		"StoreFunction": func(rt lambda.Runtime, endpoint string) awslambda.Handler {
			h := store.New(clients.get(endpoint),
				store.WithLogger(emf.NewLogger(rt.Stdout, emf.ParseLevel(rt.Getenv("LOG_LEVEL")))),
				store.WithMetrics(emf.New(rt.Stdout, store.Stage)))
			return awslambda.NewHandler(h.Handle)
		},
	}
}

// s3Clients shares one S3 client (and its connection pool) per endpoint between invocations, as a warm
// Lambda sandbox keeps its client between invocations.
type s3Clients struct {
	mu sync.Mutex
	m  map[string]*s3.Client
}

func (c *s3Clients) get(endpoint string) *s3.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl := c.m[endpoint]; cl != nil {
		return cl
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	cl := s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider("local", "local", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		HTTPClient:                 &http.Client{Transport: transport, Timeout: 15 * time.Minute},
	})
	c.m[endpoint] = cl
	return cl
}
