package store

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/emf"
)

// S3 is the part of the S3 API the store task uses. *s3.Client implements it.
type S3 interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	// The multipart copy of an object over CopyObject's 5 GiB limit (copy.go).
	CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPartCopy(ctx context.Context, in *s3.UploadPartCopyInput, opts ...func(*s3.Options)) (*s3.UploadPartCopyOutput, error)
	CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, opts ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
}

var _ S3 = (*s3.Client)(nil)

// Outcomes reported in [tasks.StoreOutput].
const (
	OutcomeStored      = "stored"
	OutcomeDuplicate   = "duplicate"
	OutcomeQuarantined = "quarantined"
	OutcomeRecorded    = "recorded"
	// OutcomeMisconfigured is a failure record of a tasks.SchemaError: the dataset's schema is broken,
	// a configuration error rather than a failure of the pipeline or a rejection of the data.
	OutcomeMisconfigured = "misconfigured"
)

// Handler is the store task. It is safe for concurrent use; one Handler serves every invocation of a
// Lambda instance.
type Handler struct {
	s3      S3
	now     func() time.Time
	logger  *slog.Logger
	metrics *emf.Emitter
	// copyThreshold and copyPartSize: see WithMultipartCopy.
	copyThreshold, copyPartSize int64
}

// Stage is the value of the Stage dimension of the store task's metrics.
const Stage = "store"

// Metric names, one count per outcome, and the stage's duration.
const (
	MetricStored        = "ObjectsStored"        // commits that published an object version
	MetricDuplicate     = "DuplicateCommits"     // commits of an object version another execution published
	MetricQuarantined   = "ObjectsQuarantined"   // rejected objects copied to quarantine/
	MetricFailed        = "ObjectsFailed"        // failure records written
	MetricMisconfigured = "ObjectsMisconfigured" // failure records of a broken schema (tasks.SchemaError)
	MetricDuration      = "StoreDuration"        // milliseconds spent in Handle, errors included
)

// Option configures a Handler.
type Option func(*Handler)

// WithClock sets the clock that stamps manifests, reports and failure records, and times the stage.
func WithClock(now func() time.Time) Option { return func(h *Handler) { h.now = now } }

// WithLogger sets the structured logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.logger = l } }

// WithMetrics sets where the EMF metric lines go (default: discarded). A Lambda main passes
// emf.New(os.Stdout, store.Stage).
func WithMetrics(e *emf.Emitter) Option { return func(h *Handler) { h.metrics = e } }

// New returns a store Handler that works through client.
func New(client S3, opts ...Option) *Handler {
	h := &Handler{s3: client, now: time.Now, logger: slog.New(slog.DiscardHandler), metrics: emf.New(io.Discard, Stage),
		copyThreshold: maxSingleCopyBytes, copyPartSize: defaultCopyPartBytes}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Handle runs one store action. Errors meant for the state machine's Retry and Catch are returned
// unwrapped as the named types of package tasks.
func (h *Handler) Handle(ctx context.Context, in tasks.StoreInput) (tasks.StoreOutput, error) {
	start := h.now()
	var (
		out tasks.StoreOutput
		err error
	)
	switch in.Action {
	case tasks.ActionCommit:
		out, err = h.commit(ctx, in)
	case tasks.ActionQuarantine:
		out, err = h.quarantine(ctx, in)
	case tasks.ActionFail:
		out, err = h.fail(ctx, in)
	default:
		err = &tasks.InvalidInvocationError{Reason: "unknown store action " + strconv.Quote(string(in.Action))}
	}
	h.report(ctx, in, out, err, h.now().Sub(start))
	return out, err
}

// report logs the result of one invocation and emits its metrics.
func (h *Handler) report(ctx context.Context, in tasks.StoreInput, out tasks.StoreOutput, err error, took time.Duration) {
	attrs := []slog.Attr{
		slog.String("action", string(in.Action)),
		slog.String("bucket", in.Bucket),
		slog.String("key", in.Object.Key),
		slog.String("etag", in.Object.ETag),
		slog.String("execution", in.Execution),
		slog.Duration("duration", took),
	}
	metrics := []emf.Metric{{Name: MetricDuration, Unit: emf.Milliseconds, Value: float64(took.Microseconds()) / 1000}}
	if err != nil {
		h.logger.LogAttrs(ctx, slog.LevelError, "store failed", append(attrs, slog.String("error", err.Error()))...)
	} else {
		h.logger.LogAttrs(ctx, slog.LevelInfo, "store done", append(attrs, slog.String("outcome", out.Outcome), slog.String("output", out.Key))...)
		if name := outcomeMetric(out.Outcome); name != "" {
			metrics = append(metrics, emf.Metric{Name: name, Unit: emf.Count, Value: 1})
		}
	}
	dataset, _, _ := splitSource(in.Object.Key)
	if merr := h.metrics.Emit(metrics, emf.Property{Name: "Action", Value: string(in.Action)}, emf.Property{Name: "Dataset", Value: dataset}); merr != nil {
		h.logger.LogAttrs(ctx, slog.LevelWarn, "metrics not written", slog.String("error", merr.Error()))
	}
}

// outcomeMetric names the count metric of an outcome.
func outcomeMetric(outcome string) string {
	switch outcome {
	case OutcomeStored:
		return MetricStored
	case OutcomeDuplicate:
		return MetricDuplicate
	case OutcomeQuarantined:
		return MetricQuarantined
	case OutcomeRecorded:
		return MetricFailed
	case OutcomeMisconfigured:
		return MetricMisconfigured
	}
	return ""
}
