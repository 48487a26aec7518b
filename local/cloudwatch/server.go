package cloudwatch

import (
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
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

// TargetPrefix is the X-Amz-Target prefix of the AWS JSON 1.0 protocol.
const TargetPrefix = "GraniteServiceVersion20100801."

// ServeHTTP serves the RPC v2 CBOR protocol (POST {ServicePath}{Operation}, as
// aws-sdk-go-v2 sends) and the AWS JSON 1.0 protocol (POST / with X-Amz-Target
// GraniteServiceVersion20100801.{Operation}, as the AWS CLI sends).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	proto := protoCBOR
	var op string
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		proto = protoJSON
		op = strings.TrimPrefix(target, TargetPrefix)
		if op == target {
			op = ""
		}
	} else if i := strings.Index(r.URL.Path, ServicePath); i >= 0 {
		op = r.URL.Path[i+len(ServicePath):]
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("cloudwatch: panic serving request", "panic", v)
			writeError(w, proto, errInternal())
		}
	}()
	if op == "" || r.Method != http.MethodPost {
		writeError(w, proto, errUnknownOperation(proto, r.URL.Path))
		return
	}
	var src io.Reader = r.Body
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		// PutMetricData requests are gzip-compressed by the SDKs (Smithy requestCompression).
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			writeError(w, proto, errSerialization(err))
			return
		}
		defer zr.Close()
		src = zr
	}
	body, err := io.ReadAll(io.LimitReader(src, maxRequestBytes+1))
	if err != nil {
		writeError(w, proto, errSerialization(err))
		return
	}
	if len(body) > maxRequestBytes {
		writeError(w, proto, &apiError{"RequestEntityTooLarge", "RequestEntityTooLarge", http.StatusRequestEntityTooLarge, "Request size exceeded."})
		return
	}
	dec := cborDecoder(body)
	if proto == protoJSON {
		dec = jsonDecoder(body)
	}
	var out cbor.Value
	switch op {
	case "PutMetricData":
		out, err = s.putMetricData(dec)
	case "GetMetricData":
		out, err = s.getMetricData(dec)
	case "GetMetricStatistics":
		out, err = s.getMetricStatistics(dec)
	case "ListMetrics":
		out, err = s.listMetrics(dec)
	default:
		err = errUnknownOperation(proto, op)
	}
	if err != nil {
		if _, ok := err.(*apiError); !ok {
			s.log.Error("cloudwatch: internal error", "operation", op, "err", err)
		}
		writeError(w, proto, err)
		return
	}
	if proto == protoJSON {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusOK)
		_ = json.NewEncoder(w).Encode(toJSON(out))
		return
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(cbor.Encode(out))
}

type protocol int

const (
	protoCBOR protocol = iota
	protoJSON
)

// decoder binds a request body to a value, whatever the protocol.
type decoder func(v any) error

func cborDecoder(body []byte) decoder { return func(v any) error { return decodeRequest(body, v) } }

func jsonDecoder(body []byte) decoder {
	return func(v any) error {
		if len(body) == 0 {
			return nil
		}
		return json.Unmarshal(body, v)
	}
}

func bind[T any](dec decoder) (T, error) {
	var in T
	if err := dec(&in); err != nil {
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
