package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/tasks"
)

// Manifest records one committed object version. Its key, manifests/<dataset>/<name>.<etag>.json, is
// written once (If-None-Match "*"): its existence is what makes the version committed.
type Manifest struct {
	Dataset   string    `json:"dataset"`
	Source    Source    `json:"source"`
	Output    Output    `json:"output"`
	Date      string    `json:"date"` // the dt= partition, YYYY-MM-DD
	Execution string    `json:"execution"`
	Committed time.Time `json:"committed"`
}

// Source describes the ingested object version, as the validation report saw it.
type Source struct {
	tasks.ObjectRef
	LastModified time.Time `json:"lastModified"`
	Format       string    `json:"format"`
	Compression  string    `json:"compression,omitempty"`
	Bytes        int64     `json:"bytes"`
	SHA256       string    `json:"sha256"`
}

// Output describes the committed JSON Lines object.
type Output struct {
	tasks.ObjectRef
	Rows    int64               `json:"rows"`
	Bytes   int64               `json:"bytes"`
	SHA256  string              `json:"sha256"`
	Columns []tasks.ColumnStats `json:"columns"`
	// ColumnsOmitted counts the columns past tasks.MaxColumnStatsBytes, whose statistics the process
	// task did not report.
	ColumnsOmitted int `json:"columnsOmitted,omitempty"`
	// Superseded is true when the processed key already held the output of a later version of the same
	// source key, so this version's output was not copied there: Key names the place, which serves the
	// later version; ETag and VersionID are empty.
	Superseded bool `json:"superseded,omitempty"`
}

// maxManifestBytes bounds how much of an existing manifest is read: a manifest is a few KiB.
const maxManifestBytes = 1 << 20

// readManifest returns the manifest at key, or nil when there is none.
func (h *Handler) readManifest(ctx context.Context, bucket, key string) (*Manifest, error) {
	ref := tasks.ObjectRef{Bucket: bucket, Key: key}
	out, err := h.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		cerr := tasks.ClassifyObject("get "+key, ref, err)
		var nf *tasks.ObjectNotFoundError
		if errors.As(cerr, &nf) {
			return nil, nil
		}
		return nil, cerr
	}
	defer out.Body.Close()
	body, err := io.ReadAll(io.LimitReader(out.Body, maxManifestBytes))
	if err != nil {
		return nil, tasks.ClassifyObject("read "+key, ref, err)
	}
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("decode manifest %s: %w", key, err)
	}
	return &m, nil
}

// createManifest writes the manifest unless one exists. created is false when S3 answered 412: another
// writer created it first.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
func (h *Handler) createManifest(ctx context.Context, bucket, key string, m *Manifest) (created bool, err error) {
	body, err := encodeJSON(m)
	if err != nil {
		return false, err
	}
	err = tasks.ClassifyObject("put "+key, tasks.ObjectRef{Bucket: bucket, Key: key}, h.putJSON(ctx, bucket, key, body, true))
	var exists *tasks.ObjectChangedError // 412: the If-None-Match precondition failed
	if errors.As(err, &exists) {
		return false, nil
	}
	return err == nil, err
}
