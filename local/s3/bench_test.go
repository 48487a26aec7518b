package s3_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/local/s3"
)

// discardPublisher accepts every event.
type discardPublisher struct{}

func (discardPublisher) Publish(context.Context, []byte) error { return nil }

// BenchmarkPutObject compares PutObject of a 1 KiB object through the SDK against a
// baseline server that reads the body and answers 200: the ratio is the cost of storage.
func BenchmarkPutObject(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	baseline := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("ETag", `"0"`)
	})
	cases := []struct {
		name string
		h    func(b *testing.B) http.Handler
	}{
		{"baseline", func(*testing.B) http.Handler { return baseline }},
		{"nosync", func(b *testing.B) http.Handler { return benchServer(b, false) }},
		{"nosync+events", func(b *testing.B) http.Handler { return benchServer(b, false, s3.WithPublisher(discardPublisher{})) }},
		{"fsync", func(b *testing.B) http.Handler { return benchServer(b, true) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			hs := httptest.NewServer(c.h(b))
			defer hs.Close()
			client := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), UsePathStyle: true,
				Credentials: credentials.NewStaticCredentialsProvider("id", "secret", "")})
			ctx := context.Background()
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			i := 0
			for b.Loop() {
				i++
				_, err := client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprintf("k/%d", i)), Body: bytes.NewReader(body)})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchServer(b *testing.B, sync bool, opts ...s3.Option) http.Handler {
	srv, err := s3.New(append([]s3.Option{s3.WithDataDir(b.TempDir()), s3.WithSync(sync)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	if err := srv.CreateBucket("bench"); err != nil {
		b.Fatal(err)
	}
	if err := srv.SetEventBridge("bench", true); err != nil {
		b.Fatal(err)
	}
	return srv
}

// BenchmarkPutObjectParallel measures concurrent PutObject with events on, beside the same
// baseline, as a burst of uploads does.
func BenchmarkPutObjectParallel(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	baseline := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("ETag", `"0"`)
	})
	for _, c := range []struct {
		name string
		h    func(b *testing.B) http.Handler
	}{
		{"baseline", func(*testing.B) http.Handler { return baseline }},
		{"nosync+events", func(b *testing.B) http.Handler { return benchServer(b, false, s3.WithPublisher(discardPublisher{})) }},
		{"fsync+events", func(b *testing.B) http.Handler { return benchServer(b, true, s3.WithPublisher(discardPublisher{})) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			hs := httptest.NewServer(c.h(b))
			defer hs.Close()
			client := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), UsePathStyle: true,
				Credentials: credentials.NewStaticCredentialsProvider("id", "secret", "")})
			var n atomic.Int64
			b.SetBytes(int64(len(body)))
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					_, err := client.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String("bench"),
						Key: aws.String(fmt.Sprintf("k/%d", n.Add(1))), Body: bytes.NewReader(body)})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
