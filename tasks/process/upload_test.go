package process

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/tasks/internal/s3test"
)

// watched passes calls on to a real client, counting the parts in flight and failing chosen parts.
type watched struct {
	Uploader
	failPart int32 // UploadPart of this part number fails

	mu          sync.Mutex
	inFlight    int
	maxInFlight int
}

var errInjected = errors.New("injected part failure")

func (w *watched) UploadPart(ctx context.Context, in *s3.UploadPartInput, opts ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
	w.mu.Lock()
	w.inFlight++
	w.maxInFlight = max(w.maxInFlight, w.inFlight)
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.inFlight--
		w.mu.Unlock()
	}()
	if aws.ToInt32(in.PartNumber) == w.failPart {
		return nil, errInjected
	}
	return w.Uploader.UploadPart(ctx, in, opts...)
}

// etagOf is the ETag S3 gives b uploaded in parts of partSize (a plain MD5 when it is one PutObject).
func etagOf(b []byte, partSize int, multipart bool) string {
	if !multipart {
		sum := md5.Sum(b)
		return hex.EncodeToString(sum[:])
	}
	var sums []byte
	n := 0
	for ; len(b) > 0; n++ {
		k := min(partSize, len(b))
		sum := md5.Sum(b[:k])
		sums = append(sums, sum[:]...)
		b = b[k:]
	}
	sum := md5.Sum(sums)
	return hex.EncodeToString(sum[:]) + "-" + strconv.Itoa(n)
}

func pending(t *testing.T, s *s3test.Server) int {
	t.Helper()
	out, err := s.Client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String("bkt")})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchUpload" {
		return 0 // the test server's answer for a bucket that never had an upload
	}
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Uploads)
}

// The test server accepts parts below S3's 5 MiB minimum, which lets these tests use 1 KiB parts.
func TestUploadSizes(t *testing.T) {
	const partSize = 1024
	for _, size := range []int{0, 1, partSize - 1, partSize, partSize + 1, 3*partSize + 7, 20 * partSize} {
		for _, inFlight := range []int{1, 2, 4} {
			t.Run(strconv.Itoa(size)+"/"+strconv.Itoa(inFlight), func(t *testing.T) {
				s := s3test.New(t, "bkt")
				w := &watched{Uploader: s.Client}
				data := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstuvwxyz"), size/36+1)[:size]
				u := newUpload(context.Background(), w, "bkt", "k", map[string]string{"m": "v"}, partSize, inFlight)
				// Writes of awkward sizes, across part boundaries.
				for rest := data; len(rest) > 0; {
					n := min(len(rest), 333)
					if k, err := u.Write(rest[:n]); err != nil || k != n {
						t.Fatalf("Write: %d, %v", k, err)
					}
					rest = rest[n:]
				}
				got, err := u.Close()
				if err != nil {
					t.Fatalf("Close: %v", err)
				}
				if want := etagOf(data, partSize, size > partSize); got.ETag != want {
					t.Errorf("ETag: got %q, want %q", got.ETag, want)
				}
				obj, err := s.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(obj.Body)
				obj.Body.Close()
				if !bytes.Equal(body, data) {
					t.Errorf("object: got %d bytes, want %d", len(body), len(data))
				}
				if obj.Metadata["m"] != "v" {
					t.Errorf("metadata: got %v, want m=v", obj.Metadata)
				}
				if w.maxInFlight > inFlight {
					t.Errorf("parts in flight: got %d, want at most %d", w.maxInFlight, inFlight)
				}
				if u.allocated > inFlight+1 {
					t.Errorf("buffers: got %d, want at most %d", u.allocated, inFlight+1)
				}
				if n := pending(t, s); n != 0 {
					t.Errorf("pending uploads: %d", n)
				}
			})
		}
	}
}

func TestUploadPartFailureAborts(t *testing.T) {
	const partSize = 1024
	for _, failPart := range []int32{1, 2, 5} {
		t.Run(strconv.Itoa(int(failPart)), func(t *testing.T) {
			s := s3test.New(t, "bkt")
			w := &watched{Uploader: s.Client, failPart: failPart}
			u := newUpload(context.Background(), w, "bkt", "k", nil, partSize, 2)
			data := []byte(strings.Repeat("x", 5*partSize+1))
			var err error
			for rest := data; len(rest) > 0 && err == nil; rest = rest[min(len(rest), 100):] {
				_, err = u.Write(rest[:min(len(rest), 100)])
			}
			if err == nil {
				_, err = u.Close()
			}
			if !errors.Is(err, errInjected) {
				t.Fatalf("got %v, want the injected failure", err)
			}
			if aerr := u.Abort(); aerr != nil {
				t.Fatalf("Abort: %v", aerr)
			}
			if n := pending(t, s); n != 0 {
				t.Errorf("pending uploads after Abort: %d", n)
			}
			_, err = s.Client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
			if err == nil {
				t.Error("a failed upload left an object")
			}
		})
	}
}

// The first buffer starts at firstBufSize and doubles up to the part size: a small output allocates a
// few KiB, and outputs around the growth steps and part boundaries come out whole.
func TestUploadGrowsFirstBuffer(t *testing.T) {
	const partSize = 3*firstBufSize + 5 // not a power of two times the first size
	for _, size := range []int{0, 100, firstBufSize, firstBufSize + 1, 2*firstBufSize + 1, partSize, partSize + 1, 2*partSize + 3} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			s := s3test.New(t, "bkt")
			data := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstuvwxyz"), size/36+1)[:size]
			u := newUpload(context.Background(), s.Client, "bkt", "k", nil, partSize, 2)
			var most int
			for rest := data; len(rest) > 0; {
				n := min(len(rest), 1000)
				if k, err := u.Write(rest[:n]); err != nil || k != n {
					t.Fatalf("Write: %d, %v", k, err)
				}
				rest = rest[n:]
				most = max(most, cap(u.buf))
			}
			if want := max(firstBufSize, 2*size); size <= partSize && most > want {
				t.Errorf("buffer capacity: got %d, want at most %d", most, want)
			}
			if most > partSize {
				t.Errorf("buffer capacity: got %d, want at most the part size %d", most, partSize)
			}
			got, err := u.Close()
			if err != nil {
				t.Fatalf("Close: %v", err)
			}
			if want := etagOf(data, partSize, size > partSize); got.ETag != want {
				t.Errorf("ETag: got %q, want %q", got.ETag, want)
			}
			obj, err := s.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(obj.Body)
			obj.Body.Close()
			if !bytes.Equal(body, data) {
				t.Errorf("object: got %d bytes, want %d", len(body), len(data))
			}
		})
	}
}
