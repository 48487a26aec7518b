package s3

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
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

// seqString renders a sequencer as S3 does: hexadecimal, fixed width.
func seqString(n uint64) string { return fmt.Sprintf("%016X", n) }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return b
}

// versionID returns a 32-character URL-safe ID like S3's.
func (i *idSource) versionID() string {
	return strings.NewReplacer("-", ".", "_", "_").Replace(base64.RawURLEncoding.EncodeToString(randomBytes(24)))
}

func (i *idSource) uploadID() string { return base64.RawURLEncoding.EncodeToString(randomBytes(36)) }

func (i *idSource) blobID() string { return hex.EncodeToString(randomBytes(16)) }

// requestID returns 16 upper-case hexadecimal characters, the shape of x-amz-request-id.
func (i *idSource) requestID() string { return strings.ToUpper(hex.EncodeToString(randomBytes(8))) }

// uuid returns a random (version 4) UUID.
func (i *idSource) uuid() string { return uuid.From([16]byte(randomBytes(16))) }
