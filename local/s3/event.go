package s3

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Event is an S3 event as S3 delivers it to EventBridge, envelope and detail:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html.
type Event struct {
	Version    string      `json:"version"`
	ID         string      `json:"id"`
	DetailType string      `json:"detail-type"`
	Source     string      `json:"source"`
	Account    string      `json:"account"`
	Time       string      `json:"time"`
	Region     string      `json:"region"`
	Resources  []string    `json:"resources"`
	Detail     EventDetail `json:"detail"`
}

// EventDetail is the detail of an "Object Created" or "Object Deleted" event.
type EventDetail struct {
	Version         string      `json:"version"`
	Bucket          EventBucket `json:"bucket"`
	Object          EventObject `json:"object"`
	RequestID       string      `json:"request-id"`
	Requester       string      `json:"requester"`
	SourceIPAddress string      `json:"source-ip-address,omitempty"`
	Reason          string      `json:"reason"`
	DeletionType    string      `json:"deletion-type,omitempty"`
}

// EventBucket names the bucket.
type EventBucket struct {
	Name string `json:"name"`
}

// EventObject describes the object. Key is the key as written (not URL-encoded); Size and
// ETag are absent on permanent deletes; VersionID only on non-null versions.
type EventObject struct {
	Key       string `json:"key"`
	Size      *int64 `json:"size,omitempty"`
	ETag      string `json:"etag,omitempty"`
	VersionID string `json:"version-id,omitempty"`
	Sequencer string `json:"sequencer"`
}

// Detail types and reasons as S3 sends them
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html).
const (
	DetailTypeObjectCreated = "Object Created"
	DetailTypeObjectDeleted = "Object Deleted"

	ReasonPutObject               = "PutObject"
	ReasonPostObject              = "POST Object"
	ReasonCopyObject              = "CopyObject"
	ReasonCompleteMultipartUpload = "CompleteMultipartUpload"
	ReasonDeleteObject            = "DeleteObject"

	DeletionTypePermanent    = "Permanently Deleted"
	DeletionTypeMarkerCreate = "Delete Marker Created"
)

// emptyMD5 is the ETag S3 reports for a delete marker in an "Object Deleted" event.
const emptyMD5 = "d41d8cd98f00b204e9800998ecf8427e"

// origin is what an event says about the request that caused it.
type origin struct {
	RequestID string
	Requester string
	SourceIP  string
}

type eventFactory struct {
	account string
	region  string
	now     func() time.Time
	ids     *idSource
}

func (f *eventFactory) build(bucket, detailType string, obj EventObject, reason, deletionType string, o origin, seq uint64) (pendingEvent, error) {
	ev := Event{
		Version:    "0",
		ID:         f.ids.uuid(),
		DetailType: detailType,
		Source:     "aws.s3",
		Account:    f.account,
		Time:       f.now().UTC().Truncate(time.Second).Format(time.RFC3339),
		Region:     f.region,
		Resources:  []string{"arn:aws:s3:::" + bucket},
		Detail: EventDetail{
			Version:         "0",
			Bucket:          EventBucket{Name: bucket},
			Object:          obj,
			RequestID:       o.RequestID,
			Requester:       o.Requester,
			SourceIPAddress: o.SourceIP,
			Reason:          reason,
			DeletionType:    deletionType,
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keys arrive as written
	if err := enc.Encode(ev); err != nil {
		return pendingEvent{}, fmt.Errorf("encode event: %w", err)
	}
	return pendingEvent{ID: ev.ID, Seq: seq, Body: bytes.TrimSpace(buf.Bytes())}, nil
}

func (f *eventFactory) created(bucket, key string, v version, reason string, o origin, seq uint64) (pendingEvent, error) {
	size := v.Size
	return f.build(bucket, DetailTypeObjectCreated, EventObject{
		Key: key, Size: &size, ETag: v.ETag, VersionID: v.ID, Sequencer: v.Sequencer,
	}, reason, "", o, seq)
}

func (f *eventFactory) deleted(bucket, key string, marker *version, deletedVersionID string, o origin, seq uint64) (pendingEvent, error) {
	if marker != nil {
		return f.build(bucket, DetailTypeObjectDeleted, EventObject{
			Key: key, ETag: emptyMD5, VersionID: marker.ID, Sequencer: seqString(seq),
		}, ReasonDeleteObject, DeletionTypeMarkerCreate, o, seq)
	}
	return f.build(bucket, DetailTypeObjectDeleted, EventObject{
		Key: key, VersionID: deletedVersionID, Sequencer: seqString(seq),
	}, ReasonDeleteObject, DeletionTypePermanent, o, seq)
}
