package s3_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"
)

func TestMultipartUploadWithManager(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "mpu", false, true)
	ctx := context.Background()
	data := bytes.Repeat([]byte("0123456789abcdef"), (5<<20)/16+100) // a little over 5 MiB: two parts
	up := manager.NewUploader(e.client, func(u *manager.Uploader) { u.PartSize = 5 << 20 })
	res, err := up.Upload(ctx, &awss3.PutObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big.bin"), Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatalf("Upload: %v", err)
	}
	etag := aws.ToString(res.ETag)
	if !strings.HasSuffix(etag, `-2"`) {
		t.Errorf("multipart etag = %s, want suffix -2", etag)
	}
	head, err := e.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big.bin")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(head.ETag); got != etag {
		t.Errorf("HeadObject etag = %s, want %s", got, etag)
	}
	if got, want := aws.ToInt64(head.ContentLength), int64(len(data)); got != want {
		t.Errorf("size = %d, want %d", got, want)
	}
	if got := e.get(t, "mpu", "big.bin"); got != string(data) {
		t.Errorf("content differs (len %d, want %d)", len(got), len(data))
	}
	ev := e.pub.next(t)
	if got, want := ev.Detail.Reason, "CompleteMultipartUpload"; got != want {
		t.Errorf("reason = %q, want %q", got, want)
	}
	if got, want := `"`+ev.Detail.Object.ETag+`"`, etag; got != want {
		t.Errorf("event etag = %s, want %s", got, want)
	}
	list, err := e.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("mpu")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 1 || aws.ToString(list.Contents[0].ETag) != etag {
		t.Errorf("ListObjectsV2 = %+v, want one object with etag %s", list.Contents, etag)
	}
}

func TestMultipartSmallPartRejected(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "mpu", false, false)
	ctx := context.Background()
	up, err := e.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for i := int32(1); i <= 2; i++ {
		p, err := e.client.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("k"),
			UploadId: up.UploadId, PartNumber: aws.Int32(i), Body: strings.NewReader("small")})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{ETag: p.ETag, PartNumber: aws.Int32(i)})
	}
	_, err = e.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if got, want := apiCode(err), "EntityTooSmall"; got != want {
		t.Errorf("code = %q, want %q", got, want)
	}
	_, err = e.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("k"),
		UploadId: aws.String("nope"), MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if got, want := apiCode(err), "NoSuchUpload"; got != want {
		t.Errorf("unknown upload: code = %q, want %q", got, want)
	}
}

func TestRangedGet(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "rng", false, false)
	e.put(t, "rng", "k", "0123456789")
	tests := []struct {
		rng       string
		want      string
		wantRange string
		wantCode  string
	}{
		{"bytes=0-3", "0123", "bytes 0-3/10", ""},
		{"bytes=7-", "789", "bytes 7-9/10", ""},
		{"bytes=-2", "89", "bytes 8-9/10", ""},
		{"bytes=5-100", "56789", "bytes 5-9/10", ""},
		{"bytes=10-", "", "", "InvalidRange"},
		{"bytes=x-y", "0123456789", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.rng, func(t *testing.T) {
			out, err := e.client.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String("rng"), Key: aws.String("k"), Range: aws.String(tc.rng)})
			if got := apiCode(err); got != tc.wantCode {
				t.Fatalf("code = %q, want %q", got, tc.wantCode)
			}
			if err != nil {
				return
			}
			defer out.Body.Close()
			body, _ := io.ReadAll(out.Body)
			if got := string(body); got != tc.want {
				t.Errorf("body = %q, want %q", got, tc.want)
			}
			if got := aws.ToString(out.ContentRange); got != tc.wantRange {
				t.Errorf("Content-Range = %q, want %q", got, tc.wantRange)
			}
		})
	}
}

func TestCopyObjectMetadata(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "cpy", true, false)
	ctx := context.Background()
	src, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("cpy"), Key: aws.String("src"),
		Body: strings.NewReader("payload"), ContentType: aws.String("text/csv"), Metadata: map[string]string{"a": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		in        awss3.CopyObjectInput
		wantType  string
		wantMeta  map[string]string
		wantCode  string
		checkVers bool
	}{
		{"copy keeps metadata", awss3.CopyObjectInput{Key: aws.String("dst1"), CopySource: aws.String("cpy/src")}, "text/csv", map[string]string{"a": "1"}, "", true},
		{"replace sets metadata", awss3.CopyObjectInput{Key: aws.String("dst2"), CopySource: aws.String("cpy/src"),
			MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/plain"), Metadata: map[string]string{"b": "2"}},
			"text/plain", map[string]string{"b": "2"}, "", true},
		{"source by version id", awss3.CopyObjectInput{Key: aws.String("dst3"), CopySource: aws.String("cpy/src?versionId=" + aws.ToString(src.VersionId))}, "text/csv", map[string]string{"a": "1"}, "", true},
		{"copy onto itself", awss3.CopyObjectInput{Key: aws.String("src"), CopySource: aws.String("cpy/src")}, "", nil, "InvalidRequest", false},
		{"missing source", awss3.CopyObjectInput{Key: aws.String("dst4"), CopySource: aws.String("cpy/none")}, "", nil, "NoSuchKey", false},
		{"source if-match fails", awss3.CopyObjectInput{Key: aws.String("dst5"), CopySource: aws.String("cpy/src"), CopySourceIfMatch: aws.String(`"x"`)}, "", nil, "PreconditionFailed", false},
		{"destination if-none-match", awss3.CopyObjectInput{Key: aws.String("dst1"), CopySource: aws.String("cpy/src"), IfNoneMatch: aws.String("*")}, "", nil, "PreconditionFailed", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket = aws.String("cpy")
			out, err := e.client.CopyObject(ctx, &in)
			if got := apiCode(err); got != tc.wantCode {
				t.Fatalf("code = %q, want %q", got, tc.wantCode)
			}
			if err != nil {
				return
			}
			if tc.checkVers && (aws.ToString(out.VersionId) == "" || aws.ToString(out.VersionId) == aws.ToString(src.VersionId)) {
				t.Errorf("version id %q must be new (source %q)", aws.ToString(out.VersionId), aws.ToString(src.VersionId))
			}
			if got, want := aws.ToString(out.CopySourceVersionId), aws.ToString(src.VersionId); got != want {
				t.Errorf("copy source version = %q, want %q", got, want)
			}
			head, err := e.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("cpy"), Key: in.Key})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(head.ContentType); got != tc.wantType {
				t.Errorf("content type = %q, want %q", got, tc.wantType)
			}
			if diff := cmp.Diff(tc.wantMeta, head.Metadata); diff != "" {
				t.Errorf("metadata (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListObjectsV2(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "lst", false, false)
	for _, k := range []string{"a/1", "a/2", "b/1", "c", "d"} {
		e.put(t, "lst", k, k)
	}
	ctx := context.Background()
	var keys, prefixes []string
	p := awss3.NewListObjectsV2Paginator(e.client, &awss3.ListObjectsV2Input{Bucket: aws.String("lst"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Contents {
			keys = append(keys, aws.ToString(c.Key))
		}
		for _, c := range page.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(c.Prefix))
		}
	}
	if diff := cmp.Diff([]string{"c", "d"}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a/", "b/"}, prefixes); diff != "" {
		t.Errorf("prefixes (-want +got):\n%s", diff)
	}
	out, err := e.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("lst"), Prefix: aws.String("a/")})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(out.Contents); got != 2 {
		t.Errorf("prefix a/: %d objects, want 2", got)
	}
}

func TestErrors(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "err", false, false)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"get from missing bucket", func() error {
			_, err := e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("nope"), Key: aws.String("k")})
			return err
		}, "NoSuchBucket"},
		{"put to missing bucket", func() error {
			_, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("nope"), Key: aws.String("k"), Body: strings.NewReader("x")})
			return err
		}, "NoSuchBucket"},
		{"get missing key", func() error {
			_, err := e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("err"), Key: aws.String("k")})
			return err
		}, "NoSuchKey"},
		{"head missing key", func() error {
			_, err := e.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("err"), Key: aws.String("k")})
			return err
		}, "NotFound"},
		{"unsupported subresource", func() error {
			_, err := e.client.GetBucketTagging(ctx, &awss3.GetBucketTaggingInput{Bucket: aws.String("err")})
			return err
		}, "NotImplemented"},
		{"key too long", func() error {
			_, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("err"), Key: aws.String(strings.Repeat("k", 1025)), Body: strings.NewReader("x")})
			return err
		}, "KeyTooLongError"},
		{"metadata too large", func() error {
			_, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("err"), Key: aws.String("m"), Body: strings.NewReader("x"),
				Metadata: map[string]string{"big": strings.Repeat("v", 2100)}})
			return err
		}, "MetadataTooLarge"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := apiCode(tc.call()); got != tc.want {
				t.Errorf("code = %q, want %q", got, tc.want)
			}
		})
	}
}

// Malformed requests sent without the SDK are answered with S3 errors, not crashes.
func TestMalformedRequests(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "raw", false, false)
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		wantStatus               int
		wantCode                 string
	}{
		{"bad notification xml", "PUT", "/raw?notification", "<Notif", nil, 400, "MalformedXML"},
		{"bad delete xml", "POST", "/raw?delete", "<Delete><Object>", nil, 400, "MalformedXML"},
		{"bad complete xml", "POST", "/raw/k?uploadId=x", "<<", nil, 400, "MalformedXML"},
		{"truncated aws-chunked body", "PUT", "/raw/k", "5\r\nab", map[string]string{
			"X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "X-Amz-Decoded-Content-Length": "5"}, 400, "IncompleteBody"},
		{"bad content-md5", "PUT", "/raw/k", "abc", map[string]string{"Content-MD5": "!!"}, 400, "InvalidDigest"},
		{"wrong content-md5", "PUT", "/raw/k", "abc", map[string]string{"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="}, 400, "BadDigest"},
		{"wrong checksum", "PUT", "/raw/k", "abc", map[string]string{"X-Amz-Checksum-Crc32": "AAAAAA=="}, 400, "BadDigest"},
		{"empty version id", "GET", "/raw/k?versionId=", "", nil, 400, "InvalidArgument"},
		{"bad copy source", "PUT", "/raw/k", "", map[string]string{"X-Amz-Copy-Source": "nokey"}, 400, "InvalidArgument"},
		{"method not allowed", "PATCH", "/raw/k", "", nil, 405, "MethodNotAllowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, e.http.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.wantStatus || !strings.Contains(string(body), "<Code>"+tc.wantCode+"</Code>") {
				t.Errorf("got %d %s, want %d with code %s", resp.StatusCode, body, tc.wantStatus, tc.wantCode)
			}
		})
	}
}

// The aws-chunked encoding with a trailing checksum, as aws-sdk-go-v2 sends it over TLS.
func TestAWSChunkedPut(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "chk", false, false)
	payload := "hello, chunked world"
	// CRC32 of the payload, base64.
	body := fmt.Sprintf("%x\r\n%s\r\n%x\r\n%s\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n", 7, payload[:7], len(payload)-7, payload[7:], crc32b64(payload))
	req, _ := http.NewRequest("PUT", e.http.URL+"/chk/obj", strings.NewReader(body))
	req.Header.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(payload)))
	req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got, want := resp.Header.Get("x-amz-checksum-crc32"), crc32b64(payload); got != want {
		t.Errorf("echoed checksum = %q, want %q", got, want)
	}
	if got := e.get(t, "chk", "obj"); got != payload {
		t.Errorf("stored %q, want %q", got, payload)
	}
	out, err := e.client.HeadObject(context.Background(), &awss3.HeadObjectInput{Bucket: aws.String("chk"), Key: aws.String("obj"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.ContentEncoding); got != "" {
		t.Errorf("Content-Encoding = %q, want aws-chunked stripped", got)
	}
	if got, want := aws.ToString(out.ChecksumCRC32), crc32b64(payload); got != want {
		t.Errorf("HeadObject checksum = %q, want %q", got, want)
	}
}

// UploadPart bodies in aws-chunked encoding are decoded before gofakes3 stores the part.
func TestAWSChunkedUploadPart(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "chk", false, false)
	ctx := context.Background()
	up, err := e.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("chk"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	payload := "part payload"
	body := fmt.Sprintf("%x;chunk-signature=%s\r\n%s\r\n0;chunk-signature=%s\r\n\r\n", len(payload), strings.Repeat("a", 64), payload, strings.Repeat("b", 64))
	req, _ := http.NewRequest("PUT", e.http.URL+"/chk/mp?partNumber=1&uploadId="+aws.ToString(up.UploadId), strings.NewReader(body))
	req.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(payload)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("UploadPart status %d", resp.StatusCode)
	}
	etag := resp.Header.Get("ETag")
	if _, err := e.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String("chk"), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: aws.String(etag), PartNumber: aws.Int32(1)}}}}); err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, "chk", "mp"); got != payload {
		t.Errorf("object = %q, want %q", got, payload)
	}
	parts, err := e.client.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: aws.String("chk")})
	if err != nil {
		t.Fatal(err)
	}
	if len(parts.Uploads) != 0 {
		t.Errorf("%d uploads left after completion, want 0", len(parts.Uploads))
	}
}

func TestListObjectsEncodingType(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "enc", false, false)
	for _, k := range []string{"a b+c%d.txt", "dir/x"} {
		e.put(t, "enc", k, "x")
	}
	ctx := context.Background()
	tests := []struct {
		name string
		enc  types.EncodingType
	}{{"plain", ""}, {"url", types.EncodingTypeUrl}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := e.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("enc"), EncodingType: tc.enc, Delimiter: aws.String("/")})
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, c := range out.Contents {
				keys = append(keys, aws.ToString(c.Key))
			}
			want := []string{"a b+c%d.txt"}
			if tc.enc == types.EncodingTypeUrl {
				want = []string{"a+b%2Bc%25d.txt"}
			}
			if diff := cmp.Diff(want, keys); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			if len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "dir/" {
				t.Errorf("common prefixes = %+v, want dir/", out.CommonPrefixes)
			}
		})
	}
	v1, err := e.client.ListObjects(ctx, &awss3.ListObjectsInput{Bucket: aws.String("enc"), MaxKeys: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(v1.Contents) != 1 || !aws.ToBool(v1.IsTruncated) {
		t.Errorf("ListObjects max-keys 1: %d keys truncated=%v, want 1 and true", len(v1.Contents), aws.ToBool(v1.IsTruncated))
	}
}

func TestBucketLocationAndHead(t *testing.T) {
	e := newEnv(t, t.TempDir()) // region eu-west-1
	e.bucket(t, "loc", false, false)
	ctx := context.Background()
	loc, err := e.client.GetBucketLocation(ctx, &awss3.GetBucketLocationInput{Bucket: aws.String("loc")})
	if err != nil {
		t.Fatal(err)
	}
	if loc.LocationConstraint != types.BucketLocationConstraintEuWest1 {
		t.Errorf("location = %q, want eu-west-1", loc.LocationConstraint)
	}
	head, err := e.client.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String("loc")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(head.BucketRegion); got != "eu-west-1" {
		t.Errorf("bucket region = %q", got)
	}
	_, err = e.client.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String("none")})
	if got := apiCode(err); got != "NotFound" {
		t.Errorf("HeadBucket missing: %q, want NotFound", got)
	}
}

func TestListObjectVersionsPaging(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "pvs", true, false)
	ctx := context.Background()
	var want []string
	for _, k := range []string{"a", "b"} {
		var ids []string
		for i := range 3 {
			ids = append([]string{aws.ToString(e.put(t, "pvs", k, fmt.Sprint(i)).VersionId)}, ids...)
		}
		for _, id := range ids { // newest first within a key
			want = append(want, k+"@"+id)
		}
	}
	for _, max := range []int32{1, 2, 4, 1000} {
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			var got []string
			in := &awss3.ListObjectVersionsInput{Bucket: aws.String("pvs"), MaxKeys: aws.Int32(max)}
			for range 20 {
				out, err := e.client.ListObjectVersions(ctx, in)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range out.Versions {
					got = append(got, aws.ToString(v.Key)+"@"+aws.ToString(v.VersionId))
				}
				if !aws.ToBool(out.IsTruncated) {
					break
				}
				in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("versions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListUploadsAndPartsPaging(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "lup", false, false)
	ctx := context.Background()
	var wantUploads []string
	var firstID *string
	for _, k := range []string{"a", "a", "b"} {
		up, err := e.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("lup"), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		wantUploads = append(wantUploads, k+"@"+aws.ToString(up.UploadId))
		if firstID == nil {
			firstID = up.UploadId
		}
		e.clock.advance(time.Second) // uploads of one key list in initiation order
	}
	var gotUploads []string
	p := awss3.NewListMultipartUploadsPaginator(e.client, &awss3.ListMultipartUploadsInput{Bucket: aws.String("lup"), MaxUploads: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Uploads {
			gotUploads = append(gotUploads, aws.ToString(u.Key)+"@"+aws.ToString(u.UploadId))
		}
	}
	if diff := cmp.Diff(wantUploads, gotUploads); diff != "" {
		t.Errorf("uploads (-want +got):\n%s", diff)
	}
	for n := int32(1); n <= 3; n++ {
		if _, err := e.client.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String("lup"), Key: aws.String("a"), UploadId: firstID,
			PartNumber: aws.Int32(n), Body: strings.NewReader("p")}); err != nil {
			t.Fatal(err)
		}
	}
	var parts []int32
	pp := awss3.NewListPartsPaginator(e.client, &awss3.ListPartsInput{Bucket: aws.String("lup"), Key: aws.String("a"), UploadId: firstID, MaxParts: aws.Int32(2)})
	for pp.HasMorePages() {
		page, err := pp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range page.Parts {
			parts = append(parts, aws.ToInt32(part.PartNumber))
		}
	}
	if diff := cmp.Diff([]int32{1, 2, 3}, parts); diff != "" {
		t.Errorf("parts (-want +got):\n%s", diff)
	}
}
