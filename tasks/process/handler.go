package process

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/klauspost/compress/gzip"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/emf"
	"github.com/sluicehq/sluice/tasks/records"
	"github.com/sluicehq/sluice/tasks/schema"
)

// S3 is the part of the S3 API the process task uses. *s3.Client implements it.
type S3 interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	Uploader
}

var _ S3 = (*s3.Client)(nil)

// Stage is the value of the Stage dimension of the process task's metrics.
const Stage = "process"

// Metric names.
const (
	MetricProcessed    = "ObjectsProcessed" // objects staged
	MetricRows         = "RowsProcessed"    // records written
	MetricBytesRead    = "BytesRead"        // bytes read from S3 (compressed size for .gz objects)
	MetricBytesWritten = "BytesWritten"     // compressed bytes staged
	MetricDuration     = "ProcessDuration"  // milliseconds spent in Handle, errors included
)

// Defaults of the upload: 8 MiB parts, two in flight, so the upload holds at most 24 MiB of buffers.
const (
	DefaultPartSize = 8 << 20
	DefaultInFlight = 2
)

// DefaultCompressionLevel is the gzip level of the output unless WithCompressionLevel says otherwise.
const DefaultCompressionLevel = gzip.DefaultCompression

// contentType of the staged and processed objects: gzip data (of JSON Lines).
const contentType = "application/gzip"

// Handler is the process task. It is safe for concurrent use.
type Handler struct {
	s3       S3
	now      func() time.Time
	logger   *slog.Logger
	metrics  *emf.Emitter
	partSize int
	inFlight int
	level    int
	maxRec   int64
	workers  int
	zpool    *compressorPool // compressors and line buffers reused across invocations (WithBufferPool)
	schemas  *schema.Cache   // parsed schemas kept across invocations, revalidated on each use
}

// Option configures a Handler.
type Option func(*Handler)

// WithSchemaCache sets where parsed schemas are kept between invocations (default: a cache of
// schema.DefaultCacheSize owned by the Handler, which lives as long as a warm Lambda instance when the
// Handler is built once in main). Give one cache to handlers built per invocation of one function.
func WithSchemaCache(c *schema.Cache) Option { return func(h *Handler) { h.schemas = c } }

// WithClock sets the clock that times the stage.
func WithClock(now func() time.Time) Option { return func(h *Handler) { h.now = now } }

// WithLogger sets the structured logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.logger = l } }

// WithMetrics sets where the EMF metric lines go (default: discarded). A Lambda main passes
// emf.New(os.Stdout, process.Stage).
func WithMetrics(e *emf.Emitter) Option { return func(h *Handler) { h.metrics = e } }

// WithUpload sets the part size of the multipart upload and how many parts may be in flight at once; the
// upload's memory is (inFlight+1) × partSize. The part size is raised to S3's 5 MiB minimum, and inFlight
// to at least 1.
func WithUpload(partSize, inFlight int) Option {
	return func(h *Handler) { h.partSize, h.inFlight = max(partSize, minPartSize), max(inFlight, 1) }
}

// WithCompressionLevel sets the gzip level of the output, from gzip.HuffmanOnly (-2) and
// gzip.NoCompression (0) to gzip.BestCompression (9); an out-of-range level is ignored. The output of one
// object is the same bytes whenever it is processed with the same level.
func WithCompressionLevel(level int) Option {
	return func(h *Handler) {
		if level >= gzip.HuffmanOnly && level <= gzip.BestCompression {
			h.level = level
		}
	}
}

// WithParallelism sets how many goroutines encode and compress one object's records at once (default:
// Parallelism(), the CPUs the runtime may use); n below 1 means 1. The output is the same bytes
// whatever n is: only the time it takes changes.
func WithParallelism(n int) Option { return func(h *Handler) { h.workers = max(n, 1) } }

// WithMaxRecordBytes sets the largest record accepted, in bytes after decompression (default
// records.DefaultMaxRecordBytes). Give it the value the validate task uses, so that both read alike.
func WithMaxRecordBytes(n int64) Option { return func(h *Handler) { h.maxRec = n } }

// New returns a process Handler that works through client.
func New(client S3, opts ...Option) *Handler {
	h := &Handler{
		s3: client, now: time.Now, logger: slog.New(slog.DiscardHandler), metrics: emf.New(io.Discard, Stage),
		partSize: DefaultPartSize, inFlight: DefaultInFlight, level: DefaultCompressionLevel,
		maxRec: records.DefaultMaxRecordBytes, workers: Parallelism(), zpool: &compressorPool{}, schemas: schema.NewCache(0),
	}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Handle processes the object version the invocation names into a staged JSON Lines object. Errors
// meant for the state machine's Retry and Catch are returned unwrapped as the named types of package tasks
// or as *tasks.InvalidObjectError.
func (h *Handler) Handle(ctx context.Context, in tasks.ProcessInput) (tasks.ProcessOutput, error) {
	start := h.now()
	out, read, err := h.process(ctx, in)
	h.report(ctx, in, out, read, err, h.now().Sub(start))
	return out, err
}

// process does the work of Handle and returns how many source bytes it read.
func (h *Handler) process(ctx context.Context, in tasks.ProcessInput) (out tasks.ProcessOutput, read int64, err error) {
	if in.Bucket == "" || in.Object.Key == "" || in.Object.ETag == "" {
		return out, 0, &tasks.InvalidInvocationError{Reason: "bucket, object key and etag are required"}
	}
	if !in.Report.Valid || in.Report.Dataset == "" {
		return out, 0, &tasks.InvalidInvocationError{Reason: "process needs the report of a valid object, with its dataset"}
	}
	typ, err := records.Detect(in.Object.Key)
	if err != nil {
		return out, 0, &tasks.InvalidInvocationError{Reason: err.Error()}
	}
	sch, err := h.loadSchema(ctx, in.Bucket, in.Report.Dataset)
	if err != nil {
		return out, 0, err
	}

	src := in.Source()
	get := &s3.GetObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(src.Key), IfMatch: aws.String(tasks.QuoteETag(src.ETag))}
	if src.VersionID != "" {
		get.VersionId = aws.String(src.VersionID)
	}
	obj, err := h.s3.GetObject(ctx, get)
	if err != nil {
		return out, 0, tasks.ClassifyObject("get "+src.Key, src, err)
	}
	whole := &resumingBody{ctx: ctx, s3: h.s3, get: *get, src: src, body: obj.Body}
	defer whole.Close()
	source := &digest{h: sha256.New()}
	body := io.TeeReader(whole, source)

	staged := tasks.ObjectRef{Bucket: in.Bucket, Key: tasks.StagingKey(in.Execution, src.Key)}
	meta := map[string]string{tasks.MetaSourceLastModified: aws.ToTime(obj.LastModified).UTC().Format(time.RFC3339Nano)}
	meta[tasks.MetaSourceKey] = url.QueryEscape(in.Object.Key)
	if in.Object.Sequencer != "" {
		meta[tasks.MetaSourceSequencer] = in.Object.Sequencer
	}
	up := newUpload(ctx, h.s3, staged.Bucket, staged.Key, meta, h.partSize, h.inFlight)
	output := &digest{w: up, h: sha256.New()}
	defer func() {
		if err == nil {
			return
		}
		if aerr := up.Abort(); aerr != nil {
			h.logger.LogAttrs(ctx, slog.LevelWarn, "abort staged upload", slog.String("key", staged.Key), slog.String("error", aerr.Error()))
		}
		out = tasks.ProcessOutput{}
	}()

	pl := newPipeline(output, sch, h.level, h.workers, h.zpool, func(err error) error { return writeError(staged, err) })
	defer pl.abort() // after end, a no-op
	rd := records.NewReader(body, typ, sch, records.WithMaxRecordBytes(h.maxRec))
	var tail error // what ended the reading before the end of the object
	for !pl.stopped() {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tail = readError(src, err)
			break
		}
		if tail = structureError(rec, len(sch.Columns)); tail != nil {
			break
		}
		pl.add(rec)
	}
	if err := pl.end(tail); err != nil {
		return out, source.n, err
	}
	rows := pl.rows
	// Read to the end, whatever the format left unread, so the digest covers every byte.
	if _, err := io.Copy(io.Discard, body); err != nil {
		return out, source.n, tasks.ClassifyObject("read "+src.Key, src, err)
	}
	if err := checkSame(in, src, rows, source); err != nil {
		return out, source.n, err
	}
	if err := pl.finish(); err != nil {
		return out, source.n, err
	}
	done, err := up.Close()
	if err != nil {
		return out, source.n, writeError(staged, err)
	}
	staged.ETag, staged.VersionID, staged.Size = done.ETag, done.VersionID, output.n
	out = tasks.ProcessOutput{
		Staging: staged,
		Rows:    rows,
		Bytes:   output.n,
		SHA256:  hex.EncodeToString(output.h.Sum(nil)),
		Columns: make([]tasks.ColumnStats, len(sch.Columns)),
	}
	for i, c := range sch.Columns {
		out.Columns[i] = pl.stats[i].result(c.Name)
	}
	out.Columns, out.ColumnsOmitted = boundColumns(out.Columns, tasks.MaxColumnStatsBytes)
	return out, source.n, nil
}

// checkSame checks that the bytes processed are the bytes validated: same digest, size and row count.
// The GET's If-Match makes a difference all but impossible; if one shows, nothing is staged.
func checkSame(in tasks.ProcessInput, src tasks.ObjectRef, rows int64, source *digest) error {
	sum := hex.EncodeToString(source.h.Sum(nil))
	if (in.Report.SHA256 != "" && sum != in.Report.SHA256) || (in.Report.Bytes != 0 && source.n != in.Report.Bytes) {
		return &tasks.ObjectChangedError{Bucket: src.Bucket, Key: src.Key, WantETag: src.ETag}
	}
	if rows != in.Report.Rows {
		return fmt.Errorf("processed %d rows of s3://%s/%s where validation counted %d", rows, src.Bucket, src.Key, in.Report.Rows)
	}
	return nil
}

// readError maps an error of the records reader: the S3 body's failures through tasks.ClassifyObject, a
// malformed object to *tasks.InvalidObjectError.
func readError(src tasks.ObjectRef, err error) error {
	var (
		srcErr    *records.SourceError
		recErr    *records.Error
		headerErr *records.HeaderError
	)
	switch {
	case errors.As(err, &srcErr):
		return tasks.ClassifyObject("read "+src.Key, src, srcErr.Err)
	case errors.As(err, &recErr):
		p := recErr.Problem()
		return &tasks.InvalidObjectError{Line: p.Line, Column: p.Column, Code: p.Code, Message: p.Message}
	case errors.As(err, &headerErr) && len(headerErr.Problems) > 0:
		p := headerErr.Problems[0]
		return &tasks.InvalidObjectError{Line: p.Line, Column: p.Column, Code: p.Code, Message: p.Message}
	}
	return fmt.Errorf("read s3://%s/%s: %w", src.Bucket, src.Key, err)
}

// writeError maps a failure of the staged upload.
func writeError(staged tasks.ObjectRef, err error) error {
	return tasks.ClassifyObject("upload "+staged.Key, tasks.ObjectRef{Bucket: staged.Bucket, Key: staged.Key}, err)
}

// digest hashes and counts the bytes that pass through it, writing them on to w when w is set.
type digest struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (d *digest) Write(p []byte) (int, error) {
	d.h.Write(p)
	d.n += int64(len(p))
	if d.w == nil {
		return len(p), nil
	}
	return d.w.Write(p)
}

// report logs the result of one invocation and emits its metrics.
func (h *Handler) report(ctx context.Context, in tasks.ProcessInput, out tasks.ProcessOutput, read int64, err error, took time.Duration) {
	attrs := []slog.Attr{
		slog.String("bucket", in.Bucket),
		slog.String("key", in.Object.Key),
		slog.String("etag", in.Object.ETag),
		slog.String("execution", in.Execution),
		slog.Int64("bytesRead", read),
		slog.Duration("duration", took),
	}
	metrics := []emf.Metric{
		{Name: MetricDuration, Unit: emf.Milliseconds, Value: float64(took.Microseconds()) / 1000},
		{Name: MetricBytesRead, Unit: emf.Bytes, Value: float64(read)},
	}
	if err != nil {
		h.logger.LogAttrs(ctx, slog.LevelError, "process failed", append(attrs, slog.String("error", err.Error()))...)
	} else {
		h.logger.LogAttrs(ctx, slog.LevelInfo, "process done", append(attrs,
			slog.String("staging", out.Staging.Key), slog.Int64("rows", out.Rows), slog.Int64("bytesWritten", out.Bytes))...)
		metrics = append(metrics,
			emf.Metric{Name: MetricProcessed, Unit: emf.Count, Value: 1},
			emf.Metric{Name: MetricRows, Unit: emf.Count, Value: float64(out.Rows)},
			emf.Metric{Name: MetricBytesWritten, Unit: emf.Bytes, Value: float64(out.Bytes)})
	}
	if merr := h.metrics.Emit(metrics, emf.Property{Name: "Dataset", Value: in.Report.Dataset}); merr != nil {
		h.logger.LogAttrs(ctx, slog.LevelWarn, "metrics not written", slog.String("error", merr.Error()))
	}
}
