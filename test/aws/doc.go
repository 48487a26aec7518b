// Package aws is the end-to-end test against a deployed stack in a real AWS account. It is opt-in: the test
// file carries the build tag "aws", so plain `go test ./...` only compiles this doc file, and CI checks the
// test compiles with `go vet -tags aws ./test/aws/`.
//
// By default it deploys a stack of its own with `sluice deploy` (a stack named sluice-test-<time>, or
// SLUICE_STACK; the artifact bucket is the default one, made when missing), runs the tests against it
// (among them `sluice deploy` again, which must change nothing, and `sluice run --stack`), and deletes it
// with `sluice destroy` (SLUICE_KEEP_STACK=1 keeps it). The data bucket and its access-log bucket are
// retained by the template and stay after the destroy, which names them. It needs credentials for an
// account and a region, and Go (it builds the functions):
//
//	AWS_REGION=eu-west-1 go test -tags aws -count=1 -v -timeout 60m ./test/aws/
//
// To run it against a stack deployed by hand instead, set its outputs in the environment:
//
//	export AWS_REGION=eu-west-1
//	export SLUICE_BUCKET=$(aws cloudformation describe-stacks --stack-name sluice \
//	    --query "Stacks[0].Outputs[?OutputKey=='BucketName'].OutputValue" --output text)
//	export SLUICE_STATE_MACHINE_ARN=$(aws cloudformation describe-stacks --stack-name sluice \
//	    --query "Stacks[0].Outputs[?OutputKey=='StateMachineArn'].OutputValue" --output text)
//	go test -tags aws -count=1 -v ./test/aws/
//
// It uploads the sample orders schema and two sample objects (one valid, one invalid) under a unique
// name, follows the executions EventBridge starts, checks the stored, manifest and quarantined objects,
// starts the valid object's execution again to check a duplicate stores nothing twice, and deletes what
// it wrote under incoming/ (the outputs stay, like any pipeline output; the bucket is versioned).
package aws
