// Command validate is the Lambda function of the validate task: it checks an object against its dataset's schema and returns a report (package tasks/validate).
//
// It is wiring only: an S3 client from the default AWS configuration (the function's role and region), a
// JSON logger at the level LOG_LEVEL names (DEBUG, INFO, WARN or ERROR; AWS_LAMBDA_LOG_LEVEL when unset),
// EMF metrics on standard output, and lambda.Start. Build it for the provided.al2023 runtime with
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./cmd/validate
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/tasks/emf"
	"github.com/sluicehq/sluice/tasks/validate"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "validate:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("load aws config: %w", err)
	}
	h := validate.New(s3.NewFromConfig(cfg),
		validate.WithLogger(emf.NewLogger(os.Stdout, emf.LevelFromEnv(os.Getenv))),
		validate.WithMetrics(emf.New(os.Stdout, "validate")))
	lambda.Start(h.Handle)
	return nil
}
