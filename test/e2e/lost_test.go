package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// TestLostExecutionsRedriven damages the Step Functions journal under a burst: the stack stops while
// executions are running, the start record of each running execution gets a flipped byte, and so does the
// middle of the journal. The restarted stack reports the loss and re-drives every object left without an
// outcome and without an execution: in the end every object has exactly one outcome, and no staging
// object is left behind.
func TestLostExecutionsRedriven(t *testing.T) {
	t.Parallel()
	n := 120
	if testing.Short() {
		n = 60
	}
	dir := t.TempDir()
	e := openStack(t, dir, "")
	e.putSchema(t)
	objs := burstObjects(n, "lost", 10)
	if failed := e.putAll(objs, 16, nil); len(failed) > 0 {
		e.close(t)
		t.Fatalf("%d puts failed, e.g. %s", len(failed), failed[0])
	}
	// Stop with executions in flight: the ones running now are in the journal, not yet finished. The
	// events reach Step Functions a little after the puts, and a fast pipeline finishes executions soon:
	// stop once several run (or after 5 s), so that some of the executions whose start is damaged below
	// have not yet stored their object's outcome, and the restart has objects to re-drive.
	var running []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		running = running[:0]
		p := sfn.NewListExecutionsPaginator(e.sfn, &sfn.ListExecutionsInput{StateMachineArn: aws.String(e.sm), StatusFilter: sfntypes.ExecutionStatusRunning})
		for p.HasMorePages() {
			page, err := p.NextPage(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range page.Executions {
				running = append(running, aws.ToString(x.ExecutionArn))
			}
		}
		if len(running) >= 8 || time.Now().After(deadline) {
			break
		}
	}
	e.close(t)

	journal := filepath.Join(dir, "sfn", "sfn.log")
	data, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	damaged := 0
	for _, arn := range running {
		// The first mention of an execution's ARN is in its start record.
		if i := bytes.Index(data, []byte(`"arn":"`+arn+`"`)); i >= 0 {
			data[i+10] ^= 0xff
			damaged++
		}
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(journal, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d executions were running at the stop; %d start records damaged, and the middle of the journal", len(running), damaged)

	e2 := startStack(t, dir, "")
	if rec := e2.st.Recovery(); !rec.StepFunctions.Lost() || !rec.Redrive {
		t.Fatalf("Recovery after damage: got %+v, want a loss and a re-drive", rec)
	}
	ctx, cancel := context.WithTimeout(t.Context(), settleTimeout)
	defer cancel()
	res, err := e2.st.WaitObjectRecovery(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("re-drive: %d objects checked, %d re-driven, %d staging objects removed", res.Checked, len(res.Redriven), len(res.Unstaged))
	if damaged >= 3 && len(res.Redriven) == 0 {
		t.Errorf("%d running executions lost their start, and no object was re-driven", damaged)
	}
	// The executions lost are gone for good; the objects they left without an outcome have new ones.
	e2.waitExecutions(t, n-damaged+len(res.Redriven))
	a := e2.account(t)
	// As accounting.check, less its count of executions: an object stored before the stop whose execution
	// was then lost has no execution now.
	valid := 0
	for _, o := range objs {
		manifests, reports := 0, 1
		if o.valid {
			valid++
			manifests, reports = 1, 0
		}
		if a.manifests[o.key] != manifests || a.reports[o.key] != reports || a.failures[o.key] != 0 {
			t.Errorf("%s (valid %v): %d manifests, %d quarantine reports, %d failure records", o.key, o.valid, a.manifests[o.key], a.reports[o.key], a.failures[o.key])
		}
	}
	if a.byStatus[sfntypes.ExecutionStatusSucceeded] != a.executions {
		t.Errorf("executions: %v, want all SUCCEEDED", a.byStatus)
	}
	if a.outputs != valid {
		t.Errorf("outputs under processed/: got %d, want %d", a.outputs, valid)
	}
	a.checkStaging(t)
	if _, err := os.Stat(filepath.Join(dir, "redrive.pending")); !os.IsNotExist(err) {
		t.Errorf("the re-drive marker is still there after a complete pass: %v", err)
	}

	// The next start finds nothing damaged and re-drives nothing.
	e2.close(t)
	e3 := startStack(t, dir, "")
	if rec := e3.st.Recovery(); rec.StepFunctions.Lost() || rec.Redrive {
		t.Errorf("Recovery of the next start: got %+v, want none", rec)
	}
}
