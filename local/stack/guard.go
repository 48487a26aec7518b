package stack

import (
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"mime"
	"net/http"
	"strings"

	"github.com/sluicehq/sluice/local/guard"

	"github.com/sluicehq/sluice/internal/uuid"
)

// admit lets a request through the guard (see package guard for the threat model), or answers the
// refusal in the shape of the protocol the request speaks and reports false: S3's 403 AccessDenied XML
// for S3 requests, AccessDeniedException JSON for the JSON protocols, Lambda and the local API.
func (st *Stack) admit(w http.ResponseWriter, r *http.Request) bool {
	var err error
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		err = st.guard.CheckAction(r)
	} else {
		err = st.guard.Check(r)
	}
	if err == nil {
		return true
	}
	st.cfg.Logger.Warn("refused a request", "reason", err, "method", r.Method, "path", r.URL.Path,
		"host", r.Host, "origin", r.Header.Get("Origin"), "remote", r.RemoteAddr)
	if speaksJSON(r) {
		setJSONRequestID(w)
		guard.WriteJSONRefusal(w, err, http.StatusForbidden)
	} else {
		st.S3.Refuse(w, r, err.Error())
	}
	return false
}

// speaksJSON reports whether r is for one of the JSON APIs (the X-Amz-Target protocols, Lambda,
// CloudWatch, the local API) rather than S3.
func speaksJSON(r *http.Request) bool {
	return r.Header.Get("X-Amz-Target") != "" ||
		isLambdaPath(r.URL.Path) ||
		strings.HasPrefix(r.URL.Path, "/service/GraniteServiceVersion20100801/") ||
		strings.HasPrefix(r.URL.Path, adminPrefix)
}

// setJSONRequestID gives a JSON protocol answer its x-amzn-RequestId, as AWS gives every answer; a
// service that names its own request id replaces it.
func setJSONRequestID(w http.ResponseWriter) {
	w.Header()[requestIDHeader] = []string{requestID()}
}

// requestIDHeader is X-Amzn-RequestId as net/http keys it.
var requestIDHeader = http.CanonicalHeaderKey("X-Amzn-RequestId")

// requestID returns a new request id, a version 4 UUID of the runtime's random numbers (math/rand/v2's,
// seeded by the system): a request id names an answer, it needs to be unique, not unguessable, and
// crypto/rand cost a system call on every request.
func requestID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	return uuid.From(b)
}

// writeUnknownOperation answers a request whose X-Amz-Target names no service of the stack as the AWS
// JSON protocols answer an unknown operation: 400 with __type UnknownOperationException (as AWS's
// CloudWatch Logs and Kinesis endpoints answer an unknown target; see aws/aws-sdk-net#1536), in the JSON
// version the client sent.
func writeUnknownOperation(w http.ResponseWriter, r *http.Request) {
	ct := "application/x-amz-json-1.1"
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && strings.HasPrefix(mt, "application/x-amz-json-") {
		ct = mt
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Amzn-ErrorType", "UnknownOperationException")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"__type":  "UnknownOperationException",
		"message": "Operation " + r.Header.Get("X-Amz-Target") + " is not served by this endpoint",
	})
}

// serveS3 serves an S3 request. Objects are served as documents of this origin, so a stored HTML page
// opened in a browser would be a page of the endpoint itself: the sandbox policy gives it an opaque
// origin instead, whose requests the guard refuses.
func (st *Stack) serveS3(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	st.S3.ServeHTTP(w, r)
}
