package records

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
)

// csvScanner splits CSV text into records (RFC 4180: fields separated by the delimiter, records by
// LF or CRLF, fields optionally enclosed in double quotes, a quote inside a quoted field doubled). It
// follows encoding/csv with LazyQuotes off: empty lines are skipped, CRLF inside a quoted field reads as
// LF, a quote inside an unquoted field and text after a closing quote are errors. It is faster than
// encoding/csv for the common case: a line without quotes becomes one string, and its fields are
// substrings of it.
type csvScanner struct {
	br       *bufio.Reader
	delim    string
	line     int64 // lines read
	consumed int64 // bytes read from br
	long     []byte
	buf      []byte
	ends     []int
	fields   []string
}

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
	return &csvScanner{br: bufio.NewReaderSize(r, textBufferSize), delim: string(delim)}
}

// readLine returns the next physical line without its LF or CRLF; io.EOF only when nothing is left.
func (c *csvScanner) readLine() ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		c.long = append(c.long[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = c.br.ReadSlice('\n')
			c.long = append(c.long, line...)
		}
		line = c.long
	}
	if err != nil && !(errors.Is(err, io.EOF) && len(line) > 0) {
		return nil, err
	}
	c.consumed += int64(len(line))
	c.line++
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' { // CRLF, or a CR just before the end of the text
		line = line[:n-1]
	}
	return line, nil
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
		if bytes.IndexByte(line, '"') < 0 {
			return c.split(string(line)), start, nil
		}
		fields, err := c.quoted(line)
		return fields, start, err
	}
}

func (c *csvScanner) split(s string) []string {
	c.fields = c.fields[:0]
	for {
		i := strings.Index(s, c.delim)
		if i < 0 {
			return append(c.fields, s)
		}
		c.fields = append(c.fields, s[:i])
		s = s[i+len(c.delim):]
	}
}

// quoted parses a record that has quotes, reading more lines while a quoted field spans them.
func (c *csvScanner) quoted(s []byte) ([]string, error) {
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	lineStart := 0 // index in s of the current line's start (s is one line at a time)
	pos := 0
	for {
		if pos < len(s) && s[pos] == '"' { // a quoted field
			pos++
			for {
				i := bytes.IndexByte(s[pos:], '"')
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
			case bytes.HasPrefix(s[pos:], []byte(c.delim)):
				pos += len(c.delim)
				continue
			}
			return nil, &csvSyntaxError{line: c.line, column: int64(pos - lineStart + 1), err: errQuote}
		}
		// An unquoted field.
		end := len(s)
		if i := bytes.Index(s[pos:], []byte(c.delim)); i >= 0 {
			end = pos + i
		}
		if q := bytes.IndexByte(s[pos:end], '"'); q >= 0 {
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
