package records

import (
	"compress/flate"
	"compress/gzip"
	"errors"
	"io"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/schema"
)

// DefaultMaxRecordBytes is the default record size limit.
const DefaultMaxRecordBytes = 1 << 20

// Record is one record of an object.
type Record struct {
	// Line is the 1-based line where the record starts.
	Line int64
	// Values holds one value per schema column, in schema order (RawMissing for a column the record
	// lacks). It is nil when a problem in Problems makes the values meaningless (a CSV row with the wrong
	// number of fields, a JSON record that is not an object).
	Values []schema.Raw
	// Problems lists what is wrong with the record's structure (not its values).
	Problems []tasks.Problem
}

// Option configures a Reader.
type Option func(*Reader)

// WithMaxRecordBytes sets the record size limit: the most bytes (after decompression) one record, with
// the white space around it, may take. Reading a longer record stops with an *Error.
func WithMaxRecordBytes(n int64) Option {
	return func(r *Reader) { r.maxRecord = max(n, 1) }
}

// Reader reads the records of one object. It is not safe for concurrent use.
type Reader struct {
	src       io.Reader
	typ       Type
	schema    *schema.Schema
	maxRecord int64

	text   *textReader
	rec    Record
	values []schema.Raw
	next   func() error
	err    error

	csv  csvState
	json jsonState
}

// NewReader returns a reader of an object of type t whose bytes come from src, checked against s. It
// reads nothing until the first call to Next.
func NewReader(src io.Reader, t Type, s *schema.Schema, opts ...Option) *Reader {
	r := &Reader{src: src, typ: t, schema: s, maxRecord: DefaultMaxRecordBytes}
	for _, o := range opts {
		o(r)
	}
	r.values = make([]schema.Raw, len(s.Columns))
	return r
}

// Next returns the next record, or io.EOF after the last one. The record and its slices are reused by the
// following call. Any other error is final: an *Error or a *HeaderError when the object is malformed, a
// *SourceError when the source failed.
func (r *Reader) Next() (*Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.next == nil {
		r.err = r.start()
		if r.err != nil {
			return nil, r.err
		}
	}
	r.rec.Problems = r.rec.Problems[:0]
	if err := r.next(); err != nil {
		r.err = err
		return nil, err
	}
	return &r.rec, nil
}

// Line returns the line the reader has reached: the line of the next byte it would hand to the parser.
func (r *Reader) Line() int64 {
	if r.text == nil {
		return 1
	}
	return r.text.line
}

func (r *Reader) start() error {
	var in io.Reader = sourceReader{r.src}
	if r.typ.Gzip {
		zr, err := gzip.NewReader(in)
		if err != nil {
			return gzipError(err)
		}
		in = gzipReader{zr}
	}
	switch r.typ.Format {
	case CSV:
		r.text = newTextReader(in, r.maxRecord, nil)
		return r.startCSV()
	case JSONL:
		r.text = newTextReader(in, r.maxRecord, nil)
		return r.startJSONL()
	case JSON:
		r.json.lines = newLineIndex()
		r.text = newTextReader(in, r.maxRecord, r.json.lines)
		return r.startJSON()
	}
	return &UnknownFormatError{Key: string(r.typ.Format)}
}

// resetValues marks every column missing before a record is read.
func (r *Reader) resetValues() {
	for i := range r.values {
		r.values[i] = schema.Raw{}
	}
	r.rec.Values = r.values
}

// sourceReader marks the source's errors, so that they stay apart from problems of the object.
type sourceReader struct{ r io.Reader }

func (s sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = &SourceError{Err: err}
	}
	return n, err
}

// gzipReader turns gzip format errors into *Error.
type gzipReader struct{ zr *gzip.Reader }

func (g gzipReader) Read(p []byte) (int, error) {
	n, err := g.zr.Read(p)
	if err != nil && err != io.EOF {
		err = gzipError(err)
	}
	return n, err
}

func gzipError(err error) error {
	var src *SourceError
	var corrupt flate.CorruptInputError
	switch {
	case errors.As(err, &src):
		return err
	case errors.Is(err, io.EOF):
		return &Error{Code: CodeGzip, Msg: "the object is empty, not gzip data"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Code: CodeGzip, Msg: "the gzip data is truncated"}
	case errors.Is(err, gzip.ErrHeader):
		return &Error{Code: CodeGzip, Msg: "not gzip data (bad header)"}
	case errors.Is(err, gzip.ErrChecksum):
		return &Error{Code: CodeGzip, Msg: "the gzip data is corrupt (checksum mismatch)"}
	case errors.As(err, &corrupt):
		return &Error{Code: CodeGzip, Msg: "the gzip data is corrupt: " + corrupt.Error()}
	}
	return &Error{Code: CodeGzip, Msg: "bad gzip data: " + err.Error()}
}
