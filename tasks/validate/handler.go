package validate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/emf"
	"github.com/sluicehq/sluice/tasks/records"
	"github.com/sluicehq/sluice/tasks/schema"
)

// S3 is the part of the S3 API the handler uses.
type S3 interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var _ S3 = (*s3.Client)(nil)

// Problem codes of this package (see the package documentation).
const (
	CodeDataset  = "dataset"
	CodeFormat   = "format"
	CodeSchema   = "schema"
	CodeMaxBytes = "maxBytes"
	CodeMaxRows  = "maxRows"
)

// MetricSchemaErrors counts objects that met a broken schema (a *tasks.SchemaError): a configuration
// error, apart from the ObjectsRejected of invalid data.
const MetricSchemaErrors = "SchemaErrors"

// MaxSchemaBytes bounds the size of a schema document.
const MaxSchemaBytes = 1 << 20

// Handler validates objects. It is safe for concurrent use.
type Handler struct {
	s3             S3
	log            *slog.Logger
	metrics        *emf.Emitter
	now            func() time.Time
	maxRecordBytes int64
	workers        int
	schemas        *schema.Cache // parsed schemas kept across invocations, revalidated on each use
	chunkBytes     int           // the CSV path's buffer size (tests make it small)
	recordsOnly    bool          // every object through the records reader (tests compare the two paths)
	handOvers      atomic.Int64  // CSV objects the records reader took over part of (tests count them)
}

// Option configures a Handler.
type Option func(*Handler)

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.log = l } }

// WithMetrics sets the EMF emitter (default: discard).
func WithMetrics(m *emf.Emitter) Option { return func(h *Handler) { h.metrics = m } }

// WithSchemaCache sets where parsed schemas are kept between invocations (default: a cache of
// schema.DefaultCacheSize owned by the Handler, which lives as long as a warm Lambda instance when the
// Handler is built once in main). Give one cache to handlers built per invocation of one function.
func WithSchemaCache(c *schema.Cache) Option { return func(h *Handler) { h.schemas = c } }

// WithClock sets the clock used to measure durations (default time.Now).
func WithClock(now func() time.Time) Option { return func(h *Handler) { h.now = now } }

// WithMaxRecordBytes sets the largest record (CSV row, JSON Lines line, JSON array element) accepted,
// in bytes after decompression (default records.DefaultMaxRecordBytes).
func WithMaxRecordBytes(n int64) Option { return func(h *Handler) { h.maxRecordBytes = n } }

// WithWorkers sets how many goroutines check values while one reads the object (default GOMAXPROCS).
func WithWorkers(n int) Option { return func(h *Handler) { h.workers = max(n, 1) } }

// New returns a handler that reads objects with client.
func New(client S3, opts ...Option) *Handler {
	h := &Handler{
		s3:             client,
		log:            slog.New(slog.DiscardHandler),
		metrics:        emf.New(io.Discard, "validate"),
		now:            time.Now,
		schemas:        schema.NewCache(0),
		maxRecordBytes: records.DefaultMaxRecordBytes,
		workers:        runtime.GOMAXPROCS(0),
		chunkBytes:     chunkBytes,
	}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Handle validates the object the invocation names. See the package documentation.
func (h *Handler) Handle(ctx context.Context, in tasks.ValidateInput) (tasks.Report, error) {
	start := h.now()
	rep, err := h.validate(ctx, in)
	elapsed := h.now().Sub(start)
	log := h.log.With("bucket", in.Bucket, "key", in.Object.Key, "etag", in.Object.ETag, "execution", in.Execution)
	if err != nil {
		log.ErrorContext(ctx, "validation failed", "error", err.Error(), "errorType", fmt.Sprintf("%T", err), "durationMs", elapsed.Milliseconds())
		if se, ok := err.(*tasks.SchemaError); ok {
			dataset, _, _ := strings.Cut(strings.TrimPrefix(in.Object.Key, tasks.PrefixIncoming), "/")
			if merr := h.metrics.Emit([]emf.Metric{{Name: MetricSchemaErrors, Unit: emf.Count, Value: 1}},
				emf.Property{Name: "Dataset", Value: dataset}, emf.Property{Name: "Schema", Value: se.Key}); merr != nil {
				log.WarnContext(ctx, "metrics not written", "error", merr.Error())
			}
		}
		return tasks.Report{}, err
	}
	log.InfoContext(ctx, "object validated", "dataset", rep.Dataset, "format", rep.Format, "compression", rep.Compression,
		"valid", rep.Valid, "rows", rep.Rows, "bytes", rep.Bytes, "sha256", rep.SHA256, "problems", rep.ProblemCount,
		"durationMs", elapsed.Milliseconds())
	valid := 0.0
	if rep.Valid {
		valid = 1
	}
	if err := h.metrics.Emit([]emf.Metric{
		{Name: "ObjectsValidated", Unit: emf.Count, Value: valid},
		{Name: "ObjectsRejected", Unit: emf.Count, Value: 1 - valid},
		{Name: "Rows", Unit: emf.Count, Value: float64(rep.Rows)},
		{Name: "Bytes", Unit: emf.Bytes, Value: float64(rep.Bytes)},
		{Name: "Problems", Unit: emf.Count, Value: float64(rep.ProblemCount)},
		{Name: "Duration", Unit: emf.Milliseconds, Value: float64(elapsed.Microseconds()) / 1000},
	}, emf.Property{Name: "Dataset", Value: rep.Dataset}, emf.Property{Name: "Key", Value: in.Object.Key}); err != nil {
		log.WarnContext(ctx, "metrics not written", "error", err.Error())
	}
	return rep, nil
}

// report collects problems; it keeps the first tasks.MaxReportedProblems and counts them all.
type report struct {
	tasks.Report
}

func (r *report) add(p tasks.Problem) {
	r.ProblemCount++
	if len(r.Problems) < tasks.MaxReportedProblems {
		r.Problems = append(r.Problems, p)
	}
}

func (r *report) done() tasks.Report {
	r.Valid = r.ProblemCount == 0
	return r.Report
}

func (h *Handler) validate(ctx context.Context, in tasks.ValidateInput) (tasks.Report, error) {
	key := in.Object.Key
	switch {
	case in.Bucket == "":
		return tasks.Report{}, &tasks.InvalidInvocationError{Reason: "bucket is empty"}
	case !strings.HasPrefix(key, tasks.PrefixIncoming):
		return tasks.Report{}, &tasks.InvalidInvocationError{Reason: fmt.Sprintf("key %q is not under %s", key, tasks.PrefixIncoming)}
	}
	var rep report
	dataset, _, ok := strings.Cut(strings.TrimPrefix(key, tasks.PrefixIncoming), "/")
	if !ok || dataset == "" {
		rep.add(tasks.Problem{Code: CodeDataset, Message: fmt.Sprintf("key %q names no dataset: objects go under %s<dataset>/", key, tasks.PrefixIncoming)})
		return rep.done(), nil
	}
	rep.Dataset = dataset
	typ, err := records.Detect(key)
	if err != nil {
		rep.add(tasks.Problem{Code: CodeFormat, Message: err.Error()})
		return rep.done(), nil
	}
	rep.Format = string(typ.Format)
	if typ.Gzip {
		rep.Compression = "gzip"
	}
	sch, problem, err := h.schema(ctx, in.Bucket, dataset)
	if err != nil {
		return tasks.Report{}, err
	}
	if problem != nil {
		rep.add(*problem)
		return rep.done(), nil
	}
	if !sch.Accepts(rep.Format) {
		rep.add(tasks.Problem{Code: CodeFormat, Message: fmt.Sprintf("dataset %q does not accept %s objects (formats: %s)", dataset, rep.Format, strings.Join(sch.Formats, ", "))})
		return rep.done(), nil
	}
	if max := sch.Limits.MaxBytes; max > 0 && in.Object.Size > max {
		rep.add(tooBig(max))
		return rep.done(), nil
	}
	if err := h.check(ctx, in.Source(), typ, sch, &rep); err != nil {
		return tasks.Report{}, err
	}
	return rep.done(), nil
}

func tooBig(max int64) tasks.Problem {
	return tasks.Problem{Code: CodeMaxBytes, Message: fmt.Sprintf("the object is larger than the dataset's limit of %d bytes", max)}
}

// maxSchemaProblems bounds the problems a SchemaError lists, so that it fits an execution's Cause.
const maxSchemaProblems = 20

// schema reads and parses schemas/<dataset>.json. A missing schema is a problem of the object (an
// unknown dataset); a broken one is a *tasks.SchemaError, a configuration error; failing to read it is
// an error.
func (h *Handler) schema(ctx context.Context, bucket, dataset string) (*schema.Schema, *tasks.Problem, error) {
	key := tasks.PrefixSchemas + dataset + ".json"
	op := "get " + key
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	cached, etag := h.schemas.Get(bucket, key)
	if cached != nil {
		// Revalidate: S3 answers 304 Not Modified while the schema's ETag is still etag.
		// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
		in.IfNoneMatch = aws.String(etag)
	}
	out, err := h.s3.GetObject(ctx, in)
	if cached != nil && tasks.IsNotModified(err) {
		return cached, nil, nil
	}
	h.schemas.Remove(bucket, key) // replaced below only by a schema that passes
	if err != nil {
		// Only a missing key means an unknown dataset; a missing bucket is an error like any other.
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchKey" {
			return nil, &tasks.Problem{Code: CodeSchema, Message: fmt.Sprintf("unknown dataset %q: there is no schema %s", dataset, key)}, nil
		}
		return nil, nil, tasks.ClassifyObject(op, tasks.ObjectRef{Bucket: bucket, Key: key}, err)
	}
	defer out.Body.Close()
	s, err := schema.Read(out.Body, MaxSchemaBytes)
	var ps schema.Problems
	switch {
	case errors.As(err, &ps):
		return nil, nil, &tasks.SchemaError{Key: key, Problems: ps.Messages(maxSchemaProblems)}
	case err != nil:
		return nil, nil, tasks.ClassifyObject(op, tasks.ObjectRef{Bucket: bucket, Key: key}, errors.Unwrap(err))
	case s.Name != dataset:
		return nil, nil, &tasks.SchemaError{Key: key, Problems: []string{fmt.Sprintf("name: %q is not the dataset %q", s.Name, dataset)}}
	}
	h.schemas.Put(bucket, key, aws.ToString(out.ETag), s)
	return s, nil, nil
}

// check streams the object version through the records reader and the schema.
func (h *Handler) check(ctx context.Context, ref tasks.ObjectRef, typ records.Type, sch *schema.Schema, rep *report) error {
	op := "get " + ref.Key
	in := &s3.GetObjectInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key)}
	if ref.ETag != "" {
		in.IfMatch = aws.String(quoteETag(ref.ETag))
	}
	if ref.VersionID != "" {
		in.VersionId = aws.String(ref.VersionID)
	}
	out, err := h.s3.GetObject(ctx, in)
	if err != nil {
		return tasks.ClassifyObject(op, ref, err)
	}
	defer out.Body.Close()
	size := int64(-1)
	if out.ContentLength != nil {
		size = *out.ContentLength
	}
	m := newMeter(out.Body, sch.Limits.MaxBytes, size)
	defer m.close()
	if !h.recordsOnly && fastCSV(typ, sch) {
		return h.scanCSV(ref, m, typ, sch, rep)
	}
	rd := records.NewReader(m, typ, sch, records.WithMaxRecordBytes(h.maxRecordBytes))
	return h.scan(ref, m, rd, sch, rep, resume{})
}

// quoteETag returns the ETag as an HTTP entity tag: events carry it without quotes.
func quoteETag(etag string) string {
	if strings.HasPrefix(etag, `"`) {
		return etag
	}
	return `"` + etag + `"`
}
