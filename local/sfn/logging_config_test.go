package sfn_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// groupSet is the log groups that exist, by ARN.
type groupSet map[string]bool

func (g groupSet) LogGroupExists(_ context.Context, arn string) (bool, error) { return g[arn], nil }

// What CreateStateMachine and UpdateStateMachine accept in a LoggingConfiguration, and the error of each
// refusal.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_LoggingConfiguration.html
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_CloudWatchLogsLogGroup.html
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html#API_CreateStateMachine_Errors
func TestLoggingConfigurationValidation(t *testing.T) {
	const group = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/vendedlogs/states/x:*"
	const missing = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/vendedlogs/states/missing:*"
	dest := func(arns ...string) []types.LogDestination {
		var out []types.LogDestination
		for _, a := range arns {
			out = append(out, types.LogDestination{CloudWatchLogsLogGroup: &types.CloudWatchLogsLogGroup{LogGroupArn: aws.String(a)}})
		}
		return out
	}
	tests := []struct {
		name     string
		cfg      *types.LoggingConfiguration
		wantCode string
		wantMsg  string
	}{
		{"none", nil, "", ""},
		{"OFF without destination", &types.LoggingConfiguration{Level: types.LogLevelOff}, "", ""},
		{"level absent is OFF", &types.LoggingConfiguration{IncludeExecutionData: true}, "", ""},
		{"ALL to an existing group", &types.LoggingConfiguration{Level: types.LogLevelAll, Destinations: dest(group)}, "", ""},
		{"FATAL to an existing group", &types.LoggingConfiguration{Level: types.LogLevelFatal, Destinations: dest(group)}, "", ""},
		{"ERROR without destination", &types.LoggingConfiguration{Level: types.LogLevelError},
			"InvalidLoggingConfiguration", "Invalid Logging Configuration: Must specify exactly one Log Destination."},
		{"two destinations", &types.LoggingConfiguration{Level: types.LogLevelAll, Destinations: dest(group, group)},
			"InvalidLoggingConfiguration", "Invalid Logging Configuration: Must specify exactly one Log Destination."},
		{"no :* qualifier", &types.LoggingConfiguration{Level: types.LogLevelAll, Destinations: dest(strings.TrimSuffix(group, ":*"))},
			"InvalidLoggingConfiguration", "Invalid Logging Configuration: Log Group ARN must be provided with '*' qualifier."},
		{"group does not exist", &types.LoggingConfiguration{Level: types.LogLevelAll, Destinations: dest(missing)},
			"InvalidLoggingConfiguration", "Invalid Logging Configuration: Log Destination not found."},
		{"unknown level", &types.LoggingConfiguration{Level: "VERBOSE", Destinations: dest(group)},
			"ValidationException", "1 validation error detected: Value 'VERBOSE' at 'loggingConfiguration.level' failed to satisfy constraint: Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]"},
		{"ARN too long", &types.LoggingConfiguration{Level: types.LogLevelAll, Destinations: dest(strings.Repeat("a", 255) + ":*")},
			"ValidationException", "1 validation error detected: Value '" + strings.Repeat("a", 255) + ":*' at 'loggingConfiguration.destinations.1.member.cloudWatchLogsLogGroup.logGroupArn' failed to satisfy constraint: Member must have length less than or equal to 256"},
	}
	_, c := start(t, localsfn.WithLogGroups(groupSet{group: true}))
	ctx := t.Context()
	plain := create(t, c, "plain", passMachine, types.StateMachineTypeStandard)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := "logging-" + strings.ReplaceAll(strings.ReplaceAll(tc.name, " ", "-"), ":*", "q")
			_, err := c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(passMachine),
				RoleArn: aws.String(role), LoggingConfiguration: tc.cfg})
			checkAPIError(t, "CreateStateMachine", err, tc.wantCode, tc.wantMsg)
			if tc.cfg == nil {
				return
			}
			_, err = c.UpdateStateMachine(ctx, &sdk.UpdateStateMachineInput{StateMachineArn: aws.String(plain), LoggingConfiguration: tc.cfg})
			checkAPIError(t, "UpdateStateMachine", err, tc.wantCode, tc.wantMsg)
		})
	}
}

func checkAPIError(t *testing.T, op string, err error, code, msg string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Errorf("%s: %v, want success", op, err)
		}
		return
	}
	if got := apiCode(err); got != code || !strings.Contains(err.Error(), msg) {
		t.Errorf("%s: got %v (code %q), want %s: %s", op, err, got, code, msg)
	}
}
