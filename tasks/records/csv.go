package records

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sluicehq/sluice/tasks"
)

type csvState struct {
	r     *csvScanner
	colOf []int // header position -> schema column index
}

func (r *Reader) startCSV() error {
	cr := newCSVScanner(r.text, r.schema.Delimiter())
	r.csv.r = cr
	header, line, err := cr.read()
	if errors.Is(err, io.EOF) {
		return &HeaderError{Problems: []tasks.Problem{{Line: 1, Code: CodeHeader, Message: "the object is empty: a CSV object starts with a header row"}}}
	}
	if err != nil {
		return r.csvError(err)
	}
	var problems []tasks.Problem
	seen := make([]bool, len(r.schema.Columns))
	r.csv.colOf = make([]int, len(header))
	for i, name := range header {
		name = strings.TrimSpace(name)
		idx := r.schema.Index(name)
		r.csv.colOf[i] = idx
		switch {
		case idx < 0:
			problems = append(problems, tasks.Problem{Line: line, Column: name, Code: CodeHeader,
				Message: fmt.Sprintf("header field %d: %q is not a column of dataset %q", i+1, name, r.schema.Name)})
		case seen[idx]:
			problems = append(problems, tasks.Problem{Line: line, Column: name, Code: CodeHeader,
				Message: fmt.Sprintf("header field %d: column %q appears more than once", i+1, name)})
		default:
			seen[idx] = true
		}
	}
	for i, c := range r.schema.Columns {
		if c.Required && !seen[i] {
			problems = append(problems, tasks.Problem{Line: line, Column: c.Name, Code: CodeHeader,
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
	r.text.setRecordStart(r.csv.r.consumed)
	n, line, err := r.csv.r.readInto(r.values, r.csv.colOf)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		return r.csvError(err)
	}
	r.rec.Line = line
	if n != len(r.csv.colOf) {
		r.rec.Values = nil
		r.rec.Problems = append(r.rec.Problems, tasks.Problem{Line: line, Code: CodeColumns,
			Message: fmt.Sprintf("the row has %s, the header %d", fields1(n), len(r.csv.colOf))})
		return nil
	}
	r.rec.Values = r.values
	return nil
}

func (r *Reader) csvError(err error) error {
	var se *csvSyntaxError
	if errors.As(err, &se) {
		return &Error{Line: se.line, Code: CodeSyntax, Msg: fmt.Sprintf("malformed CSV at character %d: %v", se.column, se.err)}
	}
	return err
}

// fields1 is "1 field" or "N fields".
func fields1(n int) string {
	if n == 1 {
		return "1 field"
	}
	return fmt.Sprintf("%d fields", n)
}
