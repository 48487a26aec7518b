package itemreader

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"slices"
)

// csvSource yields a CSV object's rows as objects from header to value, every value a string, as Step
// Functions does: https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
type csvSource struct {
	rc     io.Closer
	b      *boundedReader
	r      *csv.Reader
	header []string
	key    string
}

func newCSV(rc io.ReadCloser, r Request, key string) (*csvSource, error) {
	comma, err := delimiter(r.CSVDelimiter)
	if err != nil {
		return nil, err
	}
	b := newBounded(rc, key)
	cr := csv.NewReader(b)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	s := &csvSource{rc: rc, b: b, r: cr, key: key}
	if r.CSVHeaderLocation == HeaderGiven {
		s.header = slices.Clone(r.CSVHeaders)
		return s, nil
	}
	rec, err := s.read()
	if errors.Is(err, io.EOF) {
		return nil, failf(nil, "The CSV object %s is empty: its first row must be the header.", key)
	}
	if err != nil {
		return nil, err
	}
	s.header = slices.Clone(rec)
	return s, nil
}

func (s *csvSource) read() ([]string, error) {
	s.b.mark()
	rec, err := s.r.Read()
	if err == nil || errors.Is(err, io.EOF) {
		return rec, err
	}
	var ie *Error
	if errors.As(err, &ie) {
		return nil, ie
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, failf(err, "Malformed CSV in %s at line %d, column %d: %v", s.key, pe.Line, pe.Column, pe.Err)
	}
	return nil, err
}

func (s *csvSource) next(context.Context) (any, error) {
	rec, err := s.read()
	if err != nil {
		return nil, err
	}
	if len(rec) > len(s.header) {
		line, _ := s.r.FieldPos(0)
		return nil, failf(nil, "The CSV row at line %d of %s has %d fields, more than the %d of the header.", line, s.key, len(rec), len(s.header))
	}
	item := make(map[string]any, len(s.header))
	for i, h := range s.header {
		if i < len(rec) {
			item[h] = rec[i]
		} else {
			item[h] = ""
		}
	}
	return item, nil
}

func (s *csvSource) close() error { return s.rc.Close() }
