package s3

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// readConditionsHold evaluates GetObject/HeadObject preconditions with the precedence of
// RFC 7232 section 6, which S3 follows
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html): If-Match, else
// If-Unmodified-Since (412); then If-None-Match, else If-Modified-Since (304).
func readConditionsHold(h http.Header, etag string, lastModified time.Time) error {
	lm := lastModified.UTC().Truncate(time.Second)
	if v := h.Get("If-Match"); v != "" {
		if !etagListMatches(v, etag) {
			return errPreconditionFailed()
		}
	} else if v := h.Get("If-Unmodified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && lm.After(t) {
			return errPreconditionFailed()
		}
	}
	if v := h.Get("If-None-Match"); v != "" {
		if etagListMatches(v, etag) {
			return errNotModified()
		}
	} else if v := h.Get("If-Modified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && !lm.After(t) {
			return errNotModified()
		}
	}
	return nil
}

func etagListMatches(list, etag string) bool {
	for _, e := range strings.Split(list, ",") {
		e = trimETag(e)
		if e == "*" || e == etag {
			return true
		}
	}
	return false
}

// responseOverrides are the GetObject query parameters that override response headers.
var responseOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

// getObject serves GetObject and HeadObject.
func (rq *request) getObject() {
	versionID := rq.q.Get("versionId")
	if has(rq.q, "versionId") && versionID == "" {
		rq.fail(errInvalidArgument("Version id cannot be the empty string"))
		return
	}
	head := rq.r.Method == http.MethodHead
	v, f, err := rq.s.store.lookup(rq.bucket, rq.key, versionID, !head)
	if err != nil {
		rq.fail(err)
		return
	}
	h := rq.w.Header()
	if v.DeleteMarker {
		h.Set("x-amz-delete-marker", "true")
		if v.ID != "" {
			h.Set("x-amz-version-id", v.ID)
		}
		if versionID != "" {
			rq.fail(&apiError{"MethodNotAllowed", "The specified method is not allowed against this resource."})
			return
		}
		rq.fail(errNoSuchKey())
		return
	}
	defer f.Close()
	h.Set("ETag", `"`+v.ETag+`"`)
	h.Set("Last-Modified", v.LastModified.UTC().Format(http.TimeFormat))
	if v.ID != "" {
		h.Set("x-amz-version-id", v.ID)
	} else if cfg, err := rq.s.store.config(rq.bucket); err == nil && cfg.Versioning != versioningOff {
		// The null version of a bucket that has had versioning on reports its ID as "null".
		h.Set("x-amz-version-id", "null")
	}
	if err := readConditionsHold(rq.r.Header, v.ETag, v.LastModified); err != nil {
		rq.fail(err)
		return
	}
	h.Set("Content-Type", "binary/octet-stream")
	for k, val := range v.Meta {
		h.Set(k, val)
	}
	if v.Tags != "" {
		h.Set("x-amz-tagging-count", strconv.Itoa(tagCount(v.Tags)))
	}
	for param, header := range responseOverrides {
		if val := rq.q.Get(param); val != "" {
			h.Set(header, val)
		}
	}
	h.Set("Accept-Ranges", "bytes")
	rng, ranged, err := parseRange(rq.r.Header.Get("Range"), v.Size)
	if err != nil {
		h.Del("Content-Type")
		rq.fail(err)
		return
	}
	if !ranged {
		rng = byteRange{0, v.Size}
		if strings.EqualFold(rq.r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") && v.Parts == 0 {
			for alg, sum := range v.Checksums {
				h.Set("x-amz-checksum-"+strings.ToLower(alg), sum)
			}
			if len(v.Checksums) > 0 {
				h.Set("x-amz-checksum-type", "FULL_OBJECT")
			}
		}
	}
	h.Set("Content-Length", strconv.FormatInt(rng.length, 10))
	status := http.StatusOK
	if ranged {
		h.Set("Content-Range", "bytes "+strconv.FormatInt(rng.start, 10)+"-"+
			strconv.FormatInt(rng.start+rng.length-1, 10)+"/"+strconv.FormatInt(v.Size, 10))
		status = http.StatusPartialContent
	}
	rq.w.WriteHeader(status)
	if head {
		return
	}
	// A buffer no larger than the range: most objects are small. The writer is wrapped so that CopyBuffer
	// uses it: the ResponseWriter's own ReadFrom copies a section reader (no sendfile) through a 32 KiB
	// buffer of its own (6% of the bytes BenchmarkPipeline allocated).
	if _, err := io.CopyBuffer(writerOnly{rq.w}, io.NewSectionReader(f, rng.start, rng.length), make([]byte, max(1, min(rng.length, 32<<10)))); err != nil {
		// The status is sent: the client sees a short body. A read error is the server's, worth a line.
		rq.s.log.Warn("s3: body cut short", "path", rq.r.URL.Path, "err", err)
	}
}

// writerOnly hides every method of a writer but Write (io.ReaderFrom in particular).
type writerOnly struct{ w io.Writer }

func (w writerOnly) Write(p []byte) (int, error) { return w.w.Write(p) }
