package s3

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
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
	Blob         string            `json:"blob,omitempty"` // file in blobs/, or "" when in the segment
	Off          int64             `json:"off,omitempty"`  // offset in the segment when Blob is ""
	Size         int64             `json:"size"`
	ETag         string            `json:"etag,omitempty"` // without quotes; "md5-N" for multipart
	Parts        int               `json:"parts,omitempty"`
	Meta         map[string]string `json:"meta,omitempty"`      // canonical header name -> value
	Checksums    map[string]string `json:"checksums,omitempty"` // algorithm (CRC32, ...) -> base64
	Tags         string            `json:"tags,omitempty"`      // the tag set as sorted URL query parameters
	LastModified time.Time         `json:"lastModified"`
	Sequencer    string            `json:"sequencer"`
}

// pendingEvent is an event committed with an object change and not yet published. It is
// journalled in the same entry as the change (and in its own entry by compaction), never
// inside the key record, so a lagging publisher does not make records grow.
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
	Pending   []pendingEvent `json:"-"`
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
	// Encryption and PublicAccessBlock are the bucket's own settings (bucket_settings.go), nil for S3's
	// defaults. A set value is replaced, never changed in place.
	Encryption        *encryptionConfiguration `json:"encryption,omitempty"`
	PublicAccessBlock *publicAccessBlock       `json:"publicAccessBlock,omitempty"`
	Segment           int                      `json:"segment,omitempty"` // generation of the data segment
}

type bucketState struct {
	keyMu   keyLocks // held by a write to a key from its read of the record to its update (see keyLocks)
	mu      sync.RWMutex
	cfg     bucketConfig
	dir     string
	keys    map[string]*keyRecord
	uploads map[string]*upload
	seg     *segment
	deleted bool
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

// The journal's file, and the file of earlier versions' journal (another format).
const (
	journalFile   = "metadata.log"
	legacyJournal = "journal.log"
)

// store is the on-disk state: dir/metadata.log holds all metadata (see journal); object data
// lives in dir/buckets/<name>/blobs/<id> and multipart parts in
// dir/buckets/<name>/uploads/<upload id>/.
type store struct {
	dir     string
	sync    bool
	ids     *idSource
	journal *journal

	mu      sync.RWMutex
	buckets map[string]*bucketState

	compactMu    sync.Mutex // one online compaction at a time
	journalLimit int64
	log          *slog.Logger
}

var errBucketExists = errors.New("bucket exists")

// ErrOldDataFormat is returned by New for a data directory written by an earlier version
// of this server, whose journal format this one does not read.
var ErrOldDataFormat = errors.New("data written by an earlier version, in a format this one does not read")

// openStore replays the journal, removes what no committed entry references (temp files,
// orphan blobs and parts), rewrites the journal compacted, and returns the events still to
// publish in commit order. When the journal had corrupt records, blobs no record references
// are moved to lost+found/<bucket>/ rather than deleted: they may be objects whose record was
// the one lost.
func openStore(dir string, sync bool, ids *idSource, compactGarbage, journalLimit int64, lg *slog.Logger) (*store, []pendingRef, error) {
	s := &store{dir: dir, sync: sync, ids: ids, buckets: map[string]*bucketState{}, journalLimit: journalLimit, log: lg}
	if err := os.MkdirAll(filepath.Join(dir, "buckets"), 0o755); err != nil {
		return nil, nil, fmt.Errorf("create data dir: %w", err)
	}
	if err := removeTemps(dir); err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, legacyJournal)); err == nil {
		return nil, nil, fmt.Errorf("%s holds %s: %w; move the directory away to start afresh", dir, legacyJournal, ErrOldDataFormat)
	}
	j, err := openJournal(filepath.Join(dir, journalFile), sync, lg)
	if err != nil {
		return nil, nil, err
	}
	s.journal = j
	acked := map[string]bool{}
	if err := j.replay(func(e journalEntry) error { return s.replay(e, acked) }); err != nil {
		j.close()
		return nil, nil, err
	}
	var pending []pendingRef
	for _, b := range s.buckets {
		for key, rec := range b.keys {
			dropAcked(rec, acked)
			if len(rec.Versions) == 0 && len(rec.Pending) == 0 {
				delete(b.keys, key)
				continue
			}
			for _, v := range rec.Versions {
				ids.observe(v.Sequencer)
			}
			for _, p := range rec.Pending {
				pending = append(pending, pendingRef{bucket: b.cfg.Name, key: rec.Key, id: p.ID, seq: p.Seq, body: p.Body})
				ids.observeSeq(p.Seq)
			}
			ids.observeSeq(rec.DeleteSeq)
		}
		for _, u := range b.uploads {
			ids.observeSeq(u.Seq)
		}
	}
	sort.Slice(pending, func(i, j int) bool { return pending[i].seq < pending[j].seq })
	lostFound := ""
	if rec := j.recovery(); len(rec.Corrupt) > 0 {
		lostFound = filepath.Join(dir, "lost+found")
		lg.Error("s3: the journal had corrupt records: the objects they described are lost; files no record references are kept in lost+found",
			"ranges", len(rec.Corrupt), "bytes", rec.CorruptBytes(), "lost+found", lostFound)
	}
	if err := s.collectGarbage(lostFound); err != nil {
		j.close()
		return nil, nil, err
	}
	if err := s.compactSegments(compactGarbage); err != nil {
		j.close()
		return nil, nil, err
	}
	if err := s.compact(); err != nil {
		j.close()
		return nil, nil, err
	}
	if err := s.removeStaleSegments(); err != nil {
		j.close()
		return nil, nil, err
	}
	return s, pending, nil
}

// replay applies one journal entry to the in-memory state.
func (s *store) replay(e journalEntry, acked map[string]bool) error {
	b := s.buckets[e.Bucket]
	switch e.T {
	case jBucket:
		if e.Config == nil {
			return nil
		}
		if b == nil {
			dir := filepath.Join(s.dir, "buckets", e.Config.Name)
			b = &bucketState{dir: dir, keys: map[string]*keyRecord{}, uploads: map[string]*upload{}}
			s.buckets[e.Config.Name] = b
		}
		b.cfg = *e.Config
		b.seg = newSegment(b.dir, b.cfg.Segment, s.sync)
	case jRmBucket:
		delete(s.buckets, e.Bucket)
	case jRecord:
		if b != nil && e.Rec != nil {
			// Pending events are not part of the record: carry them over, plus this entry's.
			if old := b.keys[e.Rec.Key]; old != nil {
				e.Rec.Pending = old.Pending
			}
			if e.Event != nil {
				e.Rec.Pending = append(e.Rec.Pending, *e.Event)
			}
			b.keys[e.Rec.Key] = e.Rec
		}
	case jEvent:
		if b != nil && e.Event != nil {
			rec := b.keys[e.Key]
			if rec == nil {
				rec = &keyRecord{Key: e.Key}
				b.keys[e.Key] = rec
			}
			rec.Pending = append(rec.Pending, *e.Event)
		}
	case jUpload:
		if b != nil && e.Upload != nil {
			u := e.Upload
			u.dir = filepath.Join(b.dir, "uploads", u.ID)
			u.parts = map[int]partInfo{}
			b.uploads[u.ID] = u
		}
	case jPart:
		if b != nil && e.Part != nil {
			if u := b.uploads[e.UploadID]; u != nil {
				u.parts[e.Part.Number] = *e.Part
			}
		}
	case jRmUpload:
		if b != nil {
			delete(b.uploads, e.UploadID)
		}
	case jAck:
		acked[e.ID] = true
	}
	return nil
}

// dropAcked removes acknowledged events from rec.
func dropAcked(rec *keyRecord, acked map[string]bool) {
	kept := rec.Pending[:0]
	for _, p := range rec.Pending {
		if !acked[p.ID] {
			kept = append(kept, p)
		}
	}
	rec.Pending = kept
}

// collectGarbage removes files no committed entry references: buckets deleted or never
// created, temp files, blobs written but never committed, parts and uploads likewise. With
// lostFound set, unreferenced blobs are moved there instead of deleted.
func (s *store) collectGarbage(lostFound string) error {
	root := filepath.Join(s.dir, "buckets")
	entries, err := os.ReadDir(root)
	if err != nil {
		return fmt.Errorf("read data dir: %w", err)
	}
	for _, e := range entries {
		b := s.buckets[e.Name()]
		if b == nil {
			if err := os.RemoveAll(filepath.Join(root, e.Name())); err != nil {
				return fmt.Errorf("remove stale bucket dir: %w", err)
			}
			continue
		}
		if err := b.collectGarbage(lostFound, s.log); err != nil {
			return err
		}
	}
	for _, b := range s.buckets {
		for _, sub := range []string{"blobs", "uploads"} {
			if err := os.MkdirAll(filepath.Join(b.dir, sub), 0o755); err != nil {
				return fmt.Errorf("create %s: %w", sub, err)
			}
		}
	}
	return nil
}

func (b *bucketState) collectGarbage(lostFound string, lg *slog.Logger) error {
	referenced := map[string]bool{}
	for _, rec := range b.keys {
		for _, v := range rec.Versions {
			if v.Blob != "" {
				referenced[v.Blob] = true
			}
		}
	}
	blobs, _ := os.ReadDir(filepath.Join(b.dir, "blobs"))
	for _, bf := range blobs {
		if referenced[bf.Name()] {
			continue
		}
		path := filepath.Join(b.dir, "blobs", bf.Name())
		if lostFound != "" && !strings.HasPrefix(bf.Name(), tempPrefix) {
			dst := filepath.Join(lostFound, b.cfg.Name)
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return fmt.Errorf("create lost+found: %w", err)
			}
			if err := os.Rename(path, filepath.Join(dst, bf.Name())); err != nil {
				return fmt.Errorf("keep orphan blob: %w", err)
			}
			lg.Error("s3: object data with no record moved to lost+found", "bucket", b.cfg.Name, "file", filepath.Join(dst, bf.Name()))
			continue
		}
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("remove orphan blob: %w", err)
		}
	}
	ups, _ := os.ReadDir(filepath.Join(b.dir, "uploads"))
	for _, ud := range ups {
		u := b.uploads[ud.Name()]
		dir := filepath.Join(b.dir, "uploads", ud.Name())
		if u == nil {
			if err := os.RemoveAll(dir); err != nil {
				return fmt.Errorf("remove stale upload: %w", err)
			}
			continue
		}
		parts := map[string]bool{}
		for _, p := range u.parts {
			parts[p.File] = true
		}
		files, _ := os.ReadDir(dir)
		for _, f := range files {
			if !parts[f.Name()] {
				if err := os.Remove(filepath.Join(dir, f.Name())); err != nil {
					return fmt.Errorf("remove orphan part: %w", err)
				}
			}
		}
	}
	return nil
}

// compact rewrites the journal as one entry per live item, atomically; the caller holds
// every lock (or runs before the store is shared).
func (s *store) compact() error {
	return s.journal.compact(func(emit func(journalEntry) error) error {
		names := make([]string, 0, len(s.buckets))
		for n := range s.buckets {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			b := s.buckets[n]
			cfg := b.cfg
			if err := emit(journalEntry{T: jBucket, Bucket: n, Config: &cfg}); err != nil {
				return err
			}
			for _, k := range b.sortedKeys() {
				rec := b.keys[k]
				if err := emit(journalEntry{T: jRecord, Bucket: n, Rec: rec}); err != nil {
					return err
				}
				for i := range rec.Pending {
					if err := emit(journalEntry{T: jEvent, Bucket: n, Key: k, Event: &rec.Pending[i]}); err != nil {
						return err
					}
				}
			}
			for _, u := range b.uploads {
				if err := emit(journalEntry{T: jUpload, Bucket: n, Upload: u}); err != nil {
					return err
				}
				for _, p := range u.sortedParts() {
					if err := emit(journalEntry{T: jPart, Bucket: n, UploadID: u.ID, Part: &p}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

// maybeCompact rewrites the journal while the server runs once it has grown past the limit
// and four times its compacted size. It holds every lock meanwhile; call it holding none.
func (s *store) maybeCompact() error {
	if !s.journal.overgrown(s.journalLimit) || !s.compactMu.TryLock() {
		return nil
	}
	defer s.compactMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.buckets))
	for n := range s.buckets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b := s.buckets[n]
		b.keyMu.lockAll()
		defer b.keyMu.unlockAll()
		b.mu.Lock()
		defer b.mu.Unlock()
	}
	if !s.journal.overgrown(s.journalLimit) {
		return nil
	}
	return s.compact()
}

func (s *store) close() error {
	s.mu.RLock()
	for _, b := range s.buckets {
		b.seg.close()
	}
	s.mu.RUnlock()
	if s.journal == nil {
		return nil
	}
	return s.journal.close()
}

// logAck records that an event was published; replay drops it from its key's record.
func (s *store) logAck(id string) error {
	return s.journal.appendEntry(journalEntry{T: jAck, ID: id})
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
	for _, sub := range []string{"blobs", "uploads"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return fmt.Errorf("create bucket dir: %w", err)
		}
	}
	b := &bucketState{dir: dir, cfg: bucketConfig{Name: name, Created: now.UTC()},
		keys: map[string]*keyRecord{}, uploads: map[string]*upload{}, seg: newSegment(dir, 0, s.sync)}
	if err := s.writeConfig(b); err != nil {
		return err
	}
	s.buckets[name] = b
	return nil
}

func (s *store) writeConfig(b *bucketState) error {
	cfg := b.cfg
	return s.journal.appendEntry(journalEntry{T: jBucket, Bucket: cfg.Name, Config: &cfg})
}

// deleteBucket removes an empty bucket (or any bucket when force is set).
func (s *store) deleteBucket(name string, force bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[name]
	if !ok {
		return errNoSuchBucket()
	}
	b.keyMu.lockAll()
	defer b.keyMu.unlockAll()
	b.mu.Lock()
	defer b.mu.Unlock()
	if !force {
		for _, rec := range b.keys {
			if len(rec.Versions) > 0 {
				return &apiError{"BucketNotEmpty", "The bucket you tried to delete is not empty"}
			}
		}
	}
	// The journal entry commits the deletion; a half-removed directory is cleaned up at the
	// next start.
	if err := s.journal.appendEntry(journalEntry{T: jRmBucket, Bucket: name}); err != nil {
		return err
	}
	b.seg.close()
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

// updateConfig changes the bucket's settings. It waits for the writes in progress, which read
// the settings when they began, so that every write sees the settings either before or after.
func (s *store) updateConfig(name string, f func(*bucketConfig)) error {
	b, err := s.bucket(name)
	if err != nil {
		return err
	}
	b.keyMu.lockAll()
	defer b.keyMu.unlockAll()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.deleted {
		return errNoSuchBucket()
	}
	old := b.cfg
	f(&b.cfg)
	if err := s.writeConfig(b); err != nil {
		b.cfg = old
		return err
	}
	return nil
}

// keyWrite is a write to one key in progress. It holds the key's stripe, so rec (the key's
// record when the write began, nil when there was none) stays the key's record until the
// write commits or gives up, and cfg the bucket's settings.
type keyWrite struct {
	b    *bucketState
	rec  *keyRecord
	cfg  bucketConfig
	lock *sync.Mutex
}

// lockKey begins a write to key; the caller calls unlock when done. Writes to one key are
// serialised from the read of its record to its update, which makes conditional writes
// linearisable; writes to different keys overlap.
func (s *store) lockKey(bucket, key string) (*keyWrite, error) {
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	m := b.keyMu.lock(key)
	b.mu.RLock()
	deleted, rec, cfg := b.deleted, b.keys[key], b.cfg
	b.mu.RUnlock()
	if deleted {
		m.Unlock()
		return nil, errNoSuchBucket()
	}
	return &keyWrite{b: b, rec: rec, cfg: cfg, lock: m}, nil
}

func (w *keyWrite) unlock() { w.lock.Unlock() }

// writeRecord commits rec, the new record of w's key, with the event ev it adds (if any):
// the journal entry is the commit point, then the in-memory state follows, under the bucket
// lock only for that update. Readers therefore never see a change before it is in the
// journal (and, with sync, on stable storage).
func (s *store) writeRecord(w *keyWrite, rec *keyRecord, ev *pendingEvent) error {
	b := w.b
	if err := s.journal.appendEntry(journalEntry{T: jRecord, Bucket: w.cfg.Name, Rec: rec, Event: ev}); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(rec.Versions) == 0 && len(rec.Pending) == 0 && !b.uploading(rec.Key) {
		delete(b.keys, rec.Key)
		return nil
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

// lookup returns the version named by versionID ("" for the current one) and, when open is
// set and it is an object, its data (close it). A delete marker comes back as itself; the
// caller answers as S3 does for it.
func (s *store) lookup(bucket, key, versionID string, open bool) (version, objectData, error) {
	b, err := s.rlockBucket(bucket)
	if err != nil {
		return version{}, objectData{}, err
	}
	defer b.mu.RUnlock()
	rec := b.keys[key]
	var v *version
	if versionID == "" {
		v = rec.current()
		if v == nil {
			return version{}, objectData{}, errNoSuchKey()
		}
	} else {
		if rec == nil {
			return version{}, objectData{}, errNoSuchVersion()
		}
		id := versionID
		if id == "null" {
			id = ""
		}
		_, v = rec.find(id)
		if v == nil {
			return version{}, objectData{}, errNoSuchVersion()
		}
	}
	if v.DeleteMarker || !open {
		return *v, objectData{}, nil
	}
	if v.Blob == "" {
		f, err := b.seg.reader()
		if err != nil {
			return version{}, objectData{}, err
		}
		return *v, objectData{ReaderAt: io.NewSectionReader(f, v.Off, v.Size), size: v.Size}, nil
	}
	f, err := os.Open(b.blobPath(v.Blob))
	if err != nil {
		return version{}, objectData{}, fmt.Errorf("open blob: %w", err)
	}
	return *v, objectData{ReaderAt: f, size: v.Size, closer: f}, nil
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

func trimETag(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "W/")
	return strings.Trim(s, `"`)
}
