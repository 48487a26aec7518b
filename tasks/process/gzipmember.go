package process

import (
	"encoding/binary"

	"github.com/klauspost/compress/gzip"
)

// One gzip member (RFC 1952) whose deflate stream (RFC 1951) is made of pieces compressed independently,
// on as many cores as there are, and joined in order. A deflate stream is a sequence of blocks, only the
// last marked final (BFINAL); each piece but the last is ended by a sync flush (an empty stored block,
// which is not final and leaves the output on a byte boundary), and the last by closing its compressor
// (final block). Back-references never cross pieces, since each piece's compressor starts empty, so the
// concatenation is one valid deflate stream, which every gzip reader decodes as one member: the
// technique of pigz and of klauspost/pgzip, without their dependence on scheduling or on how the input
// was cut into writes. The CRC-32 of the whole is combined from the pieces' own (crc32Combine), and the
// trailer carries it with the total size.

// gzipHeader returns the 10-byte member header that github.com/klauspost/compress/gzip's Writer (and the
// standard library's) writes when no name, comment, extra field or modification time is set: no flags,
// MTIME 0, XFL 2 for the best compression level and 4 for the fastest, OS 255 (unknown). A member made
// of a single piece is then the very bytes that Writer produces from the same input in one Write.
func gzipHeader(level int) [10]byte {
	h := [10]byte{0: 0x1f, 1: 0x8b, 2: 8, 9: 255}
	switch level {
	case gzip.BestCompression:
		h[8] = 2
	case gzip.BestSpeed:
		h[8] = 4
	}
	return h
}

// gzipTrailer returns the member trailer: the CRC-32 of the uncompressed data and its size modulo 2^32,
// both little-endian.
func gzipTrailer(crc uint32, size int64) [8]byte {
	var t [8]byte
	binary.LittleEndian.PutUint32(t[:4], crc)
	binary.LittleEndian.PutUint32(t[4:], uint32(size))
	return t
}

// crcPoly is the CRC-32 (IEEE) polynomial in the reflected bit order of hash/crc32's IEEE table: bit 31
// holds the coefficient of x^0.
const crcPoly = 0xedb88320

// crcMulMod returns a·b modulo the CRC polynomial, both in the reflected order.
func crcMulMod(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ crcPoly
		} else {
			b >>= 1
		}
	}
	return p
}

// crcShift returns x^(8n) modulo the CRC polynomial: the factor by which appending n zero bytes
// multiplies a CRC's register, by squaring (x^(2^k) for each set bit k of 8n).
func crcShift(n int64) uint32 {
	p := uint32(1) << 31  // x^0
	sq := uint32(1) << 23 // x^8
	for ; n > 0; n >>= 1 {
		if n&1 != 0 {
			p = crcMulMod(sq, p)
		}
		sq = crcMulMod(sq, sq)
	}
	return p
}

// crc32Combine returns the CRC-32 (IEEE) of a followed by b, given crcA of a, crcB of b and b's length.
// The CRC is linear: the register after a, followed by len(b) more bytes, is the register after a
// multiplied by x^(8·len(b)) plus what b alone contributes from a zero register; hash/crc32's pre- and
// post-inversion cancel out of that sum, leaving crcA·x^(8·len(b)) xor crcB.
func crc32Combine(crcA, crcB uint32, lenB int64) uint32 {
	if lenB == 0 {
		return crcA
	}
	return crcMulMod(crcShift(lenB), crcA) ^ crcB
}
