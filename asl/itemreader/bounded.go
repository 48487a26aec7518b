package itemreader

import (
	"fmt"
	"io"
)

// MaxItemBytes bounds one item's text (a CSV row, a JSON array element, a JSONL line): a larger item
// fails the reader instead of growing memory without bound. It is well above the 256 KiB a child
// execution's input may be.
const MaxItemBytes = 8 << 20

// readAhead is the most a parser buffers beyond the item it is reading.
const readAhead = 64 << 10

// boundedReader counts the bytes read since the last mark and fails a read that takes them over the
// limit, so that a parser never holds more than one item and its read-ahead.
type boundedReader struct {
	r     io.Reader
	limit int64
	n     int64 // bytes since the mark
	name  string
}

func newBounded(r io.Reader, name string) *boundedReader {
	return &boundedReader{r: r, limit: MaxItemBytes + readAhead, name: name}
}

func (b *boundedReader) mark() { b.n = 0 }

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.n >= b.limit {
		return 0, failf(nil, "An item of %s is larger than %d bytes.", b.name, MaxItemBytes)
	}
	if rest := b.limit - b.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	return n, err
}

func location(bucket, key string) string { return fmt.Sprintf("s3://%s/%s", bucket, key) }
