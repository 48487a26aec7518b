package cloudwatch

import (
	"compress/gzip"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// ServicePath is the path prefix of the RPC v2 CBOR operations.
const ServicePath = "/service/GraniteServiceVersion20100801/operation/"

// maxRequestBytes bounds a request body (PutMetricData allows 1 MB of payload).
const maxRequestBytes = 2 << 20

// Server is the local CloudWatch.
type Server struct {
	now   func() time.Time
	log   *slog.Logger
	store store
}

// Option configures a Server.
type Option func(*Server)

// WithClock sets the clock used for default timestamps and RecentlyActive.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithLogger sets the logger for internal errors (default: discard).
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// New returns an empty Server.
func New(opts ...Option) *Server {
	s := &Server{now: time.Now, log: slog.New(slog.DiscardHandler), store: store{series: map[string]*series{}}}
	for _, o := range opts {
		o(s)
	}
	return s
}

var _ http.Handler = (*Server)(nil)

// ServeHTTP serves POST {ServicePath}{Operation} with a CBOR body.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("cloudwatch: panic serving request", "panic", v)
			writeError(w, errInternal())
		}
	}()
	i := strings.Index(r.URL.Path, ServicePath)
	if i < 0 || r.Method != http.MethodPost {
		writeError(w, errUnknownOperation(r.URL.Path))
		return
	}
	op := r.URL.Path[i+len(ServicePath):]
	var src io.Reader = r.Body
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		// PutMetricData requests are gzip-compressed by the SDK (Smithy requestCompression).
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			writeError(w, errSerialization(err))
			return
		}
		defer zr.Close()
		src = zr
	}
	body, err := io.ReadAll(io.LimitReader(src, maxRequestBytes+1))
	if err != nil {
		writeError(w, errSerialization(err))
		return
	}
	if len(body) > maxRequestBytes {
		writeError(w, &apiError{"RequestEntityTooLarge", "RequestEntityTooLarge", http.StatusRequestEntityTooLarge, "Request size exceeded."})
		return
	}
	var out cbor.Value
	switch op {
	case "PutMetricData":
		out, err = s.putMetricData(body)
	case "GetMetricData":
		out, err = s.getMetricData(body)
	case "GetMetricStatistics":
		out, err = s.getMetricStatistics(body)
	case "ListMetrics":
		out, err = s.listMetrics(body)
	default:
		err = errUnknownOperation(op)
	}
	if err != nil {
		if _, ok := err.(*apiError); !ok {
			s.log.Error("cloudwatch: internal error", "operation", op, "err", err)
		}
		writeError(w, err)
		return
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(cbor.Encode(out))
}

func bind[T any](body []byte) (T, error) {
	var in T
	if err := decodeRequest(body, &in); err != nil {
		return in, errSerialization(err)
	}
	return in, nil
}

// Tokens are offsets into a sorted result, base64-encoded.
func encodeToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o" + strconv.Itoa(offset)))
}

func decodeToken(tok *string) (int, error) {
	if tok == nil {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*tok)
	if err != nil || len(raw) < 2 || raw[0] != 'o' {
		return 0, errNextToken()
	}
	n, err := strconv.Atoi(string(raw[1:]))
	if err != nil || n < 0 {
		return 0, errNextToken()
	}
	return n, nil
}
