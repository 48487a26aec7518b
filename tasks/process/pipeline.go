package process

import (
	"hash/crc32"
	"io"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/flate"

	"github.com/sluicehq/sluice/tasks/records"
	"github.com/sluicehq/sluice/tasks/schema"
)

// The records of an object are cut into chunks of consecutive records, each at least chunkText bytes of
// values or chunkRows records (the last one smaller). A chunk is the unit of parallel work: one worker
// coerces and encodes its records, gathers their statistics and compresses its lines as one piece of the
// output's deflate stream (gzipmember.go). Where the chunks end depends only on the object, never on the
// number of workers or on timing, so an object is staged as the same bytes on any machine.
const (
	chunkText = 256 << 10
	chunkRows = 8192
)

// maxPooledPlain bounds the capacity of a worker's line buffer kept for reuse: one that grew around huge
// records is let go rather than held for every later object.
const maxPooledPlain = 4 << 20

// Parallelism returns how many workers process one object when WithParallelism does not say: the
// number of CPUs the Go runtime may use at once (runtime.GOMAXPROCS, which is runtime.NumCPU() unless
// the environment or a container's CPU limit lowers it). A Lambda function's vCPUs follow its memory
// size: "Lambda allocates CPU power in proportion to the amount of memory configured. [...] At 1,769 MB,
// a function has the equivalent of one vCPU (one vCPU-second of credits per second)"
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html), so a function configured
// with twice that or more runs the workers on two cores or more. Below that, the runtime may still
// report two CPUs while the credits are those of less than one: the workers then share the credit and
// cost a little more CPU time than one would (the goroutines' hand-offs), not more wall time.
func Parallelism() int { return max(runtime.GOMAXPROCS(0), 1) }

// chunk is a run of consecutive records: the values the reader gave (their strings are immutable, so a
// chunk can hold them after the reader moved on), and, once a worker is done, the compressed piece.
type chunk struct {
	seq   int64
	last  bool         // the last chunk: its piece ends the deflate stream
	lines []int64      // the line of each record
	vals  []schema.Raw // len(lines) × columns values
	used  int          // the most values vals held since it was last cleared (see putChunk)
	text  int          // bytes of text in vals
	tail  error        // the error that ended the reading right after these records, if any

	// Set by the worker before it closes done.
	done  chan struct{}
	err   error  // the first record the schema refused, or tail
	z     []byte // the compressed piece
	crc   uint32 // CRC-32 of the piece's uncompressed lines
	size  int64  // bytes of uncompressed lines
	stats []columnStats
}

// pipeline turns records into one gzip member of JSON Lines written to w. The caller's goroutine reads
// the records and adds them (add); up to workers goroutines encode and compress chunks, and when all of
// them are busy with as many chunks waiting, the reading goroutine encodes the next chunk itself instead
// of waiting; a collector goroutine writes the pieces to w in order, combines their CRCs and merges their
// statistics. At most 3 × workers + 2 chunks exist at once, so memory is bounded whatever the object's
// size: add blocks while they are all in flight. The first failure in record order wins, as reading
// record by record would have it: a chunk's error (a record the schema refused, or the reading error
// after its records) is the result if no earlier chunk failed, and the chunks after a failed one are
// skipped.
type pipeline struct {
	w       io.Writer
	columns int
	sch     *schema.Schema
	level   int
	pool    *compressorPool
	onWrite func(error) error // maps a failure of w

	chunkText, chunkRows int // where chunks end: chunkText and chunkRows but in tests

	workers int
	started int
	seq     int64
	cur     *chunk
	own     *worker // the reading goroutine's, when it encodes a chunk itself
	ownEnc  *encoder
	free    chan *chunk // chunks that may be filled (nil: make one); holds the bound on memory
	order   chan *chunk // dispatched chunks, in order, for the collector
	jobs    chan *chunk // dispatched chunks for the workers
	wg      sync.WaitGroup
	ended   bool
	failed  atomic.Int64 // the lowest seq of a failed chunk (math.MaxInt64: none); later ones are skipped

	collected chan struct{} // closed when the collector has finished
	// Written by the collector, read after collected is closed.
	err    error
	header bool
	crc    uint32
	size   int64
	rows   int64
	stats  []columnStats
}

// newPipeline starts a pipeline writing to w with the given gzip level (valid for flate) and at most
// workers encoding goroutines. With a pool, the workers reuse the compressors and buffers of finished
// pipelines (a compressor costs hundreds of KiB to make, more than a small object's whole output).
func newPipeline(w io.Writer, sch *schema.Schema, level, workers int, pool *compressorPool, onWrite func(error) error) *pipeline {
	workers = max(workers, 1)
	maxChunks := 3*workers + 2
	p := &pipeline{
		w: w, columns: len(sch.Columns), sch: sch, level: level, pool: pool, onWrite: onWrite,
		chunkText: chunkText, chunkRows: chunkRows,
		workers:   workers,
		free:      make(chan *chunk, maxChunks),
		order:     make(chan *chunk, maxChunks),
		jobs:      make(chan *chunk, workers),
		collected: make(chan struct{}),
		stats:     make([]columnStats, len(sch.Columns)),
	}
	for range maxChunks {
		p.free <- pool.getChunk() // nil when the pool has none: take makes one
	}
	p.failed.Store(math.MaxInt64)
	go p.collect()
	return p
}

// stopped reports whether a chunk already failed: reading further is wasted work.
func (p *pipeline) stopped() bool { return p.failed.Load() != math.MaxInt64 }

func (p *pipeline) fail(seq int64) {
	for {
		cur := p.failed.Load()
		if seq >= cur || p.failed.CompareAndSwap(cur, seq) {
			return
		}
	}
}

// take returns an empty chunk, waiting while maxChunks are in flight.
func (p *pipeline) take() *chunk {
	c := <-p.free
	if c == nil {
		return &chunk{}
	}
	c.used = max(c.used, len(c.vals))
	c.lines, c.vals, c.text, c.tail, c.err, c.last = c.lines[:0], c.vals[:0], 0, nil, nil, false
	return c
}

// add appends a record whose values are complete (one per column) to the current chunk, first sending
// the current chunk off if it is full. The record's slices may be reused by the caller afterwards.
func (p *pipeline) add(rec *records.Record) {
	c := p.cur
	switch {
	case c == nil:
		c = p.take()
	case c.text >= p.chunkText || len(c.lines) >= p.chunkRows:
		p.dispatch(c, false)
		c = p.take()
	}
	c.lines = append(c.lines, rec.Line)
	for _, v := range rec.Values {
		c.text += len(v.Text)
	}
	c.vals = append(c.vals, rec.Values...)
	p.cur = c
}

func (p *pipeline) dispatch(c *chunk, last bool) {
	c.seq, c.last, c.done = p.seq, last, make(chan struct{})
	p.seq++
	p.order <- c
	if p.started < p.workers {
		p.started++
		p.wg.Add(1)
		go p.work()
	}
	select {
	case p.jobs <- c:
	default:
		// Every worker is busy and as many chunks wait for them: the reading goroutine encodes this one
		// itself rather than sleep until a chunk is free. It then stays on its core, instead of waiting
		// to be woken, which on a busy machine costs the operating system's scheduling delay each time.
		if p.own == nil {
			p.own, p.ownEnc = p.pool.get(p.level), newEncoder(p.sch)
		}
		if c.seq < p.failed.Load() {
			p.encode(p.ownEnc, p.own, c)
		}
		close(c.done)
	}
}

// end sends the last chunk, with tail as the error that ended the reading (nil at the end of the
// object), and waits for every chunk. It returns the first failure in record order. On success the
// deflate stream is complete and rows and stats are final; finish then ends the member.
func (p *pipeline) end(tail error) error {
	c := p.cur
	if c == nil {
		c = p.take()
	}
	p.cur = nil
	c.tail = tail
	p.dispatch(c, true)
	p.stop()
	return p.err
}

// finish writes the member's trailer, once end succeeded.
func (p *pipeline) finish() error {
	t := gzipTrailer(p.crc, p.size)
	if _, err := p.w.Write(t[:]); err != nil {
		return p.onWrite(err)
	}
	return nil
}

// abort stops the pipeline wherever it is; after end, it does nothing.
func (p *pipeline) abort() {
	if !p.ended {
		p.fail(-1)
		p.stop()
	}
}

func (p *pipeline) stop() {
	p.ended = true
	close(p.order)
	close(p.jobs)
	p.wg.Wait()
	<-p.collected
	if p.own != nil {
		p.pool.put(p.own)
		p.own = nil
	}
	// Every chunk but the one being filled, if any, is back in free: keep them for the next pipeline.
	for n := len(p.free); n > 0; n-- {
		p.pool.putChunk(<-p.free)
	}
}

// worker is what one worker goroutine keeps between chunks, and a pool between invocations.
type worker struct {
	level int
	fw    *flate.Writer
	sink  appendWriter
	plain []byte
}

// appendWriter appends what is written to it to b.
type appendWriter struct{ b []byte }

func (a *appendWriter) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}

func (p *pipeline) work() {
	defer p.wg.Done()
	var ws *worker
	enc := newEncoder(p.sch)
	for c := range p.jobs {
		if c.seq < p.failed.Load() {
			if ws == nil {
				ws = p.pool.get(p.level)
			}
			p.encode(enc, ws, c)
		}
		close(c.done)
	}
	if ws != nil {
		p.pool.put(ws)
	}
}

// encode encodes and compresses one chunk.
func (p *pipeline) encode(enc *encoder, ws *worker, c *chunk) {
	n := p.columns
	if cap(c.stats) < n {
		c.stats = make([]columnStats, n)
	} else {
		c.stats = c.stats[:n]
		clear(c.stats)
	}
	enc.stats = c.stats
	plain := ws.plain[:0]
	var err error
	for i, line := range c.lines {
		if plain, err = enc.appendValues(plain, line, c.vals[i*n:(i+1)*n:(i+1)*n]); err != nil {
			break
		}
	}
	ws.plain = plain
	if err == nil {
		err = c.tail
	}
	if err != nil {
		c.err = err
		p.fail(c.seq)
		return
	}
	c.crc, c.size = crc32.ChecksumIEEE(plain), int64(len(plain))
	ws.sink.b = c.z[:0]
	ws.fw.Reset(&ws.sink)
	// The sink never fails, so neither does the compressor.
	_, _ = ws.fw.Write(plain)
	if c.last {
		_ = ws.fw.Close()
	} else {
		_ = ws.fw.Flush()
	}
	c.z, ws.sink.b = ws.sink.b, nil
}

// collect writes the pieces in order and gathers their results, until the chunks run out.
func (p *pipeline) collect() {
	defer close(p.collected)
	for c := range p.order {
		<-c.done
		if p.err == nil && p.failed.Load() >= c.seq {
			p.take1(c)
		}
		// The chunk's values still point into the reader's text until they are overwritten: a chunk
		// reused by this pipeline overwrites them as it fills, and putChunk clears them before a chunk
		// is kept for later, so the text held is bounded by the chunks in flight. Clearing each chunk
		// here instead cost about 2% of the task's CPU time (most of a chunk's bytes are values).
		p.free <- c
	}
}

// take1 takes one finished chunk into the member.
func (p *pipeline) take1(c *chunk) {
	if c.err != nil {
		p.err = c.err
		return
	}
	if !p.header {
		p.header = true
		h := gzipHeader(p.level)
		if _, err := p.w.Write(h[:]); err != nil {
			p.err = p.onWrite(err)
			p.fail(c.seq)
			return
		}
	}
	if _, err := p.w.Write(c.z); err != nil {
		p.err = p.onWrite(err)
		p.fail(c.seq)
		return
	}
	p.crc = crc32Combine(p.crc, c.crc, c.size)
	p.size += c.size
	p.rows += int64(len(c.lines))
	for i := range p.stats {
		p.stats[i].merge(&c.stats[i])
	}
}

// compressorPool keeps the workers' compressors and line buffers, and the chunks, of finished pipelines
// for the next ones. The zero value is ready; a nil pool keeps nothing. It is safe for concurrent use.
type compressorPool struct {
	p      sync.Pool // of *worker
	chunks sync.Pool // of *chunk
}

// maxPooledValues bounds the values a pooled chunk has room for (chunks of records with very many
// columns or very short values are let go), as maxPooledPlain bounds a line buffer.
const maxPooledValues = 1 << 16

func (p *compressorPool) getChunk() *chunk {
	if p == nil {
		return nil
	}
	c, _ := p.chunks.Get().(*chunk)
	return c
}

// putChunk keeps a chunk that no goroutine uses any longer, first clearing its values and statistics
// (as far as they were ever filled), so that a kept chunk holds none of the reader's text.
func (p *compressorPool) putChunk(c *chunk) {
	if p == nil || c == nil || cap(c.vals) > maxPooledValues || cap(c.z) > maxPooledPlain {
		return
	}
	clear(c.vals[:max(c.used, len(c.vals))])
	clear(c.stats)
	c.vals, c.used = c.vals[:0], 0
	c.tail, c.err, c.done = nil, nil, nil
	p.chunks.Put(c)
}

// get returns a worker for level: a pooled one if the pool has one of that level, else a new one.
func (p *compressorPool) get(level int) *worker {
	if p != nil {
		if w, _ := p.p.Get().(*worker); w != nil && w.level == level {
			return w
		}
	}
	fw, err := flate.NewWriter(nil, level)
	if err != nil { // the Handler accepts only valid levels
		panic(err)
	}
	return &worker{level: level, fw: fw}
}

// put keeps w for a later pipeline.
func (p *compressorPool) put(w *worker) {
	if p == nil {
		return
	}
	w.fw.Reset(io.Discard) // drop the reference to the last piece
	w.sink.b = nil
	if cap(w.plain) > maxPooledPlain {
		w.plain = nil
	}
	p.p.Put(w)
}
