package s3

import (
	"slices"
	"strconv"
	"time"

	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// appendRecordEntry appends the JSON of a key record entry (T jRecord with Bucket, Rec and Event,
// nothing else), the entry every object write journals, and reports whether it could: the same
// document encoding/json writes for the entry (TestRecordEntryAsEncodingJSON) without walking the
// structs by reflection. Strings are not HTML-escaped, which reads back the same. The event's body
// is appended as it is: the store makes it compact JSON itself (eventFactory.build, or the journal it
// was read back from). An entry of any other shape, or with a time encoding/json refuses, is not
// appended (false), for json.Marshal to write or refuse.
func appendRecordEntry(b []byte, e journalEntry) ([]byte, bool) {
	if e.T != jRecord || e.Config != nil || e.Key != "" || e.Upload != nil || e.UploadID != "" || e.Part != nil || e.ID != "" {
		return b, false
	}
	if e.Event != nil && len(e.Event.Body) == 0 {
		return b, false
	}
	start := len(b)
	b = append(b, `{"t":"rec"`...)
	if e.Bucket != "" {
		b = append(b, `,"b":`...)
		b = jsonvalue.AppendString(b, e.Bucket)
	}
	if r := e.Rec; r != nil {
		b = append(b, `,"r":{"key":`...)
		b = jsonvalue.AppendString(b, r.Key)
		b = append(b, `,"versions":`...)
		if r.Versions == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i := range r.Versions {
				if i > 0 {
					b = append(b, ',')
				}
				var ok bool
				if b, ok = appendVersion(b, &r.Versions[i]); !ok {
					return b[:start], false
				}
			}
			b = append(b, ']')
		}
		if r.DeleteSeq != 0 {
			b = append(b, `,"deleteSeq":`...)
			b = strconv.AppendUint(b, r.DeleteSeq, 10)
		}
		b = append(b, '}')
	}
	if ev := e.Event; ev != nil {
		b = append(b, `,"e":{"id":`...)
		b = jsonvalue.AppendString(b, ev.ID)
		b = append(b, `,"seq":`...)
		b = strconv.AppendUint(b, ev.Seq, 10)
		b = append(b, `,"body":`...)
		b = append(b, ev.Body...)
		b = append(b, '}')
	}
	return append(b, '}'), true
}

// appendVersion appends v's JSON as encoding/json writes a version, or reports false for a time it
// refuses (a year outside 0 to 9999).
func appendVersion(b []byte, v *version) ([]byte, bool) {
	if y := v.LastModified.Year(); y < 0 || y > 9999 {
		return b, false
	}
	if _, off := v.LastModified.Zone(); off <= -24*60*60 || off >= 24*60*60 {
		return b, false // encoding/json refuses a zone hour past 23
	}
	b = append(b, '{')
	sep := func() {
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
	}
	if v.ID != "" {
		b = append(b, `"id":`...)
		b = jsonvalue.AppendString(b, v.ID)
	}
	if v.DeleteMarker {
		sep()
		b = append(b, `"deleteMarker":true`...)
	}
	if v.Blob != "" {
		sep()
		b = append(b, `"blob":`...)
		b = jsonvalue.AppendString(b, v.Blob)
	}
	if v.Off != 0 {
		sep()
		b = append(b, `"off":`...)
		b = strconv.AppendInt(b, v.Off, 10)
	}
	sep()
	b = append(b, `"size":`...)
	b = strconv.AppendInt(b, v.Size, 10)
	if v.ETag != "" {
		b = append(b, `,"etag":`...)
		b = jsonvalue.AppendString(b, v.ETag)
	}
	if v.Parts != 0 {
		b = append(b, `,"parts":`...)
		b = strconv.AppendInt(b, int64(v.Parts), 10)
	}
	if len(v.Meta) > 0 {
		b = append(b, `,"meta":`...)
		b = appendStringMap(b, v.Meta)
	}
	if len(v.Checksums) > 0 {
		b = append(b, `,"checksums":`...)
		b = appendStringMap(b, v.Checksums)
	}
	if v.Tags != "" {
		b = append(b, `,"tags":`...)
		b = jsonvalue.AppendString(b, v.Tags)
	}
	b = append(b, `,"lastModified":"`...)
	b = v.LastModified.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","sequencer":`...)
	b = jsonvalue.AppendString(b, v.Sequencer)
	return append(b, '}'), true
}

// appendStringMap appends m as a JSON object, keys sorted as encoding/json sorts them.
func appendStringMap(b []byte, m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonvalue.AppendString(b, k)
		b = append(b, ':')
		b = jsonvalue.AppendString(b, m[k])
	}
	return append(b, '}')
}
