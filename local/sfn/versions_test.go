package sfn_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// resultMachine answers its own label: which version ran shows in the output.
func resultMachine(label string) string {
	return `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"` + label + `","End":true}}}`
}

// errorCode returns the AWS error code of err ("" for none).
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "not an API error: " + err.Error()
	}
	return ""
}

func mustCode(tb testing.TB, err error, want string) {
	tb.Helper()
	if got := errorCode(err); got != want {
		tb.Fatalf("error code: got %q, want %q (%v)", got, want, err)
	}
}

// runOn starts an execution on arn, waits for it and describes it.
func runOn(tb testing.TB, svc *localsfn.Service, c *sdk.Client, arn string) *sdk.DescribeExecutionOutput {
	tb.Helper()
	ctx := context.Background()
	out, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: aws.String(arn)})
	if err != nil {
		tb.Fatalf("StartExecution(%s): %v", arn, err)
	}
	waitDone(tb, svc, *out.ExecutionArn)
	d, err := c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: out.ExecutionArn})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// TestVersionsAndAliases walks the life cycle of
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-version.html and
// concepts-state-machine-alias.html through the SDK.
func TestVersionsAndAliases(t *testing.T) {
	svc, c := start(t)
	ctx := t.Context()
	created, err := c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{
		Name: aws.String("vm"), Definition: aws.String(resultMachine("one")), RoleArn: aws.String(role),
		Publish: true, VersionDescription: aws.String("first"),
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := *created.StateMachineArn
	v1 := aws.ToString(created.StateMachineVersionArn)
	if v1 != arn+":1" {
		t.Fatalf("CreateStateMachine with publish: version %q, want %q", v1, arn+":1")
	}

	// DescribeStateMachine on a version ARN describes the version.
	dv, err := c.DescribeStateMachine(ctx, &sdk.DescribeStateMachineInput{StateMachineArn: aws.String(v1)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := []string{aws.ToString(dv.StateMachineArn), aws.ToString(dv.Description), aws.ToString(dv.Definition)}, []string{v1, "first", resultMachine("one")}; !cmp.Equal(got, want) {
		t.Errorf("DescribeStateMachine(version) (-got +want):\n%s", cmp.Diff(got, want))
	}

	// Publishing an unchanged revision is idempotent; a stale revisionId is a conflict.
	again, err := c.PublishStateMachineVersion(ctx, &sdk.PublishStateMachineVersionInput{StateMachineArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(again.StateMachineVersionArn); got != v1 {
		t.Errorf("publish of an unchanged revision: got %s, want %s", got, v1)
	}
	_, err = c.PublishStateMachineVersion(ctx, &sdk.PublishStateMachineVersionInput{StateMachineArn: &arn, RevisionId: aws.String("stale")})
	mustCode(t, err, "ConflictException")

	up, err := c.UpdateStateMachine(ctx, &sdk.UpdateStateMachineInput{StateMachineArn: &arn, Definition: aws.String(resultMachine("two")), Publish: true, VersionDescription: aws.String("second")})
	if err != nil {
		t.Fatal(err)
	}
	v2 := aws.ToString(up.StateMachineVersionArn)
	if v2 != arn+":2" {
		t.Fatalf("UpdateStateMachine with publish: version %q", v2)
	}
	// Publishing with the current revision id succeeds (and is the version just published).
	cur, err := c.PublishStateMachineVersion(ctx, &sdk.PublishStateMachineVersionInput{StateMachineArn: &arn, RevisionId: up.RevisionId})
	if err != nil || aws.ToString(cur.StateMachineVersionArn) != v2 {
		t.Fatalf("publish with the current revision: %v, %v", cur, err)
	}

	// Versions are listed newest first, one page at a time.
	var listed []string
	var next *string
	for {
		page, err := c.ListStateMachineVersions(ctx, &sdk.ListStateMachineVersionsInput{StateMachineArn: &arn, MaxResults: 1, NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page.StateMachineVersions {
			listed = append(listed, aws.ToString(v.StateMachineVersionArn))
		}
		if next = page.NextToken; next == nil {
			break
		}
	}
	if diff := cmp.Diff(listed, []string{v2, v1}); diff != "" {
		t.Errorf("ListStateMachineVersions (-got +want):\n%s", diff)
	}

	// A version runs its own definition; the execution names the version, no alias.
	d := runOn(t, svc, c, v1)
	if got, want := []string{aws.ToString(d.Output), aws.ToString(d.StateMachineArn), aws.ToString(d.StateMachineVersionArn), aws.ToString(d.StateMachineAliasArn)}, []string{`"one"`, arn, v1, ""}; !cmp.Equal(got, want) {
		t.Errorf("execution of version 1: (-got +want):\n%s", cmp.Diff(got, want))
	}
	d = runOn(t, svc, c, arn)
	if aws.ToString(d.Output) != `"two"` || d.StateMachineVersionArn != nil {
		t.Errorf("execution of the unqualified machine: output %s, version %v", aws.ToString(d.Output), aws.ToString(d.StateMachineVersionArn))
	}

	alias, err := c.CreateStateMachineAlias(ctx, &sdk.CreateStateMachineAliasInput{
		Name: aws.String("live"), Description: aws.String("canary"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: &v1, Weight: 100}},
	})
	if err != nil {
		t.Fatal(err)
	}
	aliasArn := aws.ToString(alias.StateMachineAliasArn)
	if aliasArn != arn+":live" {
		t.Fatalf("alias ARN %q", aliasArn)
	}
	// The same alias again is idempotent; a different one under the name is a conflict.
	if _, err := c.CreateStateMachineAlias(ctx, &sdk.CreateStateMachineAliasInput{
		Name: aws.String("live"), Description: aws.String("canary"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: &v1, Weight: 100}},
	}); err != nil {
		t.Errorf("creating the same alias again: %v", err)
	}
	_, err = c.CreateStateMachineAlias(ctx, &sdk.CreateStateMachineAliasInput{
		Name:                 aws.String("live"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: &v2, Weight: 100}},
	})
	mustCode(t, err, "ConflictException")

	d = runOn(t, svc, c, aliasArn)
	if got, want := []string{aws.ToString(d.Output), aws.ToString(d.StateMachineVersionArn), aws.ToString(d.StateMachineAliasArn)}, []string{`"one"`, v1, aliasArn}; !cmp.Equal(got, want) {
		t.Errorf("execution through the alias: (-got +want):\n%s", cmp.Diff(got, want))
	}

	// A version an alias routes to cannot be deleted.
	_, err = c.DeleteStateMachineVersion(ctx, &sdk.DeleteStateMachineVersionInput{StateMachineVersionArn: &v1})
	mustCode(t, err, "ConflictException")

	if _, err := c.UpdateStateMachineAlias(ctx, &sdk.UpdateStateMachineAliasInput{
		StateMachineAliasArn: &aliasArn,
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: &v2, Weight: 100}},
	}); err != nil {
		t.Fatal(err)
	}
	da, err := c.DescribeStateMachineAlias(ctx, &sdk.DescribeStateMachineAliasInput{StateMachineAliasArn: &aliasArn})
	if err != nil {
		t.Fatal(err)
	}
	same, err := c.UpdateStateMachineAlias(ctx, &sdk.UpdateStateMachineAliasInput{StateMachineAliasArn: &aliasArn, Description: aws.String("canary")})
	if err != nil || !same.UpdateDate.Equal(*da.UpdateDate) {
		t.Errorf("the same alias update again: %v, %v; want the update date %v unchanged", same, err, da.UpdateDate)
	}
	if got := fmt.Sprintf("%s %s %s %d", aws.ToString(da.Name), aws.ToString(da.Description), aws.ToString(da.RoutingConfiguration[0].StateMachineVersionArn), da.RoutingConfiguration[0].Weight); got != "live canary "+v2+" 100" {
		t.Errorf("DescribeStateMachineAlias: %s", got)
	}
	if d := runOn(t, svc, c, aliasArn); aws.ToString(d.Output) != `"two"` {
		t.Errorf("alias after the update ran %s", aws.ToString(d.Output))
	}
	if _, err := c.DeleteStateMachineVersion(ctx, &sdk.DeleteStateMachineVersionInput{StateMachineVersionArn: &v1}); err != nil {
		t.Fatalf("delete a version no alias routes to: %v", err)
	}
	_, err = c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &v1})
	mustCode(t, err, "StateMachineDoesNotExist")

	// Numbers are not reused: the next version after 2 is 3, even with 1 gone.
	up, err = c.UpdateStateMachine(ctx, &sdk.UpdateStateMachineInput{StateMachineArn: &arn, Definition: aws.String(resultMachine("three")), Publish: true})
	if err != nil || aws.ToString(up.StateMachineVersionArn) != arn+":3" {
		t.Fatalf("third publish: %v, %v", aws.ToString(up.StateMachineVersionArn), err)
	}

	aliases, err := c.ListStateMachineAliases(ctx, &sdk.ListStateMachineAliasesInput{StateMachineArn: &arn})
	if err != nil || len(aliases.StateMachineAliases) != 1 || aws.ToString(aliases.StateMachineAliases[0].StateMachineAliasArn) != aliasArn {
		t.Fatalf("ListStateMachineAliases: %+v, %v", aliases, err)
	}
	if _, err := c.DeleteStateMachineAlias(ctx, &sdk.DeleteStateMachineAliasInput{StateMachineAliasArn: &aliasArn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeStateMachineAlias(ctx, &sdk.DescribeStateMachineAliasInput{StateMachineAliasArn: &aliasArn})
	mustCode(t, err, "ResourceNotFound")

	// Deleting the state machine deletes its versions.
	if _, err := c.DeleteStateMachine(ctx, &sdk.DeleteStateMachineInput{StateMachineArn: &arn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeStateMachine(ctx, &sdk.DescribeStateMachineInput{StateMachineArn: aws.String(arn + ":3")})
	mustCode(t, err, "StateMachineDoesNotExist")
}

// TestAliasRouting: an alias routing 70/30 splits 1,000 starts close to 70/30, and the same seed routes
// the same way.
func TestAliasRouting(t *testing.T) {
	route := func(seed uint64, n int) []string {
		svc, c := start(t, localsfn.WithRoutingSeed(seed))
		ctx := t.Context()
		created, err := c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{
			Name: aws.String("split"), Definition: aws.String(resultMachine("a")), RoleArn: aws.String(role), Publish: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		up, err := c.UpdateStateMachine(ctx, &sdk.UpdateStateMachineInput{StateMachineArn: created.StateMachineArn, Definition: aws.String(resultMachine("b")), Publish: true})
		if err != nil {
			t.Fatal(err)
		}
		alias, err := c.CreateStateMachineAlias(ctx, &sdk.CreateStateMachineAliasInput{
			Name: aws.String("canary"),
			RoutingConfiguration: []types.RoutingConfigurationListItem{
				{StateMachineVersionArn: created.StateMachineVersionArn, Weight: 70},
				{StateMachineVersionArn: up.StateMachineVersionArn, Weight: 30},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := range n {
			out, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: alias.StateMachineAliasArn, Name: aws.String(fmt.Sprint("e", i))})
			if err != nil {
				t.Fatal(err)
			}
			d, err := c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: out.ExecutionArn})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(d.StateMachineAliasArn) != aws.ToString(alias.StateMachineAliasArn) {
				t.Fatalf("execution %d: alias %q", i, aws.ToString(d.StateMachineAliasArn))
			}
			v := aws.ToString(d.StateMachineVersionArn)
			got = append(got, v[strings.LastIndex(v, ":")+1:])
		}
		svc.Close()
		return got
	}
	first := route(7, 1000)
	count := map[string]int{}
	for _, v := range first {
		count[v]++
	}
	// 1,000 draws at p = 0.7: the standard deviation is 14.5, so 650..750 is more than 3 of them.
	if count["1"] < 650 || count["1"] > 750 || count["1"]+count["2"] != 1000 {
		t.Errorf("70/30 alias over 1000 starts routed %v", count)
	}
	if again := route(7, 200); !cmp.Equal(again, first[:200]) {
		t.Errorf("the same seed routed differently (-got +want):\n%s", cmp.Diff(again, first[:200]))
	}
}

// TestVersionErrors: bad input answers AWS's error codes.
func TestVersionErrors(t *testing.T) {
	_, c := start(t)
	ctx := t.Context()
	created, err := c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{
		Name: aws.String("ev"), Definition: aws.String(resultMachine("x")), RoleArn: aws.String(role), Publish: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	other := create(t, c, "other", resultMachine("y"), types.StateMachineTypeStandard)
	otherV, err := c.PublishStateMachineVersion(ctx, &sdk.PublishStateMachineVersionInput{StateMachineArn: &other})
	if err != nil {
		t.Fatal(err)
	}
	arn, v1 := *created.StateMachineArn, *created.StateMachineVersionArn
	missingMachine := "arn:aws:states:us-east-1:000000000000:stateMachine:nope"
	routes := func(items ...types.RoutingConfigurationListItem) []types.RoutingConfigurationListItem { return items }
	rc := func(v string, w int32) types.RoutingConfigurationListItem {
		return types.RoutingConfigurationListItem{StateMachineVersionArn: aws.String(v), Weight: w}
	}
	alias := func(name string, r []types.RoutingConfigurationListItem) func() error {
		return func() error {
			_, err := c.CreateStateMachineAlias(ctx, &sdk.CreateStateMachineAliasInput{Name: aws.String(name), RoutingConfiguration: r})
			return err
		}
	}
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"publish on a missing machine", func() error {
			_, err := c.PublishStateMachineVersion(ctx, &sdk.PublishStateMachineVersionInput{StateMachineArn: &missingMachine})
			return err
		}, "StateMachineDoesNotExist"},
		{"publish on a version ARN", func() error {
			_, err := c.PublishStateMachineVersion(ctx, &sdk.PublishStateMachineVersionInput{StateMachineArn: &v1})
			return err
		}, "InvalidArn"},
		{"description of 256 characters of 2 bytes is not too long", func() error {
			_, err := c.PublishStateMachineVersion(ctx, &sdk.PublishStateMachineVersionInput{StateMachineArn: &arn, Description: aws.String(strings.Repeat("é", 256))})
			return err
		}, ""},
		{"description too long", func() error {
			_, err := c.PublishStateMachineVersion(ctx, &sdk.PublishStateMachineVersionInput{StateMachineArn: &arn, Description: aws.String(strings.Repeat("d", 257))})
			return err
		}, "ValidationException"},
		{"version description without publish", func() error {
			_, err := c.UpdateStateMachine(ctx, &sdk.UpdateStateMachineInput{StateMachineArn: &arn, Definition: aws.String(resultMachine("z")), VersionDescription: aws.String("d")})
			return err
		}, "ValidationException"},
		{"list versions of a missing machine", func() error {
			_, err := c.ListStateMachineVersions(ctx, &sdk.ListStateMachineVersionsInput{StateMachineArn: &missingMachine})
			return err
		}, "StateMachineDoesNotExist"},
		{"delete a version by a machine ARN", func() error {
			_, err := c.DeleteStateMachineVersion(ctx, &sdk.DeleteStateMachineVersionInput{StateMachineVersionArn: &arn})
			return err
		}, "InvalidArn"},
		{"alias named as a number", alias("42", routes(rc(v1, 100))), "ValidationException"},
		{"alias with a bad name", alias("a b", routes(rc(v1, 100))), "ValidationException"},
		{"weights not summing to 100", alias("a", routes(rc(v1, 90))), "ValidationException"},
		{"weight over 100", alias("a", routes(rc(v1, 101))), "ValidationException"},
		{"three routes", alias("a", routes(rc(v1, 50), rc(arn+":2", 25), rc(arn+":3", 25))), "ValidationException"},
		{"the same version twice", alias("a", routes(rc(v1, 50), rc(v1, 50))), "ValidationException"},
		{"versions of two machines", alias("a", routes(rc(v1, 50), rc(*otherV.StateMachineVersionArn, 50))), "ValidationException"},
		{"route to a machine ARN", alias("a", routes(rc(arn, 100))), "InvalidArn"},
		{"route to a missing version", alias("a", routes(rc(arn+":9", 100))), "ResourceNotFound"},
		{"alias of a missing machine", alias("a", routes(rc(missingMachine+":1", 100))), "ResourceNotFound"},
		{"describe a missing alias", func() error {
			_, err := c.DescribeStateMachineAlias(ctx, &sdk.DescribeStateMachineAliasInput{StateMachineAliasArn: aws.String(arn + ":none")})
			return err
		}, "ResourceNotFound"},
		{"describe an alias by a version ARN", func() error {
			_, err := c.DescribeStateMachineAlias(ctx, &sdk.DescribeStateMachineAliasInput{StateMachineAliasArn: &v1})
			return err
		}, "InvalidArn"},
		{"update an alias with nothing", func() error {
			_, err := c.UpdateStateMachineAlias(ctx, &sdk.UpdateStateMachineAliasInput{StateMachineAliasArn: aws.String(arn + ":none")})
			return err
		}, "ValidationException"},
		{"delete a missing alias", func() error {
			_, err := c.DeleteStateMachineAlias(ctx, &sdk.DeleteStateMachineAliasInput{StateMachineAliasArn: aws.String(arn + ":none")})
			return err
		}, "ResourceNotFound"},
		{"start on a missing alias", func() error {
			_, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: aws.String(arn + ":none")})
			return err
		}, "StateMachineDoesNotExist"},
		{"start on a missing version", func() error {
			_, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: aws.String(arn + ":7")})
			return err
		}, "StateMachineDoesNotExist"},
		{"start on a malformed qualified ARN", func() error {
			_, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: aws.String(arn + ":01")})
			return err
		}, "InvalidArn"},
		{"start on a Distributed Map state's ARN", func() error {
			_, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: aws.String(arn + "/mapLabel")})
			return err
		}, "ValidationException"},
		{"describe a missing version", func() error {
			_, err := c.DescribeStateMachine(ctx, &sdk.DescribeStateMachineInput{StateMachineArn: aws.String(arn + ":5")})
			return err
		}, "StateMachineDoesNotExist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { mustCode(t, tt.call(), tt.code) })
	}
}

// TestVersionQuota: a state machine has at most 1,000 versions (PublishStateMachineVersion's
// ServiceQuotaExceededException); deleting one makes room.
func TestVersionQuota(t *testing.T) {
	if testing.Short() {
		t.Skip("publishes 1,000 versions")
	}
	_, c := start(t)
	ctx := t.Context()
	arn := create(t, c, "many", resultMachine("0"), types.StateMachineTypeStandard)
	var last string
	for i := 1; i <= 1000; i++ {
		up, err := c.UpdateStateMachine(ctx, &sdk.UpdateStateMachineInput{StateMachineArn: &arn, Definition: aws.String(resultMachine(fmt.Sprint(i))), Publish: true})
		if err != nil {
			t.Fatalf("version %d: %v", i, err)
		}
		last = aws.ToString(up.StateMachineVersionArn)
	}
	_, err := c.UpdateStateMachine(ctx, &sdk.UpdateStateMachineInput{StateMachineArn: &arn, Definition: aws.String(resultMachine("over")), Publish: true})
	mustCode(t, err, "ServiceQuotaExceededException")
	if _, err := c.DeleteStateMachineVersion(ctx, &sdk.DeleteStateMachineVersionInput{StateMachineVersionArn: &last}); err != nil {
		t.Fatal(err)
	}
	p, err := c.PublishStateMachineVersion(ctx, &sdk.PublishStateMachineVersionInput{StateMachineArn: &arn})
	if err != nil || aws.ToString(p.StateMachineVersionArn) != arn+":1001" {
		t.Fatalf("publish after deleting one: %v, %v", aws.ToString(p.StateMachineVersionArn), err)
	}
}

// TestVersionsSurviveRestart: versions, aliases and the version numbering are durable, and an execution
// in flight on a version resumes on that version's definition after a restart, whatever became of the
// state machine meanwhile.
func TestVersionsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	parked := `{"StartAt":"Wait","States":{"Wait":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"t.$":"$$.Task.Token"},"ResultPath":null,"Next":"Done"},"Done":{"Type":"Pass","Result":"parked","End":true}}}`
	a := openServed(t, localsfn.WithDataDir(dir), localsfn.WithTaskInvoker(parkTasks{}))
	created, err := a.c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{Name: aws.String("durable"), Definition: aws.String(parked), RoleArn: aws.String(role), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	arn, v1 := *created.StateMachineArn, *created.StateMachineVersionArn
	up, err := a.c.UpdateStateMachine(ctx, &sdk.UpdateStateMachineInput{StateMachineArn: &arn, Definition: aws.String(resultMachine("two")), Publish: true, VersionDescription: aws.String("kept")})
	if err != nil {
		t.Fatal(err)
	}
	v2 := *up.StateMachineVersionArn
	if _, err := a.c.UpdateStateMachine(ctx, &sdk.UpdateStateMachineInput{StateMachineArn: &arn, Definition: aws.String(resultMachine("three")), Publish: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.c.DeleteStateMachineVersion(ctx, &sdk.DeleteStateMachineVersionInput{StateMachineVersionArn: aws.String(arn + ":3")}); err != nil {
		t.Fatal(err)
	}
	al, err := a.c.CreateStateMachineAlias(ctx, &sdk.CreateStateMachineAliasInput{Name: aws.String("prod"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: &v1, Weight: 50}, {StateMachineVersionArn: &v2, Weight: 50}}})
	if err != nil {
		t.Fatal(err)
	}
	run, err := a.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &v1, Name: aws.String("inflight")})
	if err != nil {
		t.Fatal(err)
	}
	a.close(t)

	tasks := newTokenTasks()
	b := openServed(t, localsfn.WithDataDir(dir), localsfn.WithTaskInvoker(tasks))
	defer b.close(t)
	versions, err := b.c.ListStateMachineVersions(ctx, &sdk.ListStateMachineVersionsInput{StateMachineArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range versions.StateMachineVersions {
		got = append(got, aws.ToString(v.StateMachineVersionArn))
	}
	if diff := cmp.Diff(got, []string{v2, v1}); diff != "" {
		t.Errorf("versions after restart (-got +want):\n%s", diff)
	}
	dv, err := b.c.DescribeStateMachine(ctx, &sdk.DescribeStateMachineInput{StateMachineArn: &v2})
	if err != nil || aws.ToString(dv.Description) != "kept" || aws.ToString(dv.Definition) != resultMachine("two") {
		t.Errorf("version 2 after restart: %+v, %v", dv, err)
	}
	da, err := b.c.DescribeStateMachineAlias(ctx, &sdk.DescribeStateMachineAliasInput{StateMachineAliasArn: al.StateMachineAliasArn})
	if err != nil || len(da.RoutingConfiguration) != 2 {
		t.Fatalf("alias after restart: %+v, %v", da, err)
	}
	p, err := b.c.UpdateStateMachine(ctx, &sdk.UpdateStateMachineInput{StateMachineArn: &arn, Definition: aws.String(resultMachine("four")), Publish: true})
	if err != nil || aws.ToString(p.StateMachineVersionArn) != arn+":4" {
		t.Errorf("the next version after restart: %v, %v (3 was deleted and is not reused)", aws.ToString(p.StateMachineVersionArn), err)
	}
	// The execution resumed on version 1's definition: it is parked on its task again, and the restarted
	// service hands its new token out.
	tok := tasks.next(t)
	if _, err := b.c.SendTaskSuccess(ctx, &sdk.SendTaskSuccessInput{TaskToken: &tok, Output: aws.String(`{}`)}); err != nil {
		t.Fatal(err)
	}
	waitDone(t, b.svc, *run.ExecutionArn)
	d, err := b.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: run.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := []string{aws.ToString(d.Output), aws.ToString(d.StateMachineVersionArn)}, []string{`"parked"`, v1}; !cmp.Equal(got, want) {
		t.Errorf("resumed execution (-got +want):\n%s", cmp.Diff(got, want))
	}
}

// TestListExecutionsOfVersion: ListExecutions takes a version or alias ARN and lists the executions
// started on it, running or closed, before and after a restart; ExecutionStarted names the version and
// alias.
func TestListExecutionsOfVersion(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	a := openServed(t, localsfn.WithDataDir(dir))
	created, err := a.c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{Name: aws.String("listed"), Definition: aws.String(resultMachine("1")), RoleArn: aws.String(role), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	arn, v1 := *created.StateMachineArn, *created.StateMachineVersionArn
	up, err := a.c.UpdateStateMachine(ctx, &sdk.UpdateStateMachineInput{StateMachineArn: &arn, Definition: aws.String(resultMachine("2")), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	al, err := a.c.CreateStateMachineAlias(ctx, &sdk.CreateStateMachineAliasInput{Name: aws.String("prod"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: up.StateMachineVersionArn, Weight: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	aliasArn := *al.StateMachineAliasArn
	for i, on := range []string{v1, v1, aliasArn, arn} {
		out, err := a.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &on, Name: aws.String(fmt.Sprint("x", i))})
		if err != nil {
			t.Fatal(err)
		}
		waitDone(t, a.svc, *out.ExecutionArn)
	}
	h, err := a.c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:000000000000:execution:listed:x2")})
	if err != nil {
		t.Fatal(err)
	}
	if d := h.Events[0].ExecutionStartedEventDetails; aws.ToString(d.StateMachineVersionArn) != *up.StateMachineVersionArn || aws.ToString(d.StateMachineAliasArn) != aliasArn {
		t.Errorf("ExecutionStarted details: version %q alias %q", aws.ToString(d.StateMachineVersionArn), aws.ToString(d.StateMachineAliasArn))
	}
	list := func(c *sdk.Client, of string) []string {
		t.Helper()
		out, err := c.ListExecutions(ctx, &sdk.ListExecutionsInput{StateMachineArn: &of})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range out.Executions {
			got = append(got, fmt.Sprintf("%s %s %s", aws.ToString(e.Name), strings.TrimPrefix(aws.ToString(e.StateMachineVersionArn), arn), strings.TrimPrefix(aws.ToString(e.StateMachineAliasArn), arn)))
		}
		return got
	}
	want := map[string][]string{
		v1:       {"x1 :1 ", "x0 :1 "},
		aliasArn: {"x2 :2 :prod"},
		arn:      {"x3  ", "x2 :2 :prod", "x1 :1 ", "x0 :1 "},
	}
	for of, w := range want {
		if diff := cmp.Diff(list(a.c, of), w); diff != "" {
			t.Errorf("ListExecutions(%s) (-got +want):\n%s", of, diff)
		}
	}
	a.close(t)
	b := openServed(t, localsfn.WithDataDir(dir))
	defer b.close(t)
	for of, w := range want {
		if diff := cmp.Diff(list(b.c, of), w); diff != "" {
			t.Errorf("after restart, ListExecutions(%s) (-got +want):\n%s", of, diff)
		}
	}
}

// TestStartSyncExecutionOnAlias: an EXPRESS state machine's alias serves StartSyncExecution, and the
// answer runs the version the alias routes to.
func TestStartSyncExecutionOnAlias(t *testing.T) {
	_, c := start(t)
	ctx := t.Context()
	created, err := c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{Name: aws.String("fast"), Definition: aws.String(resultMachine("v1")),
		RoleArn: aws.String(role), Type: types.StateMachineTypeExpress, Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateStateMachine(ctx, &sdk.UpdateStateMachineInput{StateMachineArn: created.StateMachineArn, Definition: aws.String(resultMachine("latest"))}); err != nil {
		t.Fatal(err)
	}
	al, err := c.CreateStateMachineAlias(ctx, &sdk.CreateStateMachineAliasInput{Name: aws.String("stable"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: created.StateMachineVersionArn, Weight: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.StartSyncExecution(ctx, &sdk.StartSyncExecutionInput{StateMachineArn: al.StateMachineAliasArn})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Output); got != `"v1"` || out.Status != types.SyncExecutionStatusSucceeded {
		t.Errorf("StartSyncExecution on the alias: %s %s, want SUCCEEDED \"v1\"", out.Status, got)
	}
}

// TestCreateAgainWithPublish: creating an existing state machine again with publish answers the version
// of its current revision, publishing it when there is none, and never a second one.
func TestCreateAgainWithPublish(t *testing.T) {
	_, c := start(t)
	ctx := t.Context()
	in := &sdk.CreateStateMachineInput{Name: aws.String("again"), Definition: aws.String(resultMachine("x")), RoleArn: aws.String(role)}
	first, err := c.CreateStateMachine(ctx, in)
	if err != nil || first.StateMachineVersionArn != nil {
		t.Fatalf("create without publish: %v, %v", first, err)
	}
	in.Publish = true
	for range 2 {
		out, err := c.CreateStateMachine(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.StateMachineVersionArn); got != *first.StateMachineArn+":1" {
			t.Errorf("create again with publish: version %q", got)
		}
	}
	list, err := c.ListStateMachineVersions(ctx, &sdk.ListStateMachineVersionsInput{StateMachineArn: first.StateMachineArn})
	if err != nil || len(list.StateMachineVersions) != 1 {
		t.Errorf("versions: %+v, %v", list, err)
	}
}
