package s3

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Versioning states of a bucket, as PutBucketVersioning names them.
const (
	versioningOff       = ""
	versioningEnabled   = "Enabled"
	versioningSuspended = "Suspended"
)

// version is one version of an object, or a delete marker. The null version has ID "".
type version struct {
	ID           string            `json:"id,omitempty"`
	DeleteMarker bool              `json:"deleteMarker,omitempty"`
	Blob         string            `json:"blob,omitempty"`
	Size         int64             `json:"size"`
	ETag         string            `json:"etag,omitempty"` // without quotes; "md5-N" for multipart
	Parts        int               `json:"parts,omitempty"`
	Meta         map[string]string `json:"meta,omitempty"`      // canonical header name -> value
	Checksums    map[string]string `json:"checksums,omitempty"` // algorithm (CRC32, ...) -> base64
	LastModified time.Time         `json:"lastModified"`
	Sequencer    string            `json:"sequencer"`
}

// pendingEvent is an event committed with an object change and not yet published.
type pendingEvent struct {
	ID   string          `json:"id"`
	Seq  uint64          `json:"seq"`
	Body json.RawMessage `json:"body"`
}

// keyRecord is everything stored for one key: its versions (newest first), events awaiting
// delivery, and the sequencer of its last delete (for conditional multipart conflicts). It is
// persisted as one file, so an object change and its event commit together.
type keyRecord struct {
	Key       string         `json:"key"`
	Versions  []version      `json:"versions"`
	Pending   []pendingEvent `json:"pending,omitempty"`
	DeleteSeq uint64         `json:"deleteSeq,omitempty"`
}

// current returns the latest version, or nil when there is none.
func (k *keyRecord) current() *version {
	if k == nil || len(k.Versions) == 0 {
		return nil
	}
	return &k.Versions[0]
}

// live returns the latest version when it is an object (not a delete marker).
func (k *keyRecord) live() *version {
	v := k.current()
	if v == nil || v.DeleteMarker {
		return nil
	}
	return v
}

func (k *keyRecord) find(id string) (int, *version) {
	for i := range k.Versions {
		if k.Versions[i].ID == id {
			return i, &k.Versions[i]
		}
	}
	return -1, nil
}

type bucketConfig struct {
	Name        string    `json:"name"`
	Created     time.Time `json:"created"`
	Versioning  string    `json:"versioning,omitempty"`
	EventBridge bool      `json:"eventBridge,omitempty"`
}

type bucketState struct {
	mu      sync.RWMutex
	cfg     bucketConfig
	dir     string
	keys    map[string]*keyRecord
	uploads map[string]*upload
	deleted bool
}

func (b *bucketState) keyPath(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(b.dir, "keys", hex.EncodeToString(sum[:])+".json")
}

func (b *bucketState) blobPath(id string) string { return filepath.Join(b.dir, "blobs", id) }

// uploading reports whether a multipart upload to key is in progress (its record keeps the
// delete sequencer that conditional completion checks).
func (b *bucketState) uploading(key string) bool {
	for _, u := range b.uploads {
		if u.Key == key {
			return true
		}
	}
	return false
}

func (b *bucketState) sortedKeys() []string {
	keys := make([]string, 0, len(b.keys))
	for k := range b.keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// store is the on-disk state: dir/buckets/<name>/{bucket.json, keys/, blobs/, uploads/}.
type store struct {
	dir  string
	sync bool
	ids  *idSource

	mu      sync.RWMutex
	buckets map[string]*bucketState

	ackMu  sync.Mutex
	ackLog *os.File // acked.log: IDs of published events still listed in key records
}

var errBucketExists = errors.New("bucket exists")

func openStore(dir string, sync bool, ids *idSource) (*store, []pendingRef, error) {
	s := &store{dir: dir, sync: sync, ids: ids, buckets: map[string]*bucketState{}}
	root := filepath.Join(dir, "buckets")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, nil, fmt.Errorf("create data dir: %w", err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, nil, fmt.Errorf("read data dir: %w", err)
	}
	acked, err := readAckLog(filepath.Join(dir, "acked.log"))
	if err != nil {
		return nil, nil, err
	}
	var pending []pendingRef
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		b, p, err := loadBucket(filepath.Join(root, e.Name()), ids, acked, sync)
		if err != nil {
			return nil, nil, fmt.Errorf("load bucket %s: %w", e.Name(), err)
		}
		if b == nil {
			continue
		}
		s.buckets[b.cfg.Name] = b
		pending = append(pending, p...)
	}
	sort.Slice(pending, func(i, j int) bool { return pending[i].seq < pending[j].seq })
	// Every acknowledged event has now been removed from its record: start a new log.
	s.ackLog, err = os.OpenFile(filepath.Join(dir, "acked.log"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("open ack log: %w", err)
	}
	return s, pending, nil
}

// readAckLog returns the event IDs in the ack log; a torn last line is ignored (its event
// is published again: delivery is at-least-once).
func readAckLog(path string) (map[string]bool, error) {
	raw, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read ack log: %w", err)
	}
	acked := map[string]bool{}
	for _, line := range strings.Split(string(raw), "\n") {
		if len(line) == 36 {
			acked[line] = true
		}
	}
	return acked, nil
}

// logAck records that an event was published. The key record still lists it on disk until
// its next rewrite; the log keeps it from being published again after a restart.
func (s *store) logAck(id string) error {
	s.ackMu.Lock()
	defer s.ackMu.Unlock()
	if s.ackLog == nil {
		return nil
	}
	if _, err := s.ackLog.WriteString(id + "\n"); err != nil {
		return fmt.Errorf("append ack log: %w", err)
	}
	if s.sync {
		if err := s.ackLog.Sync(); err != nil {
			return fmt.Errorf("sync ack log: %w", err)
		}
	}
	return nil
}

func (s *store) close() error {
	s.ackMu.Lock()
	defer s.ackMu.Unlock()
	if s.ackLog == nil {
		return nil
	}
	err := s.ackLog.Close()
	s.ackLog = nil
	return err
}

func loadBucket(dir string, ids *idSource, acked map[string]bool, sync bool) (*bucketState, []pendingRef, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "bucket.json"))
	if os.IsNotExist(err) {
		// A bucket whose creation never committed: remove the leftovers.
		return nil, nil, os.RemoveAll(dir)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read bucket config: %w", err)
	}
	b := &bucketState{dir: dir, keys: map[string]*keyRecord{}, uploads: map[string]*upload{}}
	if err := json.Unmarshal(raw, &b.cfg); err != nil {
		return nil, nil, fmt.Errorf("decode bucket config: %w", err)
	}
	for _, sub := range []string{"keys", "blobs", "uploads"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, nil, fmt.Errorf("create %s: %w", sub, err)
		}
		if err := removeTemps(filepath.Join(dir, sub)); err != nil {
			return nil, nil, err
		}
	}
	var pending []pendingRef
	referenced := map[string]bool{}
	keyFiles, err := os.ReadDir(filepath.Join(dir, "keys"))
	if err != nil {
		return nil, nil, fmt.Errorf("read keys: %w", err)
	}
	for _, kf := range keyFiles {
		raw, err := os.ReadFile(filepath.Join(dir, "keys", kf.Name()))
		if err != nil {
			return nil, nil, fmt.Errorf("read key record: %w", err)
		}
		var rec keyRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, nil, fmt.Errorf("decode key record %s: %w", kf.Name(), err)
		}
		if dropAcked(&rec, acked) {
			// Persist the record without its published events before the ack log is reset.
			if err := rewriteLoaded(b, &rec, sync); err != nil {
				return nil, nil, err
			}
		}
		if len(rec.Versions) == 0 && len(rec.Pending) == 0 && rec.DeleteSeq == 0 {
			continue
		}
		b.keys[rec.Key] = &rec
		for _, v := range rec.Versions {
			if v.Blob != "" {
				referenced[v.Blob] = true
			}
			ids.observe(v.Sequencer)
		}
		for _, p := range rec.Pending {
			pending = append(pending, pendingRef{bucket: b.cfg.Name, key: rec.Key, id: p.ID, seq: p.Seq, body: p.Body})
			ids.observeSeq(p.Seq)
		}
		ids.observeSeq(rec.DeleteSeq)
	}
	// Blobs written but never committed (a crash between the data and the record) are garbage.
	blobs, err := os.ReadDir(filepath.Join(dir, "blobs"))
	if err != nil {
		return nil, nil, fmt.Errorf("read blobs: %w", err)
	}
	for _, bf := range blobs {
		if !referenced[bf.Name()] {
			if err := os.Remove(filepath.Join(dir, "blobs", bf.Name())); err != nil {
				return nil, nil, fmt.Errorf("remove orphan blob: %w", err)
			}
		}
	}
	if err := loadUploads(b, ids); err != nil {
		return nil, nil, err
	}
	return b, pending, nil
}

func (s *store) bucket(name string) (*bucketState, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, ok := s.buckets[name]
	if !ok {
		return nil, errNoSuchBucket()
	}
	return b, nil
}

// lockBucket returns the bucket write-locked; the caller unlocks b.mu.
func (s *store) lockBucket(name string) (*bucketState, error) {
	b, err := s.bucket(name)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	if b.deleted {
		b.mu.Unlock()
		return nil, errNoSuchBucket()
	}
	return b, nil
}

func (s *store) rlockBucket(name string) (*bucketState, error) {
	b, err := s.bucket(name)
	if err != nil {
		return nil, err
	}
	b.mu.RLock()
	if b.deleted {
		b.mu.RUnlock()
		return nil, errNoSuchBucket()
	}
	return b, nil
}

func (s *store) createBucket(name string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.buckets[name]; ok {
		return errBucketExists
	}
	dir := filepath.Join(s.dir, "buckets", name)
	for _, sub := range []string{"keys", "blobs", "uploads"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return fmt.Errorf("create bucket dir: %w", err)
		}
	}
	b := &bucketState{dir: dir, cfg: bucketConfig{Name: name, Created: now.UTC()},
		keys: map[string]*keyRecord{}, uploads: map[string]*upload{}}
	if err := s.writeConfig(b); err != nil {
		return err
	}
	s.buckets[name] = b
	return nil
}

func (s *store) writeConfig(b *bucketState) error {
	raw, err := json.Marshal(b.cfg)
	if err != nil {
		return fmt.Errorf("encode bucket config: %w", err)
	}
	return writeFileAtomic(filepath.Join(b.dir, "bucket.json"), raw, s.sync)
}

// deleteBucket removes an empty bucket (or any bucket when force is set).
func (s *store) deleteBucket(name string, force bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[name]
	if !ok {
		return errNoSuchBucket()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !force {
		for _, rec := range b.keys {
			if len(rec.Versions) > 0 {
				return &apiError{"BucketNotEmpty", 409, "The bucket you tried to delete is not empty"}
			}
		}
	}
	// Removing bucket.json first makes the deletion atomic: a half-removed directory
	// without it is cleaned up at the next start.
	if err := removeFile(filepath.Join(b.dir, "bucket.json"), s.sync); err != nil {
		return err
	}
	if err := os.RemoveAll(b.dir); err != nil {
		return fmt.Errorf("remove bucket dir: %w", err)
	}
	b.deleted = true
	delete(s.buckets, name)
	return nil
}

func (s *store) bucketConfigs() []bucketConfig {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]bucketConfig, 0, len(s.buckets))
	for _, b := range s.buckets {
		b.mu.RLock()
		out = append(out, b.cfg)
		b.mu.RUnlock()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *store) config(name string) (bucketConfig, error) {
	b, err := s.rlockBucket(name)
	if err != nil {
		return bucketConfig{}, err
	}
	defer b.mu.RUnlock()
	return b.cfg, nil
}

func (s *store) updateConfig(name string, f func(*bucketConfig)) error {
	b, err := s.lockBucket(name)
	if err != nil {
		return err
	}
	defer b.mu.Unlock()
	old := b.cfg
	f(&b.cfg)
	if err := s.writeConfig(b); err != nil {
		b.cfg = old
		return err
	}
	return nil
}

// writeRecord persists rec (or removes its file when it holds nothing). Caller holds b.mu.
func (s *store) writeRecord(b *bucketState, rec *keyRecord) error {
	path := b.keyPath(rec.Key)
	if len(rec.Versions) == 0 && len(rec.Pending) == 0 && !b.uploading(rec.Key) {
		if err := removeFile(path, s.sync); err != nil {
			return err
		}
		delete(b.keys, rec.Key)
		return nil
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode key record: %w", err)
	}
	if err := writeFileAtomic(path, raw, s.sync); err != nil {
		return err
	}
	b.keys[rec.Key] = rec
	return nil
}

// cloneRecord copies rec so a failed write leaves the in-memory state untouched.
func cloneRecord(rec *keyRecord, key string) *keyRecord {
	if rec == nil {
		return &keyRecord{Key: key}
	}
	c := *rec
	c.Versions = append([]version(nil), rec.Versions...)
	c.Pending = append([]pendingEvent(nil), rec.Pending...)
	return &c
}

// lookup returns the version named by versionID ("" for the current one), opening its blob
// when open is set. A current delete marker answers NoSuchKey with the marker (so the caller
// can set x-amz-delete-marker); a named delete marker answers MethodNotAllowed on GET as S3
// does, which the caller decides.
func (s *store) lookup(bucket, key, versionID string, open bool) (version, *os.File, error) {
	b, err := s.rlockBucket(bucket)
	if err != nil {
		return version{}, nil, err
	}
	defer b.mu.RUnlock()
	rec := b.keys[key]
	var v *version
	if versionID == "" {
		v = rec.current()
		if v == nil {
			return version{}, nil, errNoSuchKey()
		}
	} else {
		if rec == nil {
			return version{}, nil, errNoSuchVersion()
		}
		id := versionID
		if id == "null" {
			id = ""
		}
		_, v = rec.find(id)
		if v == nil {
			return version{}, nil, errNoSuchVersion()
		}
	}
	if v.DeleteMarker || !open {
		return *v, nil, nil
	}
	f, err := os.Open(b.blobPath(v.Blob))
	if err != nil {
		return version{}, nil, fmt.Errorf("open blob: %w", err)
	}
	return *v, f, nil
}

// blobWriter is a blob being written to a temp file in a bucket's blobs directory.
type blobWriter struct {
	*os.File
	dir  string
	id   string
	sync bool
}

func (s *store) newBlob(bucket string) (*blobWriter, error) {
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(b.dir, "blobs")
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("create blob: %w", err)
	}
	return &blobWriter{File: f, dir: dir, id: s.ids.blobID(), sync: s.sync}, nil
}

// finish moves the blob into place; it stays unreferenced (and is collected at start-up)
// until a record commits it.
func (bw *blobWriter) finish() error {
	return commitTemp(bw.File, filepath.Join(bw.dir, bw.id), bw.sync)
}

// discard removes an unfinished blob.
func (bw *blobWriter) discard() {
	bw.File.Close()
	os.Remove(bw.File.Name())
	os.Remove(filepath.Join(bw.dir, bw.id))
}

// keyFileName is exposed for tests that simulate crashes.
func keyFileName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:]) + ".json"
}

func trimETag(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "W/")
	return strings.Trim(s, `"`)
}

// dropAcked removes acknowledged events from rec and reports whether any was removed.
func dropAcked(rec *keyRecord, acked map[string]bool) bool {
	kept := rec.Pending[:0]
	for _, p := range rec.Pending {
		if !acked[p.ID] {
			kept = append(kept, p)
		}
	}
	changed := len(kept) != len(rec.Pending)
	rec.Pending = kept
	return changed
}

// rewriteLoaded persists a record changed while loading, or removes it when empty.
func rewriteLoaded(b *bucketState, rec *keyRecord, sync bool) error {
	if len(rec.Versions) == 0 && len(rec.Pending) == 0 {
		rec.DeleteSeq = 0
		return removeFile(b.keyPath(rec.Key), sync)
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode key record: %w", err)
	}
	return writeFileAtomic(b.keyPath(rec.Key), raw, sync)
}
