package s3

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Streaming payload modes that wrap the body in aws-chunked encoding
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
// sigv4-streaming-trailers.html).
var streamingPayloads = map[string]bool{
	"STREAMING-AWS4-HMAC-SHA256-PAYLOAD":               true,
	"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":       true,
	"STREAMING-UNSIGNED-PAYLOAD-TRAILER":               true,
	"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD":         true,
	"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER": true,
}

// isAWSChunked reports whether the request body is aws-chunked.
func isAWSChunked(h http.Header) bool {
	if streamingPayloads[h.Get("X-Amz-Content-Sha256")] {
		return true
	}
	for _, e := range strings.Split(h.Get("Content-Encoding"), ",") {
		if strings.EqualFold(strings.TrimSpace(e), "aws-chunked") {
			return true
		}
	}
	return false
}

// errChunkFormat reports a malformed aws-chunked body.
var errChunkFormat = errors.New("malformed aws-chunked body")

// maxChunkLine bounds a chunk header or trailer line.
const maxChunkLine = 4096

// chunkedReader decodes an aws-chunked body: "<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n"
// repeated, a zero-size chunk, then optional "name:value\r\n" trailers and a blank line.
// Signatures are not verified. After io.EOF, Trailers holds the trailers (lower-case names).
type chunkedReader struct {
	r        *bufio.Reader
	remain   int64
	started  bool
	done     bool
	err      error
	Trailers map[string]string
}

func newChunkedReader(r io.Reader) *chunkedReader {
	return &chunkedReader{r: bufio.NewReaderSize(r, 64<<10), Trailers: map[string]string{}}
}

func (c *chunkedReader) readLine() (string, error) {
	var line []byte
	for {
		frag, err := c.r.ReadSlice('\n')
		line = append(line, frag...)
		if len(line) > maxChunkLine {
			return "", errChunkFormat
		}
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			return "", io.ErrUnexpectedEOF
		}
		return "", err
	}
	return strings.TrimRight(string(line), "\r\n"), nil
}

func (c *chunkedReader) nextChunk() error {
	if c.started {
		// The CRLF that ends the previous chunk's data.
		var crlf [2]byte
		if _, err := io.ReadFull(c.r, crlf[:]); err != nil {
			return io.ErrUnexpectedEOF
		}
		if !bytes.Equal(crlf[:], []byte("\r\n")) {
			return errChunkFormat
		}
	}
	c.started = true
	line, err := c.readLine()
	if err != nil {
		return err
	}
	sizeText, _, _ := strings.Cut(line, ";")
	size, err := strconv.ParseInt(strings.TrimSpace(sizeText), 16, 64)
	if err != nil || size < 0 {
		return fmt.Errorf("chunk size %q: %w", sizeText, errChunkFormat)
	}
	if size > 0 {
		c.remain = size
		return nil
	}
	// Last chunk: trailers until a blank line (or the end of the body).
	for {
		line, err := c.readLine()
		if errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return err
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return errChunkFormat
		}
		c.Trailers[strings.ToLower(strings.TrimSpace(name))] = strings.TrimSpace(value)
	}
	c.done = true
	return io.EOF
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	for c.remain == 0 {
		if c.done {
			return 0, io.EOF
		}
		if err := c.nextChunk(); err != nil {
			c.err = err
			return 0, err
		}
	}
	if int64(len(p)) > c.remain {
		p = p[:c.remain]
	}
	n, err := c.r.Read(p)
	c.remain -= int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		c.err = err
		return n, err
	}
	if errors.Is(err, io.EOF) && c.remain > 0 {
		c.err = io.ErrUnexpectedEOF
		return n, c.err
	}
	return n, nil
}

// decodedLength returns x-amz-decoded-content-length, the length of the payload inside an
// aws-chunked body, or -1 when absent or invalid.
func decodedLength(h http.Header) int64 {
	n, err := strconv.ParseInt(h.Get("X-Amz-Decoded-Content-Length"), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}
