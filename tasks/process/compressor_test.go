package process

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
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
