package s3

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
}

// parseCopySource splits x-amz-copy-source ("[/]bucket/key[?versionId=id]", URL-encoded).
func parseCopySource(src string) (bucket, key, versionID string, err error) {
	path, query, _ := strings.Cut(src, "?")
	path, uerr := url.PathUnescape(strings.TrimPrefix(path, "/"))
	if uerr != nil {
		return "", "", "", errInvalidArgument("Invalid copy source encoding")
	}
	bucket, key, _ = strings.Cut(path, "/")
	if bucket == "" || key == "" {
		return "", "", "", errInvalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
	}
	if query != "" {
		q, qerr := url.ParseQuery(query)
		if qerr != nil {
			return "", "", "", errInvalidArgument("Invalid copy source")
		}
		if vals, ok := q["versionId"]; ok {
			versionID = vals[0]
			if versionID == "" {
				return "", "", "", errInvalidArgument("Version id cannot be the empty string")
			}
		}
	}
	return bucket, key, versionID, nil
}

// copySourceConditionsHold evaluates x-amz-copy-source-if-* against the source; a failed
// condition is 412 PreconditionFailed
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html).
func copySourceConditionsHold(h http.Header, etag string, lastModified time.Time) error {
	lm := lastModified.UTC().Truncate(time.Second)
	if v := h.Get("X-Amz-Copy-Source-If-Match"); v != "" && !etagListMatches(v, etag) {
		return errPreconditionFailed()
	}
	if v := h.Get("X-Amz-Copy-Source-If-None-Match"); v != "" && etagListMatches(v, etag) {
		return errPreconditionFailed()
	}
	if v := h.Get("X-Amz-Copy-Source-If-Unmodified-Since"); v != "" && h.Get("X-Amz-Copy-Source-If-Match") == "" {
		if t, err := http.ParseTime(v); err == nil && lm.After(t) {
			return errPreconditionFailed()
		}
	}
	if v := h.Get("X-Amz-Copy-Source-If-Modified-Since"); v != "" && h.Get("X-Amz-Copy-Source-If-None-Match") == "" {
		if t, err := http.ParseTime(v); err == nil && !lm.After(t) {
			return errPreconditionFailed()
		}
	}
	return nil
}

// copyObject serves CopyObject.
func (rq *request) copyObject() {
	h := rq.r.Header
	srcBucket, srcKey, srcVersion, err := parseCopySource(h.Get("X-Amz-Copy-Source"))
	if err != nil {
		rq.fail(err)
		return
	}
	directive := h.Get("X-Amz-Metadata-Directive")
	if directive == "" {
		directive = "COPY"
	}
	if directive != "COPY" && directive != "REPLACE" {
		rq.fail(errInvalidArgument("Unknown metadata directive."))
		return
	}
	if srcBucket == rq.bucket && srcKey == rq.key && srcVersion == "" && directive == "COPY" {
		rq.fail(errInvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."))
		return
	}
	if _, err := rq.s.store.bucket(rq.bucket); err != nil {
		rq.fail(err)
		return
	}
	cond, err := writeConditionsFrom(h)
	if err != nil {
		rq.fail(err)
		return
	}
	var meta map[string]string
	if directive == "REPLACE" {
		if meta, err = metaFromHeaders(h); err != nil {
			rq.fail(err)
			return
		}
		if meta == nil {
			meta = map[string]string{}
		}
	}
	// x-amz-tagging-directive: COPY (the default) keeps the source's tags, REPLACE takes x-amz-tagging.
	var tags *string
	switch h.Get("X-Amz-Tagging-Directive") {
	case "", "COPY":
	case "REPLACE":
		t, err := parseTagging(h.Get("X-Amz-Tagging"))
		if err != nil {
			rq.fail(err)
			return
		}
		tags = &t
	default:
		rq.fail(errInvalidArgument("Unknown tagging directive."))
		return
	}
	src, v, err := rq.s.copyVersion(srcBucket, srcKey, srcVersion, rq.bucket, rq.key, meta, tags, cond,
		func(src version) error { return copySourceConditionsHold(h, src.ETag, src.LastModified) }, rq.origin)
	if err != nil {
		rq.fail(err)
		return
	}
	if v.ID != "" {
		rq.w.Header().Set("x-amz-version-id", v.ID)
	}
	if src.ID != "" {
		rq.w.Header().Set("x-amz-copy-source-version-id", src.ID)
	}
	rq.writeXML(http.StatusOK, copyObjectResult{Xmlns: xmlns, ETag: `"` + v.ETag + `"`,
		LastModified: v.LastModified.UTC().Format("2006-01-02T15:04:05.000Z")})
}
