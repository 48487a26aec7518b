package records

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/schema"
)

type csvState struct {
	r     *csv.Reader
	colOf []int // header position -> schema column index
}

func (r *Reader) startCSV() error {
	cr := csv.NewReader(r.text)
	cr.Comma = r.schema.Delimiter()
	cr.FieldsPerRecord = -1 // field counts are checked here, as record problems
	cr.ReuseRecord = true
	r.csv.r = cr
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return &HeaderError{Problems: []tasks.Problem{{Line: 1, Code: CodeHeader, Message: "the object is empty: a CSV object starts with a header row"}}}
	}
	if err != nil {
		return r.csvError(err)
	}
	line, _ := cr.FieldPos(0)
	var problems []tasks.Problem
	seen := make([]bool, len(r.schema.Columns))
	r.csv.colOf = make([]int, len(header))
	for i, name := range header {
		name = strings.TrimSpace(name)
		idx := r.schema.Index(name)
		r.csv.colOf[i] = idx
		switch {
		case idx < 0:
			problems = append(problems, tasks.Problem{Line: int64(line), Column: name, Code: CodeHeader,
				Message: fmt.Sprintf("header field %d: %q is not a column of dataset %q", i+1, name, r.schema.Name)})
		case seen[idx]:
			problems = append(problems, tasks.Problem{Line: int64(line), Column: name, Code: CodeHeader,
				Message: fmt.Sprintf("header field %d: column %q appears more than once", i+1, name)})
		default:
			seen[idx] = true
		}
	}
	for i, c := range r.schema.Columns {
		if c.Required && !seen[i] {
			problems = append(problems, tasks.Problem{Line: int64(line), Column: c.Name, Code: CodeHeader,
				Message: fmt.Sprintf("required column %q is missing from the header", c.Name)})
		}
	}
	if len(problems) > 0 {
		return &HeaderError{Problems: problems}
	}
	r.resetValues() // columns absent from the header stay missing in every row
	r.next = r.nextCSV
	return nil
}

func (r *Reader) nextCSV() error {
	r.text.setRecordStart(r.csv.r.InputOffset())
	fields, err := r.csv.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		return r.csvError(err)
	}
	line, _ := r.csv.r.FieldPos(0)
	r.rec.Line = int64(line)
	if len(fields) != len(r.csv.colOf) {
		r.rec.Values = nil
		r.rec.Problems = append(r.rec.Problems, tasks.Problem{Line: int64(line), Code: CodeColumns,
			Message: fmt.Sprintf("the row has %d fields, the header %d", len(fields), len(r.csv.colOf))})
		return nil
	}
	r.rec.Values = r.values
	for i, f := range fields {
		r.values[r.csv.colOf[i]] = schema.Raw{Kind: schema.RawText, Text: f}
	}
	return nil
}

func (r *Reader) csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		var inner *Error
		if errors.As(pe.Err, &inner) {
			return inner
		}
		return &Error{Line: int64(pe.Line), Code: CodeSyntax, Msg: fmt.Sprintf("malformed CSV at column %d: %v", pe.Column, pe.Err)}
	}
	return err
}
