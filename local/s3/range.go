package s3

import (
	"strconv"
	"strings"
)

// byteRange is a satisfiable range of an object.
type byteRange struct{ start, length int64 }

// parseRange reads a Range header against an object of size bytes. S3 serves one range per
// request (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html): a header
// that is absent, syntactically invalid or names several ranges is ignored (ok false, whole
// object); a valid range that starts past the end is InvalidRange (416).
func parseRange(header string, size int64) (r byteRange, ok bool, err error) {
	spec, found := strings.CutPrefix(strings.TrimSpace(header), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return byteRange{}, false, nil
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return byteRange{}, false, nil
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" {
		n, perr := strconv.ParseInt(last, 10, 64)
		if perr != nil || n < 0 {
			return byteRange{}, false, nil
		}
		if n == 0 || size == 0 {
			return byteRange{}, false, errInvalidRange()
		}
		n = min(n, size)
		return byteRange{start: size - n, length: n}, true, nil
	}
	start, perr := strconv.ParseInt(first, 10, 64)
	if perr != nil || start < 0 {
		return byteRange{}, false, nil
	}
	end := size - 1
	if last != "" {
		e, perr := strconv.ParseInt(last, 10, 64)
		if perr != nil || e < start {
			return byteRange{}, false, nil
		}
		end = min(e, size-1)
	}
	if start >= size {
		return byteRange{}, false, errInvalidRange()
	}
	return byteRange{start: start, length: end - start + 1}, true, nil
}
