package records

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// chunkReader returns at most n bytes a read.
type chunkReader struct {
	r io.Reader
	n int
}

func (c chunkReader) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// TestBuffersGrow reads objects larger than the first buffer, with lines longer than it and longer than
// the whole buffer, and characters of several bytes everywhere, through sources that fill every read
// (the buffers then grow from firstBufferSize to textBufferSize) and through sources that return little
// at a time: the records, their lines and the error are the same whichever way the bytes arrive.
func TestBuffersGrow(t *testing.T) {
	s := mustSchema(t, testSchema)
	var csv strings.Builder
	csv.WriteString("id,n,note\n")
	for i := range 3000 {
		note := strings.Repeat("é€", i%40)
		switch i {
		case 700:
			note = strings.Repeat("a€", 3*firstBufferSize) // longer than the first buffer
		case 1500:
			note = strings.Repeat("b", 2*textBufferSize) // longer than the whole buffer
		}
		fmt.Fprintf(&csv, "id-%d,%d,\"%s\"\n", i, i, note)
	}
	tooLong := csv.String() + "last,1," + strings.Repeat("c", 300<<10) + "\n"
	for _, in := range []struct {
		name string
		text string
	}{{"ok", csv.String()}, {"record too long", tooLong}} {
		t.Run(in.name, func(t *testing.T) {
			read := func(src io.Reader) result {
				return readAll(t, NewReader(src, Type{Format: CSV}, s, WithMaxRecordBytes(256<<10)))
			}
			want := read(chunkReader{strings.NewReader(in.text), 1 << 30})
			if len(want.Rows) < 3000 {
				t.Fatalf("read %d records, want at least 3000 (error %q)", len(want.Rows), want.Err)
			}
			if in.name != "ok" && want.Err == "" {
				t.Fatal("a record over the limit read without an error")
			}
			for name, src := range map[string]io.Reader{
				"one byte":       iotest.OneByteReader(strings.NewReader(in.text)),
				"half":           iotest.HalfReader(bytes.NewReader([]byte(in.text))),
				"4097 bytes":     chunkReader{strings.NewReader(in.text), firstBufferSize + 1},
				"buffer minus 1": chunkReader{strings.NewReader(in.text), textBufferSize - 1},
			} {
				if diff := cmp.Diff(read(src), want); diff != "" {
					t.Errorf("%s (-got +want):\n%s", name, diff)
				}
			}
		})
	}
}
