package sfn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// savedView is what the API answers of a finished execution: DescribeExecution's record, status and end,
// GetExecutionHistory's events, and whether a redrive can continue it.
type savedView struct {
	Rec      executionRecord
	Status   string
	End      endRecord
	Events   string // JSON, as GetExecutionHistory writes them
	Redrive  bool
	Describe string
}

func viewOf(t *testing.T, s *Service, arn string) savedView {
	t.Helper()
	v, err := s.view(arn, true)
	if err != nil {
		t.Fatalf("%s: %v", arn, err)
	}
	evs, err := json.Marshal(v.events)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.describeView(arn)
	if err != nil {
		t.Fatalf("describe %s: %v", arn, err)
	}
	return savedView{Rec: v.rec, Status: string(v.status), End: v.end, Events: string(evs), Redrive: v.point != nil,
		Describe: fmt.Sprintf("%s %s %v %s %s", d.rec.Arn, d.status, d.hasRedrivePoint(), d.rec.Input, d.end.Output)} // DescribeExecution reads no definition
}

// TestSharedDefinitionsAcrossRestart: executions of two machines, interleaved, are saved with each
// definition written once in the segment, and read back the same before and after a restart (the
// definitions' records read from the segment then, not remembered).
func TestSharedDefinitionsAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	defs := map[string]string{
		"passer": `{"Comment":"` + strings.Repeat("a long comment <&> \\\" ", 40) + `","StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"n.$":"$.n"},"Next":"B"},"B":{"Type":"Pass","End":true}}}`,
		"failer": `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"F"},"F":{"Type":"Fail","Error":"E","Cause":"because"}}}`,
	}
	s1, err := New(WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, name := range []string{"passer", "failer"} {
		body, err := json.Marshal(map[string]string{"name": name, "roleArn": "arn:aws:iam::000000000000:role/r", "definition": defs[name]})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s1.createStateMachine(ctx, body); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 6 {
		machine := []string{"passer", "failer"}[i%2]
		arn, err := s1.Start(ctx, "arn:aws:states:us-east-1:000000000000:stateMachine:"+machine, fmt.Sprintf("e%d", i), fmt.Sprintf(`{"n":%d}`, i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s1.Wait(ctx, arn); err != nil {
			t.Fatal(err)
		}
		arns = append(arns, arn)
	}
	before := map[string]savedView{}
	for _, arn := range arns {
		before[arn] = viewOf(t, s1, arn)
		if got, want := before[arn].Rec.Definition, defs[before[arn].Rec.MachineArn[strings.LastIndex(before[arn].Rec.MachineArn, ":")+1:]]; got != want {
			t.Errorf("%s: definition %q, want %q", arn, got, want)
		}
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	segs, err := filepath.Glob(filepath.Join(dir, historyDir, "*"+segmentExt))
	if err != nil || len(segs) != 1 {
		t.Fatalf("segments: got %v (%v), want one", segs, err)
	}
	data, err := os.ReadFile(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := bytes.Count(data, []byte(defMagic)); got != 2 {
		t.Errorf("definition records in the segment: got %d, want 2 (one per machine)", got)
	}
	if got := bytes.Count(data, []byte(blobMagicShared)); got != len(arns) {
		t.Errorf("shared blobs in the segment: got %d, want %d", got, len(arns))
	}

	s2, err := New(WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	for _, arn := range arns {
		if diff := cmp.Diff(viewOf(t, s2, arn), before[arn]); diff != "" {
			t.Errorf("%s after a restart (-got +want):\n%s", arn, diff)
		}
	}
}

// TestSegmentDefinitionsBounded: a segment remembers a bounded number and size of definitions, and finds
// each it remembers.
func TestSegmentDefinitionsBounded(t *testing.T) {
	var seg segment
	big := strings.Repeat("x", maxSegmentDefinitionBytes/3)
	for i := range 2 * maxSegmentDefinitions {
		def := fmt.Sprint(i, big[:i%2*len(big)])
		seg.remember(def, defRef{off: int64(i), size: uint32(len(def))})
		if got, ok := seg.definition(def); !ok || got.off != int64(i) {
			t.Fatalf("definition %d: got %v %v, want it at %d", i, got, ok, i)
		}
		held := 0
		for d := range seg.defs {
			held += len(d)
		}
		if len(seg.defs) > maxSegmentDefinitions || held > maxSegmentDefinitionBytes || held != seg.defBytes {
			t.Fatalf("after %d: %d definitions of %d bytes (counted %d), want at most %d of %d", i, len(seg.defs), held, seg.defBytes, maxSegmentDefinitions, maxSegmentDefinitionBytes)
		}
	}
}
