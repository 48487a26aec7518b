package sts

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/sluicehq/sluice/internal/service"
	"github.com/sluicehq/sluice/internal/uuid"
)

// Version is the API version the query protocol's requests carry.
const Version = "2011-06-15"

// namespace is the XML namespace of STS's answers.
const namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// maxRequestBytes bounds a request body: STS's largest requests (AssumeRoleWithSAML) are far smaller.
const maxRequestBytes = 1 << 20

// Service is the local STS. It is an http.Handler.
type Service struct {
	opts    service.Options
	handler http.Handler
}

var _ http.Handler = (*Service)(nil)

// Option configures a Service.
type Option func(*Service)

// WithRegion sets the region (us-east-1 by default); the answers do not depend on it.
func WithRegion(region string) Option { return func(s *Service) { s.opts.Region = region } }

// WithAccount sets the account the caller belongs to (000000000000 by default).
func WithAccount(account string) Option { return func(s *Service) { s.opts.Account = account } }

// WithLogger sets the logger for internal errors and panics (default: discard).
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.opts.Logger = l } }

// New returns a Service.
func New(opts ...Option) (*Service, error) {
	s := &Service{}
	for _, o := range opts {
		o(s)
	}
	s.opts = s.opts.Defaults()
	s.handler = service.Recover("sts", s.opts.Logger, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, uuid.New(), &apiError{"InternalFailure", "The request processing has failed because of an unknown error, exception or failure."})
	}, http.HandlerFunc(s.serve))
	return s, nil
}

// IsRequest reports whether r is an STS query protocol request: a Version of 2011-06-15 in the query
// string or the form-encoded body. It reads at most maxRequestBytes of the body and leaves it for the
// handler to read again.
func IsRequest(r *http.Request) bool {
	if r.URL.Query().Get("Version") == Version {
		return true
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.Body == nil {
		return false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
	if err != nil {
		return false
	}
	form, err := url.ParseQuery(string(body))
	return err == nil && form.Get("Version") == Version
}

// ServeHTTP serves the query protocol: the action and its parameters in the query string or in a
// form-encoded POST body.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	reqID := uuid.New()
	form := r.URL.Query()
	if r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
		if err == nil && len(body) <= maxRequestBytes {
			if f, err := url.ParseQuery(string(body)); err == nil {
				for k, v := range f {
					form[k] = v
				}
			}
		}
	}
	switch action := form.Get("Action"); action {
	case "GetCallerIdentity":
		s.getCallerIdentity(w, reqID)
	case "":
		writeError(w, reqID, &apiError{"MissingAction", "Missing Action"})
	default:
		writeError(w, reqID, &apiError{"InvalidAction", fmt.Sprintf("Could not find operation %s for version %s", action, Version)})
	}
}

type callerIdentity struct {
	XMLName xml.Name `xml:"GetCallerIdentityResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

// getCallerIdentity answers as STS does for an account's root user: the ARN arn:<partition>:iam::<account>:root
// and the account as the user id.
func (s *Service) getCallerIdentity(w http.ResponseWriter, reqID string) {
	out := callerIdentity{Xmlns: namespace, RequestID: reqID}
	out.Result.Arn = "arn:" + partition(s.opts.Region) + ":iam::" + s.opts.Account + ":root"
	out.Result.UserID = s.opts.Account
	out.Result.Account = s.opts.Account
	writeXML(w, reqID, http.StatusOK, out)
}

// partition is the partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// writeError answers with the query protocol's error document.
func writeError(w http.ResponseWriter, reqID string, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = &apiError{"InternalFailure", "The request processing has failed because of an unknown error, exception or failure."}
	}
	out := errorResponse{Xmlns: namespace, RequestID: reqID}
	out.Error.Type = "Sender"
	if e.code.status() >= 500 {
		out.Error.Type = "Receiver"
	}
	out.Error.Code, out.Error.Message = string(e.code), e.message
	writeXML(w, reqID, e.code.status(), out)
}

func writeXML(w http.ResponseWriter, reqID string, status int, v any) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.WriteHeader(status)
	_ = xml.NewEncoder(w).Encode(v) // the status is sent: a failed write means the client went away
}
