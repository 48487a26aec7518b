package records

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/schema"
)

type jsonState struct {
	dec   *json.Decoder
	lines *lineIndex // JSON array: offsets to lines

	// JSON Lines
	br     *bufio.Reader
	line   int64
	buf    []byte
	lineRd bytes.Reader
}

// maxQuoted bounds how much of a member name a problem repeats.
const maxQuoted = 64

func quote(s string) string {
	if len(s) > maxQuoted {
		cut := maxQuoted
		for cut > 0 && s[cut]&0xc0 == 0x80 {
			cut--
		}
		return strconv.Quote(s[:cut]) + "..."
	}
	return strconv.Quote(s)
}

// --- JSON Lines ---

func (r *Reader) startJSONL() error {
	r.json.br = bufio.NewReaderSize(r.text, textBufferSize)
	r.next = r.nextJSONL
	return nil
}

func (r *Reader) nextJSONL() error {
	for {
		r.text.setRecordStart(r.text.offset - int64(r.json.br.Buffered()))
		line, err := r.readLine()
		if err != nil {
			return err
		}
		r.json.line++
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		r.json.lineRd.Reset(line)
		r.json.dec = json.NewDecoder(&r.json.lineRd)
		r.json.dec.UseNumber()
		r.rec.Line = r.json.line
		if err := r.readObject(); err != nil {
			return err
		}
		if _, err := r.json.dec.Token(); !errors.Is(err, io.EOF) {
			r.rec.Values = nil
			r.rec.Problems = append(r.rec.Problems, tasks.Problem{Line: r.json.line, Code: CodeSyntax,
				Message: "more than one JSON value on the line"})
		}
		return nil
	}
}

// readLine returns the next line without its line feed; io.EOF only when nothing is left.
func (r *Reader) readLine() ([]byte, error) {
	line, err := r.json.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		r.json.buf = append(r.json.buf[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = r.json.br.ReadSlice('\n')
			r.json.buf = append(r.json.buf, line...)
		}
		line = r.json.buf
	}
	switch {
	case errors.Is(err, io.EOF) && len(line) > 0:
	case err != nil:
		return nil, err
	}
	line = bytes.TrimSuffix(line, []byte{'\n'})
	return line, nil
}

// --- JSON array ---

func (r *Reader) startJSON() error {
	dec := json.NewDecoder(r.text)
	dec.UseNumber()
	r.json.dec = dec
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return &Error{Line: 1, Code: CodeSyntax, Msg: "the object is empty: want a JSON array of records"}
	}
	if err != nil {
		return r.jsonError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return &Error{Line: r.json.lines.at(dec.InputOffset() - 1), Code: CodeSyntax, Msg: "a .json object must be a JSON array of records"}
	}
	r.next = r.nextJSON
	return nil
}

func (r *Reader) nextJSON() error {
	dec := r.json.dec
	r.text.setRecordStart(dec.InputOffset())
	if !dec.More() {
		if _, err := dec.Token(); err != nil { // the closing bracket
			return r.jsonError(err)
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			if err != nil {
				return r.jsonError(err)
			}
			return &Error{Line: r.json.lines.at(dec.InputOffset() - 1), Code: CodeSyntax, Msg: "data after the JSON array"}
		}
		return io.EOF
	}
	r.rec.Line = 0 // set by readObject from the first token
	return r.readObject()
}

// --- records, shared by both JSON formats ---

// readObject reads one JSON value from r.json.dec as a record.
func (r *Reader) readObject() error {
	dec := r.json.dec
	tok, err := dec.Token()
	if err != nil {
		return r.jsonError(err)
	}
	if r.json.lines != nil {
		r.rec.Line = r.json.lines.at(dec.InputOffset() - 1)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		r.rec.Values = nil
		r.rec.Problems = append(r.rec.Problems, tasks.Problem{Line: r.rec.Line, Code: CodeRecord,
			Message: "a record must be a JSON object, not " + describe(tok)})
		if ok {
			return r.skip(1)
		}
		return nil
	}
	r.resetValues()
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return r.jsonError(err)
		}
		name, _ := tok.(string) // object keys are always strings
		idx := r.schema.Index(name)
		if idx < 0 || r.values[idx].Kind != schema.RawMissing {
			code, msg := CodeUnknown, fmt.Sprintf("member %s is not a column of dataset %q", quote(name), r.schema.Name)
			if idx >= 0 {
				code, msg = CodeDuplicate, fmt.Sprintf("member %s appears more than once", quote(name))
			}
			r.rec.Problems = append(r.rec.Problems, tasks.Problem{Line: r.rec.Line, Column: name, Code: code, Message: msg})
			if _, err := r.value(); err != nil {
				return err
			}
			continue
		}
		v, err := r.value()
		if err != nil {
			return err
		}
		r.values[idx] = v
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return r.jsonError(err)
	}
	return nil
}

// value reads one JSON value; a composite one is skipped whole.
func (r *Reader) value() (schema.Raw, error) {
	tok, err := r.json.dec.Token()
	if err != nil {
		return schema.Raw{}, r.jsonError(err)
	}
	switch v := tok.(type) {
	case string:
		return schema.Raw{Kind: schema.RawText, Text: v}, nil
	case json.Number:
		return schema.Raw{Kind: schema.RawNumber, Text: string(v)}, nil
	case bool:
		return schema.Raw{Kind: schema.RawBool, Text: strconv.FormatBool(v)}, nil
	case nil:
		return schema.Raw{Kind: schema.RawNull}, nil
	}
	return schema.Raw{Kind: schema.RawComposite}, r.skip(1)
}

// skip reads tokens until depth open objects and arrays are closed.
func (r *Reader) skip(depth int) error {
	for depth > 0 {
		tok, err := r.json.dec.Token()
		if err != nil {
			return r.jsonError(err)
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

// offendingByte returns the offset of the byte a JSON syntax error is about. The decoder reports the
// offset where its scan stopped, which for a token it only peeked at lies before the white space that
// precedes it: skip that white space in what the decoder has buffered.
func (r *Reader) offendingByte(off int64) int64 {
	if off != r.json.dec.InputOffset() {
		return off - 1 // the offset counts the offending byte
	}
	buffered, _ := io.ReadAll(io.LimitReader(r.json.dec.Buffered(), textBufferSize))
	ws := len(buffered) - len(bytes.TrimLeft(buffered, " \t\r\n"))
	return off + int64(ws)
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return "a " + string(v)
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

func (r *Reader) jsonError(err error) error {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		line := r.rec.Line
		if r.json.lines != nil {
			line = r.json.lines.at(r.offendingByte(syn.Offset))
		}
		return &Error{Line: line, Code: CodeSyntax, Msg: "malformed JSON: " + syn.Error()}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		if r.typ.Format == JSONL {
			return &Error{Line: r.rec.Line, Code: CodeSyntax, Msg: "malformed JSON: the line ends inside a value (a JSON Lines record must fit on one line)"}
		}
		return &Error{Line: r.text.line, Code: CodeSyntax, Msg: "malformed JSON: the object ends inside a value"}
	}
	return err
}
