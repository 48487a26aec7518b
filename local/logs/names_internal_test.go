package logs

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzNamePatterns checks validGroupName and validStreamName against the API reference's patterns.
func FuzzNamePatterns(f *testing.F) {
	for _, s := range []string{"", "a", "/aws/lambda/sluice-Validate", "2026/12/06/[$LATEST]0123abcd", "a:b", "*", "é",
		"\xff", "line\nbreak", strings.Repeat("x", 512), strings.Repeat("x", 513), strings.Repeat("é", 512), strings.Repeat("é", 513),
		strings.Repeat("\xff", 512), strings.Repeat("\xff", 513)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := validGroupName(name), groupNamePattern.MatchString(name); got != want {
			t.Errorf("validGroupName(%q) = %v, pattern says %v", name, got, want)
		}
		if got, want := validStreamName(name), streamNamePattern.MatchString(name); got != want {
			t.Errorf("validStreamName(%q) = %v, pattern says %v", name, got, want)
		}
	})
}

// TestBatchRecordAsEncodingJSON checks appendBatchRecord's text against encoding/json's for the same
// journal record, and that it reads back as that record.
func TestBatchRecordAsEncodingJSON(t *testing.T) {
	g := &group{name: "/aws/lambda/sluice-Validate"}
	for _, b := range []*batch{
		{seq: 1, stream: &stream{group: g, name: "2026/12/06/[$LATEST]0123abcd"}, minTs: 1764979200000, maxTs: 1764979200999,
			ingest: 1764979201000, count: 3, size: 420, seg: 7, off: 8 << 20, n: 431, crc: 0xfedcba98},
		{seq: 1 << 40, stream: &stream{group: g, name: `quote " back \ tab 	 <html> & é`}, count: 1},
		{stream: &stream{group: g}},
	} {
		got := appendBatchRecord([]byte("previous"), b)[len("previous"):]
		rec := journalRecord{Kind: recBatch, Group: b.stream.group.name, Stream: b.stream.name, Batch: &batchRecord{
			Seq: b.seq, Seg: b.seg, Off: b.off, N: b.n, CRC: b.crc, Min: b.minTs, Max: b.maxTs, Ingest: b.ingest,
			Count: b.count, Size: b.size}}
		var back journalRecord
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%s: %v", got, err)
		}
		want, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		// encoding/json escapes <, > and & as \u003c...; the record reads back the same either way.
		if diff := cmp.Diff(back, rec); diff != "" {
			t.Errorf("%s reads back as (-got +want):\n%s", got, diff)
		}
		if !strings.ContainsAny(b.stream.name, "<>&") && string(got) != string(want) {
			t.Errorf("appendBatchRecord:\n got %s\nwant %s", got, want)
		}
	}
}
