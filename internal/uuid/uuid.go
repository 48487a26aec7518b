// Package uuid makes version 4 (random) UUIDs, the shape of AWS request ids, execution names and event
// ids, in their canonical text form (RFC 9562: 8-4-4-4-12 lower-case hexadecimal digits).
package uuid

import (
	"crypto/rand"
	"encoding/hex"
)

// New returns a random version 4 UUID from crypto/rand.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error (Go 1.24+: it crashes the program instead)
	return From(b)
}

// From returns the version 4 UUID made of b's random bits: the version and variant bits are set, the
// rest are b's. Hosts with their own random source (a seeded one in tests) use it.
func From(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
