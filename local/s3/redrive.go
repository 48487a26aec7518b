package s3

import (
	"fmt"
	"time"
)

// CreatedEvent returns the "Object Created" event of an object's current version, as S3 sent it to
// EventBridge when the version was written (a new event id and time; the same key, size, ETag, version id
// and sequencer). local/stack publishes it again for an object whose pipeline execution was lost. The
// reason is PutObject, or CompleteMultipartUpload for a multipart object: which request wrote a version is
// not kept.
func (s *Service) CreatedEvent(bucket, key string) ([]byte, error) {
	v, _, err := s.store.lookup(bucket, key, "", false)
	if err != nil {
		return nil, fmt.Errorf("event for %s/%s: %w", bucket, key, err)
	}
	if v.DeleteMarker {
		return nil, fmt.Errorf("event for %s/%s: %w", bucket, key, errNoSuchKey())
	}
	reason := ReasonPutObject
	if v.Parts > 0 {
		reason = ReasonCompleteMultipartUpload
	}
	ev, err := s.events.created(bucket, key, v, reason, origin{RequestID: s.ids.requestID(), Requester: s.account}, 0)
	if err != nil {
		return nil, err
	}
	return ev.Body, nil
}

// WrittenBefore reports whether the current version of an object was written before t, by the time the
// service keeps for it (a listing's LastModified is rounded to the millisecond). local/stack re-drives only
// objects written before it started: one written after has a new event of its own. An object that is gone,
// or whose current version is a delete marker, answers an error wrapping NoSuchKey.
func (s *Service) WrittenBefore(bucket, key string, t time.Time) (bool, error) {
	v, _, err := s.store.lookup(bucket, key, "", false)
	if err != nil {
		return false, fmt.Errorf("%s/%s: %w", bucket, key, err)
	}
	if v.DeleteMarker {
		return false, fmt.Errorf("%s/%s: %w", bucket, key, errNoSuchKey())
	}
	return v.LastModified.Before(t), nil
}
