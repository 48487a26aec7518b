package cloudwatch

import (
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/smithy-go/encoding/cbor"
	"github.com/sluicehq/sluice/internal/service"
)

// ServicePath is the path prefix of the RPC v2 CBOR operations.
const ServicePath = "/service/GraniteServiceVersion20100801/operation/"

// maxRequestBytes bounds a request body (PutMetricData allows 1 MB of payload).
const maxRequestBytes = 2 << 20

// Clock is the clock type every local service takes (see WithClock).
type Clock = service.Clock

// Service is the local CloudWatch. It keeps metrics in memory. It is an http.Handler.
type Service struct {
	opts    service.Options
	store   store
	handler http.Handler
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock used for default timestamps and RecentlyActive (the wall clock by
// default).
func WithClock(c Clock) Option { return func(s *Service) { s.opts.Clock = c } }

// WithLogger sets the logger for internal errors and panics (default: discard).
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.opts.Logger = l } }

// New returns an empty Service.
func New(opts ...Option) (*Service, error) {
	s := &Service{store: store{series: map[string]*series{}}}
	for _, o := range opts {
		o(s)
	}
	s.opts = s.opts.Defaults()
	s.handler = service.Recover("cloudwatch", s.opts.Logger, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, protocolOf(r), errInternal)
	}, http.HandlerFunc(s.serve))
	return s, nil
}

var _ http.Handler = (*Service)(nil)

// TargetPrefix is the X-Amz-Target prefix of the AWS JSON 1.0 protocol.
const TargetPrefix = "GraniteServiceVersion20100801."

// protocolOf tells the protocol of a request: AWS JSON 1.0 when it has an X-Amz-Target.
func protocolOf(r *http.Request) protocol {
	if r.Header.Get("X-Amz-Target") != "" {
		return protoJSON
	}
	return protoCBOR
}

// ServeHTTP serves the RPC v2 CBOR protocol (POST {ServicePath}{Operation}, as
// aws-sdk-go-v2 sends) and the AWS JSON 1.0 protocol (POST / with X-Amz-Target
// GraniteServiceVersion20100801.{Operation}, as the AWS CLI sends).
//
// It also serves the query protocol (form-encoded Action and Version=2010-08-01, answered in XML), as
// older SDKs and CLIs send it: see [QueryVersion].
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") == "" && !strings.Contains(r.URL.Path, ServicePath) && IsQueryRequest(r) {
		s.serveQuery(w, r)
		return
	}
	proto := protocolOf(r)
	var op string
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		op = strings.TrimPrefix(target, TargetPrefix)
		if op == target {
			op = ""
		}
	} else if i := strings.Index(r.URL.Path, ServicePath); i >= 0 {
		op = r.URL.Path[i+len(ServicePath):]
	}
	if op == "" || r.Method != http.MethodPost {
		writeError(w, proto, errUnknownOperation(r.URL.Path))
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
		writeError(w, proto, apiErrorf(CodeRequestEntityTooLarge, "Request size exceeded."))
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
		err = errUnknownOperation(op)
	}
	if err != nil {
		if e := (*apiError)(nil); !errors.As(err, &e) {
			s.opts.Logger.Error("cloudwatch: internal error", "operation", op, "err", err)
		}
		writeError(w, proto, err)
		return
	}
	if proto == protoJSON {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusOK)
		if err := json.NewEncoder(w).Encode(toJSON(out)); err != nil {
			s.opts.Logger.Debug("cloudwatch: write response", "operation", op, "err", err) // the client went away
		}
		return
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(cbor.Encode(out)); err != nil {
		s.opts.Logger.Debug("cloudwatch: write response", "operation", op, "err", err) // the client went away
	}
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
