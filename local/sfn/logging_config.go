package sfn

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
)

// LogGroups tells whether a CloudWatch Logs log group exists. With it (WithLogGroups), CreateStateMachine
// and UpdateStateMachine refuse a LoggingConfiguration whose destination is not an existing group, as Step
// Functions does; without it the destination's existence is not checked.
type LogGroups interface {
	// LogGroupExists reports whether the group a logGroupArn ("arn:aws:logs:<region>:<account>:log-group:
	// <name>:*") names exists in this region and account.
	LogGroupExists(ctx context.Context, logGroupArn string) (bool, error)
}

// WithLogGroups sets how log group destinations are checked.
func WithLogGroups(g LogGroups) Option { return func(s *Service) { s.logGroups = g } }

// The messages of InvalidLoggingConfiguration as Step Functions words them. The first two are quoted in
// reports of the error from AWS (the '*' qualifier: hashicorp/terraform-provider-aws#17683); "Log
// Destination not found." is the one AWS-validated emulators give for a group that does not exist.
const (
	msgOneDestination   = "Invalid Logging Configuration: Must specify exactly one Log Destination."
	msgQualifier        = "Invalid Logging Configuration: Log Group ARN must be provided with '*' qualifier."
	msgDestinationFound = "Invalid Logging Configuration: Log Destination not found."
)

// checkLogging validates a LoggingConfiguration as CreateStateMachine and UpdateStateMachine do:
//
//   - level is one of ALL, ERROR, FATAL, OFF (OFF when absent), else ValidationException;
//   - destinations holds at most one destination, and exactly one unless the level is OFF, else
//     InvalidLoggingConfiguration;
//   - a destination's logGroupArn is 1 to 256 characters (ValidationException), ends with ":*"
//     (InvalidLoggingConfiguration), and names a log group that exists (InvalidLoggingConfiguration).
//
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_LoggingConfiguration.html
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_CloudWatchLogsLogGroup.html
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html#API_CreateStateMachine_Errors
func (s *Service) checkLogging(ctx context.Context, raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var c struct {
		Level        *string `json:"level"`
		Destinations []struct {
			CloudWatchLogsLogGroup *struct {
				LogGroupArn *string `json:"logGroupArn"`
			} `json:"cloudWatchLogsLogGroup"`
		} `json:"destinations"`
		IncludeExecutionData *bool `json:"includeExecutionData"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return apiErrorf(CodeSerialization, "Unexpected value type at 'loggingConfiguration'")
	}
	level := "OFF"
	if c.Level != nil {
		level = *c.Level
	}
	switch level {
	case "ALL", "ERROR", "FATAL", "OFF":
	default:
		return validationErrorf("Value '%s' at 'loggingConfiguration.level' failed to satisfy constraint: Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]", level)
	}
	if len(c.Destinations) > 1 || (level != "OFF" && len(c.Destinations) == 0) {
		return apiErrorf(CodeInvalidLoggingConfiguration, "%s", msgOneDestination)
	}
	for i, d := range c.Destinations {
		arn := ""
		if d.CloudWatchLogsLogGroup != nil && d.CloudWatchLogsLogGroup.LogGroupArn != nil {
			arn = *d.CloudWatchLogsLogGroup.LogGroupArn
		}
		field := "loggingConfiguration.destinations." + strconv.Itoa(i+1) + ".member.cloudWatchLogsLogGroup.logGroupArn"
		switch {
		case len(arn) == 0:
			return validationErrorf("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 1", arn, field)
		case len(arn) > 256:
			return validationErrorf("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 256", arn, field)
		case !strings.HasSuffix(arn, ":*"):
			return apiErrorf(CodeInvalidLoggingConfiguration, "%s", msgQualifier)
		}
		if s.logGroups == nil {
			continue
		}
		ok, err := s.logGroups.LogGroupExists(ctx, arn)
		if err != nil {
			return err
		}
		if !ok {
			return apiErrorf(CodeInvalidLoggingConfiguration, "%s", msgDestinationFound)
		}
	}
	return nil
}
