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
	c, err := newCompressor(&out, gzip.DefaultCompression, 2, 16)
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
	c, err := newCompressor(&failAfter{n: 10}, gzip.NoCompression, 2, 1<<10)
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
	c, err := newCompressor(&out, gzip.DefaultCompression, 2, 16)
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
