package process

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"testing"
)

func TestCompressorRoundTrip(t *testing.T) {
	var out bytes.Buffer
	c, err := newCompressor(&out, gzip.DefaultCompression, 2, 16, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []byte
	for i := range 100 {
		b, err := c.Buffer()
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, bytes.Repeat([]byte{byte('a' + i%26)}, i)...)
		want = append(want, b...)
		c.Send(b)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("round trip: got %d bytes, want %d in order", len(got), len(want))
	}
}

// failAfter accepts n bytes, then fails.
type failAfter struct{ n int }

var errSink = errors.New("sink failed")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, errSink
	}
	f.n -= len(p)
	return len(p), nil
}

func TestCompressorWriteFailureStops(t *testing.T) {
	c, err := newCompressor(&failAfter{n: 10}, gzip.NoCompression, 2, 1<<10, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Keep sending until the failure comes back through Buffer: it must, however many batches are queued.
	for i := 0; ; i++ {
		b, err := c.Buffer()
		if err != nil {
			if !errors.Is(err, errSink) {
				t.Fatalf("Buffer: got %v, want the sink's error", err)
			}
			break
		}
		if i > 1000 {
			t.Fatal("the failure never came back")
		}
		c.Send(append(b, bytes.Repeat([]byte("x"), 1<<10)...))
	}
	if err := c.Close(); !errors.Is(err, errSink) {
		t.Errorf("Close: got %v, want the sink's error", err)
	}
}

func TestCompressorAbortWritesNoTrailer(t *testing.T) {
	var out bytes.Buffer
	c, err := newCompressor(&out, gzip.DefaultCompression, 2, 16, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.Buffer()
	c.Send(append(b, "some lines"...))
	c.Abort()
	c.Abort() // twice is harmless
	if gunzipErr(out.Bytes()) == nil {
		t.Error("an aborted stream reads as complete gzip data")
	}
}

// gunzipErr is the error of reading b as gzip data to its end.
func gunzipErr(b []byte) error {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return err
	}
	_, err = io.ReadAll(zr)
	return err
}

// A pooled compressor reuses the writer and buffers of the last one, including one that was aborted
// mid-stream or failed, and still writes exactly the bytes a fresh compressor writes.
func TestCompressorPoolReuse(t *testing.T) {
	compress := func(w io.Writer, pool *compressorPool, data []byte, abort bool) (*compressor, error) {
		t.Helper()
		c, err := newCompressor(w, gzip.DefaultCompression, 2, 16, pool)
		if err != nil {
			t.Fatal(err)
		}
		for rest := data; len(rest) > 0; {
			b, err := c.Buffer()
			if err != nil {
				c.Abort()
				return c, err
			}
			n := min(len(rest), 40)
			c.Send(append(b, rest[:n]...))
			rest = rest[n:]
		}
		if abort {
			c.Abort()
			return c, nil
		}
		return c, c.Close()
	}
	data := bytes.Repeat([]byte("the same line, over and over\n"), 50)
	var fresh bytes.Buffer
	if _, err := compress(&fresh, nil, data, false); err != nil {
		t.Fatal(err)
	}
	pool := &compressorPool{}
	steps := []struct {
		name  string
		sink  io.Writer
		abort bool
	}{
		{name: "first"},
		{name: "aborted", abort: true},
		{name: "after abort"},
		{name: "failed", sink: &failAfter{n: 10}},
		{name: "after failure"},
		{name: "again"},
	}
	// Whether a writer is reused is up to sync.Pool (the race detector drops some puts on purpose), so
	// the test checks what matters whichever way it goes: each output is right.
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			var out bytes.Buffer
			sink := s.sink
			if sink == nil {
				sink = &out
			}
			_, err := compress(sink, pool, data, s.abort)
			if s.sink != nil {
				if !errors.Is(err, errSink) {
					t.Errorf("got %v, want the sink's error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !s.abort && !bytes.Equal(out.Bytes(), fresh.Bytes()) {
				t.Errorf("output: got %d bytes, want the %d bytes of a fresh compressor", out.Len(), fresh.Len())
			}
		})
	}
}

// The output is one standard gzip member (RFC 1952), whatever the level: the standard library's reader
// and the gzip command (zcat) read back exactly the bytes sent, and it is a single member with the
// uncompressed size in its trailer, as readers that do not follow concatenated members (some Hadoop
// codecs) expect. The input is JSON Lines like the task's, several batches and larger than the 32 KiB
// window, so that back-references cross batches and the stream has several deflate blocks.
func TestCompressorOutputReadByEveryGzipReader(t *testing.T) {
	var input []byte
	for i := range 20000 {
		input = fmt.Appendf(input, `{"order_id":"ORD-%08d","line":%d,"sku":"SKU-%04d","paid":%t,"note":"n%x"}`+"\n", i, i%999+1, i*7919%10000, i%3 == 0, i*i)
	}
	gz, gzErr := exec.LookPath("gzip")
	for _, level := range []int{gzip.HuffmanOnly, gzip.NoCompression, gzip.BestSpeed, gzip.DefaultCompression, gzip.BestCompression} {
		t.Run(strconv.Itoa(level), func(t *testing.T) {
			var out bytes.Buffer
			c, err := newCompressor(&out, level, compressDepth, batchBytes, nil)
			if err != nil {
				t.Fatal(err)
			}
			for rest := input; len(rest) > 0; {
				b, err := c.Buffer()
				if err != nil {
					t.Fatal(err)
				}
				n := min(len(rest), batchBytes)
				c.Send(append(b, rest[:n]...))
				rest = rest[n:]
			}
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			src := bytes.NewReader(out.Bytes()) // an io.ByteReader: the gzip reader reads no further than it needs
			zr, err := gzip.NewReader(src)
			if err != nil {
				t.Fatal(err)
			}
			zr.Multistream(false) // one member holds everything
			got, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("compress/gzip: %v", err)
			}
			if !bytes.Equal(got, input) {
				t.Errorf("compress/gzip read %d bytes, want the %d sent", len(got), len(input))
			}
			if src.Len() > 0 {
				t.Errorf("%d bytes follow the first gzip member", src.Len())
			}
			if size := binary.LittleEndian.Uint32(out.Bytes()[out.Len()-4:]); size != uint32(len(input)) {
				t.Errorf("ISIZE in the trailer: got %d, want %d", size, len(input))
			}
			if gzErr != nil {
				t.Skipf("gzip command: %v", gzErr)
			}
			cmd := exec.CommandContext(t.Context(), gz, "-d", "-c")
			cmd.Stdin = bytes.NewReader(out.Bytes())
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			got, err = cmd.Output()
			if err != nil {
				t.Fatalf("gzip -d: %v: %s", err, stderr.Bytes())
			}
			if !bytes.Equal(got, input) {
				t.Errorf("gzip -d read %d bytes, want the %d sent", len(got), len(input))
			}
		})
	}
}
