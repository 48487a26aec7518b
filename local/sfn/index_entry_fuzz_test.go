package sfn

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzIndexEntry: an index entry written by hand reads back (with encoding/json, as opening the store
// reads index.log) as the entry encoding/json writes does, so index logs of either kind load the same.
func FuzzIndexEntry(f *testing.F) {
	f.Add("arn:aws:states:us-east-1:000000000000:stateMachine:m", "e1", "SUCCEEDED", int64(1700000000000), int64(1700000000500), uint32(3), int64(4096), uint32(512), int32(0), "")
	f.Add("m<&>", "n\"\\\n\t\x01", "FAILED", int64(-1), int64(0), uint32(0), int64(0), uint32(0), int32(1000), ":1")
	f.Add("\xff\xfe", "\u2028\u2029é", "", int64(-9223372036854775808), int64(9223372036854775807), uint32(4294967295), int64(-5), uint32(4294967295), int32(-2147483648), "alias")
	f.Fuzz(func(t *testing.T, machine, name, status string, start, stop int64, seg uint32, off int64, size uint32, redrives int32, qual string) {
		e := indexEntry{Machine: machine, Name: name, Status: status, Start: start, Stop: stop, Seg: seg, Off: off, Size: size, Redrives: redrives, Qual: qual}
		std, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var want indexEntry
		if err := json.Unmarshal(std, &want); err != nil {
			t.Fatal(err)
		}
		var got indexEntry
		hand := appendIndexEntry([]byte("junk before"), &e)[len("junk before"):]
		if err := json.Unmarshal(hand, &got); err != nil {
			t.Fatalf("%s: %v", hand, err)
		}
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("%s (-got +want):\n%s", hand, diff)
		}
		if !json.Valid(hand) {
			t.Errorf("not valid JSON: %s", hand)
		}
	})
}
