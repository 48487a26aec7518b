// Package aws is the end-to-end test against a deployed stack in a real AWS account. It is opt-in: the test
// file carries the build tag "aws", so plain `go test ./...` only compiles this doc file, and CI checks the
// test compiles with `go vet -tags aws ./test/aws/`.
//
// Run it after `make deploy`, with credentials for the account and the stack's outputs in the environment:
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
