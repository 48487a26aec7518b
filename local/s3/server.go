package s3

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/sluicehq/sluice/internal/service"
)

// Service is the local S3. It is an http.Handler for path-style requests
// (http://host/bucket/key). Close it to stop event delivery.
type Service struct {
	store   *store
	ids     *idSource
	events  *eventFactory
	outbox  *outbox
	fake    http.Handler
	clock   func() time.Time // opts.Clock.Now
	account string           // opts.Account
	region  string           // opts.Region
	log     *slog.Logger     // opts.Logger
	handler http.Handler

	closeOnce sync.Once
}

var _ http.Handler = (*Service)(nil)

// ErrNoDataDir is New's error without WithDataDir: S3 keeps its objects on disk.
var ErrNoDataDir = errors.New("s3: no data directory (WithDataDir)")

// New opens (or creates) the data directory and starts event delivery, publishing any events
// left undelivered by a previous run first.
func New(opts ...Option) (*Service, error) {
	c := config{sync: true, backoff: defaultBackoff, compactGarbage: defaultCompactGarbage,
		journalLimit: defaultJournalLimit}
	for _, o := range opts {
		o(&c)
	}
	c.opts = c.opts.Defaults()
	if c.opts.DataDir == "" {
		return nil, ErrNoDataDir
	}
	clock, log := c.opts.Clock.Now, c.opts.Logger
	ids := &idSource{now: clock}
	st, pending, err := openStore(c.opts.DataDir, c.sync, ids, c.compactGarbage, c.journalLimit, log)
	if err != nil {
		return nil, fmt.Errorf("open s3 store: %w", err)
	}
	s := &Service{store: st, ids: ids, clock: clock, account: c.opts.Account, region: c.opts.Region, log: log,
		events: &eventFactory{account: c.opts.Account, region: c.opts.Region, now: clock, ids: ids}}
	s.handler = service.Recover("s3", log, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, w.Header().Get("x-amz-request-id"), errInternal())
	}, http.HandlerFunc(s.serve))
	s.outbox = newOutbox(c.publisher, c.backoff, s.ackEvent, log)
	for _, p := range pending {
		s.outbox.push(p)
	}
	s.fake = gofakes3.New(backend{s},
		gofakes3.WithTimeSource(clockSource{clock}),
		gofakes3.WithTimeSkewLimit(0),
		gofakes3.WithMetadataSizeLimit(0),
		gofakes3.WithIntegrityCheck(true),
	).Server()
	go s.outbox.run()
	return s, nil
}

// Close stops event delivery and closes the store. Undelivered events stay on disk for the
// next Service.
func (s *Service) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.outbox.close()
		err = s.store.close()
	})
	return err
}

// CreateBucket creates a bucket (an existing bucket is not an error).
func (s *Service) CreateBucket(name string) error {
	if err := gofakes3.ValidateBucketName(name); err != nil {
		return fmt.Errorf("create bucket %q: %w", name, err)
	}
	if err := s.store.createBucket(name, s.now()); err != nil && !errors.Is(err, errBucketExists) {
		return fmt.Errorf("create bucket %q: %w", name, err)
	}
	return nil
}

// SetVersioning enables or suspends versioning on a bucket.
func (s *Service) SetVersioning(bucket string, enabled bool) error {
	status := versioningSuspended
	if enabled {
		status = versioningEnabled
	}
	if err := s.store.updateConfig(bucket, func(c *bucketConfig) { c.Versioning = status }); err != nil {
		return fmt.Errorf("set versioning on %q: %w", bucket, err)
	}
	return nil
}

// SetEventBridge turns EventBridge notifications of a bucket on or off, as
// NotificationConfiguration.EventBridgeConfiguration does.
func (s *Service) SetEventBridge(bucket string, enabled bool) error {
	if err := s.store.updateConfig(bucket, func(c *bucketConfig) { c.EventBridge = enabled }); err != nil {
		return fmt.Errorf("set eventbridge on %q: %w", bucket, err)
	}
	return nil
}

// PendingEvents returns the number of committed events not yet published.
func (s *Service) PendingEvents() int { return s.outbox.len() }

// WaitForEvents returns once every event committed so far has been published, or with
// ctx's error.
func (s *Service) WaitForEvents(ctx context.Context) error {
	select {
	case <-s.outbox.idle():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// unsupportedSubresources are query parameters naming bucket or object configuration this
// emulator does not keep; they are answered with 501 NotImplemented rather than mistaken
// for plain object or bucket requests.
var unsupportedSubresources = []string{"acl", "policy", "policyStatus", "lifecycle", "encryption", "cors",
	"website", "logging", "replication", "publicAccessBlock", "ownershipControls", "object-lock",
	"accelerate", "requestPayment", "analytics", "metrics", "inventory", "intelligent-tiering",
	"retention", "legal-hold", "attributes", "torrent", "restore", "select", "session"}

// ServeHTTP routes a request: the operations that need events, conditions, checksums or
// aws-chunked decoding are served here, the rest by gofakes3 over the same store.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	reqID := s.ids.requestID()
	w.Header().Set("x-amz-request-id", reqID)
	w.Header().Set("Server", "AmazonS3")
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	q, pooled := parseRequestQuery(r.URL.RawQuery)
	if pooled != nil {
		defer pooled.release()
	}
	rq := &request{s: s, w: w, r: r, id: reqID, bucket: bucket, key: key, q: q,
		origin: origin{RequestID: reqID, Requester: s.account, SourceIP: remoteIP(r)}}
	if bucket == "" {
		rq.serveFake()
		return
	}
	switch {
	case key == "" && has(q, "encryption"):
		rq.encryption()
		return
	case key == "" && has(q, "publicAccessBlock"):
		rq.publicAccess()
		return
	}
	for _, sub := range unsupportedSubresources {
		if _, ok := q[sub]; ok {
			rq.fail(errNotImplemented())
			return
		}
	}
	if key == "" {
		switch {
		case has(q, "tagging"):
			rq.fail(errNotImplemented()) // bucket tagging is not emulated
		case has(q, "notification"):
			rq.notification()
		case r.Method == http.MethodPost && has(q, "delete"):
			rq.deleteObjects()
		case r.Method == http.MethodPost && !has(q, "uploads"):
			rq.postObject()
		case r.Method == http.MethodGet && has(q, "location"):
			rq.bucketLocation()
		case r.Method == http.MethodHead:
			rq.headBucket()
		case r.Method == http.MethodGet && !has(q, "versions") && !has(q, "uploads") && !has(q, "versioning"):
			rq.listObjects()
		default:
			rq.serveFake()
		}
		return
	}
	if len(key) > 1024 {
		rq.fail(errKeyTooLong())
		return
	}
	if _, ok := q["tagging"]; ok {
		// GetObjectTagging is served; PutObjectTagging and DeleteObjectTagging are not emulated.
		if r.Method == http.MethodGet {
			rq.getObjectTagging()
		} else {
			rq.fail(errNotImplemented())
		}
		return
	}
	switch {
	case q.Get("uploadId") != "":
		switch r.Method {
		case http.MethodPost:
			rq.completeMultipart()
		case http.MethodPut:
			if r.Header.Get("X-Amz-Copy-Source") != "" {
				rq.uploadPartCopy()
				return
			}
			if err := rq.decodeChunkedForFake(); err != nil {
				rq.fail(err)
				return
			}
			rq.serveFake()
		default:
			rq.serveFake()
		}
	case has(q, "uploads"):
		rq.serveFake()
	default:
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			rq.getObject()
		case http.MethodPut:
			if r.Header.Get("X-Amz-Copy-Source") != "" {
				rq.copyObject()
			} else {
				rq.putObject()
			}
		case http.MethodDelete:
			rq.deleteObject()
		default:
			rq.fail(&apiError{"MethodNotAllowed", "The specified method is not allowed against this resource."})
		}
	}
}

// Refuse answers a request the endpoint will not serve as S3 answers one it does not authorize: 403
// AccessDenied, with message saying why, a request id and the resource.
func (s *Service) Refuse(w http.ResponseWriter, r *http.Request, message string) {
	reqID := s.ids.requestID()
	w.Header().Set("x-amz-request-id", reqID)
	w.Header().Set("Server", "AmazonS3")
	writeError(w, r, reqID, errAccessDenied(message))
}

// request is one request being served by the Service.
type request struct {
	s      *Service
	w      http.ResponseWriter
	r      *http.Request
	id     string
	bucket string
	key    string
	q      url.Values
	origin origin
}

func (rq *request) fail(err error) {
	if ae := toAPIError(err); ae.Code.status() >= 500 {
		rq.s.log.Error("s3: server error", "path", rq.r.URL.Path, "code", ae.Code, "err", err)
	}
	writeError(rq.w, rq.r, rq.id, err)
}

func has(q map[string][]string, name string) bool {
	_, ok := q[name]
	return ok
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func canonicalHeader(k string) string { return textproto.CanonicalMIMEHeaderKey(k) }

// clockSource adapts a clock function to gofakes3.TimeSource.
type clockSource struct{ now func() time.Time }

func (c clockSource) Now() time.Time                  { return c.now() }
func (c clockSource) Since(t time.Time) time.Duration { return c.now().Sub(t) }
