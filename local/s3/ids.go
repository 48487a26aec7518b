package s3

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	mrand "math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/sluicehq/sluice/internal/uuid"
)

// idSource makes the identifiers S3 hands out: sequencers (monotonic, so events for one key
// order by them as the S3 docs describe), version, upload, blob and request IDs, event UUIDs.
type idSource struct {
	now func() time.Time

	mu   sync.Mutex
	last uint64
}

// nextSeq returns a number greater than every number returned or observed before; it follows
// the clock when the clock moves forward.
func (i *idSource) nextSeq() uint64 {
	i.mu.Lock()
	defer i.mu.Unlock()
	n := uint64(i.now().UnixNano())
	if n <= i.last {
		n = i.last + 1
	}
	i.last = n
	return n
}

func (i *idSource) observeSeq(n uint64) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if n > i.last {
		i.last = n
	}
}

func (i *idSource) observe(seq string) {
	if n, err := strconv.ParseUint(seq, 16, 64); err == nil {
		i.observeSeq(n)
	}
}

// seqString renders a sequencer as S3 does: hexadecimal, fixed width (fmt's %016X, which FuzzSeqString
// holds it to).
func seqString(n uint64) string {
	var b [16]byte
	return string(appendUpperHex(b[:0], n, 16))
}

// appendUpperHex appends n in upper-case hexadecimal, padded with zeros to width digits.
func appendUpperHex(b []byte, n uint64, width int) []byte {
	const digits = "0123456789ABCDEF"
	start := len(b)
	for range width {
		b = append(b, 0)
	}
	for i := len(b) - 1; i >= start; i-- {
		b[i] = digits[n&0xF]
		n >>= 4
	}
	return b
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return b
}

// versionID returns a 32-character URL-safe ID like S3's: base64url of 24 random bytes, with '.' for '-'.
func (i *idSource) versionID() string {
	var raw [24]byte
	_, _ = rand.Read(raw[:])
	var b [32]byte
	base64.RawURLEncoding.Encode(b[:], raw[:])
	for j, c := range b {
		if c == '-' {
			b[j] = '.'
		}
	}
	return string(b[:])
}

func (i *idSource) uploadID() string { return base64.RawURLEncoding.EncodeToString(randomBytes(36)) }

func (i *idSource) blobID() string { return hex.EncodeToString(randomBytes(16)) }

// requestID returns 16 upper-case hexadecimal characters, the shape of x-amz-request-id. It identifies a
// request in logs and answers and guards nothing, so it comes from math/rand/v2 (crypto/rand is kept for
// the identifiers a client could otherwise guess: versions, uploads).
func (i *idSource) requestID() string {
	var b [16]byte
	return string(appendUpperHex(b[:0], mrand.Uint64(), 16))
}

// uuid returns a random (version 4) UUID: an event's id, which names the event and guards nothing, so
// its bits come from math/rand/v2, as request ids' do.
func (i *idSource) uuid() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], mrand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], mrand.Uint64())
	return uuid.From(b)
}
