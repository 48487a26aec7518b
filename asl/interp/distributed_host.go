package interp

import (
	"context"
	"time"
)

// The host's side of a distributed Map: where its items come from
// (ItemReader), where its results go (ResultWriter), and who watches its
// Map Run and child workflow executions (MapRunHost). All three are
// optional: without them a distributed Map reads its items from its input
// (ItemsPath, Items), returns the array of results as its output, and runs
// its child executions in process with no one watching. A Map with an
// ItemReader or a ResultWriter Resource needs the matching host interface;
// without it the state fails with States.ItemReaderFailed or
// States.ResultWriterFailed.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html

// ItemReader opens the data set of a distributed Map's ItemReader. The
// engine pulls items one at a time, so a reader streams: it never needs
// to hold the whole data set.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
type ItemReader interface {
	// OpenItems starts reading. A returned error (or one from Next) fails
	// the Map state with States.ItemReaderFailed and the error's text as
	// cause, unless it carries an ASL failure (made by Fail), which is
	// used as is.
	OpenItems(ctx context.Context, req ItemReadRequest) (ItemIterator, error)
}

// ItemReadRequest is one ItemReader of one Map Run.
type ItemReadRequest struct {
	// Resource is the ItemReader's Resource as written, such as
	// "arn:aws:states:::s3:getObject" or "arn:aws:states:::s3:listObjectsV2".
	Resource string
	// Arguments are the evaluated Parameters (JSONPath) or Arguments
	// (JSONata): Bucket, Key, Prefix, VersionId, ... as the API takes them.
	Arguments map[string]any
	// Config is the ReaderConfig with every Path and JSONata form
	// resolved.
	Config ReaderConfig
	// ExecutionArn, StateName and MapRunArn identify the caller.
	ExecutionArn string
	StateName    string
	MapRunArn    string
}

// ReaderConfig is an ItemReader's ReaderConfig, resolved.
type ReaderConfig struct {
	// InputType is CSV, JSON, JSONL, PARQUET or MANIFEST; "" when absent
	// (an s3:listObjectsV2 reader lists objects).
	InputType string
	// CSVHeaderLocation is FIRST_ROW or GIVEN ("" when absent: FIRST_ROW).
	CSVHeaderLocation string
	// CSVHeaders are the column names when CSVHeaderLocation is GIVEN.
	CSVHeaders []string
	// CSVDelimiter is COMMA, PIPE, SEMICOLON, SPACE or TAB ("" for COMMA).
	CSVDelimiter string
	// ManifestType is the MANIFEST reader's ManifestType, "" when absent.
	ManifestType string
	// Transformation is an s3:listObjectsV2 reader's NONE or
	// LOAD_AND_FLATTEN ("" when absent).
	Transformation string
	// MaxItems is the number of items to read, from MaxItems,
	// MaxItemsPath or their JSONata form; 0 for all. The engine stops
	// pulling after MaxItems items whatever the reader does; a reader may
	// use it to stop early.
	MaxItems int
}

// ItemIterator yields a Map Run's items in order.
type ItemIterator interface {
	// Next returns the next item, a JSON value as encoding/json decodes it
	// with UseNumber, or io.EOF after the last one.
	Next(ctx context.Context) (any, error)
	// Close releases the reader; the engine calls it once, whether or not
	// Next reached io.EOF.
	Close() error
}

// ItemReaderFunc adapts a function to ItemReader.
type ItemReaderFunc func(ctx context.Context, req ItemReadRequest) (ItemIterator, error)

// OpenItems calls f.
func (f ItemReaderFunc) OpenItems(ctx context.Context, req ItemReadRequest) (ItemIterator, error) {
	return f(ctx, req)
}

var _ ItemReader = ItemReaderFunc(nil)

// ResultWriter exports a distributed Map's child execution results, as the
// ResultWriter field asks (to Amazon S3 on AWS).
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
type ResultWriter interface {
	// OpenResults starts a Map Run's export. An error fails the Map state
	// with States.ResultWriterFailed (or the ASL failure it carries).
	OpenResults(ctx context.Context, req ResultWriteRequest) (ResultSink, error)
}

// ResultWriteRequest is the ResultWriter of one Map Run.
type ResultWriteRequest struct {
	// Resource is the ResultWriter's Resource as written,
	// "arn:aws:states:::s3:putObject"; "" when the ResultWriter has only a
	// WriterConfig (then the engine transforms the results itself and no
	// ResultWriter host is called).
	Resource string
	// Arguments are the evaluated Parameters or Arguments: Bucket, Prefix.
	Arguments map[string]any
	// Config is the WriterConfig ("" fields when absent).
	Config WriterConfig
	// ExecutionArn, StateName and MapRunArn identify the caller; the
	// export's layout on AWS is Prefix/<MapRun id>/manifest.json beside
	// SUCCEEDED_n.json, FAILED_n.json and PENDING_n.json.
	ExecutionArn string
	StateName    string
	MapRunArn    string
}

// WriterConfig is a ResultWriter's WriterConfig.
type WriterConfig struct {
	OutputType     string // JSON or JSONL
	Transformation string // NONE, COMPACT or FLATTEN
}

// ResultSink receives one Map Run's results as its child executions end,
// one record per child execution, in the order they end; the engine keeps
// none of them.
type ResultSink interface {
	// Add records one ended child execution. An error fails the Map Run
	// with States.ResultWriterFailed.
	Add(ctx context.Context, r ChildResult) error
	// Close ends the export once every child execution has ended (or the
	// run was stopped) and returns the ResultWriterDetails of the Map
	// state's output, such as {"Bucket": ..., "Key": ".../manifest.json"}.
	Close(ctx context.Context, summary MapRunSummary) (details map[string]any, err error)
}

// ChildResult is one child workflow execution's record, with the fields of
// AWS's SUCCEEDED_n.json and FAILED_n.json entries.
type ChildResult struct {
	ExecutionArn    string
	Name            string
	StateMachineArn string
	// Input and Output are the child's input and output as JSON text;
	// Output is "" unless Status is SUCCEEDED.
	Input  string
	Output string
	// Error and Cause describe a FAILED, TIMED_OUT or ABORTED child.
	Error string
	Cause string
	// Status is SUCCEEDED, FAILED, TIMED_OUT or ABORTED, or PENDING for
	// an item (or batch) that never ran because the run stopped at its
	// tolerated failure threshold: such a record has only Input, Index
	// and Items.
	Status    Status
	StartDate time.Time
	StopDate  time.Time
	// Index is the position of the child's first item in the data set and
	// Items the number of items it processed (1 unless batched).
	Index int64
	Items int
	// RedriveCount is the number of times the child was redriven.
	RedriveCount int
}

// StatusPending is the status of a ChildResult whose item never ran.
const StatusPending Status = "PENDING"

// MapRunSummary is how a Map Run ended, for ResultSink.Close.
type MapRunSummary struct {
	MapRunArn string
	// Status is SUCCEEDED, FAILED or ABORTED.
	Status MapRunStatus
	// Error and Cause are the Map Run's failure, if any.
	Error string
	Cause string
	// Items and Executions are the final counts.
	Items      MapRunCounts
	Executions MapRunCounts
}

// MapRunHost watches a distributed Map's Map Runs and their child workflow
// executions, so that it can serve DescribeMapRun, ListMapRuns,
// UpdateMapRun (through MapRun.Update), ListExecutions by mapRunArn and
// DescribeExecution and GetExecutionHistory of a child execution.
// Its methods run on the engine's goroutines: keep them short, and never
// call back into the run from them except through MapRun's methods.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html
type MapRunHost interface {
	// MapRunStarted is called once a Map Run is configured, before its
	// first child execution starts. An error fails the Map state with
	// States.Runtime.
	MapRunStarted(ctx context.Context, run *MapRun) error
	// ChildStarted is called as a child execution starts and returns the
	// sink of its history events (nil: none are kept).
	ChildStarted(run *MapRun, child ChildExecution) HistorySink
	// ChildEnded is called once a child execution has ended, with its
	// result; its history is complete.
	ChildEnded(run *MapRun, child ChildExecution, r Result)
	// MapRunEnded is called once when the Map Run has ended, after the
	// last child and any result export; run.Describe() is final.
	MapRunEnded(run *MapRun)
}

// ChildExecution identifies one child workflow execution of a Map Run.
type ChildExecution struct {
	// Arn is the child's execution ARN,
	// arn:aws:states:<region>:<account>:execution:<machine>/<label>:<name>
	// (":express:" for an EXPRESS child).
	Arn string
	// Name is the child's name, a UUID.
	Name string
	// StateMachineArn is the Map Run's state machine,
	// arn:aws:states:<region>:<account>:stateMachine:<machine>/<label>.
	StateMachineArn string
	// MapRunArn is the run that started the child.
	MapRunArn string
	// ExecutionType is STANDARD or EXPRESS (the ProcessorConfig's).
	ExecutionType string
	// Input is the child's input as JSON text.
	Input string
	// StartDate is the child's start, from the Clock.
	StartDate time.Time
	// Index is the position of the child's first item and Items the
	// number of items it processes.
	Index int64
	Items int
}

// MapRunStatus is a Map Run's status, as DescribeMapRun reports it.
type MapRunStatus string

// The Map Run statuses.
const (
	MapRunStatusRunning   MapRunStatus = "RUNNING"
	MapRunStatusSucceeded MapRunStatus = "SUCCEEDED"
	MapRunStatusFailed    MapRunStatus = "FAILED"
	MapRunStatusAborted   MapRunStatus = "ABORTED"
)

// MapRunCounts are DescribeMapRun's itemCounts or executionCounts.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_MapRunItemCounts.html
type MapRunCounts struct {
	Pending, Running, Succeeded, Failed, TimedOut, Aborted, Total int64
	ResultsWritten                                                int64
	FailuresNotRedrivable, PendingRedrive                         int64
}

// MapRunDescription is what DescribeMapRun answers for a run, at one
// instant.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeMapRun.html
type MapRunDescription struct {
	MapRunArn    string
	ExecutionArn string
	// StateMachineArn is the Map Run's (child) state machine ARN;
	// ParentStateMachineArn the state machine of ExecutionArn.
	StateMachineArn       string
	ParentStateMachineArn string
	StateName             string
	Label                 string
	ExecutionType         string
	Status                MapRunStatus
	StartDate             time.Time
	StopDate              time.Time // zero while RUNNING
	// MaxConcurrency is 0 for no limit but the ceiling of 10,000.
	MaxConcurrency             int
	ToleratedFailureCount      int64
	ToleratedFailurePercentage float64
	Items                      MapRunCounts
	Executions                 MapRunCounts
	// Error and Cause are the Map Run's failure (MapRunFailed).
	Error string
	Cause string
	// RedriveCount and RedriveDate say how often and when the run was
	// last redriven (with its execution): a redriven run keeps its ARN, and
	// MapRunHost.MapRunStarted sees it again.
	RedriveCount int
	RedriveDate  time.Time
}

// MapRunUpdate is an UpdateMapRun request: nil fields stay as they are.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateMapRun.html
type MapRunUpdate struct {
	MaxConcurrency             *int
	ToleratedFailureCount      *int64
	ToleratedFailurePercentage *float64
}

// WithItemReader sets the reader of distributed Maps' ItemReader data
// sets.
func WithItemReader(r ItemReader) Option { return func(cfg *config) { cfg.itemReader = r } }

// WithResultWriter sets the exporter of distributed Maps' ResultWriter.
func WithResultWriter(w ResultWriter) Option { return func(cfg *config) { cfg.resultWriter = w } }

// WithMapRunHost sets the watcher of Map Runs and their child executions.
func WithMapRunHost(h MapRunHost) Option { return func(cfg *config) { cfg.mapRuns = h } }
