package process

import (
	"fmt"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/records"
	"github.com/sluicehq/sluice/tasks/schema"
)

// encoder turns records into normalised JSON Lines: one object per record, every schema column present in
// schema order, each value coerced by the schema (null when absent or empty), and keeps the column
// statistics. The output of a record depends only on the record and the schema, so processing the same
// object twice gives the same bytes.
type encoder struct {
	columns []schema.Column
	cols    []encColumn
	stats   []columnStats
	values  []schema.Value // the current record's coerced values (a timestamp's without its text)
}

// encColumn is what the encoder needs of a column, together, for each value: the column and its key,
// `{"name":` for the first column and `,"name":` for the others. A key that fits keyRoom bytes is kept
// padded to keyRoom and written with one fixed-size move instead of a call to copy a slice; a longer one
// (long is set) is copied. Each encoder has its own, so the column's FastMemo serves one goroutine.
type encColumn struct {
	col   *schema.Column
	short [keyRoom]byte
	n     int // the key's length
	long  []byte
	memo  schema.FastMemo // the column's last month, for its dates and timestamps
}

// keyRoom is the room a key written as a fixed-size move takes: the keys of most schemas fit.
const keyRoom = 32

func newEncoder(s *schema.Schema) *encoder {
	n := len(s.Columns)
	e := &encoder{columns: s.Columns, cols: make([]encColumn, n), stats: make([]columnStats, n), values: make([]schema.Value, n)}
	for i := range s.Columns {
		c := &e.cols[i]
		sep := byte(',')
		if i == 0 {
			sep = '{'
		}
		key := append(schema.AppendJSONString([]byte{sep}, s.Columns[i].Name), ':')
		c.col, c.n = &s.Columns[i], len(key)
		if copy(c.short[:], key) < len(key) {
			c.long = key
		}
	}
	return e
}

// appendRecord appends the record's line to dst. A record the schema does not accept is an
// *tasks.InvalidObjectError, and dst comes back as it was, statistics untouched.
func (e *encoder) appendRecord(dst []byte, rec *records.Record) ([]byte, error) {
	if err := structureError(rec, len(e.columns)); err != nil {
		return dst, err
	}
	return e.appendValues(dst, rec.Line, rec.Values)
}

// appendValues is appendRecord for a record known to have one value per column (the pipeline checks
// each record's structure as it reads it), with the line it starts on.
func (e *encoder) appendValues(dst []byte, line int64, values []schema.Raw) ([]byte, error) {
	// Each value is coerced and written in one step, straight into dst; a refused value cuts dst back
	// to where the record started, and the statistics are taken only once every value is accepted.
	start := len(dst)
	if len(e.cols) == 0 {
		dst = append(dst, '{')
	}
	values = values[:len(e.cols)]
	vals := e.values[:len(e.cols)]
	for i := range e.cols {
		c := &e.cols[i]
		if c.long != nil {
			dst = append(dst, c.long...)
		} else {
			// Write all keyRoom bytes into the spare capacity, then keep the key's length of them.
			n := len(dst)
			if cap(dst)-n < keyRoom {
				dst = append(dst, make([]byte, keyRoom)...)[:n]
			}
			*(*[keyRoom]byte)(dst[n : n+keyRoom]) = c.short
			dst = dst[:n+c.n]
		}
		// The fast path decides most values; AppendCoerced (which tries it again) the others.
		var ok bool
		if dst, ok = c.col.AppendFast(dst, values[i], &vals[i], &c.memo); ok {
			continue
		}
		var err error
		if dst, err = c.col.AppendCoerced(dst, values[i], &vals[i]); err != nil {
			ve := &tasks.InvalidObjectError{Line: line, Column: c.col.Name, Code: schema.CodeType, Message: err.Error()}
			if sv, ok := err.(*schema.ValueError); ok {
				ve.Code = sv.Code
			}
			return dst[:start], ve
		}
	}
	addValues(e.stats, vals)
	return append(dst, '}', '\n'), nil
}

// structureError is the error of a record whose structure is wrong (a problem the reader found, such as
// a CSV row with the wrong number of fields), before any value is looked at; nil for a record with one
// value per column.
func structureError(rec *records.Record, columns int) error {
	if len(rec.Problems) > 0 {
		p := rec.Problems[0]
		return &tasks.InvalidObjectError{Line: p.Line, Column: p.Column, Code: p.Code, Message: p.Message}
	}
	if len(rec.Values) != columns {
		return fmt.Errorf("line %d: record has %d values for %d columns", rec.Line, len(rec.Values), columns)
	}
	return nil
}
