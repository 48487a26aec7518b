package e2e

import (
	"testing"
	"time"

	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

func TestSampleDataset(t *testing.T) {
	e := startStack(t, "", "")
	defer e.close(t)
	e.putSample(t, "sample/schemas/orders.json")
	good := e.putSample(t, "sample/incoming/orders/2024-03-01.csv")
	bad := e.putSample(t, "sample/incoming/orders/bad-values.csv")
	e.waitExecutions(t, 2, 30*time.Second)

	if d := e.executionFor(t, good); d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Errorf("%s: got %s (%s: %s), want SUCCEEDED", good, d.Status, *orEmpty(d.Error), *orEmpty(d.Cause))
	}
	if d := e.executionFor(t, bad); d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Errorf("%s: got %s, want SUCCEEDED (rejected)", bad, d.Status)
	}
	if got := e.keys(t, "manifests/"); len(got) != 1 {
		t.Errorf("manifests: got %v, want one", got)
	}
	if got := e.keys(t, "quarantine/"); len(got) != 2 {
		t.Errorf("quarantine: got %v, want the object and its report", got)
	}
}

func orEmpty(s *string) *string {
	if s == nil {
		e := ""
		return &e
	}
	return s
}
