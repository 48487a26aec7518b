package process

import (
	"compress/gzip"
	"fmt"
	"io"
	"sync"
)

// compressor gzips batches of lines on a goroutine of its own and writes the compressed bytes to w, so
// that encoding the next records and compressing the previous ones overlap (on a machine with two cores,
// the task then takes about as long as the slower of the two). Memory is fixed: depth+1 batch buffers.
// Buffer, Send, Close and Abort are called from one goroutine.
type compressor struct {
	zw      *gzip.Writer
	batches chan []byte   // filled buffers, in order
	free    chan []byte   // buffers to fill
	done    chan struct{} // closed when the goroutine has finished

	mu      sync.Mutex
	err     error // the first write error
	aborted bool  // when set, the stream is not finished (no gzip trailer)
	closed  bool
}

func newCompressor(w io.Writer, level, depth, batchCap int) (*compressor, error) {
	zw, err := gzip.NewWriterLevel(w, level)
	if err != nil {
		return nil, fmt.Errorf("gzip writer: %w", err)
	}
	c := &compressor{zw: zw, batches: make(chan []byte, depth), free: make(chan []byte, depth+1), done: make(chan struct{})}
	for range depth + 1 {
		c.free <- make([]byte, 0, batchCap)
	}
	go c.run()
	return c, nil
}

func (c *compressor) run() {
	defer close(c.done)
	for b := range c.batches {
		if c.failure() == nil {
			if _, err := c.zw.Write(b); err != nil {
				c.fail(err)
			}
		}
		c.free <- b[:0]
	}
	c.mu.Lock()
	aborted := c.aborted
	c.mu.Unlock()
	if !aborted && c.failure() == nil {
		if err := c.zw.Close(); err != nil {
			c.fail(err)
		}
	}
}

func (c *compressor) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
	}
}

func (c *compressor) failure() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Buffer returns an empty batch buffer to fill, or the error that stopped the compressor.
func (c *compressor) Buffer() ([]byte, error) {
	b := <-c.free
	if err := c.failure(); err != nil {
		c.free <- b
		return nil, err
	}
	return b, nil
}

// Send queues a filled buffer for compression.
func (c *compressor) Send(b []byte) { c.batches <- b }

// Close finishes the gzip stream once every queued batch is written, and returns the first write error.
func (c *compressor) Close() error {
	c.stop(false)
	return c.failure()
}

// Abort stops the compressor without finishing the stream.
func (c *compressor) Abort() { c.stop(true) }

func (c *compressor) stop(abort bool) {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		c.aborted = abort
		close(c.batches)
	}
	c.mu.Unlock()
	<-c.done
}
