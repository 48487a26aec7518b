package records

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/tasks/schema"
)

type csvRecord struct {
	Line   int64
	Fields []string
}

func scanAll(in []byte, delim rune) ([]csvRecord, bool) {
	c := newCSVScanner(bytes.NewReader(in), delim)
	var out []csvRecord
	for {
		fields, line, err := c.read()
		if errors.Is(err, io.EOF) {
			return out, false
		}
		if err != nil {
			return out, true
		}
		out = append(out, csvRecord{Line: line, Fields: append([]string(nil), fields...)})
	}
}

func stdlibAll(in []byte, delim rune) ([]csvRecord, bool) {
	r := csv.NewReader(bytes.NewReader(in))
	r.Comma = delim
	r.FieldsPerRecord = -1
	var out []csvRecord
	for {
		fields, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, false
		}
		if err != nil {
			return out, true
		}
		line, _ := r.FieldPos(0)
		out = append(out, csvRecord{Line: int64(line), Fields: fields})
	}
}

// FuzzCSVScanner checks the scanner against encoding/csv (LazyQuotes off): the same records, on the
// same lines, and an error at the same record.
func FuzzCSVScanner(f *testing.F) {
	for _, s := range []string{"a,b\nc,d\n", "\"a\"\"b\",c\r\n", "\"x\ny\",z\n\nw", "a\"b\n", "\"a\"b\n", "\"open\n", "a,\r\n,\n", "a\r", "\"a\r\nb\"\n", "é;ü\n"} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, in []byte, semicolon bool) {
		if !utf8.Valid(in) {
			t.Skip("the scanner reads only checked UTF-8")
		}
		delim := ','
		if semicolon {
			delim = ';'
		}
		got, gotErr := scanAll(in, delim)
		want, wantErr := stdlibAll(in, delim)
		if diff := cmp.Diff(got, want); diff != "" || gotErr != wantErr {
			t.Fatalf("records of %q (-scanner +encoding/csv):\n%s\nerror: scanner %v, encoding/csv %v", in, diff, gotErr, wantErr)
		}
	})
}

// refRead is read as it was before lines without quotes were split apart: every line through split,
// which looks for quotes itself, and quoted.
func refRead(c *csvScanner) ([]string, int64, error) {
	for {
		line, err := c.readLine()
		if err != nil {
			return nil, 0, err
		}
		if len(line) == 0 {
			continue
		}
		start := c.line
		if fields, ok := c.split(line); ok {
			return fields, start, nil
		}
		fields, err := c.quoted(line)
		return fields, start, err
	}
}

// readIntoAll reads in with readInto, the values put by colOf, and the same with read, the fields put by
// colOf as nextCSV put them before readInto: the reference.
func readIntoAll(in []byte, delim rune, colOf []int) (got, want []csvRecord, gotErr, wantErr error) {
	// The fast side reads a byte at a time, so lines and the quotes found in blocks span many reads.
	fast, ref := newCSVScanner(iotest.OneByteReader(bytes.NewReader(in)), delim), newCSVScanner(bytes.NewReader(in), delim)
	values := make([]schema.Raw, len(colOf))
	record := func(n int, line int64, values []schema.Raw) csvRecord {
		r := csvRecord{Line: line, Fields: []string{strconv.Itoa(n)}}
		if n == len(colOf) {
			for _, v := range values {
				r.Fields = append(r.Fields, v.Text)
			}
		}
		return r
	}
	for gotErr == nil {
		var n int
		var line int64
		n, line, gotErr = fast.readInto(values, colOf)
		if gotErr == nil {
			got = append(got, record(n, line, values))
		}
	}
	for wantErr == nil {
		var fields []string
		var line int64
		fields, line, wantErr = refRead(ref)
		if wantErr == nil {
			want2 := make([]schema.Raw, len(colOf))
			if len(fields) == len(colOf) {
				for i, f := range fields {
					want2[colOf[i]] = schema.Raw{Kind: schema.RawText, Text: f}
				}
			}
			want = append(want, record(len(fields), line, want2))
		}
	}
	return got, want, gotErr, wantErr
}

func TestReadInto(t *testing.T) {
	tests := []string{
		"a,b,c\n", "a,b\n", "a,b,c,d\n", ",,\n", "abcdefg,h,ijklmnopq\r\n", "abcdefgh,,\n", "1234567,12345678,123456789\n",
		",,,,,,,,,,,,,,,,\n", "a,\"b,c\",d\n", "\"a\nb\",c,d\ne,f,g", "x,y,z\n\n\nu,v,w", "a,b,c\r\n\"q\"\"\",r,s\n",
		"aaaaaaaaaaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbbbbbbbbbbbb,cccccccccccccccccccccccccc\n", "a,b\"c,d\n",
	}
	for _, in := range tests {
		for _, delim := range []rune{',', ';', '€'} {
			in := strings.ReplaceAll(in, ",", string(delim))
			got, want, gotErr, wantErr := readIntoAll([]byte(in), delim, []int{2, 0, 1})
			if diff := cmp.Diff(got, want); diff != "" || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Errorf("%q: readInto (-got +want):\n%s\nerror: %v, want %v", in, diff, gotErr, wantErr)
			}
		}
	}
}

// FuzzReadInto holds readInto (a line without quotes split straight into values) to read and the
// mapping by column nextCSV made of its fields: the same values, counts, lines and error.
func FuzzReadInto(f *testing.F) {
	for _, s := range []string{"a,b,c\n", "1234567,12345678,123456789\n", "a,\"b,c\",d\n\"x\ny\",z,w\n", ",,\r\n,\n", "é;ü;x\n"} {
		f.Add([]byte(s), false, uint8(3))
		f.Add([]byte(s), true, uint8(2))
	}
	f.Fuzz(func(t *testing.T, in []byte, semicolon bool, cols uint8) {
		if !utf8.Valid(in) {
			t.Skip("the scanner reads only checked UTF-8")
		}
		delim := ','
		if semicolon {
			delim = ';'
		}
		colOf := make([]int, cols%12+1)
		for i := range colOf {
			colOf[i] = len(colOf) - 1 - i
		}
		got, want, gotErr, wantErr := readIntoAll(in, delim, colOf)
		if diff := cmp.Diff(got, want); diff != "" || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Fatalf("%q: readInto (-got +want):\n%s\nerror: %v, want %v", in, diff, gotErr, wantErr)
		}
	})
}

func TestExactZero(t *testing.T) {
	for pos := range 8 {
		for b := range 256 {
			for _, fill := range []byte{0, 1, 0x80, 0xff, 'a'} {
				var w [8]byte
				for i := range w {
					w[i] = fill
				}
				w[pos] = byte(b)
				x := load64(string(w[:]), 0)
				var want uint64
				for i, c := range w {
					if c == 0 {
						want |= 0x80 << (8 * i)
					}
				}
				if got := exactZero(x); got != want {
					t.Fatalf("exactZero(%x) = %x, want %x", w, got, want)
				}
			}
		}
	}
}
