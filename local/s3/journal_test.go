package s3

import (
	"bytes"
	"testing"
)

func FuzzReadJournal(f *testing.F) {
	var valid []byte
	for _, e := range []journalEntry{
		{T: jBucket, Bucket: "b", Config: &bucketConfig{Name: "b", EventBridge: true}},
		{T: jRecord, Bucket: "b", Rec: &keyRecord{Key: "k", Versions: []version{{Size: 1, ETag: "x"}}}},
		{T: jAck, ID: "id"},
	} {
		line, err := formatEntry(e)
		if err != nil {
			f.Fatal(err)
		}
		valid = append(valid, line...)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)-7])
	f.Add([]byte("00000000 {}\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &store{buckets: map[string]*bucketState{}}
		acked := map[string]bool{}
		n, err := readJournal(bytes.NewReader(data), func(e journalEntry) error { return s.replay(e, acked) })
		if err != nil || n < 0 || n > int64(len(data)) {
			t.Errorf("readJournal = %d, %v for %d bytes", n, err, len(data))
		}
		// The intact prefix replays to the same state again.
		again, err := readJournal(bytes.NewReader(data[:n]), func(journalEntry) error { return nil })
		if err != nil || again != n {
			t.Errorf("intact prefix of %d bytes re-read as %d, %v", n, again, err)
		}
	})
}

func TestReadJournalStopsAtCorruption(t *testing.T) {
	a, _ := formatEntry(journalEntry{T: jAck, ID: "a"})
	b, _ := formatEntry(journalEntry{T: jAck, ID: "b"})
	corrupt := append([]byte(nil), b...)
	corrupt[12] ^= 0xff
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"intact", append(append([]byte(nil), a...), b...), []string{"a", "b"}},
		{"torn tail", append(append([]byte(nil), a...), b[:len(b)-3]...), []string{"a"}},
		{"bad checksum", append(append([]byte(nil), a...), corrupt...), []string{"a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			if _, err := readJournal(bytes.NewReader(tc.data), func(e journalEntry) error { got = append(got, e.ID); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) || (len(got) > 0 && got[len(got)-1] != tc.want[len(tc.want)-1]) {
				t.Errorf("entries = %v, want %v", got, tc.want)
			}
		})
	}
}
