package validate

import (
	"crypto/sha256"
	"errors"
	"io"
)

// errTooBig stops reading an object beyond the dataset's maxBytes.
var errTooBig = errors.New("object larger than maxBytes")

// Blocks of the meter's ring: enough for the digest to trail the parser without stalling it.
const (
	meterBlocks    = 8
	meterBlockSize = 128 << 10
)

// meter reads the object from S3 for the records reader: it counts the bytes, stops at a size limit
// (reading one byte past it, to know it is exceeded), and digests the bytes with SHA-256 in a goroutine
// of its own, so that the digest, which costs about as much as the GET itself, runs beside the parsing
// rather than in front of it. Bytes go through a ring of blocks: a block is refilled only after the
// digester is done with it, which bounds memory to the ring. Read and digest are for one goroutine.
type meter struct {
	r   io.Reader
	n   int64 // bytes read from r
	max int64 // 0: none

	ring  [meterBlocks][]byte
	sent  int           // blocks handed to the digester
	acked int           // blocks the digester is done with
	todo  chan []byte   // to the digester, in object order
	done  chan struct{} // one per digested block
	sum   chan []byte   // the digest, once todo is closed
	shut  bool          // todo is closed

	size int64 // the body's length, -1 when unknown

	cur []byte // the current block's bytes not yet delivered
	err error  // returned once cur is drained
}

// newMeter reads r through the digest. size is the body's length when known (-1 otherwise): blocks are no
// larger than it needs, since most objects are far smaller than a block.
func newMeter(r io.Reader, max, size int64) *meter {
	m := &meter{r: r, max: max, size: size, todo: make(chan []byte, meterBlocks), done: make(chan struct{}, meterBlocks), sum: make(chan []byte, 1)}
	go func() {
		h := sha256.New()
		for b := range m.todo {
			h.Write(b)
			m.done <- struct{}{}
		}
		m.sum <- h.Sum(nil)
	}()
	return m
}

func (m *meter) Read(p []byte) (int, error) {
	if len(m.cur) == 0 {
		if m.err != nil {
			return 0, m.err
		}
		m.fill()
	}
	n := copy(p, m.cur)
	m.cur = m.cur[n:]
	if len(m.cur) == 0 && m.err != nil {
		return n, m.err
	}
	return n, nil
}

// fill reads the next block: until it is full, the source ends or fails, or the limit is passed.
func (m *meter) fill() {
	if m.sent-m.acked == meterBlocks {
		<-m.done
		m.acked++
	}
	b := m.ring[m.sent%meterBlocks]
	if b == nil {
		n := int64(meterBlockSize)
		if m.size >= 0 && m.size+1 < n {
			n = m.size + 1 // one byte more than announced, to see the end (or a longer body)
		}
		b = make([]byte, n)
		m.ring[m.sent%meterBlocks] = b
	}
	if m.max > 0 && int64(len(b)) > m.max-m.n+1 {
		b = b[:m.max-m.n+1]
	}
	n, err := readFull(m.r, b)
	if err == nil && m.max > 0 && m.n+int64(n) > m.max {
		err = errTooBig
	}
	m.n += int64(n)
	m.cur, m.err = b[:n], err
	if n > 0 {
		m.todo <- b[:n]
		m.sent++
	}
}

// readInto reads the next bytes of the object into b, without the copy Read makes: until b is full,
// the source ends or fails, or the limit is passed, like a block of Read. It hands b[:n] to the
// digester, so b must not change before digested(seq) returns, seq being m.sent right after the call.
// It returns the source's error (io.EOF at the end) with the last bytes, and again at every later call.
// It may be mixed with Read.
func (m *meter) readInto(b []byte) (int, error) {
	if len(m.cur) > 0 || m.err != nil { // what Read left of its block first
		return m.Read(b)
	}
	if m.sent-m.acked == meterBlocks {
		<-m.done
		m.acked++
	}
	if m.max > 0 && int64(len(b)) > m.max-m.n+1 {
		b = b[:m.max-m.n+1]
	}
	n, err := readFull(m.r, b)
	if err == nil && m.max > 0 && m.n+int64(n) > m.max {
		err = errTooBig
	}
	m.n += int64(n)
	m.err = err
	if n > 0 {
		m.todo <- b[:n]
		m.sent++
	}
	return n, err // and again at every later call (m.err)
}

// digested waits until the digester is done with the first seq blocks.
func (m *meter) digested(seq int) {
	for m.acked < seq {
		<-m.done
		m.acked++
	}
}

// readFull reads until b is full or r returns an error, which it returns as is (io.ReadFull would turn
// an early io.EOF into io.ErrUnexpectedEOF, which is also what a body cut short returns).
func readFull(r io.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := r.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// digest returns the SHA-256 of the bytes read, which must be the whole object.
func (m *meter) digest() []byte {
	m.close()
	return <-m.sum
}

// close stops the digester once it has digested what it was given.
func (m *meter) close() {
	if !m.shut {
		m.shut = true
		close(m.todo)
	}
}
