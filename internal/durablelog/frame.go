package durablelog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// headerSize is the size of a frame header: magic, payload length, CRC-32C.
const headerSize = 12

// magic starts every frame. 0x0C (form feed) never appears unescaped in JSON, so a JSON
// record cannot contain a frame start.
var magic = [4]byte{0xF1, 0x0C, 0xE5, 0x5A}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// frameLen returns the size of the frame holding recs and the size of its payload.
func frameLen(recs [][]byte) (frame, payload int) {
	for _, r := range recs {
		payload += uvarintLen(uint64(len(r))) + len(r)
	}
	return headerSize + payload, payload
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// appendFrame appends the frame holding recs to dst.
func appendFrame(dst []byte, recs [][]byte) []byte {
	_, payload := frameLen(recs)
	start := len(dst)
	dst = append(dst, magic[:]...)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(payload))
	dst = append(dst, 0, 0, 0, 0)
	for _, r := range recs {
		dst = binary.AppendUvarint(dst, uint64(len(r)))
		dst = append(dst, r...)
	}
	crc := crc32.Update(0, castagnoli, dst[start+4:start+8])
	crc = crc32.Update(crc, castagnoli, dst[start+headerSize:])
	binary.LittleEndian.PutUint32(dst[start+8:], crc)
	return dst
}

// splitPayload calls fn with each record of a frame's payload (a fresh copy of it); ok is
// false when the payload is not a sequence of length-prefixed records.
func splitPayload(p []byte, fn func([]byte) error) (ok bool, err error) {
	if len(p) == 0 {
		return false, nil
	}
	// Check the framing before calling fn, so a malformed payload delivers nothing.
	for q := p; len(q) > 0; {
		n, k := binary.Uvarint(q)
		if k <= 0 || n > uint64(len(q)-k) {
			return false, nil
		}
		q = q[k+int(n):]
	}
	for len(p) > 0 {
		n, k := binary.Uvarint(p)
		rec := bytes.Clone(p[k : k+int(n)])
		if rec == nil {
			rec = []byte{}
		}
		p = p[k+int(n):]
		if fn != nil {
			if err := fn(rec); err != nil {
				return true, err
			}
		}
	}
	return true, nil
}

// countRecords returns the records in a valid payload.
func countRecords(p []byte) int {
	n := 0
	for len(p) > 0 {
		l, k := binary.Uvarint(p)
		p = p[k+int(l):]
		n++
	}
	return n
}

// frameState is what lies at an offset.
type frameState int

const (
	frameOK    frameState = iota
	frameShort            // starts like a frame (magic, or a prefix of it) but runs past the end
	frameBad              // wrong magic, length, checksum or framing
)

// windowSize is how much the scanner reads at a time.
const windowSize = 1 << 20

// scanner reads frames from a file through a window, so a scan costs few system calls.
type scanner struct {
	r      io.ReaderAt
	size   int64
	max    int64 // largest payload accepted
	win    []byte
	winOff int64
}

// read returns the n bytes at off, which must lie inside the file; the slice is valid until
// the next call.
func (s *scanner) read(off int64, n int) ([]byte, error) {
	if off >= s.winOff && off+int64(n) <= s.winOff+int64(len(s.win)) {
		return s.win[off-s.winOff:][:n], nil
	}
	want := int64(max(n, windowSize))
	want = min(want, s.size-off)
	if want < int64(n) {
		return nil, io.ErrUnexpectedEOF
	}
	if int64(cap(s.win)) < want {
		s.win = make([]byte, want)
	}
	s.win = s.win[:want]
	got, err := s.r.ReadAt(s.win, off)
	if int64(got) < want {
		s.win = s.win[:0]
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("read log at %d: %w", off, err)
	}
	s.winOff = off
	return s.win[:n], nil
}

// frameAt checks the frame at off; for frameOK it returns its payload (valid until the next
// read) and where it ends.
func (s *scanner) frameAt(off int64) (payload []byte, end int64, st frameState, err error) {
	avail := s.size - off
	if avail < headerSize {
		b, err := s.read(off, int(avail))
		if err != nil {
			return nil, 0, frameBad, err
		}
		if bytes.HasPrefix(magic[:], b[:min(len(b), len(magic))]) {
			return nil, 0, frameShort, nil
		}
		return nil, 0, frameBad, nil
	}
	h, err := s.read(off, headerSize)
	if err != nil {
		return nil, 0, frameBad, err
	}
	if !bytes.Equal(h[:4], magic[:]) {
		return nil, 0, frameBad, nil
	}
	n := int64(binary.LittleEndian.Uint32(h[4:8]))
	want := binary.LittleEndian.Uint32(h[8:12])
	if n > s.max {
		return nil, 0, frameBad, nil
	}
	if headerSize+n > avail {
		return nil, 0, frameShort, nil
	}
	crc := crc32.Update(0, castagnoli, h[4:8])
	fr, err := s.read(off, int(headerSize+n))
	if err != nil {
		return nil, 0, frameBad, err
	}
	p := fr[headerSize:]
	if crc32.Update(crc, castagnoli, p) != want {
		return nil, 0, frameBad, nil
	}
	if ok, _ := splitPayload(p, nil); !ok {
		return nil, 0, frameBad, nil
	}
	return p, off + headerSize + n, frameOK, nil
}

// resync returns the offset of the next valid frame at or after from, or -1.
func (s *scanner) resync(from int64) (int64, error) {
	for p := from; p+headerSize <= s.size; {
		n := min(int64(windowSize), s.size-p)
		b, err := s.read(p, int(n))
		if err != nil {
			return -1, err
		}
		i := bytes.Index(b, magic[:])
		if i < 0 {
			p += max(n-int64(len(magic)-1), 1)
			continue
		}
		cand := p + int64(i)
		if _, _, st, err := s.frameAt(cand); err != nil {
			return -1, err
		} else if st == frameOK {
			return cand, nil
		}
		p = cand + 1
	}
	return -1, nil
}

// allZero reports whether [off, s.size) holds only zero bytes (what a file system may show
// for data it had not written back when the machine stopped).
func (s *scanner) allZero(off int64) (bool, error) {
	for off < s.size {
		n := min(int64(windowSize), s.size-off)
		b, err := s.read(off, int(n))
		if err != nil {
			return false, err
		}
		for _, c := range b {
			if c != 0 {
				return false, nil
			}
		}
		off += n
	}
	return true, nil
}

// scan walks the first size bytes of r, calls fn (when not nil) with every record of every
// valid frame in order, and reports what it found. A frame cut short at the end, or a
// zero-filled end, counts as torn; any other invalid bytes count as corrupt.
func scan(r io.ReaderAt, size, maxPayload int64, fn func([]byte) error) (Recovery, error) {
	s := &scanner{r: r, size: size, max: maxPayload}
	var rec Recovery
	off := int64(0)
	for off < size {
		p, end, st, err := s.frameAt(off)
		if err != nil {
			return rec, err
		}
		if st == frameOK {
			rec.Records += countRecords(p)
			if fn != nil {
				if _, err := splitPayload(p, fn); err != nil {
					return rec, err
				}
			}
			off = end
			rec.Bytes = end
			continue
		}
		next, err := s.resync(off + 1)
		if err != nil {
			return rec, err
		}
		if next < 0 {
			zero, err := s.allZero(off)
			if err != nil {
				return rec, err
			}
			if st == frameShort || zero {
				rec.TornBytes = size - off
			} else {
				rec.Corrupt = append(rec.Corrupt, Range{Offset: off, Bytes: size - off, Truncated: true})
			}
			break
		}
		rec.Corrupt = append(rec.Corrupt, Range{Offset: off, Bytes: next - off})
		off = next
	}
	return rec, nil
}
