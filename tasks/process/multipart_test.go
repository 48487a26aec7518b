package process_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/internal/s3test"
	"github.com/sluicehq/sluice/tasks/process"
)

const partSize = 5 << 20 // S3's smallest part

// blobs returns a CSV of n rows whose data column barely compresses, and the JSON Lines it must become.
func blobs(n int) (csv, lines []byte) {
	rng := rand.New(rand.NewPCG(1, 2))
	raw := make([]byte, 150)
	var c, l bytes.Buffer
	c.WriteString("id,data\n")
	for i := range n {
		for j := range raw {
			raw[j] = byte(rng.Uint32())
		}
		data := base64.StdEncoding.EncodeToString(raw)
		id := strconv.Itoa(i)
		c.WriteString(id + ", " + data + " \n")
		l.WriteString(`{"id":` + id + `,"data":"` + data + `"}` + "\n")
	}
	return c.Bytes(), l.Bytes()
}

// multipartETag is the ETag S3 gives a multipart object: the MD5 of the parts' MD5s, then "-" and the
// number of parts (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
func multipartETag(b []byte, partSize int) string {
	var sums []byte
	parts := 0
	for len(b) > 0 {
		n := min(partSize, len(b))
		sum := md5.Sum(b[:n])
		sums = append(sums, sum[:]...)
		b = b[n:]
		parts++
	}
	sum := md5.Sum(sums)
	return hex.EncodeToString(sum[:]) + "-" + strconv.Itoa(parts)
}

// The multipart tests store the output uncompressed (gzip level 0) so that a few megabytes of input make
// a multipart-sized output quickly, also under the race detector; compression is tested elsewhere.

func TestProcessMultipart(t *testing.T) {
	s := s3test.New(t, bucket)
	putSchema(t, s, "blobs", "blobs.schema.json")
	const rows = 30000 // about 7.6 MB of output: two parts
	csv, want := blobs(rows)
	in := invocation(t, s, "incoming/blobs/big.csv", csv, rows)
	got, err := newHandler(s, process.WithUpload(partSize, 2), process.WithCompressionLevel(gzip.NoCompression)).Handle(context.Background(), in)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	raw, text, _ := staged(t, s, got.Staging.Key)
	if len(raw) <= partSize {
		t.Fatalf("output is %d bytes, not enough for a multipart upload of %d-byte parts", len(raw), partSize)
	}
	if text != string(want) {
		t.Errorf("staged lines differ from the expected %d lines (got %d bytes, want %d)", rows, len(text), len(want))
	}
	if wantETag := multipartETag(raw, partSize); got.Staging.ETag != wantETag {
		t.Errorf("staged ETag: got %q, want %q (parts of exactly %d bytes)", got.Staging.ETag, wantETag, partSize)
	}
	if got.Rows != rows || got.Bytes != int64(len(raw)) {
		t.Errorf("rows, bytes: got %d, %d; want %d, %d", got.Rows, got.Bytes, rows, len(raw))
	}
	wantStats := []tasks.ColumnStats{{Name: "id", Count: rows, Min: json.RawMessage("0"), Max: json.RawMessage(strconv.Itoa(rows - 1))}}
	if diff := cmp.Diff(got.Columns[0], wantStats[0]); diff != "" {
		t.Errorf("id stats (-got +want):\n%s", diff)
	}
	if ups := pendingUploads(t, s); len(ups) != 0 {
		t.Errorf("multipart uploads left pending: %q", ups)
	}
}

func TestProcessMultipartFailureAborts(t *testing.T) {
	csv, want := blobs(30000)
	cut := int64(len(csv)) * 9 / 40
	tests := []struct {
		name    string
		arrange func(s *s3test.Server)
	}{
		{name: "create refused", arrange: func(s *s3test.Server) { s.Fail("POST", "staging/", 1, 503, "SlowDown") }},
		{name: "first part refused", arrange: func(s *s3test.Server) { s.Fail("PUT", "staging/", 1, 503, "SlowDown") }},
		// The source breaks off for good after the first part is sent (cut at 22.5%, 45%, 67.5% and, after
		// the last resume, 90% of the object): the upload is aborted, not completed short.
		{name: "source cut after a part", arrange: func(s *s3test.Server) { s.CutBody("GET", "incoming/", 4, cut) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s3test.New(t, bucket)
			putSchema(t, s, "blobs", "blobs.schema.json")
			in := invocation(t, s, "incoming/blobs/big.csv", csv, 30000)
			tt.arrange(s)
			h := newHandler(s, process.WithUpload(partSize, 2), process.WithCompressionLevel(gzip.NoCompression))
			_, err := h.Handle(context.Background(), in)
			if _, ok := err.(*tasks.TransientError); !ok {
				t.Fatalf("got %T %v, want *tasks.TransientError", err, err)
			}
			nothingStaged(t, s)
			got, err := h.Handle(context.Background(), in)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if _, text, _ := staged(t, s, got.Staging.Key); text != string(want) {
				t.Errorf("staged after retry: %d bytes, want %d", len(text), len(want))
			}
		})
	}
}
