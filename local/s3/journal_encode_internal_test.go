package s3

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// recordEntryCases are key record entries as object writes journal them, and a few odd ones.
func recordEntryCases() []journalEntry {
	at := time.Date(2026, 12, 6, 7, 8, 9, 123456789, time.UTC)
	body := []byte(`{"version":"0","id":"e1","detail-type":"Object Created","source":"aws.s3","detail":{"object":{"key":"incoming/a <b> & c.csv","size":12}}}`)
	return []journalEntry{
		{T: jRecord, Bucket: "bkt", Rec: &keyRecord{Key: "incoming/orders/a.csv", Versions: []version{{
			Off: 4096, Size: 301, ETag: "9d0568469d206c1aedf1b71f12f474bc", LastModified: at, Sequencer: "0000000000000001",
			Meta: map[string]string{"Content-Type": "text/csv", "X-Amz-Meta-B": "2", "X-Amz-Meta-A": "1"}}}},
			Event: &pendingEvent{ID: "e1", Seq: 7, Body: body}},
		{T: jRecord, Bucket: "bkt", Rec: &keyRecord{Key: "k", DeleteSeq: 9, Versions: []version{
			{ID: "v2", DeleteMarker: true, LastModified: at.Add(time.Second), Sequencer: "02"},
			{ID: "v1", Blob: "b/00/01", Size: 10 << 20, ETag: "abc-3", Parts: 3, Tags: "a=1",
				Checksums: map[string]string{"CRC32": "AAAAAA==", "SHA256": "x"}, LastModified: at.In(time.FixedZone("x", -5*3600)), Sequencer: "01"},
		}}},
		{T: jRecord, Bucket: "bkt", Rec: &keyRecord{Key: "gone"}},                               // nil versions: null
		{T: jRecord, Bucket: "bkt", Rec: &keyRecord{Key: "empty", Versions: []version{}}},       // empty versions: []
		{T: jRecord, Bucket: "bkt", Rec: &keyRecord{Key: `quote " back \ tab 	 é ` + "\u2028"}}, // escapes
		{T: jRecord, Bucket: "bkt", Rec: &keyRecord{Key: "zero", Versions: []version{{}}}},      // zero time
		{T: jRecord, Event: &pendingEvent{ID: "only", Body: []byte(`{}`)}},
	}
}

// TestRecordEntryAsEncodingJSON checks appendRecordEntry against encoding/json: the same text where no
// string holds a character encoding/json escapes for HTML, and always the same entry read back.
func TestRecordEntryAsEncodingJSON(t *testing.T) {
	for i, e := range recordEntryCases() {
		got, ok := appendRecordEntry([]byte("prefix"), e)
		if !ok {
			t.Errorf("case %d: not appended", i)
			continue
		}
		got = got[len("prefix"):]
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.ContainsAny(want, `\`) && !bytes.Equal(got, want) {
			t.Errorf("case %d:\n got %s\nwant %s", i, got, want)
		}
		var back, wantBack journalEntry
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("case %d: %s: %v", i, got, err)
		}
		if err := json.Unmarshal(want, &wantBack); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(back, wantBack, cmp.AllowUnexported(journalEntry{}), cmp.Transformer("decode", decodeJSON)); diff != "" {
			t.Errorf("case %d reads back as (-got +want):\n%s", i, diff)
		}
	}
	// Other entries are left to encoding/json.
	for _, e := range []journalEntry{{T: jAck, ID: "x"}, {T: jBucket, Bucket: "b", Config: &bucketConfig{Name: "b"}},
		{T: jRecord, Bucket: "b", Rec: &keyRecord{Key: "k", Versions: []version{{LastModified: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}}},
		{T: jRecord, Event: &pendingEvent{ID: "no body"}}} {
		if b, ok := appendRecordEntry(nil, e); ok {
			t.Errorf("%+v appended as %s, want it left to encoding/json", e, b)
		}
	}
}

// decodeJSON is what a raw event body says, for comparing bodies that differ only in escapes.
func decodeJSON(m json.RawMessage) any {
	var v any
	if json.Unmarshal(m, &v) != nil {
		return "invalid: " + string(m)
	}
	return v
}

// FuzzRecordEntry holds appendRecordEntry to encoding/json for any strings and numbers in an entry.
func FuzzRecordEntry(f *testing.F) {
	f.Add("bkt", "incoming/a.csv", "v1", "etag", "text/csv", "a=1", "seq", int64(10), int64(1764979200), uint64(3), true)
	f.Add("", "<&>\u2028\xff", "", "", "", "", "", int64(-1), int64(0), uint64(0), false)
	f.Fuzz(func(t *testing.T, bucket, key, id, etag, meta, tags, seq string, size, unix int64, deleteSeq uint64, marker bool) {
		e := journalEntry{T: jRecord, Bucket: bucket, Rec: &keyRecord{Key: key, DeleteSeq: deleteSeq, Versions: []version{{
			ID: id, DeleteMarker: marker, Size: size, ETag: etag, Meta: map[string]string{meta: etag, "X": meta}, Tags: tags,
			LastModified: time.Unix(unix%(1<<36), unix%1e9).UTC(), Sequencer: seq}}},
			Event: &pendingEvent{ID: id, Seq: deleteSeq, Body: []byte(`{"k":1}`)}}
		want, err := json.Marshal(e)
		got, ok := appendRecordEntry(nil, e)
		if err != nil || !ok {
			if ok {
				t.Fatalf("appended %s; encoding/json refused: %v", got, err)
			}
			return
		}
		var back, wantBack journalEntry
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%s: %v", got, err)
		}
		if err := json.Unmarshal(want, &wantBack); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(back, wantBack, cmp.AllowUnexported(journalEntry{}), cmp.Transformer("decode", decodeJSON)); diff != "" {
			t.Errorf("reads back as (-got +want):\n%s", diff)
		}
	})
}
