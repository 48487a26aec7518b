package resultwriter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sluicehq/sluice/asl"
)

// Putter is what the writer needs from S3: a PUT of size bytes read from body, which is always an
// io.ReadSeeker (so that an SDK client can sign it).
type Putter interface {
	Put(ctx context.Context, bucket, key string, body io.Reader, size int64) error
}

// DefaultMaxFileBytes is the largest result file: 5 GiB, what one S3 PUT may carry.
const DefaultMaxFileBytes int64 = 5 << 30

// Output types and transformations of WriterConfig.
const (
	OutputJSON  = "JSON"
	OutputJSONL = "JSONL"

	TransformNone    = "NONE"
	TransformCompact = "COMPACT"
	TransformFlatten = "FLATTEN"
)

// The groups of result files, as manifest.json names them.
const (
	GroupSucceeded = "SUCCEEDED"
	GroupFailed    = "FAILED"
	GroupPending   = "PENDING"
)

// Config locates and shapes one Map Run's export.
type Config struct {
	Bucket    string
	Prefix    string
	MapRunArn string
	// OutputType is JSON (the default) or JSONL; Transformation NONE (the default), COMPACT or FLATTEN.
	OutputType     string
	Transformation string
	// MaxFileBytes is where a result file is split (DefaultMaxFileBytes when 0).
	MaxFileBytes int64
	// TempDir holds the files being written (os.TempDir() when "").
	TempDir string
}

// Record is one child execution's result, or with Status PENDING an item that never ran.
type Record struct {
	ExecutionArn    string
	Name            string
	StateMachineArn string
	// Input and Output are JSON text; Output only for SUCCEEDED.
	Input, Output string
	Error, Cause  string
	// Status is SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING.
	Status             string
	StartDate          time.Time
	StopDate           time.Time
	RedriveCount       int
	RedrivableByMapRun bool // a failed child that a redrive of its Map Run would run again
}

// Error is a failure to export; the engine reports it with States.ResultWriterFailed.
type Error struct {
	Cause string
	Err   error
}

func (e *Error) Error() string { return e.Cause }
func (e *Error) Unwrap() error { return e.Err }

// Name is the ASL error name of every *Error.
func (e *Error) Name() string { return asl.ErrResultWriterFailed }

func failf(err error, format string, args ...any) *Error {
	return &Error{Cause: fmt.Sprintf(format, args...), Err: err}
}

// File is one written result file, as manifest.json lists it.
type File struct {
	Key  string
	Size int64
}

// Manifest is manifest.json.
type Manifest struct {
	DestinationBucket string
	MapRunArn         string
	ResultFiles       map[string][]File
}

// Writer exports one Map Run's results. It is not safe for concurrent use.
type Writer struct {
	cfg    Config
	store  Putter
	dir    string // <Prefix>/<Map Run id>
	ext    string
	groups map[string]*group
	closed bool
}

// group is the file being written for one group.
type group struct {
	name  string
	n     int // files uploaded
	f     *os.File
	size  int64
	count int
	files []File
}

// New checks the configuration and starts an export. Nothing is written until the first record.
func New(cfg Config, store Putter) (*Writer, error) {
	if cfg.Bucket == "" {
		return nil, failf(nil, "The ResultWriter's Parameters must name a Bucket.")
	}
	switch cfg.OutputType {
	case "", OutputJSON, OutputJSONL:
	default:
		return nil, failf(nil, "Invalid OutputType %q: expected JSON or JSONL.", cfg.OutputType)
	}
	switch cfg.Transformation {
	case "", TransformNone, TransformCompact, TransformFlatten:
	default:
		return nil, failf(nil, "Invalid Transformation %q: expected NONE, COMPACT or FLATTEN.", cfg.Transformation)
	}
	if cfg.MaxFileBytes <= 0 {
		cfg.MaxFileBytes = DefaultMaxFileBytes
	}
	id := cfg.MapRunArn[strings.LastIndexByte(cfg.MapRunArn, ':')+1:]
	if id == "" {
		return nil, failf(nil, "The Map Run ARN %q has no id.", cfg.MapRunArn)
	}
	dir := id
	if p := strings.TrimSuffix(cfg.Prefix, "/"); p != "" {
		dir = p + "/" + id
	}
	ext := ".json"
	if cfg.OutputType == OutputJSONL {
		ext = ".jsonl"
	}
	return &Writer{cfg: cfg, store: store, dir: dir, ext: ext, groups: map[string]*group{}}, nil
}

// ManifestKey is the key of manifest.json.
func (w *Writer) ManifestKey() string { return w.dir + "/manifest.json" }

// Add writes one record to its group's file, uploading the file first when the record would take it
// over MaxFileBytes.
func (w *Writer) Add(ctx context.Context, r Record) error {
	if w.closed {
		return errors.New("resultwriter: add after close")
	}
	name := GroupFailed
	switch r.Status {
	case "SUCCEEDED":
		name = GroupSucceeded
	case "PENDING":
		name = GroupPending
	}
	records, err := w.shape(r)
	if err != nil {
		return err
	}
	g := w.groups[name]
	if g == nil {
		g = &group{name: name}
		w.groups[name] = g
	}
	for _, rec := range records {
		if err := w.write(ctx, g, rec); err != nil {
			return err
		}
	}
	return nil
}

// shape makes a record's JSON values by the Transformation.
func (w *Writer) shape(r Record) ([][]byte, error) {
	if r.Status == "SUCCEEDED" && (w.cfg.Transformation == TransformCompact || w.cfg.Transformation == TransformFlatten) {
		out := json.RawMessage(r.Output)
		if len(bytes.TrimSpace(out)) == 0 {
			out = json.RawMessage("null")
		}
		if w.cfg.Transformation == TransformFlatten {
			var elems []json.RawMessage
			if bytes.HasPrefix(bytes.TrimSpace(out), []byte("[")) {
				if err := json.Unmarshal(out, &elems); err != nil {
					return nil, failf(err, "The output of %s is not valid JSON.", r.ExecutionArn)
				}
				recs := make([][]byte, len(elems))
				for i, e := range elems {
					recs[i] = compact(e)
				}
				return recs, nil
			}
		}
		if !json.Valid(out) {
			return nil, failf(nil, "The output of %s is not valid JSON.", r.ExecutionArn)
		}
		return [][]byte{compact(out)}, nil
	}
	b, err := json.Marshal(fullRecord(r))
	if err != nil {
		return nil, failf(err, "Unable to encode the result of %s: %v", r.ExecutionArn, err)
	}
	return [][]byte{b}, nil
}

func compact(b []byte) []byte {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return b
	}
	return buf.Bytes()
}

// record is the NONE record; json.Marshal writes the fields in this order, AWS's (alphabetical).
type record struct {
	Cause               *string   `json:"Cause,omitempty"`
	Error               *string   `json:"Error,omitempty"`
	ExecutionArn        string    `json:"ExecutionArn,omitempty"`
	Input               string    `json:"Input"`
	InputDetails        included  `json:"InputDetails"`
	Name                string    `json:"Name,omitempty"`
	Output              *string   `json:"Output,omitempty"`
	OutputDetails       *included `json:"OutputDetails,omitempty"`
	RedriveCount        int       `json:"RedriveCount"`
	RedriveStatus       string    `json:"RedriveStatus"`
	RedriveStatusReason string    `json:"RedriveStatusReason,omitempty"`
	StartDate           string    `json:"StartDate,omitempty"`
	StateMachineArn     string    `json:"StateMachineArn,omitempty"`
	Status              string    `json:"Status"`
	StopDate            string    `json:"StopDate,omitempty"`
}

type included struct {
	Included bool `json:"Included"`
}

// dateFormat is how the records write dates: UTC, milliseconds.
const dateFormat = "2006-01-02T15:04:05.000Z"

func fullRecord(r Record) record {
	rec := record{ExecutionArn: r.ExecutionArn, Input: r.Input, InputDetails: included{true}, Name: r.Name,
		RedriveCount: r.RedriveCount, StateMachineArn: r.StateMachineArn, Status: r.Status}
	if !r.StartDate.IsZero() {
		rec.StartDate = r.StartDate.UTC().Format(dateFormat)
	}
	if !r.StopDate.IsZero() {
		rec.StopDate = r.StopDate.UTC().Format(dateFormat)
	}
	switch r.Status {
	case "SUCCEEDED":
		out := r.Output
		rec.Output, rec.OutputDetails = &out, &included{true}
		rec.RedriveStatus = "NOT_REDRIVABLE"
		rec.RedriveStatusReason = "Execution is SUCCEEDED and cannot be redriven"
	case "PENDING":
		rec.RedriveStatus = "NOT_REDRIVABLE"
		rec.RedriveStatusReason = "Execution has not started"
	default:
		e, c := r.Error, r.Cause
		rec.Error, rec.Cause = &e, &c
		if r.RedrivableByMapRun {
			rec.RedriveStatus = "REDRIVABLE_BY_MAP_RUN"
		} else {
			rec.RedriveStatus = "NOT_REDRIVABLE"
			rec.RedriveStatusReason = "Execution is a child of a Map Run and cannot be redriven on its own"
		}
	}
	return rec
}

// write appends one record to g's file.
func (w *Writer) write(ctx context.Context, g *group, rec []byte) error {
	sep := 1 // "[" or ","
	if w.cfg.OutputType == OutputJSONL {
		sep = 0
	}
	need := int64(len(rec) + sep + 1) // + "]" or "\n"
	if g.f != nil && g.size+need > w.cfg.MaxFileBytes && g.count > 0 {
		if err := w.upload(ctx, g); err != nil {
			return err
		}
	}
	if g.f == nil {
		f, err := os.CreateTemp(w.cfg.TempDir, "resultwriter-*")
		if err != nil {
			return failf(err, "Unable to spill the results: %v", err)
		}
		g.f, g.size, g.count = f, 0, 0
	}
	var buf []byte
	switch {
	case w.cfg.OutputType == OutputJSONL:
		buf = append(append(buf, rec...), '\n')
	case g.count == 0:
		buf = append(append(buf, '['), rec...)
	default:
		buf = append(append(buf, ','), rec...)
	}
	if _, err := g.f.Write(buf); err != nil {
		return failf(err, "Unable to spill the results: %v", err)
	}
	g.size += int64(len(buf))
	g.count++
	return nil
}

// upload finishes g's file, puts it as <group>_<n><ext> and removes it.
func (w *Writer) upload(ctx context.Context, g *group) error {
	f := g.f
	g.f = nil
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	if w.cfg.OutputType != OutputJSONL {
		if _, err := f.Write([]byte("]")); err != nil {
			return failf(err, "Unable to spill the results: %v", err)
		}
		g.size++
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return failf(err, "Unable to spill the results: %v", err)
	}
	key := fmt.Sprintf("%s/%s_%d%s", w.dir, g.name, g.n, w.ext)
	if err := w.store.Put(ctx, w.cfg.Bucket, key, io.NewSectionReader(f, 0, g.size), g.size); err != nil {
		return failf(err, "Unable to write the results to s3://%s/%s: %v", w.cfg.Bucket, key, err)
	}
	g.files = append(g.files, File{Key: key, Size: g.size})
	g.n++
	return nil
}

// Close uploads the files still open and then manifest.json, and returns the manifest. After an
// error the export is incomplete; Close removes the temporary files either way.
func (w *Writer) Close(ctx context.Context) (Manifest, error) {
	if w.closed {
		return Manifest{}, errors.New("resultwriter: closed twice")
	}
	w.closed = true
	m := Manifest{DestinationBucket: w.cfg.Bucket, MapRunArn: w.cfg.MapRunArn, ResultFiles: map[string][]File{}}
	var errs []error
	for _, name := range []string{GroupFailed, GroupPending, GroupSucceeded} {
		g := w.groups[name]
		m.ResultFiles[name] = []File{}
		if g == nil {
			continue
		}
		if g.f != nil {
			if len(errs) > 0 {
				w.discard(g)
			} else if err := w.upload(ctx, g); err != nil {
				errs = append(errs, err)
			}
		}
		m.ResultFiles[name] = append(m.ResultFiles[name], g.files...)
	}
	if len(errs) > 0 {
		return Manifest{}, errs[0]
	}
	body, err := json.Marshal(m)
	if err != nil {
		return Manifest{}, failf(err, "Unable to encode the manifest: %v", err)
	}
	key := w.ManifestKey()
	if err := w.store.Put(ctx, w.cfg.Bucket, key, bytes.NewReader(body), int64(len(body))); err != nil {
		return Manifest{}, failf(err, "Unable to write the manifest to s3://%s/%s: %v", w.cfg.Bucket, key, err)
	}
	return m, nil
}

// Abort drops the export: temporary files are removed and nothing more is uploaded.
func (w *Writer) Abort() {
	w.closed = true
	for _, g := range w.groups {
		w.discard(g)
	}
}

func (w *Writer) discard(g *group) {
	if g.f != nil {
		g.f.Close()
		os.Remove(g.f.Name())
		g.f = nil
	}
}
