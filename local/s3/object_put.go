package s3

import (
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxPutSize is the largest object a single PUT may upload: 5 GB
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html).
const maxPutSize = 5 << 30

// maxUserMetadata is the limit on user-defined metadata (keys and values of x-amz-meta-*).
const maxUserMetadata = 2 << 10

// writeConditionsFrom reads If-Match / If-None-Match of a write. If-None-Match accepts only
// "*" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html).
func writeConditionsFrom(h http.Header) (*writeConditions, error) {
	c := &writeConditions{}
	if v := h.Get("If-None-Match"); v != "" {
		if strings.TrimSpace(v) != "*" {
			return nil, errNotImplemented()
		}
		c.HasIfNoneMatch = true
	}
	if v := h.Get("If-Match"); v != "" {
		c.HasIfMatch, c.IfMatch = true, v
	}
	if !c.conditional() {
		return nil, nil
	}
	return c, nil
}

func metaFromHeaders(h http.Header) (map[string]string, error) {
	flat := make(map[string]string, len(h))
	for k, v := range h {
		if len(v) > 0 {
			flat[k] = v[0]
		}
	}
	meta := storedMeta(flat)
	if userMetaSize(meta) > maxUserMetadata {
		return nil, errMetadataTooLarge()
	}
	return meta, nil
}

// body returns the request payload, decoding aws-chunked bodies, and its declared length
// (-1 if unknown). Checksums announced in x-amz-trailer are registered on d.
func (rq *request) body(d *digests) (io.Reader, int64, error) {
	h := rq.r.Header
	if isAWSChunked(h) {
		n := decodedLength(h)
		if n < 0 {
			return nil, 0, errMissingContentLength()
		}
		cr := newChunkedReader(rq.r.Body)
		if t := h.Get("X-Amz-Trailer"); t != "" && d != nil {
			for _, name := range strings.Split(t, ",") {
				d.expectTrailer(name)
			}
			d.trailer = cr
		}
		return cr, n, nil
	}
	if rq.r.ContentLength < 0 {
		return nil, 0, errMissingContentLength()
	}
	return rq.r.Body, rq.r.ContentLength, nil
}

// decodeChunkedForFake rewrites an aws-chunked request into a plain one for gofakes3
// (which only understands the signed variant without trailers).
func (rq *request) decodeChunkedForFake() error {
	h := rq.r.Header
	if !isAWSChunked(h) {
		return nil
	}
	n := decodedLength(h)
	if n < 0 {
		return errMissingContentLength()
	}
	rq.r.Body = struct {
		io.Reader
		io.Closer
	}{newChunkedReader(rq.r.Body), rq.r.Body}
	rq.r.ContentLength = n
	h.Set("Content-Length", strconv.FormatInt(n, 10))
	h.Del("X-Amz-Content-Sha256")
	h.Del("X-Amz-Decoded-Content-Length")
	if enc := stripAWSChunked(h.Get("Content-Encoding")); enc != "" {
		h.Set("Content-Encoding", enc)
	} else {
		h.Del("Content-Encoding")
	}
	return nil
}

// putObject serves PutObject.
func (rq *request) putObject() {
	cond, err := writeConditionsFrom(rq.r.Header)
	if err != nil {
		rq.fail(err)
		return
	}
	meta, err := metaFromHeaders(rq.r.Header)
	if err != nil {
		rq.fail(err)
		return
	}
	want, err := digestsFromHeaders(rq.r.Header)
	if err != nil {
		rq.fail(err)
		return
	}
	body, size, err := rq.body(want)
	if err != nil {
		rq.fail(err)
		return
	}
	if size > maxPutSize {
		rq.fail(errEntityTooLarge())
		return
	}
	tags, err := parseTagging(rq.r.Header.Get("X-Amz-Tagging"))
	if err != nil {
		rq.fail(err)
		return
	}
	v, err := rq.s.putBlob(rq.bucket, rq.key, meta, tags, body, size, want, cond, ReasonPutObject, rq.origin)
	if err != nil {
		rq.fail(err)
		return
	}
	h := rq.w.Header()
	h.Set("ETag", `"`+v.ETag+`"`)
	if v.ID != "" {
		h.Set("x-amz-version-id", v.ID)
	}
	for alg, sum := range v.Checksums {
		h.Set("x-amz-checksum-"+strings.ToLower(alg), sum)
	}
	rq.w.WriteHeader(http.StatusOK)
}
