package sfn_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"
)

// TestTags covers TagResource, UntagResource and ListTagsForResource on a state machine, and their errors.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_TagResource.html
func TestTags(t *testing.T) {
	_, c := start(t)
	ctx := context.Background()
	arn := create(t, c, "tagged", passMachine, types.StateMachineTypeStandard)
	list := func() []string {
		t.Helper()
		out, err := c.ListTagsForResource(ctx, &sdk.ListTagsForResourceInput{ResourceArn: &arn})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tg := range out.Tags {
			got = append(got, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return got
	}
	if _, err := c.TagResource(ctx, &sdk.TagResourceInput{ResourceArn: &arn, Tags: []types.Tag{
		{Key: aws.String("team"), Value: aws.String("data")}, {Key: aws.String("env"), Value: aws.String("dev")},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagResource(ctx, &sdk.TagResourceInput{ResourceArn: &arn, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(list(), []string{"env=prod", "team=data"}); diff != "" {
		t.Errorf("tags after tagging (-got +want):\n%s", diff)
	}
	if _, err := c.UntagResource(ctx, &sdk.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"team", "absent"}}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(list(), []string{"env=prod"}); diff != "" {
		t.Errorf("tags after untagging (-got +want):\n%s", diff)
	}

	var many []types.Tag
	for i := range 50 {
		many = append(many, types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
	}
	_, err := c.TagResource(ctx, &sdk.TagResourceInput{ResourceArn: &arn, Tags: many})
	var tooMany *types.TooManyTags
	if !errors.As(err, &tooMany) {
		t.Errorf("51 tags: got %v, want TooManyTags", err)
	}
	if diff := cmp.Diff(list(), []string{"env=prod"}); diff != "" {
		t.Errorf("a refused TagResource must change nothing (-got +want):\n%s", diff)
	}
	missing := "arn:aws:states:us-east-1:000000000000:stateMachine:nope"
	_, err = c.ListTagsForResource(ctx, &sdk.ListTagsForResourceInput{ResourceArn: &missing})
	var notFound *types.ResourceNotFound
	if !errors.As(err, &notFound) {
		t.Errorf("unknown machine: got %v, want ResourceNotFound", err)
	}
}
