package validate

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/records"
	"github.com/sluicehq/sluice/tasks/schema"
)

// The object is checked by a pipeline: one goroutine reads it (S3 body, decompression, parsing; the
// meter digests the body in a goroutine of its own) and hands batches of records to worker goroutines
// that check the values; the calling goroutine merges the batches' problems in object order, so that
// the report is the same as a sequential check would make. At most inFlight+2 batches exist at a time (they are reused), which bounds memory.

// batchRecords is the number of records per batch.
const batchRecords = 256

type indexedProblem struct {
	record int
	tasks.Problem
}

type batch struct {
	// Filled by the reader.
	lines      []int64
	hasValues  []bool
	values     []schema.Raw // len(lines) * columns
	structural []indexedProblem
	end        *ending // set on the last batch only, which carries no records

	// Filled by a worker.
	problems []tasks.Problem // the first tasks.MaxReportedProblems
	count    int64
	done     chan struct{}
}

func (b *batch) reset() {
	b.lines, b.hasValues, b.values, b.structural = b.lines[:0], b.hasValues[:0], b.values[:0], b.structural[:0]
	b.problems, b.count, b.end = b.problems[:0], 0, nil
	b.done = make(chan struct{})
}

func (b *batch) add(p tasks.Problem) {
	b.count++
	if len(b.problems) < tasks.MaxReportedProblems {
		b.problems = append(b.problems, p)
	}
}

// ending is how reading ended.
type ending struct {
	rows     int64
	bytes    int64
	sha256   string // empty when the object was not read to its end
	problems []tasks.Problem
	err      error
}

// resume is where the records reader of scan starts in the object: the rows already counted before
// it, and what to add to the line numbers it reports (its stream may begin with a copy of the header
// followed by the object's bytes from a later record on: see scanCSV).
type resume struct {
	rows  int64
	shift int64
}

// scan runs the pipeline and fills rep.
func (h *Handler) scan(ref tasks.ObjectRef, m *meter, rd *records.Reader, sch *schema.Schema, rep *report, at resume) error {
	workers := h.workers
	inFlight := 2*workers + 2
	queue := make(chan *batch, inFlight)  // to the merger, in object order
	work := make(chan *batch, inFlight)   // to the workers
	free := make(chan *batch, inFlight+2) // room for every batch the reader makes
	go func() {
		read(ref, m, rd, sch, at, queue, work, free)
		close(work)
	}()
	for range workers {
		go func() {
			for b := range work {
				checkBatch(b, sch.Columns)
				close(b.done)
			}
		}()
	}
	for b := range queue {
		if b.end != nil {
			e := b.end
			for _, p := range e.problems {
				rep.add(p)
			}
			rep.Rows, rep.Bytes, rep.SHA256 = e.rows, e.bytes, e.sha256
			// Drain what is left (nothing, when the reader ends with this batch) and return.
			for range queue {
			}
			return e.err
		}
		<-b.done
		for _, p := range b.problems {
			rep.add(p)
		}
		rep.ProblemCount += b.count - int64(len(b.problems))
		free <- b
	}
	return errors.New("validate: the reader stopped without an ending") // unreachable
}

// read is the reading stage: it sends batches to both queue and work, then the ending to queue.
func read(ref tasks.ObjectRef, m *meter, rd *records.Reader, sch *schema.Schema, at resume, queue, work chan<- *batch, free chan *batch) {
	defer close(queue)
	cols := len(sch.Columns)
	maxRows := sch.Limits.MaxRows
	rows := at.rows
	made := 0 // batches made: at most cap(free), then the reader waits for one to come back
	next := func() *batch {
		var b *batch
		select {
		case b = <-free:
		default:
			if made < cap(free) {
				b = &batch{}
				made++
			} else {
				b = <-free
			}
		}
		b.reset()
		return b
	}
	b := next()
	flush := func() {
		if len(b.lines) > 0 {
			queue <- b
			work <- b
			b = next()
		}
	}
	finish := func(e ending) {
		flush()
		for i := range e.problems {
			e.problems[i].Line = at.line(e.problems[i].Line)
		}
		e.rows = rows
		b.end = &e
		queue <- b
	}
	for {
		rec, err := rd.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				finish(ending{bytes: m.n, sha256: hex.EncodeToString(m.digest())})
				return
			}
			var (
				re  *records.Error
				he  *records.HeaderError
				src *records.SourceError
			)
			var problems []tasks.Problem
			switch {
			case errors.As(err, &re):
				problems = []tasks.Problem{re.Problem()}
			case errors.As(err, &he):
				problems = slices.Clone(he.Problems)
			case errors.Is(err, errTooBig):
				finish(ending{bytes: m.n, problems: []tasks.Problem{tooBig(sch.Limits.MaxBytes)}})
				return // the digest of a part of the object means nothing
			case errors.As(err, &src):
				finish(ending{err: tasks.ClassifyObject("read "+ref.Key, ref, src.Err)})
				return
			default:
				finish(ending{err: fmt.Errorf("read %s: %w", ref.Key, err)})
				return
			}
			// The object is malformed: read the rest only to count and digest it.
			if _, err := io.Copy(io.Discard, m); err != nil {
				if errors.Is(err, errTooBig) {
					finish(ending{bytes: m.n, problems: append(problems, tooBig(sch.Limits.MaxBytes))})
					return
				}
				finish(ending{err: tasks.ClassifyObject("read "+ref.Key, ref, err)})
				return
			}
			finish(ending{bytes: m.n, sha256: hex.EncodeToString(m.digest()), problems: problems})
			return
		}
		if maxRows > 0 && rows >= maxRows {
			finish(ending{bytes: m.n, problems: []tasks.Problem{{Line: rec.Line, Code: CodeMaxRows,
				Message: fmt.Sprintf("the object has more than the dataset's limit of %d rows", maxRows)}}})
			return
		}
		rows++
		i := len(b.lines)
		b.lines = append(b.lines, at.line(rec.Line))
		b.hasValues = append(b.hasValues, rec.Values != nil)
		if rec.Values != nil {
			b.values = append(b.values, rec.Values...)
		} else {
			for range cols {
				b.values = append(b.values, schema.Raw{})
			}
		}
		for _, p := range rec.Problems {
			p.Line = at.line(p.Line)
			b.structural = append(b.structural, indexedProblem{record: i, Problem: p})
		}
		if len(b.lines) == batchRecords {
			flush()
		}
	}
}

// line turns a line number of the reader's stream into one of the object; 0 (no line) stays 0.
func (at resume) line(n int64) int64 {
	if n <= 0 {
		return n
	}
	return n + at.shift
}

// checkBatch checks every value of a batch, recording problems in object order: a record's structural
// problems, then its values' problems column by column.
func checkBatch(b *batch, cols []schema.Column) {
	s := 0
	for i, line := range b.lines {
		for ; s < len(b.structural) && b.structural[s].record == i; s++ {
			b.add(b.structural[s].Problem)
		}
		if !b.hasValues[i] {
			continue
		}
		row := b.values[i*len(cols) : (i+1)*len(cols)]
		for j := range cols {
			if err := cols[j].CheckUTF8(row[j]); err != nil { // the reader checked the encoding
				p := tasks.Problem{Line: line, Column: cols[j].Name, Code: schema.CodeType, Message: err.Error()}
				var ve *schema.ValueError
				if errors.As(err, &ve) {
					p.Code = ve.Code
				}
				b.add(p)
			}
		}
	}
}
