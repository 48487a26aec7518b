package sfn

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/asl/itemreader"
	"github.com/sluicehq/sluice/asl/resultwriter"
)

// ObjectStore is what a Distributed Map needs from S3: listing and reading objects for its ItemReader,
// writing them for its ResultWriter. local/stack adapts the local S3 to it.
type ObjectStore interface {
	itemreader.Store
	resultwriter.Putter
}

// WithObjectStore sets the S3 that Distributed Maps read their items from (ItemReader with
// arn:aws:states:::s3:getObject or s3:listObjectsV2) and export their results to (ResultWriter with
// arn:aws:states:::s3:putObject). Without it such a Map fails with States.ItemReaderFailed or
// States.ResultWriterFailed.
func WithObjectStore(o ObjectStore) Option { return func(s *Service) { s.objects = o } }

// s3Items is the engine's ItemReader over the ObjectStore.
type s3Items struct{ store ObjectStore }

var _ interp.ItemReader = s3Items{}

func (r s3Items) OpenItems(ctx context.Context, req interp.ItemReadRequest) (interp.ItemIterator, error) {
	ir, err := itemreader.NewRequest(req.Resource, req.Arguments)
	if err != nil {
		return nil, err
	}
	c := req.Config
	ir.InputType, ir.CSVHeaderLocation, ir.CSVHeaders, ir.CSVDelimiter = c.InputType, c.CSVHeaderLocation, c.CSVHeaders, c.CSVDelimiter
	ir.ManifestType, ir.MaxItems = c.ManifestType, c.MaxItems
	ir.Transformation = c.Transformation
	return itemreader.Open(ctx, r.store, ir)
}

// s3Results is the engine's ResultWriter over the ObjectStore: files are spilled under tempDir.
type s3Results struct {
	store   ObjectStore
	tempDir string
}

var _ interp.ResultWriter = s3Results{}

func (w s3Results) OpenResults(ctx context.Context, req interp.ResultWriteRequest) (interp.ResultSink, error) {
	cfg := resultwriter.Config{MapRunArn: req.MapRunArn, OutputType: req.Config.OutputType,
		Transformation: req.Config.Transformation, TempDir: w.tempDir}
	for name, dst := range map[string]*string{"Bucket": &cfg.Bucket, "Prefix": &cfg.Prefix} {
		switch v := req.Arguments[name].(type) {
		case nil:
		case string:
			*dst = v
		default:
			return nil, &resultwriter.Error{Cause: fmt.Sprintf("The field '%s' of the ResultWriter's Parameters must be a string.", name)}
		}
	}
	if w.tempDir != "" {
		if err := os.MkdirAll(w.tempDir, 0o755); err != nil {
			return nil, &resultwriter.Error{Cause: "Unable to spill the results.", Err: err}
		}
	}
	rw, err := resultwriter.New(cfg, w.store)
	if err != nil {
		return nil, err
	}
	return &resultSink{w: rw, bucket: cfg.Bucket}, nil
}

// resultSink feeds one Map Run's results to its writer.
type resultSink struct {
	mu     sync.Mutex
	w      *resultwriter.Writer
	bucket string
}

func (s *resultSink) Add(ctx context.Context, r interp.ChildResult) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Add(ctx, resultwriter.Record{ExecutionArn: r.ExecutionArn, Name: r.Name, StateMachineArn: r.StateMachineArn,
		Input: r.Input, Output: r.Output, Error: r.Error, Cause: r.Cause, Status: string(r.Status),
		StartDate: r.StartDate, StopDate: r.StopDate, RedriveCount: r.RedriveCount,
		RedrivableByMapRun: r.Status != interp.StatusSucceeded})
}

// Close writes manifest.json and answers the ResultWriterDetails of the Map state's output.
func (s *resultSink) Close(ctx context.Context, _ interp.MapRunSummary) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.Close(ctx); err != nil {
		return nil, err
	}
	return map[string]any{"Bucket": s.bucket, "Key": s.w.ManifestKey()}, nil
}

// resultsTempDir is where result files are spilled: beside the service's data, or the system's
// temporary directory without one.
func (s *Service) resultsTempDir() string {
	if s.dataDir == "" {
		return ""
	}
	return filepath.Join(s.dataDir, "results-tmp")
}

// distributedOptions are the engine options that serve Distributed Maps.
func (s *Service) distributedOptions() []interp.Option {
	opts := []interp.Option{interp.WithMapRunHost(mapRunHost{s})}
	if s.objects != nil {
		opts = append(opts, interp.WithItemReader(s3Items{s.objects}),
			interp.WithResultWriter(s3Results{store: s.objects, tempDir: s.resultsTempDir()}))
	}
	return opts
}
