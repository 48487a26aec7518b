package s3

import (
	"hash/crc32"
	"io"
	"strings"
	"testing"
)

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-3", "bytes=-5", "bytes=7-", "bytes=3-1", "bytes=a-b", "bytes=0-1,2-3", "", "bytes=-0", "bytes=99999999999999999999-"} {
		f.Add(s, int64(10))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -size
		}
		r, ok, err := parseRange(h, size)
		if err != nil || !ok {
			return
		}
		if r.start < 0 || r.length <= 0 || r.start+r.length > size {
			t.Errorf("parseRange(%q, %d) = %+v outside the object", h, size, r)
		}
	})
}

func FuzzChunkedReader(f *testing.F) {
	f.Add("5\r\nhello\r\n0\r\n\r\n")
	f.Add("3;chunk-signature=abc\r\nabc\r\n0;chunk-signature=def\r\n\r\n")
	f.Add("2\r\nab\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n")
	f.Add("zz\r\n")
	f.Add("5\r\nab")
	f.Fuzz(func(t *testing.T, body string) {
		cr := newChunkedReader(strings.NewReader(body))
		out, err := io.ReadAll(io.LimitReader(cr, 1<<20))
		if err == nil && len(out) > len(body) {
			t.Errorf("decoded %d bytes from a %d-byte body", len(out), len(body))
		}
	})
}

func FuzzParseCopySource(f *testing.F) {
	for _, s := range []string{"b/k", "/b/k", "b/k?versionId=x", "b", "b/%zz", "b/k?versionId=", "%2Fb%2Fk"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, k, _, err := parseCopySource(s)
		if err == nil && (b == "" || k == "") {
			t.Errorf("parseCopySource(%q) accepted an empty bucket or key", s)
		}
	})
}

func TestCRC64NVME(t *testing.T) {
	// CRC-64/NVME check value for "123456789".
	h := newHash("CRC64NVME")
	h.Write([]byte("123456789"))
	if got, want := h.Sum(nil), []byte{0xAE, 0x8B, 0x14, 0x86, 0x0A, 0x79, 0x98, 0x88}; string(got) != string(want) {
		t.Errorf("crc64nvme = %x, want %x", got, want)
	}
	if crc32.ChecksumIEEE([]byte("123456789")) != 0xCBF43926 {
		t.Error("crc32 check value")
	}
}
