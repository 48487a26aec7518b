package asl

import (
	"errors"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// parseJSON decodes one JSON document into the generic values the engine
// uses (map[string]any, []any, string, json.Number, bool, nil), like
// encoding/json with UseNumber, and also reports duplicate state names,
// which encoding/json would silently collapse into the last one. A syntax
// error is reported with its line and column.
func parseJSON(data []byte) (any, []Diagnostic, error) {
	var dups []Diagnostic
	d := jsonvalue.Decoder{Duplicate: func(path []jsonvalue.Segment, key string) {
		if inStates(path) {
			dups = append(dups, Diagnostic{
				Severity: SeverityError, Code: CodeDuplicateStateName,
				Message: "Duplicate State name: " + key, Location: location(path, key),
			})
		}
	}}
	v, err := d.Decode(data)
	if serr := (*jsonvalue.SyntaxError)(nil); errors.As(err, &serr) {
		line, col := jsonvalue.Position(data, serr.Offset)
		return nil, nil, &jsonSyntaxError{msg: serr.Msg, line: line, col: col}
	}
	if err != nil {
		return nil, nil, err
	}
	return v, dups, nil
}

type jsonSyntaxError struct {
	msg       string
	line, col int
}

func (e *jsonSyntaxError) Error() string {
	return e.msg + " at line " + strconv.Itoa(e.line) + ", column " + strconv.Itoa(e.col)
}

// inStates reports whether the object at path is a States object: the
// value of "States" at the top level, in a Parallel branch, or in a Map's
// ItemProcessor or Iterator.
func inStates(path []jsonvalue.Segment) bool {
	n := len(path)
	if n == 0 || path[n-1].Index >= 0 || path[n-1].Key != "States" {
		return false
	}
	switch {
	case n == 1:
		return true
	case path[n-2].Index < 0 && (path[n-2].Key == "ItemProcessor" || path[n-2].Key == "Iterator"):
		return true
	case n >= 3 && path[n-2].Index >= 0 && path[n-3].Index < 0 && path[n-3].Key == "Branches":
		return true
	}
	return false
}

// location renders path and key as a diagnostic location: /States/A,
// /States/P/Branches[0]/States/B.
func location(path []jsonvalue.Segment, key string) string {
	var b strings.Builder
	for _, seg := range path {
		if seg.Index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(seg.Index))
			b.WriteByte(']')
			continue
		}
		b.WriteByte('/')
		b.WriteString(seg.Key)
	}
	b.WriteByte('/')
	b.WriteString(key)
	return b.String()
}
