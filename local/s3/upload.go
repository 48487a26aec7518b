package s3

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"
)

// upload is a multipart upload in progress: its journal entries (the upload, then one per
// part) and its part data files under uploads/<id>/.
type upload struct {
	ID        string            `json:"id"`
	Key       string            `json:"key"`
	Meta      map[string]string `json:"meta,omitempty"`
	Initiated time.Time         `json:"initiated"`
	Seq       uint64            `json:"seq"`

	dir   string
	parts map[int]partInfo
}

type partInfo struct {
	Number       int       `json:"number"`
	ETag         string    `json:"etag"` // hex MD5, without quotes
	Size         int64     `json:"size"`
	File         string    `json:"file"`
	LastModified time.Time `json:"lastModified"`
}

func (u *upload) sortedParts() []partInfo {
	out := make([]partInfo, 0, len(u.parts))
	for _, p := range u.parts {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

func (s *Service) createUpload(bucket, key string, meta map[string]string) (string, error) {
	b, err := s.store.lockBucket(bucket)
	if err != nil {
		return "", err
	}
	defer b.mu.Unlock()
	u := &upload{ID: s.ids.uploadID(), Key: key, Meta: meta, Initiated: s.now().UTC(), Seq: s.ids.nextSeq(), parts: map[int]partInfo{}}
	u.dir = filepath.Join(b.dir, "uploads", u.ID)
	if err := os.MkdirAll(u.dir, 0o755); err != nil {
		return "", fmt.Errorf("create upload dir: %w", err)
	}
	if err := s.store.journal.appendEntry(journalEntry{T: jUpload, Bucket: bucket, Upload: u}); err != nil {
		return "", err
	}
	b.uploads[u.ID] = u
	return u.ID, nil
}

func (s *Service) findUpload(bucket, key, id string) (*bucketState, *upload, error) {
	b, err := s.store.bucket(bucket)
	if err != nil {
		return nil, nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	u, ok := b.uploads[id]
	if !ok || u.Key != key {
		return nil, nil, errNoSuchUpload()
	}
	return b, u, nil
}

// uploadPart stores one part; the data is streamed to disk before any lock is taken.
func (s *Service) uploadPart(bucket, key, id string, number int, size int64, body io.Reader) (string, error) {
	_, u, err := s.findUpload(bucket, key, id)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(u.dir, tempPrefix+"*")
	if err != nil {
		return "", errNoSuchUpload()
	}
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(diskWriter{f}, h), body)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", bodyError(err)
	}
	if size >= 0 && n != size {
		f.Close()
		os.Remove(f.Name())
		return "", errIncompleteBody()
	}
	p := partInfo{Number: number, ETag: hex.EncodeToString(h.Sum(nil)), Size: n,
		File: "part-" + strconv.Itoa(number) + "-" + s.ids.blobID() + ".data", LastModified: s.now().UTC()}
	if err := commitTemp(f, filepath.Join(u.dir, p.File), s.store.sync); err != nil {
		return "", err
	}
	b, err := s.store.lockBucket(bucket)
	if err != nil {
		os.Remove(filepath.Join(u.dir, p.File))
		return "", err
	}
	defer b.mu.Unlock()
	if cur, ok := b.uploads[id]; !ok || cur != u {
		os.Remove(filepath.Join(u.dir, p.File))
		return "", errNoSuchUpload()
	}
	if err := s.store.journal.appendEntry(journalEntry{T: jPart, Bucket: bucket, UploadID: id, Part: &p}); err != nil {
		return "", err
	}
	if old, ok := u.parts[number]; ok && old.File != p.File {
		os.Remove(filepath.Join(u.dir, old.File))
	}
	u.parts[number] = p
	return p.ETag, nil
}

func (s *Service) abortUpload(bucket, key, id string) error {
	b, err := s.store.lockBucket(bucket)
	if err != nil {
		return err
	}
	defer b.mu.Unlock()
	u, ok := b.uploads[id]
	if !ok || u.Key != key {
		return errNoSuchUpload()
	}
	// The journal entry commits the abort; leftover part files are collected at start-up.
	if err := s.store.journal.appendEntry(journalEntry{T: jRmUpload, Bucket: bucket, UploadID: id}); err != nil {
		return err
	}
	delete(b.uploads, id)
	return os.RemoveAll(u.dir)
}

// completedPart is one <Part> of a CompleteMultipartUpload request.
type completedPart struct {
	PartNumber int    `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
}

// minPartSize is the smallest size of every part but the last
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html).
const minPartSize = 5 << 20

// completeUpload assembles the listed parts into a new object version.
func (s *Service) completeUpload(bucket, key, id string, parts []completedPart, cond *writeConditions, o origin) (version, error) {
	_, u, err := s.findUpload(bucket, key, id)
	if err != nil {
		return version{}, err
	}
	if len(parts) == 0 {
		return version{}, errMalformedXML()
	}
	b, err := s.store.rlockBucket(bucket)
	if err != nil {
		return version{}, err
	}
	chosen := make([]partInfo, 0, len(parts))
	for i, cp := range parts {
		if i > 0 && cp.PartNumber <= parts[i-1].PartNumber {
			b.mu.RUnlock()
			return version{}, errInvalidPartOrder()
		}
		p, ok := u.parts[cp.PartNumber]
		if !ok || trimETag(cp.ETag) != p.ETag {
			b.mu.RUnlock()
			return version{}, errInvalidPart("One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
		}
		chosen = append(chosen, p)
	}
	b.mu.RUnlock()
	for i, p := range chosen {
		if i < len(chosen)-1 && p.Size < minPartSize {
			return version{}, errEntityTooSmall()
		}
	}
	bw, err := s.store.newBlob(bucket)
	if err != nil {
		return version{}, err
	}
	sums := md5.New()
	var size int64
	for _, p := range chosen {
		f, err := os.Open(filepath.Join(u.dir, p.File))
		if err != nil {
			bw.discard()
			return version{}, errNoSuchUpload()
		}
		n, err := io.Copy(bw, f)
		f.Close()
		if err != nil {
			bw.discard()
			return version{}, fmt.Errorf("assemble parts: %w", err)
		}
		size += n
		raw, _ := hex.DecodeString(p.ETag) // a part's ETag is the hex MD5 this package computed
		sums.Write(raw)
	}
	if err := bw.finish(); err != nil {
		bw.discard()
		return version{}, err
	}
	if cond != nil {
		cond.sinceSeq = u.Seq
	}
	nv := version{Blob: bw.id, Size: size, Parts: len(chosen), Meta: u.Meta,
		ETag: hex.EncodeToString(sums.Sum(nil)) + "-" + strconv.Itoa(len(chosen))}
	v, err := s.commitPut(bucket, key, nv, cond, ReasonCompleteMultipartUpload, o)
	if err != nil {
		bw.discard()
		return version{}, err
	}
	if err := s.abortUpload(bucket, key, id); err != nil {
		s.log.Warn("s3: remove completed upload", "upload", id, "err", err)
	}
	return v, nil
}
