package s3

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// backend adapts the Service's store to gofakes3's Backend, VersionedBackend and
// MultipartBackend interfaces, for the operations gofakes3 serves.
type backend struct{ s *Service }

var (
	_ gofakes3.Backend          = backend{}
	_ gofakes3.VersionedBackend = backend{}
	_ gofakes3.MultipartBackend = backend{}
)

// fakeErr turns this package's errors into gofakes3's so gofakes3 renders them.
func fakeErr(err error) error {
	if err == nil {
		return nil
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return gofakes3.ErrorMessage(gofakes3.ErrorCode(ae.Code), ae.Message)
	}
	return err
}

func (b backend) ListBuckets() ([]gofakes3.BucketInfo, error) {
	var out []gofakes3.BucketInfo
	for _, c := range b.s.store.bucketConfigs() {
		out = append(out, gofakes3.BucketInfo{Name: c.Name, CreationDate: gofakes3.NewContentTime(c.Created)})
	}
	return out, nil
}

func contentOf(key string, v *version) *gofakes3.Content {
	return &gofakes3.Content{Key: key, LastModified: gofakes3.NewContentTime(v.LastModified),
		ETag: `"` + v.ETag + `"`, Size: v.Size, StorageClass: gofakes3.StorageStandard}
}

func (b backend) ListBucket(name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	if prefix == nil {
		prefix = &gofakes3.Prefix{}
	}
	bs, err := b.s.store.rlockBucket(name)
	if err != nil {
		return nil, fakeErr(err)
	}
	defer bs.mu.RUnlock()
	out := gofakes3.NewObjectList()
	var count int64
	var last string
	seen := map[string]bool{}
	for _, key := range bs.sortedKeys() {
		if page.HasMarker && key <= page.Marker {
			continue
		}
		v := bs.keys[key].live()
		if v == nil {
			continue
		}
		var m gofakes3.PrefixMatch
		if !prefix.Match(key, &m) {
			continue
		}
		if m.CommonPrefix && (seen[m.MatchedPart] || (page.HasMarker && m.MatchedPart <= page.Marker)) {
			continue
		}
		if page.MaxKeys > 0 && count >= page.MaxKeys {
			out.IsTruncated = true
			out.NextMarker = last
			break
		}
		if m.CommonPrefix {
			seen[m.MatchedPart] = true
			out.AddPrefix(m.MatchedPart)
			last = m.MatchedPart
		} else {
			out.Add(contentOf(key, v))
			last = key
		}
		count++
	}
	return out, nil
}

// CreateBucket creates a bucket. The local stack has one owner (its one account), so a bucket that
// exists is always the caller's: AWS then answers 409 BucketAlreadyOwnedByYou in every region but
// us-east-1, where, for legacy compatibility, re-creating your own bucket answers 200 OK (and resets its
// ACLs, which the local S3 does not keep). BucketAlreadyExists is for another account's bucket, which
// cannot happen here.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html (Errors) and
// https://docs.aws.amazon.com/sdk-for-python/v4/reference/clients/s3/errors/BucketAlreadyOwnedByYou/
func (b backend) CreateBucket(name string) error {
	err := b.s.store.createBucket(name, b.s.now())
	if errors.Is(err, errBucketExists) {
		if b.s.region == "us-east-1" {
			return nil
		}
		return gofakes3.ErrorMessage(gofakes3.ErrorCode(codeBucketAlreadyOwnedByYou),
			"Your previous request to create the named bucket succeeded and you already own it.")
	}
	return fakeErr(err)
}

// codeBucketAlreadyOwnedByYou is CreateBucket's answer for a bucket the caller already owns, outside
// us-east-1.
const codeBucketAlreadyOwnedByYou Code = "BucketAlreadyOwnedByYou"

func (b backend) BucketExists(name string) (bool, error) {
	_, err := b.s.store.bucket(name)
	return err == nil, nil
}

func (b backend) DeleteBucket(name string) error { return fakeErr(b.s.store.deleteBucket(name, false)) }

func (b backend) ForceDeleteBucket(name string) error {
	return fakeErr(b.s.store.deleteBucket(name, true))
}

func (b backend) object(bucket, key, versionID string, rng *gofakes3.ObjectRangeRequest, body bool) (*gofakes3.Object, error) {
	v, f, err := b.s.store.lookup(bucket, key, versionID, body)
	if err != nil {
		return nil, fakeErr(err)
	}
	hash, _ := hex.DecodeString(v.ETag)
	obj := &gofakes3.Object{Name: key, Metadata: v.Meta, Size: v.Size, Hash: hash,
		VersionID: gofakes3.VersionID(v.ID), IsDeleteMarker: v.DeleteMarker, Contents: io.NopCloser(bytes.NewReader(nil))}
	if f.ReaderAt == nil {
		return obj, nil
	}
	r, err := rng.Range(v.Size)
	if err != nil {
		f.Close()
		return nil, err
	}
	obj.Range = r
	if r == nil {
		r = &gofakes3.ObjectRange{Start: 0, Length: v.Size}
	}
	obj.Contents = struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(f, r.Start, r.Length), f}
	return obj, nil
}

func (b backend) GetObject(bucket, key string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	return b.object(bucket, key, "", rng, true)
}

func (b backend) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	return b.object(bucket, key, "", nil, false)
}

func (b backend) GetObjectVersion(bucket, key string, id gofakes3.VersionID, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	return b.object(bucket, key, string(id), rng, true)
}

func (b backend) HeadObjectVersion(bucket, key string, id gofakes3.VersionID) (*gofakes3.Object, error) {
	return b.object(bucket, key, string(id), nil, false)
}

func deleteResultOf(r deleteResult) gofakes3.ObjectDeleteResult {
	return gofakes3.ObjectDeleteResult{IsDeleteMarker: r.DeleteMarker, VersionID: gofakes3.VersionID(r.VersionID)}
}

func (b backend) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	r, err := b.s.deleteObject(bucket, key, "", b.s.internalOrigin())
	return deleteResultOf(r), fakeErr(err)
}

func (b backend) DeleteObjectVersion(bucket, key string, id gofakes3.VersionID) (gofakes3.ObjectDeleteResult, error) {
	r, err := b.s.deleteObject(bucket, key, string(id), b.s.internalOrigin())
	return deleteResultOf(r), fakeErr(err)
}

func (b backend) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	ids := make([]gofakes3.ObjectID, len(keys))
	for i, k := range keys {
		ids[i] = gofakes3.ObjectID{Key: k}
	}
	return b.DeleteMultiVersions(bucket, ids...)
}

func (b backend) DeleteMultiVersions(bucket string, objects ...gofakes3.ObjectID) (gofakes3.MultiDeleteResult, error) {
	var out gofakes3.MultiDeleteResult
	for _, o := range objects {
		if _, err := b.s.deleteObject(bucket, o.Key, o.VersionID, b.s.internalOrigin()); err != nil {
			out.Error = append(out.Error, gofakes3.ErrorResult{Key: o.Key, Code: gofakes3.ErrInternal, Message: "internal error"})
			continue
		}
		out.Deleted = append(out.Deleted, o)
	}
	return out, nil
}

// PutObject serves gofakes3's POST (browser form) upload; PUT is served by the Service.
func (b backend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, c *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	var cond *writeConditions
	if c != nil {
		cond = &writeConditions{}
		if c.IfMatch != nil {
			cond.HasIfMatch, cond.IfMatch = true, *c.IfMatch
		}
		cond.HasIfNoneMatch = c.IfNoneMatch != nil
	}
	v, err := b.s.putBlob(bucket, key, storedMeta(meta), "", input, size, nil, cond, ReasonPostObject, b.s.internalOrigin())
	return gofakes3.PutObjectResult{VersionID: gofakes3.VersionID(v.ID)}, fakeErr(err)
}

func (b backend) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	_, v, err := b.s.copyVersion(srcBucket, srcKey, "", dstBucket, dstKey, storedMeta(meta), nil, nil, nil, b.s.internalOrigin())
	if err != nil {
		return gofakes3.CopyObjectResult{}, fakeErr(err)
	}
	return gofakes3.CopyObjectResult{ETag: `"` + v.ETag + `"`, LastModified: gofakes3.NewContentTime(v.LastModified)}, nil
}

func (b backend) VersioningConfiguration(bucket string) (gofakes3.VersioningConfiguration, error) {
	c, err := b.s.store.config(bucket)
	if err != nil {
		return gofakes3.VersioningConfiguration{}, fakeErr(err)
	}
	return gofakes3.VersioningConfiguration{Status: gofakes3.VersioningStatus(c.Versioning)}, nil
}

func (b backend) SetVersioningConfiguration(bucket string, v gofakes3.VersioningConfiguration) error {
	status := string(v.Status)
	if status != versioningEnabled && status != versioningSuspended {
		return gofakes3.ErrorMessage(gofakes3.ErrIllegalVersioningConfiguration, "The Versioning element must be specified")
	}
	return fakeErr(b.s.store.updateConfig(bucket, func(c *bucketConfig) { c.Versioning = status }))
}

func (b backend) ListBucketVersions(bucket string, prefix *gofakes3.Prefix, page *gofakes3.ListBucketVersionsPage) (*gofakes3.ListBucketVersionsResult, error) {
	if prefix == nil {
		prefix = &gofakes3.Prefix{}
	}
	if page == nil {
		page = &gofakes3.ListBucketVersionsPage{}
	}
	bs, err := b.s.store.rlockBucket(bucket)
	if err != nil {
		return nil, fakeErr(err)
	}
	defer bs.mu.RUnlock()
	out := gofakes3.NewListBucketVersionsResult(bucket, prefix, page)
	markerID := string(page.VersionIDMarker)
	if markerID == "null" {
		markerID = ""
	}
	// Listing resumes after (KeyMarker, VersionIdMarker), or after every version of KeyMarker
	// when no version marker is given; the next markers name the last item returned.
	var count int64
	var lastKey, lastID string
	for _, key := range bs.sortedKeys() {
		if page.HasKeyMarker && key < page.KeyMarker {
			continue
		}
		var m gofakes3.PrefixMatch
		if !prefix.Match(key, &m) {
			continue
		}
		versions := bs.keys[key].Versions
		if m.CommonPrefix {
			if len(versions) > 0 && !(page.HasKeyMarker && m.MatchedPart <= page.KeyMarker) {
				out.AddPrefix(m.MatchedPart)
			}
			continue
		}
		start := 0
		if page.HasKeyMarker && key == page.KeyMarker {
			start = len(versions)
			if page.HasVersionIDMarker {
				for i, v := range versions {
					if v.ID == markerID {
						start = i + 1
						break
					}
				}
			}
		}
		for i := start; i < len(versions); i++ {
			v := &versions[i]
			if page.MaxKeys > 0 && count >= page.MaxKeys {
				out.IsTruncated = true
				out.NextKeyMarker = lastKey
				if lastID == "" {
					lastID = "null"
				}
				out.NextVersionIDMarker = gofakes3.VersionID(lastID)
				return out, nil
			}
			if v.DeleteMarker {
				out.Versions = append(out.Versions, &gofakes3.DeleteMarker{Key: key, VersionID: gofakes3.VersionID(v.ID),
					IsLatest: i == 0, LastModified: gofakes3.NewContentTime(v.LastModified)})
			} else {
				out.Versions = append(out.Versions, &gofakes3.Version{Key: key, VersionID: gofakes3.VersionID(v.ID),
					IsLatest: i == 0, LastModified: gofakes3.NewContentTime(v.LastModified), Size: v.Size,
					ETag: `"` + v.ETag + `"`, StorageClass: gofakes3.StorageStandard})
			}
			count++
			lastKey, lastID = key, v.ID
		}
	}
	return out, nil
}

func (b backend) CreateMultipartUpload(bucket, key string, meta map[string]string) (gofakes3.UploadID, error) {
	id, err := b.s.createUpload(bucket, key, storedMeta(meta))
	return gofakes3.UploadID(id), fakeErr(err)
}

func (b backend) UploadPart(bucket, key string, id gofakes3.UploadID, number int, size int64, input io.Reader) (string, error) {
	etag, err := b.s.uploadPart(bucket, key, string(id), number, size, input)
	if err != nil {
		return "", fakeErr(err)
	}
	return `"` + etag + `"`, nil
}

func (b backend) ListMultipartUploads(bucket string, marker *gofakes3.UploadListMarker, prefix gofakes3.Prefix, limit int64) (*gofakes3.ListMultipartUploadsResult, error) {
	bs, err := b.s.store.rlockBucket(bucket)
	if err != nil {
		return nil, fakeErr(err)
	}
	defer bs.mu.RUnlock()
	ups := make([]*upload, 0, len(bs.uploads))
	for _, u := range bs.uploads {
		ups = append(ups, u)
	}
	sort.Slice(ups, func(i, j int) bool {
		if ups[i].Key != ups[j].Key {
			return ups[i].Key < ups[j].Key
		}
		return ups[i].Initiated.Before(ups[j].Initiated)
	})
	out := &gofakes3.ListMultipartUploadsResult{Bucket: bucket, MaxUploads: limit, Prefix: prefix.Prefix, Delimiter: prefix.Delimiter}
	if marker != nil {
		out.KeyMarker, out.UploadIDMarker = marker.Object, marker.UploadID
	}
	// Listing resumes after (key-marker, upload-id-marker), or after every upload of
	// key-marker without an upload marker; the next markers name the last upload returned.
	seen := map[string]bool{}
	skipping := marker != nil
	for _, u := range ups {
		if skipping {
			if u.Key < marker.Object || (u.Key == marker.Object && marker.UploadID == "") {
				continue
			}
			if u.Key == marker.Object {
				if string(marker.UploadID) == u.ID {
					skipping = false
				}
				continue
			}
			skipping = false
		}
		var m gofakes3.PrefixMatch
		if !prefix.Match(u.Key, &m) {
			continue
		}
		if m.CommonPrefix {
			if !seen[m.MatchedPart] {
				seen[m.MatchedPart] = true
				out.CommonPrefixes = append(out.CommonPrefixes, m.AsCommonPrefix())
			}
			continue
		}
		if limit > 0 && int64(len(out.Uploads)) >= limit {
			out.IsTruncated = true
			last := out.Uploads[len(out.Uploads)-1]
			out.NextKeyMarker, out.NextUploadIDMarker = last.Key, last.UploadID
			break
		}
		out.Uploads = append(out.Uploads, gofakes3.ListMultipartUploadItem{Key: u.Key, UploadID: gofakes3.UploadID(u.ID),
			StorageClass: gofakes3.StorageStandard, Initiated: gofakes3.NewContentTime(u.Initiated)})
	}
	return out, nil
}

func (b backend) ListParts(bucket, key string, id gofakes3.UploadID, marker int, limit int64) (*gofakes3.ListMultipartUploadPartsResult, error) {
	bs, u, err := b.s.findUpload(bucket, key, string(id))
	if err != nil {
		return nil, fakeErr(err)
	}
	bs.mu.RLock()
	defer bs.mu.RUnlock()
	out := &gofakes3.ListMultipartUploadPartsResult{Bucket: bucket, Key: key, UploadID: id,
		StorageClass: gofakes3.StorageStandard, PartNumberMarker: marker, MaxParts: limit}
	for _, p := range u.sortedParts() {
		if p.Number <= marker {
			continue
		}
		if limit > 0 && int64(len(out.Parts)) >= limit {
			out.IsTruncated = true
			break
		}
		out.Parts = append(out.Parts, gofakes3.ListMultipartUploadPartItem{PartNumber: p.Number,
			LastModified: gofakes3.NewContentTime(p.LastModified), ETag: `"` + p.ETag + `"`, Size: p.Size})
		out.NextPartNumberMarker = p.Number
	}
	return out, nil
}

func (b backend) AbortMultipartUpload(bucket, key string, id gofakes3.UploadID) error {
	return fakeErr(b.s.abortUpload(bucket, key, string(id)))
}

func (b backend) CompleteMultipartUpload(bucket, key string, id gofakes3.UploadID, in *gofakes3.CompleteMultipartUploadRequest) (gofakes3.VersionID, string, error) {
	parts := make([]completedPart, len(in.Parts))
	for i, p := range in.Parts {
		parts[i] = completedPart{PartNumber: p.PartNumber, ETag: p.ETag}
	}
	v, err := b.s.completeUpload(bucket, key, string(id), parts, nil, b.s.internalOrigin())
	if err != nil {
		return "", "", fakeErr(err)
	}
	return gofakes3.VersionID(v.ID), `"` + v.ETag + `"`, nil
}

// storedMeta keeps the headers S3 stores with an object and returns on GET: the
// representation headers and user metadata (x-amz-meta-*), and Last-Modified is dropped
// (the version carries it).
func storedMeta(in map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range in {
		ck := canonicalHeader(k)
		switch {
		case ck == "Content-Type", ck == "Content-Disposition", ck == "Content-Language",
			ck == "Cache-Control", ck == "Expires", ck == "X-Amz-Website-Redirect-Location":
			out[ck] = v
		case ck == "Content-Encoding":
			if enc := stripAWSChunked(v); enc != "" {
				out[ck] = enc
			}
		case strings.HasPrefix(ck, "X-Amz-Meta-"):
			out[ck] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// stripAWSChunked removes the aws-chunked transfer coding S3 does not store.
func stripAWSChunked(enc string) string {
	var keep []string
	for _, e := range strings.Split(enc, ",") {
		e = strings.TrimSpace(e)
		if e != "" && !strings.EqualFold(e, "aws-chunked") {
			keep = append(keep, e)
		}
	}
	return strings.Join(keep, ",")
}

// userMetaSize is the size S3 limits to 2 KB: user-defined metadata keys and values
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html).
func userMetaSize(meta map[string]string) int {
	n := 0
	for k, v := range meta {
		if strings.HasPrefix(k, "X-Amz-Meta-") {
			n += len(k) - len("X-Amz-Meta-") + len(v)
		}
	}
	return n
}

// putBlob stores body (in the bucket segment when it is small, else in a blob file),
// verifies its digests and commits it.
func (s *Service) putBlob(bucket, key string, meta map[string]string, tags string, body io.Reader, size int64, want *digests, cond *writeConditions, reason string, o origin) (version, error) {
	h := md5.New()
	var cs *checksummer
	if want != nil {
		cs = newChecksummer(want.algorithms())
	}
	hashes := io.Writer(h)
	if cs != nil {
		hashes = io.MultiWriter(h, cs)
	}
	finish := func(nv version) (version, error) {
		if want != nil {
			sums, err := want.verify(h.Sum(nil), cs)
			if err != nil {
				return version{}, err
			}
			nv.Checksums = sums
		}
		nv.ETag = hex.EncodeToString(h.Sum(nil))
		nv.Meta = meta
		nv.Tags = tags
		return nv, nil
	}
	if size >= 0 && size <= inlineMax {
		b, err := s.store.bucket(bucket)
		if err != nil {
			return version{}, err
		}
		var buf bytes.Buffer
		buf.Grow(int(size))
		// A buffer the body's size, not io.Copy's 32 KiB: most objects are small.
		n, err := io.CopyBuffer(io.MultiWriter(&buf, hashes), io.LimitReader(body, inlineMax+1), make([]byte, size+1))
		if err != nil {
			return version{}, bodyError(err)
		}
		if n != size {
			return version{}, errIncompleteBody()
		}
		nv, err := finish(version{Size: n})
		if err != nil {
			return version{}, err
		}
		if nv.Off, err = b.seg.append(buf.Bytes()); err != nil {
			return version{}, err
		}
		return s.commitPut(bucket, key, nv, cond, reason, o)
	}
	bw, err := s.store.newBlob(bucket)
	if err != nil {
		return version{}, err
	}
	n, err := io.Copy(io.MultiWriter(diskWriter{bw}, hashes), body)
	if err != nil {
		bw.discard()
		return version{}, bodyError(err)
	}
	if size >= 0 && n != size {
		bw.discard()
		return version{}, errIncompleteBody()
	}
	nv, err := finish(version{Blob: bw.id, Size: n})
	if err != nil {
		bw.discard()
		return version{}, err
	}
	if err := bw.finish(); err != nil {
		bw.discard()
		return version{}, err
	}
	v, err := s.commitPut(bucket, key, nv, cond, reason, o)
	if err != nil {
		os.Remove(filepath.Join(bw.dir, bw.id))
		return version{}, err
	}
	return v, nil
}

// copyVersion copies a source version's data into a new version of the destination; check,
// when set, vets the source first.
func (s *Service) copyVersion(srcBucket, srcKey, srcVersion, dstBucket, dstKey string, meta map[string]string, tags *string, cond *writeConditions, check func(version) error, o origin) (version, version, error) {
	src, f, err := s.store.lookup(srcBucket, srcKey, srcVersion, true)
	if err != nil {
		return version{}, version{}, err
	}
	if src.DeleteMarker {
		if srcVersion != "" {
			return version{}, version{}, errInvalidRequest("The source of a copy request may not specifically refer to a delete marker by version id.")
		}
		return version{}, version{}, errNoSuchKey()
	}
	defer f.Close()
	if check != nil {
		if err := check(src); err != nil {
			return version{}, version{}, err
		}
	}
	if src.Size > MaxCopySourceBytes {
		return version{}, version{}, errCopySourceTooLarge()
	}
	if meta == nil {
		meta = src.Meta
	}
	var want *digests
	if len(src.Checksums) > 0 {
		want = &digests{checksums: map[string]string{}}
		for k, v := range src.Checksums {
			want.checksums[k] = v
		}
	}
	// Tagging directive COPY (tags nil) keeps the source's tags, as S3 does by default.
	dstTags := src.Tags
	if tags != nil {
		dstTags = *tags
	}
	v, err := s.putBlob(dstBucket, dstKey, meta, dstTags, diskReader{f.reader()}, src.Size, want, cond, ReasonCopyObject, o)
	if err != nil {
		return version{}, version{}, err
	}
	return src, v, nil
}

func (s *Service) internalOrigin() origin {
	return origin{RequestID: s.ids.requestID(), Requester: s.account}
}
