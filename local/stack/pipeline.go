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
// Embedded Metric Format lines go to the invocation's own output, so the local Lambda captures them. In
// the stack, the S3 client's requests reach the stack in process (lambda.Runtime.Transport).
func PipelineFunctions() map[string]HandlerFactory {
	clients := &s3Clients{m: map[s3ClientKey]*s3.Client{}}
	// Handlers are built per invocation; the gzip writers and part buffers outlive them in one pool, as
	// they would in a warm Lambda sandbox.
	buffers := &process.BufferPool{}
	// Parsed schemas, too, are kept across invocations of one function (revalidated against S3 on each
	// use), as a handler built once in a Lambda main keeps them.
	validateSchemas, processSchemas := schema.NewCache(0), schema.NewCache(0)
	return map[string]HandlerFactory{
		"ValidateFunction": func(rt lambda.Runtime, endpoint string) awslambda.Handler {
			h := validate.New(clients.get(endpoint, rt.Transport), validate.WithSchemaCache(validateSchemas),
				validate.WithLogger(emf.NewLogger(rt.Stdout, emf.ParseLevel(rt.Getenv("LOG_LEVEL")))),
				validate.WithMetrics(emf.New(rt.Stdout, "validate")))
			return awslambda.NewHandler(h.Handle)
		},
		"ProcessFunction": func(rt lambda.Runtime, endpoint string) awslambda.Handler {
			h := process.New(clients.get(endpoint, rt.Transport), process.WithBufferPool(buffers),
				process.WithSchemaCache(processSchemas),
				process.WithLogger(emf.NewLogger(rt.Stdout, emf.ParseLevel(rt.Getenv("LOG_LEVEL")))),
				process.WithMetrics(emf.New(rt.Stdout, "process")))
			return awslambda.NewHandler(h.Handle)
		},
		"StoreFunction": func(rt lambda.Runtime, endpoint string) awslambda.Handler {
			h := store.New(clients.get(endpoint, rt.Transport),
				store.WithLogger(emf.NewLogger(rt.Stdout, emf.ParseLevel(rt.Getenv("LOG_LEVEL")))),
				store.WithMetrics(emf.New(rt.Stdout, store.Stage)))
			return awslambda.NewHandler(h.Handle)
		},
	}
}

// s3Clients shares one S3 client (and its connection pool) per endpoint and transport between
// invocations, as a warm Lambda sandbox keeps its client between invocations. Their endpoints are
// resolved by the SDK's rules once for each set of parameters (s3Endpoints).
type s3Clients struct {
	mu        sync.Mutex
	m         map[s3ClientKey]*s3.Client
	endpoints *s3Endpoints
}

type s3ClientKey struct {
	endpoint  string
	transport http.RoundTripper
}

// get returns the client for endpoint. transport, when set (lambda.Runtime.Transport), carries its
// requests; otherwise they go over the network.
func (c *s3Clients) get(endpoint string, transport http.RoundTripper) *s3.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := s3ClientKey{endpoint, transport}
	if cl := c.m[key]; cl != nil {
		return cl
	}
	if c.endpoints == nil {
		c.endpoints = newS3Endpoints()
	}
	// A request over the network is bounded by the client's timeout and by the invocation's context
	// (the function's timeout, which cancels it). One the stack serves in process is bounded by the
	// context alone: net/http enforces a client timeout on a transport it does not know with a timer
	// and a goroutine for every request, a cost with nothing to guard against here.
	var hc s3.HTTPClient = &http.Client{Transport: transport}
	if ipt, ok := transport.(*inProcessTransport); ok {
		// Requests for the stack skip net/http's Client (inProcessClient).
		hc = &inProcessClient{rt: ipt, host: ipt.host, net: &http.Client{Transport: transport}}
	}
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		hc = &http.Client{Transport: t, Timeout: 15 * time.Minute}
	}
	cl := s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider("local", "local", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		HTTPClient:                 hc,
		EndpointResolverV2:         c.endpoints,
	})
	c.m[key] = cl
	return cl
}
