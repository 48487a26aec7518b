// Package e2e runs the whole pipeline on the embedded local AWS through public surfaces only: the stack
// is built from the generated template (deploy/template.json) by local/stack, and the tests talk to it
// with the real AWS SDK clients over HTTP (and the AWS CLI where a user would use it).
//
// The scenarios: every sample object stored or quarantined, a transient S3 failure retried by the state
// machine, a permanent failure caught and recorded, a duplicated event delivery storing one result, an
// object overwritten between its event and its processing, a burst of 1,000 objects each accounted for,
// and a crash (a clean Close, and a kill -9 of `sluice up`) in the middle of a burst losing nothing and
// storing nothing twice. Faults that AWS would produce (S3 answering 503, a connection cut mid-body, a
// request held until the object changed) come from a proxy the test puts between one function and the
// stack, through the stack's public Config (each function's handler is given the endpoint to use).
//
// The benchmarks measure end-to-end objects/s with p50/p99 latency from PutObject to the stored manifest,
// for a burst far above the functions' reserved concurrency (throttled, as AWS throttles it) and for a
// steady arrival below it, and Step Functions executions/s through the HTTP API beside the engine's
// in-process figure.
package e2e
