package events_test

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/sluicehq/sluice/internal/tmpfs"
	"github.com/sluicehq/sluice/local/events"
)

// TestDiskFullAcknowledgesOnlyWhatIsSaved reruns the measured failure on a real, full file
// system: with the disk full, PutRule and PutTargets answer InternalException and PutEvents
// reports InternalFailure for its entry (before, all three succeeded and the rule was gone
// after a restart). Once space is freed the same calls succeed, and after a restart exactly
// the acknowledged rules, targets and queued deliveries are there.
func TestDiskFullAcknowledgesOnlyWhatIsSaved(t *testing.T) {
	ctx := t.Context()
	mnt := tmpfs.Mount(t, 256<<10)
	state, queue := filepath.Join(mnt, "state.log"), filepath.Join(mnt, "queue.log")
	open := func() (*fixture, func()) {
		quiet := slog.New(slog.DiscardHandler)
		st, q := events.NewFileStore(state, true, quiet), events.NewFileQueue(queue, true, quiet)
		closeAll := func() { st.Close(); q.Close() }
		t.Cleanup(closeAll)
		return newFixture(t, events.WithStore(st), events.WithQueue(q)), closeAll
	}
	// Changes larger than a page, so that each needs room the full disk does not have (a
	// small one may still fit in the last page of its file).
	bigPattern := `{"source":["x"],"detail":{"k":["` + strings.Repeat("v", 4000) + `"]}}`
	bigInput := `"` + strings.Repeat("i", 8000) + `"`
	bigDetail := `{"full":"` + strings.Repeat("d", 8000) + `"}`
	f, closeF := open()
	setupRule(t, f, types.Target{})
	putTestEvent(t, f, `{"before":1}`)

	free := tmpfs.Fill(t, mnt)
	_, err := f.client.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("full"), EventPattern: aws.String(bigPattern)})
	if code, _ := apiError(t, err); code != "InternalException" {
		t.Errorf("PutRule on a full disk = %v, want InternalException", err)
	}
	_, err = f.client.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("objects"),
		Targets: []types.Target{{Id: aws.String("second"), Arn: aws.String(machineARN), Input: aws.String(bigInput)}}})
	if code, _ := apiError(t, err); code != "InternalException" {
		t.Errorf("PutTargets on a full disk = %v, want InternalException", err)
	}
	out, err := f.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		Source: aws.String("sluice.test"), DetailType: aws.String("Object Created"), Detail: aws.String(bigDetail)}}})
	if err != nil || out.FailedEntryCount != 1 || aws.ToString(out.Entries[0].ErrorCode) != "InternalFailure" {
		t.Errorf("PutEvents on a full disk = %+v, %v; want its entry failed with InternalFailure", out, err)
	}

	free()
	if _, err := f.client.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("after"), EventPattern: aws.String(bigPattern)}); err != nil {
		t.Fatalf("PutRule after freeing space: %v", err)
	}
	putTestEvent(t, f, `{"after":1}`)
	closeF()

	g, closeG := open()
	defer closeG()
	lr, err := g.client.ListRules(ctx, &eventbridge.ListRulesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range lr.Rules {
		names = append(names, aws.ToString(r.Name))
	}
	if len(names) != 2 || names[0] != "after" || names[1] != "objects" {
		t.Errorf("rules after restart = %v, want [after objects]", names)
	}
	lt, err := g.client.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("objects")})
	if err != nil || len(lt.Targets) != 1 {
		t.Errorf("targets after restart = %+v, %v; want the one acknowledged", lt, err)
	}
	if got := g.svc.Pending(); got != 2 {
		t.Errorf("%d deliveries queued after restart, want the 2 acknowledged", got)
	}
}
