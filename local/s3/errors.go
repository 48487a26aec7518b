package s3

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"syscall"

	"github.com/johannesboyne/gofakes3"

	"github.com/sluicehq/sluice/internal/durablelog"
)

// Code is an S3 error code, as an error document's <Code> carries it. A Code is itself an error;
// the errors the service answers with wrap one (errors.Is finds it).
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
type Code string

func (c Code) Error() string { return string(c) }

// statuses is the one table mapping the codes this package answers with to their HTTP status, from
// S3's list of error codes.
var statuses = map[Code]int{
	"AccessDenied":               http.StatusForbidden,
	"BadDigest":                  http.StatusBadRequest,
	"BucketAlreadyOwnedByYou":    http.StatusConflict,
	"BucketNotEmpty":             http.StatusConflict,
	"ConditionalRequestConflict": http.StatusConflict,
	"EntityTooLarge":             http.StatusBadRequest,
	"EntityTooSmall":             http.StatusBadRequest,
	"IncompleteBody":             http.StatusBadRequest,
	"InternalError":              http.StatusInternalServerError,
	"InvalidArgument":            http.StatusBadRequest,
	"InvalidDigest":              http.StatusBadRequest,
	"InvalidPart":                http.StatusBadRequest,
	"InvalidPartOrder":           http.StatusBadRequest,
	"InvalidRange":               http.StatusRequestedRangeNotSatisfiable,
	"InvalidRequest":             http.StatusBadRequest,
	"InvalidTag":                 http.StatusBadRequest,
	"KeyTooLongError":            http.StatusBadRequest,
	"MalformedPOSTRequest":       http.StatusBadRequest,
	"MalformedXML":               http.StatusBadRequest,
	"MetadataTooLarge":           http.StatusBadRequest,
	"MethodNotAllowed":           http.StatusMethodNotAllowed,
	"MissingContentLength":       http.StatusLengthRequired,
	"NoSuchBucket":               http.StatusNotFound,
	"NoSuchKey":                  http.StatusNotFound,
	"NoSuchUpload":               http.StatusNotFound,
	"NoSuchVersion":              http.StatusNotFound,
	"NotImplemented":             http.StatusNotImplemented,
	"NotModified":                http.StatusNotModified,
	"PreconditionFailed":         http.StatusPreconditionFailed,
	"ServiceUnavailable":         http.StatusServiceUnavailable,
}

// status is the code's HTTP status: from statuses, or for a code only gofakes3 answers with (the
// operations it serves), from gofakes3's own table of S3's codes.
func (c Code) status() int {
	if st, ok := statuses[c]; ok {
		return st
	}
	return gofakes3.ErrorCode(c).Status()
}

// apiError is an S3 error that crosses the wire: its code and a message.
type apiError struct {
	Code    Code
	Message string
}

func (e *apiError) Error() string { return string(e.Code) + ": " + e.Message }
func (e *apiError) Unwrap() error { return e.Code }

func errNoSuchBucket() error {
	return &apiError{"NoSuchBucket", "The specified bucket does not exist"}
}

func errNoSuchKey() error {
	return &apiError{"NoSuchKey", "The specified key does not exist."}
}

func errNoSuchVersion() error {
	return &apiError{"NoSuchVersion", "The specified version does not exist."}
}

func errNoSuchUpload() error {
	return &apiError{"NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."}
}

func errPreconditionFailed() error {
	return &apiError{"PreconditionFailed", "At least one of the pre-conditions you specified did not hold"}
}

func errConditionalConflict() error {
	return &apiError{"ConditionalRequestConflict", "A conflicting conditional operation is currently in progress against this resource. Please try again."}
}

func errNotModified() error {
	return &apiError{"NotModified", "Not Modified"}
}

func errInvalidArgument(msg string) error {
	return &apiError{"InvalidArgument", msg}
}

func errInvalidRequest(msg string) error {
	return &apiError{"InvalidRequest", msg}
}

func errInvalidRange() error {
	return &apiError{"InvalidRange", "The requested range is not satisfiable"}
}

func errMalformedXML() error {
	return &apiError{"MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema"}
}

func errBadDigest(msg string) error {
	return &apiError{"BadDigest", msg}
}

func errInvalidDigest() error {
	return &apiError{"InvalidDigest", "The Content-MD5 you specified was invalid."}
}

func errIncompleteBody() error {
	return &apiError{"IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header."}
}

func errMissingContentLength() error {
	return &apiError{"MissingContentLength", "You must provide the Content-Length HTTP header."}
}

func errKeyTooLong() error {
	return &apiError{"KeyTooLongError", "Your key is too long"}
}

func errEntityTooSmall() error {
	return &apiError{"EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size."}
}

func errEntityTooLarge() error {
	return &apiError{"EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size."}
}

func errInvalidPart(msg string) error {
	return &apiError{"InvalidPart", msg}
}

func errInvalidPartOrder() error {
	return &apiError{"InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number."}
}

func errMetadataTooLarge() error {
	return &apiError{"MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size."}
}

func errNotImplemented() error {
	return &apiError{"NotImplemented", "A header or query you provided implies functionality that is not implemented."}
}

// errAccessDenied is S3's refusal of a request it does not authorize.
func errAccessDenied(msg string) error {
	return &apiError{"AccessDenied", msg}
}

func errInternal() error {
	return &apiError{"InternalError", "We encountered an internal error. Please try again."}
}

// toAPIError maps any error to the wire error; unknown errors become InternalError without
// Go details.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var ge gofakes3.Error
	if errors.As(err, &ge) {
		code := ge.ErrorCode()
		msg := code.Message()
		var er *gofakes3.ErrorResponse
		if errors.As(err, &er) && er.Message != "" {
			msg = er.Message
		}
		if code == gofakes3.ErrInternal {
			return errInternal().(*apiError)
		}
		return &apiError{Code(code), msg}
	}
	if unavailable(err) {
		return errServiceUnavailable().(*apiError)
	}
	return errInternal().(*apiError)
}

type errorBody struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource,omitempty"`
	RequestID string   `xml:"RequestId"`
}

// writeError renders err as S3 does: the status, and for non-HEAD requests with a body-bearing
// status an XML <Error> document.
func writeError(w http.ResponseWriter, r *http.Request, requestID string, err error) {
	ae := toAPIError(err)
	status := ae.Code.status()
	if status == http.StatusNotModified {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	body := errorBody{Code: string(ae.Code), Message: ae.Message, Resource: r.URL.Path, RequestID: requestID}
	writeXMLBody(w, body)
}

func errServiceUnavailable() error {
	return &apiError{"ServiceUnavailable", "Service is unable to handle request."}
}

// storageError is a failure of this server's disk while it stored a request's data: a server
// error, never the client's fault.
type storageError struct{ err error }

func (e *storageError) Error() string { return "store data: " + e.err.Error() }
func (e *storageError) Unwrap() error { return e.err }

// diskWriter marks the errors of writes to disk, so that a copy from the request body can
// tell a failing disk from a short body.
type diskWriter struct{ w io.Writer }

func (d diskWriter) Write(p []byte) (int, error) {
	n, err := d.w.Write(p)
	if err != nil {
		err = &storageError{err}
	}
	return n, err
}

// diskReader marks the errors of reads from this server's own storage (a copy's source, a
// parsed form's file), which are server errors too.
type diskReader struct{ r io.Reader }

func (d diskReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = &storageError{err}
	}
	return n, err
}

// bodyError maps the error of copying a request body to disk: the disk's own errors stay
// server errors (see toAPIError); a body that broke off is IncompleteBody.
func bodyError(err error) error {
	var ae *apiError
	var se *storageError
	if errors.As(err, &ae) || errors.As(err, &se) {
		return err
	}
	return errIncompleteBody()
}

// unavailable reports whether err is this server being unable to store data for now: the
// disk is full, or the journal refuses writes after a failed one until a write succeeds.
// S3 has no error for a full disk; ServiceUnavailable (503) is the server error clients retry
// with back-off (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
func unavailable(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, durablelog.ErrUnhealthy)
}
