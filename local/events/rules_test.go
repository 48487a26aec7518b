package events_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/google/go-cmp/cmp"
)

func TestRuleLifecycle(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.client
	const pat = `{"source":["aws.s3"]}`
	put, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("on-upload"), EventPattern: aws.String(pat), Description: aws.String("d")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(put.RuleArn), "arn:aws:events:us-east-1:123456789012:rule/on-upload"; got != want {
		t.Errorf("RuleArn = %q, want %q", got, want)
	}
	desc, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("on-upload")})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{aws.ToString(desc.Name), aws.ToString(desc.EventPattern), string(desc.State), aws.ToString(desc.Description), aws.ToString(desc.EventBusName)}
	if diff := cmp.Diff(got, []string{"on-upload", pat, "ENABLED", "d", "default"}); diff != "" {
		t.Errorf("DescribeRule (-got +want):\n%s", diff)
	}

	if _, err := c.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("on-upload")}); err != nil {
		t.Fatal(err)
	}
	desc, _ = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("on-upload")})
	if desc.State != types.RuleStateDisabled {
		t.Errorf("State after DisableRule = %s", desc.State)
	}
	if _, err := c.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String("on-upload")}); err != nil {
		t.Fatal(err)
	}

	for _, name := range []string{"b-rule", "a-rule", "c-rule"} {
		if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(pat)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	var token *string
	for {
		out, err := c.ListRules(ctx, &eventbridge.ListRulesInput{Limit: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Rules {
			names = append(names, aws.ToString(r.Name))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if diff := cmp.Diff(names, []string{"a-rule", "b-rule", "c-rule", "on-upload"}); diff != "" {
		t.Errorf("ListRules pages (-got +want):\n%s", diff)
	}
	pre, err := c.ListRules(ctx, &eventbridge.ListRulesInput{NamePrefix: aws.String("on-")})
	if err != nil || len(pre.Rules) != 1 {
		t.Errorf("ListRules(NamePrefix on-) = %v, %v", pre, err)
	}

	pt, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("on-upload"), Targets: []types.Target{
		{Id: aws.String("sfn"), Arn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:m"),
			RetryPolicy:      &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(3), MaximumEventAgeInSeconds: aws.Int32(600)},
			DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:dlq")}},
	}})
	if err != nil || pt.FailedEntryCount != 0 {
		t.Fatalf("PutTargets = %+v, %v", pt, err)
	}
	lt, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("on-upload")})
	if err != nil {
		t.Fatal(err)
	}
	if len(lt.Targets) != 1 || aws.ToString(lt.Targets[0].Id) != "sfn" || aws.ToInt32(lt.Targets[0].RetryPolicy.MaximumRetryAttempts) != 3 ||
		aws.ToString(lt.Targets[0].DeadLetterConfig.Arn) != "arn:aws:sqs:us-east-1:123456789012:dlq" {
		t.Errorf("ListTargetsByRule = %+v", lt.Targets)
	}

	byTarget, err := c.ListRuleNamesByTarget(ctx, &eventbridge.ListRuleNamesByTargetInput{TargetArn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:m")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(byTarget.RuleNames, []string{"on-upload"}); diff != "" {
		t.Errorf("ListRuleNamesByTarget (-got +want):\n%s", diff)
	}

	_, err = c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("on-upload")})
	if code, msg := apiError(t, err); code != "ValidationException" || msg != "Rule can't be deleted since it has targets." {
		t.Errorf("DeleteRule with targets = %s: %s", code, msg)
	}
	if _, err := c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("on-upload"), Ids: []string{"sfn"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("on-upload")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("on-upload")})
	if code, msg := apiError(t, err); code != "ResourceNotFoundException" || msg != "Rule on-upload does not exist on EventBus default." {
		t.Errorf("DescribeRule after delete = %s: %s", code, msg)
	}
	if _, err := c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("on-upload")}); err != nil {
		t.Errorf("DeleteRule of a missing rule = %v, want success", err)
	}
}

func TestBuses(t *testing.T) {
	ctx := context.Background()
	c := newFixture(t).client
	lb, err := c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
	if err != nil || len(lb.EventBuses) != 1 || aws.ToString(lb.EventBuses[0].Name) != "default" {
		t.Fatalf("ListEventBuses = %+v, %v", lb, err)
	}
	db, err := c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{})
	if err != nil || aws.ToString(db.Arn) != "arn:aws:events:us-east-1:123456789012:event-bus/default" {
		t.Fatalf("DescribeEventBus = %+v, %v", db, err)
	}
	_, err = c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("orders")})
	if code, msg := apiError(t, err); code != "ResourceNotFoundException" || msg != "Event bus orders does not exist." {
		t.Errorf("DescribeEventBus(orders) = %s: %s", code, msg)
	}
}

// Validation messages follow AWS's model-level format; constraints come from
// the API reference (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html,
// API_PutTargets.html).
func TestAPIErrors(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.client
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["x"]}`)}); err != nil {
		t.Fatal(err)
	}
	sfn := aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:m")
	tests := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"bad rule name", func() error {
			_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bad name"), EventPattern: aws.String(`{"a":["b"]}`)})
			return err
		}, "ValidationException", `1 validation error detected: Value 'bad name' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+`},
		{"no pattern or schedule", func() error {
			_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r2")})
			return err
		}, "ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified."},
		{"invalid pattern", func() error {
			_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r2"), EventPattern: aws.String(`{"a":[]}`)})
			return err
		}, "InvalidEventPatternException", "Event pattern is not valid. Reason: Empty arrays are not allowed"},
		{"pattern too long", func() error {
			long := `{"a":["` + repeat("x", 4100) + `"]}`
			_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r2"), EventPattern: aws.String(long)})
			return err
		}, "ValidationException", ""},
		{"bad schedule", func() error {
			_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r2"), ScheduleExpression: aws.String("every 5 minutes")})
			return err
		}, "ValidationException", "Parameter ScheduleExpression is not valid."},
		{"unknown bus", func() error {
			_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r2"), EventPattern: aws.String(`{"a":["b"]}`), EventBusName: aws.String("orders")})
			return err
		}, "ResourceNotFoundException", "Event bus orders does not exist."},
		{"bad state", func() error {
			_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r2"), EventPattern: aws.String(`{"a":["b"]}`), State: "ON"})
			return err
		}, "ValidationException", "1 validation error detected: Value 'ON' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]"},
		{"targets on missing rule", func() error {
			_, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("nope"), Targets: []types.Target{{Id: aws.String("t"), Arn: sfn}}})
			return err
		}, "ResourceNotFoundException", "Rule nope does not exist on EventBus default."},
		{"retry attempts out of range", func() error {
			_, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{{Id: aws.String("t"), Arn: sfn,
				RetryPolicy: &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(186), MaximumEventAgeInSeconds: aws.Int32(59)}}}})
			return err
		}, "ValidationException", "2 validation errors detected: Value 186 at 'targets.1.member.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 185; Value 59 at 'targets.1.member.retryPolicy.maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60"},
		{"two input settings", func() error {
			_, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{{Id: aws.String("t"), Arn: sfn,
				Input: aws.String(`{}`), InputPath: aws.String("$.detail")}}})
			return err
		}, "ValidationException", "Only one of Input, InputPath, or InputTransformer must be provided."},
		{"too many targets", func() error {
			var ts []types.Target
			for _, id := range []string{"1", "2", "3", "4", "5", "6"} {
				ts = append(ts, types.Target{Id: aws.String(id), Arn: sfn})
			}
			_, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: ts})
			return err
		}, "LimitExceededException", "The requested resource exceeds the maximum number allowed."},
		{"enable missing rule", func() error {
			_, err := c.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", "Rule nope does not exist on EventBus default."},
		{"list targets missing rule", func() error {
			_, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", "Rule nope does not exist on EventBus default."},
		{"bad next token", func() error {
			_, err := c.ListRules(ctx, &eventbridge.ListRulesInput{NextToken: aws.String("forged")})
			return err
		}, "ValidationException", "The NextToken is not valid."},
		{"test pattern bad event", func() error {
			_, err := c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(`{"a":["b"]}`), Event: aws.String(`{"a":"b"}`)})
			return err
		}, "ValidationException", "Parameter Event is not valid."},
		{"put events empty", func() error {
			_, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{}})
			return err
		}, "ValidationException", "1 validation error detected: Value [] at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil {
				t.Fatal("call succeeded, want an error")
			}
			code, msg := apiError(t, err)
			if code != tt.code || (tt.msg != "" && msg != tt.msg) {
				t.Errorf("error = %s: %s\nwant %s: %s", code, msg, tt.code, tt.msg)
			}
		})
	}
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for range n {
		b = append(b, s...)
	}
	return string(b)
}

func TestScheduledRuleStored(t *testing.T) {
	ctx := context.Background()
	c := newFixture(t).client
	for _, expr := range []string{"rate(5 minutes)", "rate(1 day)", "cron(0 12 * * ? *)"} {
		if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("tick"), ScheduleExpression: aws.String(expr)}); err != nil {
			t.Errorf("PutRule(%s) = %v", expr, err)
		}
	}
	d, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("tick")})
	if err != nil || aws.ToString(d.ScheduleExpression) != "cron(0 12 * * ? *)" {
		t.Errorf("DescribeRule = %+v, %v", d, err)
	}
}
