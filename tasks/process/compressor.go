package process

import (
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// compressor gzips batches of lines on a goroutine of its own and writes the compressed bytes to w, so
// that encoding the next records and compressing the previous ones overlap (on a machine with two cores,
// the task then takes about as long as the slower of the two). Memory is fixed: depth+1 batch buffers.
// Buffer, Send, Close and Abort are called from one goroutine.
type compressor struct {
	zw    *gzip.Writer
	level int
	pool  *compressorPool // where the writer and buffers go once stopped, or nil

	batchCap int           // capacity of a batch buffer made once a first batch has filled
	made     bool          // whether Buffer has made a buffer
	batches  chan []byte   // filled buffers, in order
	free     chan []byte   // buffers to fill
	done     chan struct{} // closed when the goroutine has finished

	mu      sync.Mutex
	err     error // the first write error
	aborted bool  // when set, the stream is not finished (no gzip trailer)
	closed  bool
}

// newCompressor starts a compressor writing to w. With a pool, it reuses the gzip writer and batch
// buffers of a stopped compressor (a gzip writer costs about 750 KiB to make, more than a small object's
// whole output), and gives them back when it stops.
func newCompressor(w io.Writer, level, depth, batchCap int, pool *compressorPool) (*compressor, error) {
	var (
		zw   *gzip.Writer
		bufs [][]byte
	)
	if r := pool.get(level); r != nil {
		zw, bufs = r.zw, r.bufs
		zw.Reset(w)
	} else {
		var err error
		if zw, err = gzip.NewWriterLevel(w, level); err != nil {
			return nil, fmt.Errorf("gzip writer: %w", err)
		}
	}
	c := &compressor{zw: zw, level: level, pool: pool, batchCap: batchCap,
		batches: make(chan []byte, depth), free: make(chan []byte, depth+1), done: make(chan struct{})}
	for i := range depth + 1 {
		if i < len(bufs) {
			c.free <- bufs[i][:0]
		} else {
			c.free <- nil // made when first needed (see Buffer)
		}
	}
	go c.run()
	return c, nil
}

// compressorPool keeps the gzip writers and batch buffers of stopped compressors for the next ones. The
// zero value is ready; a nil pool keeps nothing. It is safe for concurrent use.
type compressorPool struct {
	p sync.Pool // of *reusable
}

// reusable is what a stopped compressor leaves for the next one.
type reusable struct {
	level int
	zw    *gzip.Writer
	bufs  [][]byte
}

// maxPooledBatch bounds the capacity of a batch buffer kept for reuse: a batch that grew around one huge
// record is let go rather than held for every later object.
const maxPooledBatch = 1 << 20

func (p *compressorPool) get(level int) *reusable {
	if p == nil {
		return nil
	}
	r, _ := p.p.Get().(*reusable)
	if r != nil && r.level != level {
		return nil
	}
	return r
}

// put keeps what c no longer uses; c's goroutine has finished, so every buffer it was sent is back in
// c.free (one the caller still holds is left to it).
func (p *compressorPool) put(level int, c *compressor) {
	if p == nil {
		return
	}
	r := &reusable{level: level, zw: c.zw}
	r.zw.Reset(io.Discard) // drop the reference to the finished output
	for n := len(c.free); n > 0; n-- {
		if b := <-c.free; b != nil && cap(b) <= maxPooledBatch {
			r.bufs = append(r.bufs, b[:0])
		}
	}
	p.p.Put(r)
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

// Buffer returns an empty batch buffer to fill, or the error that stopped the compressor. Buffers are
// made when first needed: the first small (appends grow it), so that a small object's one batch costs a
// few KiB, the others at batchCap, for an object large enough to fill a batch.
func (c *compressor) Buffer() ([]byte, error) {
	b := <-c.free
	if err := c.failure(); err != nil {
		c.free <- b
		return nil, err
	}
	if b == nil {
		size := c.batchCap
		if !c.made {
			size = min(firstBatchCap, c.batchCap)
		}
		c.made = true
		b = make([]byte, 0, size)
	}
	return b, nil
}

// firstBatchCap is the capacity of the first batch buffer a compressor makes.
const firstBatchCap = 4 << 10

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
	first := !c.closed
	if first {
		c.closed = true
		c.aborted = abort
		close(c.batches)
	}
	c.mu.Unlock()
	<-c.done
	if first && c.pool != nil {
		c.pool.put(c.level, c)
	}
}
