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
	keys    [][]byte // `{"name":` for the first column, `,"name":` for the others
	stats   []columnStats
	values  []schema.Value // the current record's coerced values (a timestamp's without its text)
}

func newEncoder(s *schema.Schema) *encoder {
	e := &encoder{columns: s.Columns, keys: make([][]byte, len(s.Columns)), stats: make([]columnStats, len(s.Columns)), values: make([]schema.Value, len(s.Columns))}
	for i, c := range s.Columns {
		sep := byte(',')
		if i == 0 {
			sep = '{'
		}
		e.keys[i] = append(schema.AppendJSONString([]byte{sep}, c.Name), ':')
	}
	return e
}

// appendRecord appends the record's line to dst. A record the schema does not accept is an
// *tasks.InvalidObjectError, and dst comes back as it was, statistics untouched.
func (e *encoder) appendRecord(dst []byte, rec *records.Record) ([]byte, error) {
	if err := structureError(rec, len(e.columns)); err != nil {
		return dst, err
	}
	// Each value is coerced and written in one step, straight into dst; a refused value cuts dst back
	// to where the record started, and the statistics are taken only once every value is accepted.
	start := len(dst)
	if len(e.columns) == 0 {
		dst = append(dst, '{')
	}
	for i := range e.columns {
		dst = append(dst, e.keys[i]...)
		var err error
		if dst, err = e.columns[i].AppendCoerced(dst, rec.Values[i], &e.values[i]); err != nil {
			ve := &tasks.InvalidObjectError{Line: rec.Line, Column: e.columns[i].Name, Code: schema.CodeType, Message: err.Error()}
			if sv, ok := err.(*schema.ValueError); ok {
				ve.Code = sv.Code
			}
			return dst[:start], ve
		}
	}
	for i := range e.values {
		e.stats[i].add(&e.values[i])
	}
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
