package process

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Uploader is the part of the S3 API an upload uses. *s3.Client implements it.
type Uploader interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPart(ctx context.Context, in *s3.UploadPartInput, opts ...func(*s3.Options)) (*s3.UploadPartOutput, error)
	CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, opts ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
}

var _ Uploader = (*s3.Client)(nil)

// S3 multipart limits (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html): parts are
// 5 MiB to 5 GiB except the last, and an upload has at most 10,000 parts.
const (
	minPartSize = 5 << 20
	maxParts    = 10000
)

// abortTimeout bounds the clean-up of a failed upload, which runs even when the task's context is done.
const abortTimeout = 30 * time.Second

// firstBufSize is the capacity the first part buffer starts with; it doubles as bytes arrive, up to the
// part size, so that a small object costs a few KiB rather than a whole part.
const firstBufSize = 16 << 10

// upload streams the bytes written to it into one S3 object. Memory is fixed: at most inFlight+1 buffers
// of partSize bytes exist, one filling while up to inFlight parts are sent. The first buffer starts at
// firstBufSize and grows by doubling, so an output smaller than a part allocates about twice its size. An object that fits in one
// buffer is sent with one PutObject; a larger one becomes a multipart upload, which Abort (or a failed
// Close) aborts, so no partial object ever becomes visible. Writes and Close come from one goroutine.
type upload struct {
	ctx      context.Context
	s3       Uploader
	bucket   string
	key      string
	metadata map[string]string
	partSize int

	free      chan []byte   // buffers whose part is sent
	allocated int           // buffers made so far, at most cap(free)
	buf       []byte        // the part being filled
	sending   chan struct{} // one token per part in flight

	uploadID string
	parts    int32
	wg       sync.WaitGroup

	mu        sync.Mutex
	err       error // the first failure of a part
	completed []types.CompletedPart
}

// uploaded is where an upload's bytes ended up.
type uploaded struct {
	ETag      string // unquoted
	VersionID string
}

func newUpload(ctx context.Context, client Uploader, bucket, key string, metadata map[string]string, partSize, inFlight int) *upload {
	return &upload{
		ctx: ctx, s3: client, bucket: bucket, key: key, metadata: metadata,
		partSize: max(partSize, 1),
		free:     make(chan []byte, max(inFlight, 1)+1),
		sending:  make(chan struct{}, max(inFlight, 1)),
	}
}

// Write buffers p, sending each full part.
func (u *upload) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		if u.buf == nil {
			u.buf = u.take()
		} else if len(u.buf) == cap(u.buf) && cap(u.buf) < u.partSize {
			u.buf = append(make([]byte, 0, min(2*cap(u.buf), u.partSize)), u.buf...)
		} else if len(u.buf) == cap(u.buf) {
			// Only send a full part once more data proves it is not the last: an object of exactly one
			// part stays a single PutObject.
			if err := u.send(); err != nil {
				return written, err
			}
			u.buf = u.take()
		}
		n := copy(u.buf[len(u.buf):cap(u.buf)], p)
		u.buf = u.buf[:len(u.buf)+n]
		p = p[n:]
		written += n
	}
	return written, nil
}

// take returns an empty buffer, waiting for a sent part's buffer once all are made. The first buffer
// starts small (Write grows it); the others are only needed once a part was sent, so they are whole parts.
func (u *upload) take() []byte {
	select {
	case b := <-u.free:
		return b[:0]
	default:
	}
	if u.allocated < cap(u.free) {
		u.allocated++
		if u.allocated == 1 {
			return make([]byte, 0, min(firstBufSize, u.partSize))
		}
		return make([]byte, 0, u.partSize)
	}
	return (<-u.free)[:0] // every part in flight gives its buffer back, failed or not
}

// send starts sending the filled buffer as the next part, creating the multipart upload first if needed.
func (u *upload) send() error {
	if err := u.failure(); err != nil {
		return err
	}
	if u.uploadID == "" {
		out, err := u.s3.CreateMultipartUpload(u.ctx, &s3.CreateMultipartUploadInput{
			Bucket:            aws.String(u.bucket),
			Key:               aws.String(u.key),
			ContentType:       aws.String(contentType),
			Metadata:          u.metadata,
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		})
		if err != nil {
			return fmt.Errorf("create multipart upload: %w", err)
		}
		u.uploadID = aws.ToString(out.UploadId)
	}
	if u.parts == maxParts {
		return fmt.Errorf("output exceeds %d parts of %d bytes", maxParts, u.partSize)
	}
	u.parts++
	num, buf := u.parts, u.buf
	u.buf = nil
	u.sending <- struct{}{} // wait for a part in flight to finish
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		defer func() { <-u.sending }()
		defer func() { u.free <- buf }()
		out, err := u.s3.UploadPart(u.ctx, &s3.UploadPartInput{
			Bucket:            aws.String(u.bucket),
			Key:               aws.String(u.key),
			UploadId:          aws.String(u.uploadID),
			PartNumber:        aws.Int32(num),
			Body:              bytes.NewReader(buf),
			ContentLength:     aws.Int64(int64(len(buf))),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		})
		u.mu.Lock()
		defer u.mu.Unlock()
		if err != nil {
			if u.err == nil {
				u.err = fmt.Errorf("upload part %d: %w", num, err)
			}
			return
		}
		u.completed = append(u.completed, types.CompletedPart{PartNumber: aws.Int32(num), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}()
	return nil
}

func (u *upload) failure() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.err
}

// Close sends what remains and completes the object. After a failed Close, as after any failed Write,
// the caller calls Abort.
func (u *upload) Close() (uploaded, error) {
	if u.uploadID == "" {
		out, err := u.s3.PutObject(u.ctx, &s3.PutObjectInput{
			Bucket:            aws.String(u.bucket),
			Key:               aws.String(u.key),
			Body:              bytes.NewReader(u.buf),
			ContentLength:     aws.Int64(int64(len(u.buf))),
			ContentType:       aws.String(contentType),
			Metadata:          u.metadata,
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		})
		if err != nil {
			return uploaded{}, fmt.Errorf("put object: %w", err)
		}
		return uploaded{ETag: strings.Trim(aws.ToString(out.ETag), `"`), VersionID: aws.ToString(out.VersionId)}, nil
	}
	if len(u.buf) > 0 {
		if err := u.send(); err != nil {
			return uploaded{}, err
		}
	}
	u.wg.Wait()
	if err := u.failure(); err != nil {
		return uploaded{}, err
	}
	parts := slices.SortedFunc(slices.Values(u.completed), func(a, b types.CompletedPart) int {
		return cmp.Compare(aws.ToInt32(a.PartNumber), aws.ToInt32(b.PartNumber))
	})
	out, err := u.s3.CompleteMultipartUpload(u.ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(u.bucket),
		Key:             aws.String(u.key),
		UploadId:        aws.String(u.uploadID),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		return uploaded{}, fmt.Errorf("complete multipart upload: %w", err)
	}
	u.uploadID = "" // complete: nothing left to abort
	return uploaded{ETag: strings.Trim(aws.ToString(out.ETag), `"`), VersionID: aws.ToString(out.VersionId)}, nil
}

// Abort waits for the parts in flight and aborts the multipart upload, if one was started, so that S3
// discards its parts; a single-part object was never written. It runs on a context of its own: the
// task's may be what failed. An abort that fails leaves invisible parts, which the bucket's lifecycle rule
// for incomplete multipart uploads removes.
func (u *upload) Abort() error {
	u.wg.Wait()
	if u.uploadID == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(u.ctx), abortTimeout)
	defer cancel()
	id := u.uploadID
	u.uploadID = ""
	if _, err := u.s3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket: aws.String(u.bucket), Key: aws.String(u.key), UploadId: aws.String(id),
	}); err != nil {
		return fmt.Errorf("abort multipart upload %s: %w", id, err)
	}
	return nil
}
