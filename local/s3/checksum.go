package s3

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"sort"
	"strings"
)

// Checksum algorithms S3 accepts in x-amz-checksum-<alg>
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
var checksumAlgorithms = []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}

// crc64NVMETable is CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5).
var crc64NVMETable = crc64.MakeTable(0x9a6c9329ac4bc9b5)

func newHash(alg string) hash.Hash {
	switch alg {
	case "CRC32":
		return crc32.NewIEEE()
	case "CRC32C":
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case "CRC64NVME":
		return crc64.New(crc64NVMETable)
	case "SHA1":
		return sha1.New()
	case "SHA256":
		return sha256.New()
	}
	return nil
}

// digests are the integrity values a request declares for its body.
type digests struct {
	contentMD5 []byte            // decoded Content-MD5, when sent
	checksums  map[string]string // algorithm -> base64, from headers or aws-chunked trailers
	trailer    *chunkedReader    // source of checksums declared in x-amz-trailer
}

// digestsFromHeaders reads Content-MD5 and x-amz-checksum-* headers.
func digestsFromHeaders(h http.Header) (*digests, error) {
	d := &digests{checksums: map[string]string{}}
	if vals, ok := h["Content-Md5"]; ok {
		raw, err := base64.StdEncoding.DecodeString(strings.Join(vals, ""))
		if err != nil || len(raw) != 16 {
			return nil, errInvalidDigest()
		}
		d.contentMD5 = raw
	}
	for _, alg := range checksumAlgorithms {
		if v := h.Get("X-Amz-Checksum-" + alg); v != "" {
			d.checksums[alg] = v
		}
	}
	return d, nil
}

// algorithms names the checksums to compute: those declared, plus the one named by
// x-amz-sdk-checksum-algorithm / x-amz-trailer when the value arrives in a trailer.
func (d *digests) algorithms() []string {
	var out []string
	for alg := range d.checksums {
		out = append(out, alg)
	}
	sort.Strings(out)
	return out
}

// expectTrailer registers a checksum that will arrive in an aws-chunked trailer.
func (d *digests) expectTrailer(header string) {
	alg := strings.ToUpper(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(header)), "x-amz-checksum-"))
	if newHash(alg) != nil {
		d.checksums[alg] = "" // filled in from the trailer before verification
	}
}

type checksummer struct {
	hashes map[string]hash.Hash
	w      io.Writer
}

func newChecksummer(algs []string) *checksummer {
	c := &checksummer{hashes: map[string]hash.Hash{}}
	var ws []io.Writer
	for _, a := range algs {
		if h := newHash(a); h != nil {
			c.hashes[a] = h
			ws = append(ws, h)
		}
	}
	c.w = io.MultiWriter(ws...)
	return c
}

func (c *checksummer) Write(p []byte) (int, error) { return c.w.Write(p) }

// verify compares the body's MD5 and checksums with the declared values and returns the
// checksums to store.
func (d *digests) verify(md5sum []byte, c *checksummer) (map[string]string, error) {
	if d.contentMD5 != nil && !bytes.Equal(d.contentMD5, md5sum) {
		return nil, errBadDigest("The Content-MD5 you specified did not match what we received.")
	}
	if len(d.checksums) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for alg, want := range d.checksums {
		if want == "" && d.trailer != nil {
			want = d.trailer.Trailers["x-amz-checksum-"+strings.ToLower(alg)]
		}
		h, ok := c.hashes[alg]
		if !ok {
			continue
		}
		got := base64.StdEncoding.EncodeToString(h.Sum(nil))
		if want != "" && want != got {
			return nil, errBadDigest("The " + alg + " you specified did not match the calculated checksum.")
		}
		out[alg] = got
	}
	return out, nil
}
