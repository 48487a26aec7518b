package s3

import (
	"encoding/json"
	"testing"
)

// FuzzReplayEntry feeds arbitrary journal entries (the records the durable log returns,
// checksums aside) to replay: it never panics, whatever the entry's shape or order.
func FuzzReplayEntry(f *testing.F) {
	for _, e := range []journalEntry{
		{T: jBucket, Bucket: "b", Config: &bucketConfig{Name: "b", EventBridge: true}},
		{T: jRecord, Bucket: "b", Rec: &keyRecord{Key: "k", Versions: []version{{Size: 1, ETag: "x"}}}},
		{T: jEvent, Bucket: "b", Key: "k", Event: &pendingEvent{ID: "e", Seq: 1, Body: json.RawMessage(`{}`)}},
		{T: jUpload, Bucket: "b", Upload: &upload{ID: "u", Key: "k"}},
		{T: jPart, Bucket: "b", UploadID: "u", Part: &partInfo{Number: 1}},
		{T: jAck, ID: "id"},
	} {
		raw, err := json.Marshal(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, []byte(`{"t":"bucket","b":"b","c":{"name":"b"}}`))
	}
	f.Add([]byte(`{"t":"rec","b":"b"}`), []byte(`{"t":"part","b":"b","uid":"u"}`))
	f.Fuzz(func(t *testing.T, first, second []byte) {
		s := &store{buckets: map[string]*bucketState{}}
		acked := map[string]bool{}
		for _, raw := range [][]byte{first, second, first} {
			var e journalEntry
			if json.Unmarshal(raw, &e) != nil {
				continue
			}
			if err := s.replay(e, acked); err != nil {
				t.Fatalf("replay(%s) = %v", raw, err)
			}
		}
	})
}
