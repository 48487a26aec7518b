package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/tasks"
)

// maxPublishAttempts bounds how often publish looks again after its conditional copy found the processed
// key changed since it looked.
const maxPublishAttempts = 3

// publish copies the staged object to dst, the processed key, unless dst already holds the output of a later
// version of the same source key; superseded reports that case, where nothing is copied. The result names
// the copy (ETag and version id), or only dst when superseded.
//
// Versions are ordered by their events' sequencers: S3 gives the events of one key growing hexadecimal
// strings, possibly of different lengths, compared after padding the shorter with leading zeros
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html). The
// process task records the sequencer on the staged object ([tasks.MetaSourceSequencer]) and the copy
// carries it to dst. When either side has none (a hand-made event, an older object), the versions cannot
// be ordered and the copy goes ahead: the last commit wins.
//
// The copy is conditional on what publish saw at dst (If-None-Match "*" when nothing was there, If-Match
// its ETag otherwise: https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html), so a commit of
// another version in between makes it fail with 412 instead of overwriting a later output; publish then
// looks again.
//
// dst may already hold the output of another source key whose name has the same stem (a.csv and a.jsonl
// both give a.jsonl.gz): publish then copies nothing and returns errOwned, and the commit takes the next
// name. The owner is the source key the process task records in [tasks.MetaSourceKey]; an object without
// one (written before it was recorded) is taken to be the same source's.
func (h *Handler) publish(ctx context.Context, staged, dst tasks.ObjectRef, sequencer, sourceKey string) (tasks.ObjectRef, bool, error) {
	op := "copy " + staged.Key + " to " + dst.Key
	for range maxPublishAttempts {
		cp := &s3.CopyObjectInput{
			Bucket:            aws.String(dst.Bucket),
			Key:               aws.String(dst.Key),
			CopySource:        aws.String(copySource(staged)),
			CopySourceIfMatch: aws.String(tasks.QuoteETag(staged.ETag)),
		}
		existing, err := h.processedState(ctx, dst)
		if err != nil {
			return dst, false, err
		}
		switch {
		case existing == nil:
			cp.IfNoneMatch = aws.String("*")
		case existing.sourceKey != "" && existing.sourceKey != url.QueryEscape(sourceKey):
			return dst, false, errOwned
		case sequencer != "" && existing.sequencer != "" && compareSequencers(existing.sequencer, sequencer) > 0:
			return dst, true, nil
		default:
			cp.IfMatch = aws.String(tasks.QuoteETag(existing.etag))
		}
		etag, version, err := h.copyObject(ctx, staged, cp)
		if err == nil {
			res := dst
			res.VersionID, res.ETag = version, etag
			return res, false, nil
		}
		cerr := tasks.ClassifyObject(op, staged, err)
		var changed *tasks.ObjectChangedError
		if !errors.As(cerr, &changed) {
			return dst, false, cerr
		}
		// 412: dst changed since it was read (or the staged object did; the next look tells).
	}
	return dst, false, &tasks.TransientError{Op: op, Err: fmt.Errorf("the processed object changed on each of %d attempts", maxPublishAttempts)}
}

// errOwned says that the processed key holds the output of another source key.
var errOwned = errors.New("the processed key holds another source's output")

// processed is what publish needs to know of an existing processed object.
type processed struct {
	etag      string // unquoted
	sequencer string // the source event's sequencer, "" when not recorded
	sourceKey string // the source key, query-escaped, "" when not recorded
}

// processedState reads the processed object at ref; nil when there is none.
func (h *Handler) processedState(ctx context.Context, ref tasks.ObjectRef) (*processed, error) {
	head, err := h.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key)})
	if err != nil {
		cerr := tasks.ClassifyObject("head "+ref.Key, ref, err)
		var nf *tasks.ObjectNotFoundError
		if errors.As(cerr, &nf) {
			return nil, nil
		}
		return nil, cerr
	}
	return &processed{etag: strings.Trim(aws.ToString(head.ETag), `"`), sequencer: head.Metadata[tasks.MetaSourceSequencer],
		sourceKey: head.Metadata[tasks.MetaSourceKey]}, nil
}

// compareSequencers orders two S3 event sequencers of the same key: -1, 0 or +1 as a is earlier than,
// the same as or later than b.
func compareSequencers(a, b string) int {
	a, b = strings.ToUpper(a), strings.ToUpper(b)
	if n := len(b) - len(a); n > 0 {
		a = strings.Repeat("0", n) + a
	} else if n < 0 {
		b = strings.Repeat("0", -n) + b
	}
	return strings.Compare(a, b)
}
