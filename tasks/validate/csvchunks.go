package validate

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strings"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/records"
	"github.com/sluicehq/sluice/tasks/schema"
)

// Plain CSV takes a faster path than the records reader, with the same report. One goroutine reads the
// object into buffers (which the meter's digester hashes beside, without a copy) and cuts them into
// chunks of whole records; the workers check chunks in parallel; the calling goroutine merges the
// chunks' problems in object order. A worker splits and checks the rows of a chunk in place (unquoting
// a quoted field with doubled quotes into a scratch buffer); a chunk with a quoted field over several
// lines goes through a records reader of its own, given the header row and the chunk, which reads the
// chunk's records as it would in the object since a chunk starts and ends a record. From the first chunk where either meets something else (bad UTF-8, a record over the size
// limit, malformed quotes), or that would pass the dataset's maxRows, or that the source ended with an
// error other than io.EOF, one records reader takes the rest of the object (scan), its stream the
// header row then the object's bytes from that chunk on, its line numbers shifted to the object's: the
// records reader is the definition, and reports what it meets as it would have from the object's start.
// One field may differ: an object stopped at maxRows reports no digest and, as Bytes, the bytes read
// when it stopped, which depend on how far the reading ran ahead of the checks (as they did before).
//
// A chunk ends after a line feed that ends a line which is not blank and has an even number of quotes
// before it in the chunk: in well-formed records quotes come in pairs, so that line feed is outside a
// quoted field and ends a record, and the next record (with the blank lines before it, which count
// toward its size) starts the next chunk. Before malformed records the cut may fall anywhere; the
// records reader then takes over at the chunk where they start, which does start a record.

// chunkBytes is the size of the buffers the object is cut into.
const chunkBytes = 128 << 10

// fastCSV reports whether objects of type t with schema sch take scanCSV: plain CSV (not gzip) with a
// one-byte delimiter.
func fastCSV(t records.Type, sch *schema.Schema) bool {
	d := sch.Delimiter()
	return t.Format == records.CSV && !t.Gzip && d < utf8.RuneSelf && d != '"' && d != '\n' && d != '\r'
}

// chunk is a run of whole records of the object.
type chunk struct {
	buf   []byte // the buffer data lies in, reused once the chunk is merged and the digester is done with it
	seq   int    // the meter's blocks that hold bytes of buf: buf is the digester's until it has done seq
	data  []byte
	final bool // the object ends with data (the source said io.EOF)
	rest  bool // data is what the reader could not cut (a record longer than the limit, or the source failed): the records reader takes over here

	// Filled by a worker.
	simple   bool  // checked here; false when data holds what only the records reader judges
	lines    int64 // line feeds in data
	rows     int64
	problems []tasks.Problem // the first tasks.MaxReportedProblems, Line counted from 0 at the chunk's start
	count    int64
	done     chan struct{}
}

func (c *chunk) add(p tasks.Problem) {
	c.count++
	if len(c.problems) < tasks.MaxReportedProblems {
		c.problems = append(c.problems, p)
	}
}

// csvScan is one object's run of the CSV path.
type csvScan struct {
	m           *meter
	sch         *schema.Schema
	header      []byte // the object up to the end of the header row
	headerLines int64  // line feeds in header
	delim       byte
	colOf       []int // header field -> schema column
	cols        []schema.Column
	maxRecord   int64
	bufSize     int
	stopped     atomic.Bool // the records reader took over: workers skip what is left
}

// scanCSV checks a plain CSV object and fills rep, as scan does with a records reader.
func (h *Handler) scanCSV(ref tasks.ObjectRef, m *meter, typ records.Type, sch *schema.Schema, rep *report) error {
	bufSize := h.chunkBytes
	if m.size >= 0 && m.size+1 < int64(bufSize) {
		bufSize = int(m.size + 1) // one byte more than announced, to see the end
	}
	first := make([]byte, bufSize)
	n, rerr := m.readInto(first)
	first = first[:n]
	end, row, ok := simpleHeader(first, h.maxRecordBytes)
	for end < 0 && rerr == nil && int64(len(first)) <= h.maxRecordBytes+3 {
		// No line feed after the header yet: read on, as far as the record size limit.
		more := make([]byte, 2*len(first))
		n, rerr = m.readInto(more[copy(more, first):])
		first = more[:len(first)+n]
		end, row, ok = simpleHeader(first, h.maxRecordBytes)
	}
	opt := records.WithMaxRecordBytes(h.maxRecordBytes)
	if ok { // the records reader must accept the header row as it reads it in the object
		_, err := records.NewReader(bytes.NewReader(first[:end]), typ, sch, opt).Next()
		ok = errors.Is(err, io.EOF)
	}
	if !ok {
		h.handOvers.Add(1)
		rd := records.NewReader(io.MultiReader(bytes.NewReader(first), m), typ, sch, opt)
		return h.scan(ref, m, rd, sch, rep, resume{})
	}
	header := bytes.Clone(first[:end])
	headerLines := int64(bytes.Count(header, []byte{'\n'}))
	c := &csvScan{m: m, sch: sch, header: header, headerLines: headerLines, delim: byte(sch.Delimiter()), cols: sch.Columns,
		maxRecord: h.maxRecordBytes, bufSize: bufSize}
	for f := range bytes.SplitSeq(row, []byte{c.delim}) {
		c.colOf = append(c.colOf, sch.Index(strings.TrimSpace(string(f))))
	}

	workers := h.workers
	nbuf := 2*workers + 2
	order := make(chan *chunk, nbuf) // to the merger, in object order
	work := make(chan *chunk, nbuf)  // to the workers
	free := make(chan *chunk, nbuf)  // merged chunks, whose buffers the reader reuses
	stop := make(chan struct{})
	rest := make(chan []byte, 1) // what the reader read but did not hand out, once it has returned
	go func() {
		left := c.read(first, end, rerr, nbuf, order, work, free, stop)
		close(work)
		close(order)
		rest <- left
	}()
	for range workers {
		go func() {
			w := &csvWorker{values: make([]schema.Raw, len(c.cols))}
			for ch := range work {
				if !c.stopped.Load() {
					c.check(ch, w)
				}
				close(ch.done)
			}
		}()
	}

	line := headerLines + 1 // the line the next chunk starts on
	var rows int64
	maxRows := sch.Limits.MaxRows
	for ch := range order {
		<-ch.done
		if ch.rest || !ch.simple || maxRows > 0 && rows+ch.rows > maxRows {
			// The records reader takes over from this chunk's start.
			h.handOvers.Add(1)
			c.stopped.Store(true)
			close(stop)
			parts := []io.Reader{bytes.NewReader(header), bytes.NewReader(ch.data)}
			for ch := range order {
				parts = append(parts, bytes.NewReader(ch.data))
			}
			parts = append(parts, bytes.NewReader(<-rest), m)
			rd := records.NewReader(io.MultiReader(parts...), typ, sch, opt)
			return h.scan(ref, m, rd, sch, rep, resume{rows: rows, shift: line - (headerLines + 1)})
		}
		for _, p := range ch.problems {
			p.Line += line
			rep.add(p)
		}
		rep.ProblemCount += ch.count - int64(len(ch.problems))
		rows += ch.rows
		line += ch.lines
		if ch.final {
			<-rest // the reader is done with the meter
			rep.Rows, rep.Bytes, rep.SHA256 = rows, m.n, hex.EncodeToString(m.digest())
			return nil
		}
		free <- ch
	}
	return errors.New("validate: the CSV reader stopped without an ending") // unreachable
}

// simpleHeader finds the header row at the start of b: the first line that is not blank, after a byte
// order mark. ok is false unless the row ends with a line feed in b, within the record size limit, and
// has no quote; end is where the next record starts, row the header row without its line break. end is
// -1 when b holds no line feed after a line that is not blank.
func simpleHeader(b []byte, maxRecord int64) (end int, row []byte, ok bool) {
	start := 0
	if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		start = 3
	}
	for pos := start; ; {
		i := bytes.IndexByte(b[pos:], '\n')
		if i < 0 {
			return -1, nil, false
		}
		line := trimCR(b[pos : pos+i])
		pos += i + 1
		if len(line) > 0 {
			span := b[start:pos]
			if int64(len(span)) > maxRecord || bytes.IndexByte(span, '"') >= 0 || !utf8.Valid(span) {
				return 0, nil, false
			}
			return pos, line, true
		}
	}
}

// trimCR drops one carriage return at the end of a line, as the records reader does.
func trimCR(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1]
	}
	return line
}

// read cuts the object into chunks: buf[start:len(buf)] are the first bytes not handed out, err the
// error of the read that got them. It returns what it read but did not hand out when stopped.
func (c *csvScan) read(buf []byte, start int, err error, nbuf int, order, work chan<- *chunk, free <-chan *chunk, stop <-chan struct{}) []byte {
	made := 1
	emit := func(ch *chunk) {
		ch.seq = c.m.sent
		ch.done = make(chan struct{})
		order <- ch
		work <- ch
	}
	filled := len(buf)
	buf = buf[:cap(buf)]
	for {
		data := buf[start:filled]
		switch {
		case errors.Is(err, io.EOF):
			emit(&chunk{buf: buf, data: data, final: true})
			return nil
		case err != nil:
			emit(&chunk{buf: buf, data: data, rest: true})
			return nil
		}
		if cut := c.boundary(data); cut > 0 {
			emit(&chunk{buf: buf, data: data[:cut]})
			start += cut
			data = buf[start:filled]
		} else if int64(len(data)) > c.maxRecord {
			// No record ends within the limit: the records reader reports it (or what comes first).
			emit(&chunk{buf: buf, data: data, rest: true})
			return nil
		}
		select {
		case <-stop:
			return bytes.Clone(data)
		default:
		}
		// The bytes after the last chunk move to the start of another buffer, which the reader fills.
		var next []byte
		if start == 0 { // nothing was handed out, and the buffer is full: a longer one
			next = make([]byte, max(2*len(buf), c.bufSize))
		} else {
			var old *chunk
			select {
			case old = <-free:
			default:
				if made < nbuf {
					made++
				} else {
					select {
					case old = <-free:
					case <-stop:
						return bytes.Clone(data)
					}
				}
			}
			if old != nil {
				c.m.digested(old.seq)
				next = old.buf
			}
			if cap(next) < len(data)+max(c.bufSize/2, 1) { // room to read into
				next = make([]byte, max(c.bufSize, 2*len(data)))
			}
		}
		next = next[:cap(next)]
		filled = copy(next, data)
		buf, start = next, 0
		var n int
		n, err = c.m.readInto(buf[filled:])
		filled += n
	}
}

// boundary returns the end of the last line feed in data that ends a line which is not blank and has
// an even number of quotes before it (0 when there is none). data starting a record, such a line feed
// ends one, unless the records before it are malformed: quotes in well-formed records come in pairs
// (opening and closing, or doubled), so an even count puts the line feed outside a quoted field.
func (c *csvScan) boundary(data []byte) int {
	quotes, at := 0, -1 // the quotes in data[:at]; at is -1 until they are counted
	end := len(data)
	for {
		i := bytes.LastIndexByte(data[:end], '\n')
		if i < 0 {
			return 0
		}
		j := bytes.LastIndexByte(data[:i], '\n') + 1
		if len(trimCR(data[j:i])) > 0 {
			if at < 0 {
				quotes = bytes.Count(data[:i], []byte{'"'})
			} else {
				quotes -= bytes.Count(data[i:at], []byte{'"'})
			}
			at = i
			if quotes%2 == 0 {
				return i + 1
			}
		}
		end = j
	}
}

// check splits and checks the records of a chunk, as the records reader and checkBatch would, unless
// the chunk has a quote, bad UTF-8 or a record over the size limit (then it leaves simple false).
func (c *csvScan) check(ch *chunk, w *csvWorker) {
	ch.simple, ch.lines, ch.rows, ch.problems, ch.count = false, 0, 0, ch.problems[:0], 0
	data := ch.data
	if ch.rest || !utf8.Valid(data) {
		return
	}
	quotes := bytes.IndexByte(data, '"') >= 0
	values := w.values
	for i := range values {
		values[i] = schema.Raw{} // columns absent from the header stay missing in every row
	}
	cols, colOf := c.cols, c.colOf
	var line int64 // from 0 at the chunk's start
	recStart := 0  // where the record being read started: after the last record, before blank lines
	for pos := 0; pos < len(data); {
		end, next := len(data), len(data)
		if i := bytes.IndexByte(data[pos:], '\n'); i >= 0 {
			end, next = pos+i, pos+i+1
		}
		row := trimCR(data[pos:end])
		at := line
		if end < next {
			line++
		}
		pos = next
		if len(row) == 0 { // a blank line: skipped
			continue
		}
		if int64(next-recStart) > c.maxRecord {
			return // the records reader reports it
		}
		recStart = next
		ch.rows++
		var n int
		if quotes && bytes.IndexByte(row, '"') >= 0 {
			var ok bool
			if n, ok = c.splitQuoted(row, w); !ok { // a quoted field goes on on the next line, or bad quotes
				c.checkQuoted(ch)
				return
			}
		} else {
			n = c.split(row, values)
		}
		if n != len(colOf) {
			ch.add(tasks.Problem{Line: at, Code: records.CodeColumns, Message: fmt.Sprintf("the row has %s, the header %d", fieldCount(n), len(colOf))})
			continue
		}
		for j := range cols {
			if err := cols[j].CheckUTF8(values[j]); err != nil { // the chunk is valid UTF-8
				p := tasks.Problem{Line: at, Column: cols[j].Name, Code: schema.CodeType, Message: strings.Clone(err.Error())}
				var ve *schema.ValueError
				if errors.As(err, &ve) {
					p.Code = ve.Code
				}
				ch.add(p)
			}
		}
	}
	for i := range values {
		values[i] = schema.Raw{} // keep nothing of the buffer
	}
	ch.lines, ch.simple = line, true
}

// checkQuoted checks a chunk with quotes: the records reader reads the header row and the chunk, as it
// would read them in the object (the chunk starts and ends a record), and the values are checked as
// checkBatch does. Any error of the reader leaves simple false: the records reader judges the object
// from this chunk on.
func (c *csvScan) checkQuoted(ch *chunk) {
	ch.simple, ch.lines, ch.rows, ch.problems, ch.count = false, 0, 0, ch.problems[:0], 0
	rd := records.NewReader(io.MultiReader(bytes.NewReader(c.header), bytes.NewReader(ch.data)),
		records.Type{Format: records.CSV}, c.sch, records.WithMaxRecordBytes(c.maxRecord))
	first := c.headerLines + 1 // the reader's line of the chunk's first byte
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return
		}
		ch.rows++
		for _, p := range rec.Problems {
			p.Line -= first
			ch.add(p)
		}
		if rec.Values == nil {
			continue
		}
		for j := range c.cols {
			if err := c.cols[j].CheckUTF8(rec.Values[j]); err != nil { // the reader checked the encoding
				p := tasks.Problem{Line: rec.Line - first, Column: c.cols[j].Name, Code: schema.CodeType, Message: err.Error()}
				var ve *schema.ValueError
				if errors.As(err, &ve) {
					p.Code = ve.Code
				}
				ch.add(p)
			}
		}
	}
	ch.lines, ch.simple = int64(bytes.Count(ch.data, []byte{'\n'})), true
}

// csvWorker is what a worker reuses from chunk to chunk.
type csvWorker struct {
	values  []schema.Raw // one per schema column
	scratch []byte       // the unquoted text of a row's quoted fields with doubled quotes
}

// splitQuoted is split for a row with quotes, as the records reader reads it: a field that starts with a
// quote ends at the next quote that is not doubled, and a doubled quote reads as one. ok is false when
// the row does not end its record (a quoted field goes on on the next line) or is malformed (a quote in
// a field that does not start with one, text after a closing quote): then the records reader judges it.
func (c *csvScan) splitQuoted(row []byte, w *csvWorker) (n int, ok bool) {
	if cap(w.scratch) < len(row) {
		w.scratch = make([]byte, 0, 2*len(row))
	}
	buf := w.scratch[:0] // never reallocated: the unquoted text is shorter than the row
	values, colOf, d := w.values, c.colOf, c.delim
	for pos := 0; ; pos++ { // pos: the start of a field
		var f string
		if pos < len(row) && row[pos] == '"' {
			pos++
			seg, from := pos, -1 // from: where the field starts in buf once it has a doubled quote
			for {
				i := bytes.IndexByte(row[pos:], '"')
				if i < 0 {
					return n, false
				}
				pos += i + 1
				if pos < len(row) && row[pos] == '"' { // a doubled quote: keep one
					if from < 0 {
						from = len(buf)
					}
					buf = append(buf, row[seg:pos]...)
					pos++
					seg = pos
					continue
				}
				break
			}
			if from < 0 {
				f = bytesString(row[seg : pos-1])
			} else {
				buf = append(buf, row[seg:pos-1]...)
				f = bytesString(buf[from:])
			}
			if pos < len(row) && row[pos] != d {
				return n, false
			}
		} else {
			end := len(row)
			if i := bytes.IndexByte(row[pos:], d); i >= 0 {
				end = pos + i
			}
			if bytes.IndexByte(row[pos:end], '"') >= 0 {
				return n, false
			}
			f = bytesString(row[pos:end])
			pos = end
		}
		if n < len(colOf) {
			values[colOf[n]] = schema.Raw{Kind: schema.RawText, Text: f}
		}
		n++
		if pos >= len(row) {
			return n, true
		}
	}
}

// bytesString is b as a string without a copy. The string is only used while the chunk's buffer holds
// b unchanged (a buffer is reused only after its chunk is merged), and nothing made from it is kept:
// problem messages are cloned.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// fieldCount is "1 field" or "N fields", as the records reader words it.
func fieldCount(n int) string {
	if n == 1 {
		return "1 field"
	}
	return fmt.Sprintf("%d fields", n)
}

const lo7 = 0x7f7f7f7f7f7f7f7f

// zeroBytes marks exactly the zero bytes of x, with their high bit.
func zeroBytes(x uint64) uint64 { return ^((x&lo7 + lo7) | x | lo7) }

// split puts the fields of a row without quotes into values (by colOf, as far as it goes) and returns
// how many there are. It looks for the delimiter eight bytes at a time, each word once: fields are
// short, and a call to bytes.IndexByte per field costs more.
func (c *csvScan) split(row []byte, values []schema.Raw) int {
	colOf := c.colOf
	d := c.delim
	dd := 0x0101010101010101 * uint64(d)
	n, start, i := 0, 0, 0
	for ; i+8 <= len(row); i += 8 {
		for m := zeroBytes(binary.LittleEndian.Uint64(row[i:]) ^ dd); m != 0; m &= m - 1 {
			j := i + bits.TrailingZeros64(m)>>3
			if n < len(colOf) {
				values[colOf[n]] = schema.Raw{Kind: schema.RawText, Text: bytesString(row[start:j])}
			}
			n++
			start = j + 1
		}
	}
	for ; i < len(row); i++ {
		if row[i] == d {
			if n < len(colOf) {
				values[colOf[n]] = schema.Raw{Kind: schema.RawText, Text: bytesString(row[start:i])}
			}
			n++
			start = i + 1
		}
	}
	if n < len(colOf) {
		values[colOf[n]] = schema.Raw{Kind: schema.RawText, Text: bytesString(row[start:])}
	}
	return n + 1
}
