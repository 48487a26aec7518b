package process

import (
	"strings"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/schema"
)

// columnStats accumulates the statistics of one output column: how many values are not null (count) and
// null (nulls), and the least and greatest value in the column's own order (schema.Compare: numbers by
// value, dates and timestamps in time order, strings by bytes, false before true).
type columnStats struct {
	count, nulls int64
	min, max     schema.Value
}

func (s *columnStats) add(v schema.Value) {
	if v.Kind == schema.KindNull {
		s.nulls++
		return
	}
	s.count++
	switch {
	case s.count == 1:
		s.min, s.max = own(v), own(v)
	case schema.Compare(v, s.min) < 0:
		s.min = own(v)
	case schema.Compare(v, s.max) > 0:
		s.max = own(v)
	}
}

// own returns v with a string of its own, so that a kept minimum or maximum never pins a reader's buffer.
func own(v schema.Value) schema.Value {
	v.Str = strings.Clone(v.Str)
	return v
}

// result is the contract's form: Min and Max as JSON values of the column's type, absent when every value
// is null.
func (s *columnStats) result(name string) tasks.ColumnStats {
	out := tasks.ColumnStats{Name: name, Count: s.count, Nulls: s.nulls}
	if s.count > 0 {
		out.Min, out.Max = s.min.AppendJSON(nil), s.max.AppendJSON(nil)
	}
	return out
}
