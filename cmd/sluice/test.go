package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/sluicehq/sluice/gen"
	"github.com/sluicehq/sluice/statetest"
)

// errTestsFailed is the error of a `sluice test` run with a failed case or too little coverage.
var errTestsFailed = errors.New("state machine tests failed")

// runTest runs a case file against a state machine, in process or through --endpoint, and prints each
// case's result and the coverage.
//
//	sluice test [--definition FILE] [--cases FILE] [--min-coverage N] [--html FILE] [--endpoint URL]
func runTest(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("test", std)
	definition := fs.String("definition", gen.PathStateMachine, "the state machine definition (ASL JSON)")
	cases := fs.String("cases", gen.PathMockCases, "the case file")
	minCoverage := fs.Float64("min-coverage", 0, "fail when less than this percentage of states and transitions is covered")
	html := fs.String("html", "", "write the coverage as an HTML page to this file")
	endpoint := fs.String("endpoint", "", "run the cases through this Step Functions endpoint (a running `sluice up` serving the mock file) instead of in process")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *minCoverage < 0 || *minCoverage > 100 {
		return fmt.Errorf("%w: --min-coverage %v is not a percentage", errUsage, *minCoverage)
	}
	suite, err := statetest.Load(*definition, *cases)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w (run from the repository root, or pass --definition and --cases)", err)
	}
	if err != nil {
		return err
	}
	var runner statetest.Runner = statetest.Engine{}
	if *endpoint != "" {
		runner = &statetest.Endpoint{Client: sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(*endpoint),
			Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})}
	}
	report := suite.Execute(ctx, runner)
	fmt.Fprint(std.Out, report.Text())
	fmt.Fprintf(std.Out, "\ncoverage of %s:\n%s", *definition, report.Coverage.Text())
	if *html != "" {
		f, err := os.Create(*html)
		if err != nil {
			return err
		}
		if err := report.Coverage.HTML(f, *definition); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", *html, err)
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	var problems []error
	if !report.Passed() {
		problems = append(problems, errors.New("a case failed"))
	}
	if got := report.Coverage.Totals().Percent(); got < *minCoverage {
		problems = append(problems, fmt.Errorf("coverage %.1f%% is under --min-coverage %v%%", got, *minCoverage))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %w", errTestsFailed, errors.Join(problems...))
	}
	return nil
}
