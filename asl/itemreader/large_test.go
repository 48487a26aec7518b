package itemreader_test

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/asl/itemreader"
)

// csvStream makes a CSV of about size bytes on the fly: a header, then numbered rows.
type csvStream struct {
	size, n int64
	row     int
	buf     []byte
}

func newCSVStream(size int64) *csvStream {
	return &csvStream{size: size, buf: []byte("id,name,note\n")}
}

func (c *csvStream) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.n >= c.size {
			return 0, io.EOF
		}
		c.row++
		c.buf = fmt.Appendf(c.buf[:0], "%d,\"row %d, quoted\",%s\n", c.row, c.row, strings.Repeat("x", 40))
	}
	k := copy(p, c.buf)
	c.buf = c.buf[k:]
	c.n += int64(k)
	return k, nil
}

// readCSV streams size bytes of CSV through the reader and returns the rows and the largest live heap
// seen (after a GC every sampleEvery rows).
func readCSV(tb testing.TB, size int64, sampleEvery int) (rows int, peak uint64) {
	store := streamStore{open: func() io.Reader { return newCSVStream(size) }}
	it, err := itemreader.Open(tb.Context(), store, itemreader.Request{Resource: getObject, Bucket: "b", Key: "big.csv", InputType: "CSV"})
	if err != nil {
		tb.Fatal(err)
	}
	defer it.Close()
	var ms runtime.MemStats
	for {
		v, err := it.Next(tb.Context())
		if errors.Is(err, io.EOF) {
			return rows, peak
		}
		if err != nil {
			tb.Fatal(err)
		}
		rows++
		if m := v.(map[string]any); m["id"] != fmt.Sprint(rows) {
			tb.Fatalf("row %d: id %v", rows, m["id"])
		}
		if rows%sampleEvery == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
}

// TestLargeCSVBoundedMemory streams 32 MiB of CSV and checks that the live heap stays far below it.
// BenchmarkCSV1GiB does the same over 1 GiB.
func TestLargeCSVBoundedMemory(t *testing.T) {
	const size = 32 << 20
	rows, peak := readCSV(t, size, 50_000)
	if rows < size/100 {
		t.Errorf("rows = %d, want more than %d", rows, size/100)
	}
	if peak > 8<<20 {
		t.Errorf("live heap peaked at %d bytes reading %d bytes of CSV, want under 8 MiB", peak, size)
	}
}

// BenchmarkCSV1GiB reads a 1 GiB CSV made on the fly and reports the rows per second and the peak live
// heap, which stays bounded (a few MiB) whatever the object's size.
func BenchmarkCSV1GiB(b *testing.B) {
	for b.Loop() {
		rows, peak := readCSV(b, 1<<30, 500_000)
		b.ReportMetric(float64(rows), "rows")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	}
	b.SetBytes(1 << 30)
}
