package lambda_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/lambda"
)

// TestLogLevelFiltering checks LoggingConfig's filters as Lambda applies them with the JSON log format
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html): a line's level
// is its JSON "level", INFO when it has none (the EMF lines) or is not JSON; Lambda's records are INFO;
// AWS_LAMBDA_LOG_LEVEL is the application level.
func TestLogLevelFiltering(t *testing.T) {
	lines := []string{
		`{"level":"DEBUG","msg":"d"}`,
		`{"level":"info","msg":"i"}`,
		`{"_aws":{"CloudWatchMetrics":[]},"Stage":"x"}`,
		`plain text`,
		`{"level":"WARN","msg":"w"}`,
	}
	tests := []struct {
		app, sys string
		wantApp  []string
		platform bool
	}{
		{"", "", lines, true},
		{"DEBUG", "INFO", lines, true},
		{"INFO", "INFO", lines[1:], true},
		// Above INFO the level-less EMF line is dropped too: why gen keeps ApplicationLogLevel <= INFO.
		{"WARN", "WARN", lines[4:], false},
	}
	for _, tt := range tests {
		t.Run(tt.app+"/"+tt.sys, func(t *testing.T) {
			e := newEnv(t)
			var env string
			h := func(rt lambda.Runtime) awslambda.Handler {
				return awslambda.NewHandler(func(ctx context.Context) (string, error) {
					env = rt.Getenv("AWS_LAMBDA_LOG_LEVEL")
					for _, l := range lines {
						fmt.Fprintln(rt.Stdout, l)
					}
					return "", nil
				})
			}
			f := lambda.Function{Name: "levels", NewHandler: h, LogFormat: lambda.LogFormatJSON, ApplicationLogLevel: tt.app, SystemLogLevel: tt.sys}
			if err := e.srv.Register(f); err != nil {
				t.Fatal(err)
			}
			if _, err := e.client.Invoke(t.Context(), &sdk.InvokeInput{FunctionName: aws.String("levels")}); err != nil {
				t.Fatal(err)
			}
			logs := e.srv.Logs("levels")
			got := logs[len(logs)-1].Lines
			want := tt.wantApp
			if tt.platform {
				if len(got) < 2 || !strings.Contains(got[0], `"platform.start"`) || !strings.Contains(got[len(got)-1], `"platform.report"`) {
					t.Fatalf("lines %q do not start with platform.start and end with platform.report", got)
				}
				want = append([]string{got[0]}, append(append([]string{}, want...), got[len(got)-1])...)
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("kept lines (-got +want):\n%s", diff)
			}
			if env != tt.app {
				t.Errorf("AWS_LAMBDA_LOG_LEVEL = %q, want %q", env, tt.app)
			}
		})
	}
}

func TestLogLevelsNeedJSON(t *testing.T) {
	e := newEnv(t)
	h := func(rt lambda.Runtime) awslambda.Handler { return awslambda.NewHandler(func() error { return nil }) }
	for _, f := range []lambda.Function{
		{Name: "text", NewHandler: h, ApplicationLogLevel: "DEBUG"},
		{Name: "bad", NewHandler: h, LogFormat: lambda.LogFormatJSON, ApplicationLogLevel: "LOUD"},
		{Name: "sys", NewHandler: h, LogFormat: lambda.LogFormatJSON, SystemLogLevel: "ERROR"},
	} {
		if err := e.srv.Register(f); err == nil {
			t.Errorf("Register(%s) accepted log levels %q/%q with format %q", f.Name, f.ApplicationLogLevel, f.SystemLogLevel, f.LogFormat)
		}
	}
}
