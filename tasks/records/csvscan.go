package records

import (
	"bytes"
	"errors"
	"io"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sluicehq/sluice/tasks/schema"
)

// csvScanner splits CSV text into records (RFC 4180: fields separated by the delimiter, records by
// LF or CRLF, fields optionally enclosed in double quotes, a quote inside a quoted field doubled). It
// follows encoding/csv with LazyQuotes off: empty lines are skipped, CRLF inside a quoted field reads as
// LF, a quote inside an unquoted field and text after a closing quote are errors. It is faster than
// encoding/csv for the common case: the complete lines of each read from the source become one string
// (one allocation per read, not per line or field), and the fields of a line without quotes are
// substrings of it. The block's quotes are looked for once (a line before the block's next quote has
// none), and such a line is split eight bytes at a time, straight into a record's values (readInto). Like bufio.Reader.ReadSlice, it reads from the source only when no complete line is
// buffered, so the text reader's record size limit sees the same reads.
type csvScanner struct {
	r        io.Reader
	pending  []byte // bytes read after the last line feed: the start of an incomplete line
	full     bool   // the last read filled pending to its capacity
	block    string // complete lines not yet returned (and the last line, once the source has ended)
	err      error  // the source's error, returned once block is drained
	delim    string
	delim1   int   // the delimiter as a byte, or -1 when it takes more than one
	line     int64 // lines read
	consumed int64 // bytes of the lines read
	empty    int   // consecutive reads that returned nothing
	quote    int   // index in block of its first double quote, -1 when it has none
	plain    bool  // the line readLine returned last has no double quote
	buf      []byte
	ends     []int
	fields   []string
}

// maxEmptyReads is how many consecutive empty reads mean that the source is broken (as in bufio).
const maxEmptyReads = 100

// errBareQuote and errQuote match encoding/csv's messages.
var (
	errBareQuote = errors.New(`bare " in non-quoted-field`)
	errQuote     = errors.New(`extraneous or missing " in quoted-field`)
)

// csvSyntaxError is a malformed record.
type csvSyntaxError struct {
	line, column int64 // column: 1-based byte index in the line
	err          error
}

func (e *csvSyntaxError) Error() string { return e.err.Error() }

func newCSVScanner(r io.Reader, delim rune) *csvScanner {
	c := &csvScanner{r: r, pending: make([]byte, 0, firstBufferSize), delim: string(delim), delim1: -1, quote: -1}
	if delim < utf8.RuneSelf {
		c.delim1 = int(delim)
	}
	return c
}

// readLine returns the next physical line without its LF or CRLF; io.EOF only when nothing is left.
// It sets plain when the line has no double quote: the block's first quote, found once per quote
// rather than once per line, lies beyond it.
func (c *csvScanner) readLine() (string, error) {
	for {
		if i := strings.IndexByte(c.block, '\n'); i >= 0 {
			return c.take(i+1, i), nil
		}
		if c.block != "" { // the last line of the text, without a line feed
			return c.take(len(c.block), len(c.block)), nil
		}
		if c.err != nil {
			return "", c.err
		}
		c.fill()
	}
}

// take consumes n bytes of block and returns the first end of them, less a trailing CR.
func (c *csvScanner) take(n, end int) string {
	line := c.block[:end]
	c.plain = c.quote < 0 || c.quote >= end
	c.block = c.block[n:]
	if c.quote >= 0 {
		if c.quote -= n; c.quote < 0 {
			c.quote = strings.IndexByte(c.block, '"')
		}
	}
	c.consumed += int64(n)
	c.line++
	if k := len(line); k > 0 && line[k-1] == '\r' { // CRLF, or a CR just before the end of the text
		line = line[:k-1]
	}
	return line
}

// fill reads once from the source into pending and moves its complete lines into block (block is
// empty). At the end of the source, the rest of pending is the last line; after any other error it is
// dropped.
func (c *csvScanner) fill() {
	if len(c.pending) == cap(c.pending) || c.full && cap(c.pending) < textBufferSize {
		// A line longer than the buffer, or the last read filled it (a buffer starts small).
		c.pending = slices.Grow(c.pending, cap(c.pending))
	}
	old := len(c.pending)
	n, err := c.r.Read(c.pending[old:cap(c.pending)])
	c.full = old+n == cap(c.pending)
	if n == 0 && err == nil {
		if c.empty++; c.empty >= maxEmptyReads {
			err = io.ErrNoProgress
		}
	} else {
		c.empty = 0
	}
	c.pending = c.pending[:old+n]
	if i := bytes.LastIndexByte(c.pending[old:], '\n'); i >= 0 {
		cut := old + i + 1
		c.block = string(c.pending[:cut])
		c.pending = c.pending[:copy(c.pending, c.pending[cut:])]
	}
	if err != nil {
		c.err = err
		if errors.Is(err, io.EOF) && len(c.pending) > 0 {
			c.block += string(c.pending)
		}
		c.pending = c.pending[:0]
	}
	c.quote = strings.IndexByte(c.block, '"')
}

// read returns the fields of the next record and the line it starts on. The fields are valid until
// the next call.
func (c *csvScanner) read() ([]string, int64, error) {
	for {
		line, err := c.readLine()
		if err != nil {
			return nil, 0, err
		}
		if len(line) == 0 {
			continue
		}
		start := c.line
		if c.plain && c.delim1 >= 0 {
			c.fields = splitPlain(c.fields[:0], line, byte(c.delim1))
			return c.fields, start, nil
		}
		if fields, ok := c.split(line); ok {
			return fields, start, nil
		}
		fields, err := c.quoted(line)
		return fields, start, err
	}
}

// readInto is read for a record's values: it puts the fields of the next record as text values into
// values, the field at position i into values[colOf[i]] as far as colOf goes, and returns how many
// fields the record has (a count other than len(colOf) leaves values partly written) and the line it
// starts on. A line without quotes, with a one-byte delimiter, is split straight into values.
func (c *csvScanner) readInto(values []schema.Raw, colOf []int) (int, int64, error) {
	for {
		line, err := c.readLine()
		if err != nil {
			return 0, 0, err
		}
		if len(line) == 0 {
			continue
		}
		start := c.line
		if c.plain && c.delim1 >= 0 {
			return splitInto(line, byte(c.delim1), values, colOf), start, nil
		}
		fields, ok := c.split(line)
		if !ok {
			if fields, err = c.quoted(line); err != nil {
				return 0, start, err
			}
		}
		if len(fields) == len(colOf) {
			for i, f := range fields {
				values[colOf[i]] = schema.Raw{Kind: schema.RawText, Text: f}
			}
		}
		return len(fields), start, nil
	}
}

// splitInto splits a line without quotes at the one-byte delimiter d into values by colOf (as far as
// colOf goes) and returns the number of fields. It looks at the line eight bytes at a time and takes
// every delimiter of a word from the one mask, as splitPlain does.
func splitInto(s string, d byte, values []schema.Raw, colOf []int) int {
	dd := swarOnes * uint64(d)
	n, start, i := 0, 0, 0
	for ; i+8 <= len(s); i += 8 {
		for m := exactZero(load64(s, i) ^ dd); m != 0; m &= m - 1 {
			j := i + bits.TrailingZeros64(m)>>3
			if n < len(colOf) {
				values[colOf[n]] = schema.Raw{Kind: schema.RawText, Text: s[start:j]}
			}
			n++
			start = j + 1
		}
	}
	for ; i < len(s); i++ {
		if s[i] == d {
			if n < len(colOf) {
				values[colOf[n]] = schema.Raw{Kind: schema.RawText, Text: s[start:i]}
			}
			n++
			start = i + 1
		}
	}
	if n < len(colOf) {
		values[colOf[n]] = schema.Raw{Kind: schema.RawText, Text: s[start:]}
	}
	return n + 1
}

// splitPlain appends the fields of a line without quotes, split at the one-byte delimiter d, to dst:
// splitInto's loop for a caller that wants the fields as strings (the header).
func splitPlain(dst []string, s string, d byte) []string {
	dd := swarOnes * uint64(d)
	start, i := 0, 0
	for ; i+8 <= len(s); i += 8 {
		for m := exactZero(load64(s, i) ^ dd); m != 0; m &= m - 1 {
			j := i + bits.TrailingZeros64(m)>>3
			dst = append(dst, s[start:j])
			start = j + 1
		}
	}
	for ; i < len(s); i++ {
		if s[i] == d {
			dst = append(dst, s[start:i])
			start = i + 1
		}
	}
	return append(dst, s[start:])
}

// split splits a line that has no quotes into its fields; ok is false when it has quotes. With a one-byte
// delimiter it makes one pass over the line, eight bytes at a time, for the delimiter and the quote
// together (fields are short: a call to IndexByte per field costs more).
func (c *csvScanner) split(s string) (fields []string, ok bool) {
	c.fields = c.fields[:0]
	if c.delim1 < 0 {
		if strings.IndexByte(s, '"') >= 0 {
			return nil, false
		}
		for {
			i := strings.Index(s, c.delim)
			if i < 0 {
				return append(c.fields, s), true
			}
			c.fields = append(c.fields, s[:i])
			s = s[i+len(c.delim):]
		}
	}
	d := byte(c.delim1)
	dd, qq := swarOnes*uint64(d), swarOnes*uint64('"')
	start, i := 0, 0
	for {
		for i+8 <= len(s) {
			if m := swarZero(load64(s, i)^dd) | swarZero(load64(s, i)^qq); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				goto found
			}
			i += 8
		}
		for i < len(s) && s[i] != d && s[i] != '"' {
			i++
		}
		if i == len(s) {
			return append(c.fields, s[start:]), true
		}
	found:
		if s[i] == '"' {
			return nil, false
		}
		c.fields = append(c.fields, s[start:i])
		i++
		start = i
	}
}

const swarOnes = 0x0101010101010101

// swarZero marks the bytes of x that are zero with their high bit; the lowest mark is always exact
// (a byte above a zero byte may be marked too, which the callers never look at).
func swarZero(x uint64) uint64 { return (x - swarOnes) &^ x & (swarOnes << 7) }

// exactZero marks exactly the zero bytes of x with their high bit: no byte carries into the next, so a
// mask may hold several true marks and no false one.
func exactZero(x uint64) uint64 {
	const low7 = 0x7f7f7f7f7f7f7f7f
	return ^((x&low7 + low7) | x | low7)
}

// load64 reads s[i:i+8] as a little-endian word.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// quoted parses a record that has quotes, reading more lines while a quoted field spans them.
func (c *csvScanner) quoted(s string) ([]string, error) {
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	lineStart := 0 // index in s of the current line's start (s is one line at a time)
	pos := 0
	for {
		if pos < len(s) && s[pos] == '"' { // a quoted field
			pos++
			for {
				i := strings.IndexByte(s[pos:], '"')
				if i < 0 { // the field goes on on the next line
					c.buf = append(c.buf, s[pos:]...)
					c.buf = append(c.buf, '\n')
					next, err := c.readLine()
					if errors.Is(err, io.EOF) {
						return nil, &csvSyntaxError{line: c.line, column: int64(len(s) - lineStart + 1), err: errQuote}
					}
					if err != nil {
						return nil, err
					}
					s, pos, lineStart = next, 0, 0
					continue
				}
				c.buf = append(c.buf, s[pos:pos+i]...)
				pos += i + 1
				if pos < len(s) && s[pos] == '"' { // a doubled quote
					c.buf = append(c.buf, '"')
					pos++
					continue
				}
				break
			}
			c.ends = append(c.ends, len(c.buf))
			switch {
			case pos == len(s):
				return c.fieldsOf(), nil
			case strings.HasPrefix(s[pos:], c.delim):
				pos += len(c.delim)
				continue
			}
			return nil, &csvSyntaxError{line: c.line, column: int64(pos - lineStart + 1), err: errQuote}
		}
		// An unquoted field.
		end := len(s)
		if i := strings.Index(s[pos:], c.delim); i >= 0 {
			end = pos + i
		}
		if q := strings.IndexByte(s[pos:end], '"'); q >= 0 {
			return nil, &csvSyntaxError{line: c.line, column: int64(pos + q - lineStart + 1), err: errBareQuote}
		}
		c.buf = append(c.buf, s[pos:end]...)
		c.ends = append(c.ends, len(c.buf))
		if end == len(s) {
			return c.fieldsOf(), nil
		}
		pos = end + len(c.delim)
	}
}

func (c *csvScanner) fieldsOf() []string {
	all := string(c.buf)
	c.fields = c.fields[:0]
	prev := 0
	for _, e := range c.ends {
		c.fields = append(c.fields, all[prev:e])
		prev = e
	}
	return c.fields
}
