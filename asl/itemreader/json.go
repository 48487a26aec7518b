package itemreader

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
)

// jsonArray yields the elements of a JSON object's top-level array, decoding one element at a time.
type jsonArray struct {
	rc   io.Closer
	b    *boundedReader
	d    *json.Decoder
	key  string
	done bool
}

func newJSONArray(rc io.ReadCloser, key string) (*jsonArray, error) {
	b := newBounded(rc, key)
	d := json.NewDecoder(b)
	d.UseNumber()
	s := &jsonArray{rc: rc, b: b, d: d, key: key}
	tok, err := d.Token()
	if err != nil {
		return nil, s.fail(err)
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '[' {
		return nil, failf(nil, "The JSON object %s must hold a JSON array of items.", key)
	}
	return s, nil
}

func (s *jsonArray) fail(err error) error {
	var ie *Error
	if errors.As(err, &ie) {
		return ie
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return failf(err, "The JSON in %s is incomplete.", s.key)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return failf(err, "Malformed JSON in %s at offset %d: %v", s.key, se.Offset, err)
	}
	return err
}

func (s *jsonArray) next(context.Context) (any, error) {
	if s.done {
		return nil, io.EOF
	}
	s.b.mark()
	if !s.d.More() {
		tok, err := s.d.Token() // the closing bracket
		if err != nil {
			return nil, s.fail(err)
		}
		if delim, ok := tok.(json.Delim); !ok || delim != ']' {
			return nil, failf(nil, "Malformed JSON in %s: expected the end of the array.", s.key)
		}
		if _, err := s.d.Token(); !errors.Is(err, io.EOF) {
			return nil, failf(err, "Malformed JSON in %s: data after the array.", s.key)
		}
		s.done = true
		return nil, io.EOF
	}
	var v any
	if err := s.d.Decode(&v); err != nil {
		return nil, s.fail(err)
	}
	return v, nil
}

func (s *jsonArray) close() error { return s.rc.Close() }

// jsonLines yields one JSON value per line; blank lines are skipped.
type jsonLines struct {
	rc   io.Closer
	r    *bufio.Reader
	key  string
	line int
	buf  []byte
}

func newJSONL(rc io.ReadCloser, key string) *jsonLines {
	return &jsonLines{rc: rc, r: bufio.NewReaderSize(rc, readAhead), key: key}
}

func (s *jsonLines) next(context.Context) (any, error) {
	for {
		line, err := s.readLine()
		if err != nil {
			return nil, err
		}
		s.line++
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		d := json.NewDecoder(bytes.NewReader(line))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			return nil, failf(err, "Malformed JSON at line %d of %s: %v", s.line, s.key, err)
		}
		if _, err := d.Token(); !errors.Is(err, io.EOF) {
			return nil, failf(err, "Malformed JSON at line %d of %s: more than one value on the line.", s.line, s.key)
		}
		return v, nil
	}
}

// readLine returns the next line without its newline, io.EOF after the last.
func (s *jsonLines) readLine() ([]byte, error) {
	s.buf = s.buf[:0]
	for {
		chunk, err := s.r.ReadSlice('\n')
		s.buf = append(s.buf, chunk...)
		if len(s.buf) > MaxItemBytes {
			return nil, failf(nil, "An item of %s is larger than %d bytes.", s.key, MaxItemBytes)
		}
		switch {
		case err == nil:
			return s.buf[:len(s.buf)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(s.buf) == 0 {
				return nil, io.EOF
			}
			return s.buf, nil
		default:
			return nil, err
		}
	}
}

func (s *jsonLines) close() error { return s.rc.Close() }
