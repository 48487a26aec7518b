package records

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// textBufferSize is the size of the buffer between the source (or gzip) and a format parser.
// firstBufferSize is the size it starts at: a buffer doubles each time a read fills it, up to
// textBufferSize, so that a small object (most of a burst) costs a few KiB, not the whole buffer.
const (
	textBufferSize  = 64 << 10
	firstBufferSize = 4 << 10
)

var bom = []byte{0xef, 0xbb, 0xbf}

// textReader sits between the raw stream and a format parser. It checks that the stream is UTF-8 (a
// sequence split across reads is held back until complete), skips a leading byte order mark, counts lines
// and enforces the record size limit: it never delivers more than limit bytes, and the parser moves the
// limit forward at each record start (setRecordStart).
type textReader struct {
	r      io.Reader
	buf    []byte
	ready  []byte // validated bytes not yet delivered
	tail   int    // bytes at the end of buf[:filled] held back: an incomplete UTF-8 sequence
	filled int
	begun  bool // the byte order mark check is done

	offset int64 // bytes delivered
	line   int64 // 1 + line feeds delivered
	lines  *lineIndex
	limit  int64 // offset beyond which nothing is delivered
	max    int64 // the record size limit

	pending error // returned once ready is drained
	badUTF8 bool  // pending is an encoding problem, to be located when ready is drained
}

func newTextReader(r io.Reader, maxRecord int64, lines *lineIndex) *textReader {
	return &textReader{r: r, buf: make([]byte, firstBufferSize), line: 1, lines: lines, limit: maxRecord, max: maxRecord}
}

// setRecordStart moves the record size limit to maxRecord bytes past off, an offset in the delivered stream.
func (t *textReader) setRecordStart(off int64) { t.limit = off + t.max }

func (t *textReader) Read(p []byte) (int, error) {
	for len(t.ready) == 0 {
		if t.pending != nil {
			if t.badUTF8 {
				t.badUTF8 = false
				t.pending = &Error{Line: t.line, Code: CodeUTF8, Msg: "the text is not valid UTF-8"}
			}
			return 0, t.pending
		}
		t.fill()
	}
	room := t.limit - t.offset
	if room <= 0 {
		return 0, &Error{Line: t.line, Code: CodeRecordSize, Msg: fmt.Sprintf("a record is longer than %d bytes", t.max)}
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n := copy(p, t.ready)
	t.ready = t.ready[n:]
	t.offset += int64(n)
	if t.lines != nil {
		t.lines.add(t.offset-int64(n), p[:n])
	}
	t.line += int64(bytes.Count(p[:n], []byte{'\n'}))
	return n, nil
}

// fill reads once from the source and makes the next validated bytes ready, or sets pending.
func (t *textReader) fill() {
	if t.filled == len(t.buf) && len(t.buf) < textBufferSize { // the last read filled it: grow
		t.buf = append(t.buf, make([]byte, len(t.buf))...)
	}
	copy(t.buf, t.buf[t.filled-t.tail:t.filled])
	t.filled = t.tail
	n, err := t.r.Read(t.buf[t.filled:])
	t.filled += n
	data := t.buf[:t.filled]
	eof := errors.Is(err, io.EOF)
	if err != nil {
		t.pending = err
		if eof {
			t.pending = io.EOF
		}
	}
	start := 0
	if !t.begun {
		if len(data) < len(bom) && bytes.HasPrefix(bom, data) && err == nil {
			t.tail = len(data) // too short to tell yet
			return
		}
		t.begun = true
		if bytes.HasPrefix(data, bom) {
			start = len(bom)
		}
	}
	end := len(data)
	if !eof {
		end = completePrefix(data)
	}
	t.tail = len(data) - end
	chunk := data[start:end]
	if utf8.Valid(chunk) {
		t.ready = chunk
		if eof && t.tail > 0 { // the object ends inside a UTF-8 sequence
			t.pending, t.badUTF8, t.tail = errors.New("utf8"), true, 0
		}
		return
	}
	bad := firstInvalid(chunk)
	t.ready = chunk[:bad]
	t.pending, t.badUTF8, t.tail = errors.New("utf8"), true, 0
}

// completePrefix returns the length of data without a trailing incomplete UTF-8 sequence.
func completePrefix(data []byte) int {
	for i := len(data) - 1; i >= 0 && i >= len(data)-utf8.UTFMax+1; i-- {
		c := data[i]
		switch {
		case c < utf8.RuneSelf:
			return len(data)
		case c >= 0xc0: // a leading byte
			need := 2
			if c >= 0xf0 {
				need = 4
			} else if c >= 0xe0 {
				need = 3
			}
			if i+need > len(data) {
				return i
			}
			return len(data)
		}
	}
	return len(data) // let validation judge a run of continuation bytes
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// lineIndex maps offsets of the delivered stream to line numbers for a parser that reports offsets (the
// JSON decoder). It remembers only the line feeds not yet passed by a query, so its size is bounded by
// the parser's read-ahead; queries must not go backwards.
type lineIndex struct {
	line  int64   // line of the last queried offset
	feeds []int64 // offsets of line feeds; feeds[head:] are after the last queried offset
	head  int
}

func newLineIndex() *lineIndex { return &lineIndex{line: 1} }

func (l *lineIndex) add(off int64, b []byte) {
	if l.head > 0 && l.head == len(l.feeds) {
		l.feeds, l.head = l.feeds[:0], 0
	}
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return
		}
		l.feeds = append(l.feeds, off+int64(i+j))
		i += j + 1
	}
}

// at returns the 1-based line of the byte at offset off.
func (l *lineIndex) at(off int64) int64 {
	for l.head < len(l.feeds) && l.feeds[l.head] < off {
		l.head++
		l.line++
	}
	if l.head > 1024 && l.head > len(l.feeds)/2 {
		n := copy(l.feeds, l.feeds[l.head:])
		l.feeds, l.head = l.feeds[:n], 0
	}
	return l.line
}
