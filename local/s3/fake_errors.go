package s3

import (
	"bytes"
	"encoding/xml"
	"net/http"
)

// maxFakeErrorBody bounds the error document kept from gofakes3 (its errors are a few hundred bytes).
const maxFakeErrorBody = 64 << 10

// serveFake serves a request through gofakes3, rendering its errors the way writeError renders ours:
// gofakes3 writes them with no RequestId, no Resource and no Content-Type, so a client cannot quote
// the request id of a failure (InvalidBucketName from CreateBucket was one).
func (rq *request) serveFake() {
	fw := &fakeErrorWriter{ResponseWriter: rq.w, id: rq.id}
	rq.s.fake.ServeHTTP(fw, rq.r)
	if fw.status == 0 {
		return // gofakes3 wrote a success, or nothing
	}
	fw.Header().Set("x-amz-request-id", rq.id)
	var doc struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	if err := xml.Unmarshal(fw.body.Bytes(), &doc); err != nil || doc.Code == "" {
		// No body (HEAD) or not an error document: keep the status, add nothing.
		rq.w.WriteHeader(fw.status)
		_, _ = rq.w.Write(fw.body.Bytes()) // the status is sent: a failed write means the client went away
		return
	}
	writeError(rq.w, rq.r, rq.id, &apiError{Code: Code(doc.Code), Message: doc.Message})
}

// fakeErrorWriter passes successful responses through and holds back an error response (status 400
// and above) so that serveFake can render it again. gofakes3 numbers requests itself: the request id
// the Service gave is put back on every response.
type fakeErrorWriter struct {
	http.ResponseWriter
	id     string
	status int // the held-back error status, 0 when passing through
	wrote  bool
	body   bytes.Buffer
}

func (w *fakeErrorWriter) WriteHeader(status int) {
	if w.wrote || w.status != 0 {
		return
	}
	if status >= http.StatusBadRequest {
		w.status = status
		return
	}
	w.wrote = true
	w.Header().Set("x-amz-request-id", w.id)
	w.ResponseWriter.WriteHeader(status)
}

func (w *fakeErrorWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		if !w.wrote {
			w.WriteHeader(http.StatusOK)
		}
		return w.ResponseWriter.Write(b)
	}
	if room := maxFakeErrorBody - w.body.Len(); room > 0 {
		w.body.Write(b[:min(len(b), room)])
	}
	return len(b), nil
}

// Flush lets streamed listings through.
func (w *fakeErrorWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok && w.status == 0 {
		f.Flush()
	}
}
