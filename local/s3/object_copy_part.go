package s3

import (
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// MaxCopySourceBytes is the largest source CopyObject copies, and the largest range one UploadPartCopy
// copies: 5 GiB (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html). Larger objects are copied
// with a multipart upload whose parts are UploadPartCopy ranges.
const MaxCopySourceBytes = 5 << 30

func errCopySourceTooLarge() error {
	return errInvalidRequest("The specified copy source is larger than the maximum allowable size for a copy source: " +
		strconv.FormatInt(MaxCopySourceBytes, 10))
}

type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
}

// parseCopySourceRange reads x-amz-copy-source-range, which UploadPartCopy requires in the one form
// "bytes=first-last" (both given, first <= last < size); anything else is 400 InvalidArgument. An absent
// header copies the whole source.
func parseCopySourceRange(header string, size int64) (byteRange, error) {
	if header == "" {
		return byteRange{start: 0, length: size}, nil
	}
	bad := errInvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
	spec, ok := strings.CutPrefix(header, "bytes=")
	if !ok {
		return byteRange{}, bad
	}
	a, b, ok := strings.Cut(spec, "-")
	if !ok {
		return byteRange{}, bad
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || first < 0 || last < first {
		return byteRange{}, bad
	}
	if last >= size {
		return byteRange{}, errInvalidArgument("Range specified is not valid for source object of size: " + strconv.FormatInt(size, 10))
	}
	return byteRange{start: first, length: last - first + 1}, nil
}

// uploadPartCopy serves UploadPartCopy: PUT /bucket/key?partNumber=N&uploadId=ID with x-amz-copy-source
// (and optionally x-amz-copy-source-range and the x-amz-copy-source-if-* conditions). The part is the
// source range, stored as UploadPart stores a part, so CompleteMultipartUpload treats both alike.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html
func (rq *request) uploadPartCopy() {
	h := rq.r.Header
	number, err := strconv.Atoi(rq.q.Get("partNumber"))
	if err != nil || number < 1 || number > 10000 {
		rq.fail(errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive"))
		return
	}
	srcBucket, srcKey, srcVersion, err := parseCopySource(h.Get("X-Amz-Copy-Source"))
	if err != nil {
		rq.fail(err)
		return
	}
	if _, _, err := rq.s.findUpload(rq.bucket, rq.key, rq.q.Get("uploadId")); err != nil {
		rq.fail(err)
		return
	}
	src, data, err := rq.s.store.lookup(srcBucket, srcKey, srcVersion, true)
	if err != nil {
		rq.fail(err)
		return
	}
	if src.DeleteMarker {
		if srcVersion != "" {
			rq.fail(errInvalidRequest("The source of a copy request may not specifically refer to a delete marker by version id."))
		} else {
			rq.fail(errNoSuchKey())
		}
		return
	}
	defer data.Close()
	if err := copySourceConditionsHold(h, src.ETag, src.LastModified); err != nil {
		rq.fail(err)
		return
	}
	r, err := parseCopySourceRange(h.Get("X-Amz-Copy-Source-Range"), src.Size)
	if err != nil {
		rq.fail(err)
		return
	}
	if r.length > MaxCopySourceBytes {
		rq.fail(errCopySourceTooLarge())
		return
	}
	etag, err := rq.s.uploadPart(rq.bucket, rq.key, rq.q.Get("uploadId"), number, r.length,
		diskReader{r: io.NewSectionReader(data, r.start, r.length)})
	if err != nil {
		rq.fail(err)
		return
	}
	if src.ID != "" {
		rq.w.Header().Set("x-amz-copy-source-version-id", src.ID)
	}
	rq.writeXML(http.StatusOK, copyPartResult{Xmlns: xmlns, ETag: `"` + etag + `"`,
		LastModified: rq.s.now().UTC().Format("2006-01-02T15:04:05.000Z")})
}
