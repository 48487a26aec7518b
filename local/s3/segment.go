package s3

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// inlineMax is the largest object kept in the bucket's data segment rather than in a file
// of its own: creating a file costs far more than appending to one.
const inlineMax = 1 << 20

// segment is a bucket's append-only data file for small objects. Data is appended (and
// synced) before the journal entry that references it, so a crash leaves at most an
// unreferenced tail. Space of overwritten or deleted objects is reclaimed by
// compactSegments at start-up.
type segment struct {
	mu   sync.Mutex
	path string
	sync bool
	f    *os.File
	size int64
	gs   groupSync
}

func (sg *segment) open() error {
	if sg.f != nil {
		return nil
	}
	f, err := os.OpenFile(sg.path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("open segment: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("stat segment: %w", err)
	}
	sg.f, sg.size = f, st.Size()
	return nil
}

// append writes data at the end and returns its offset.
func (sg *segment) append(data []byte) (int64, error) {
	sg.mu.Lock()
	if err := sg.open(); err != nil {
		sg.mu.Unlock()
		return 0, err
	}
	off := sg.size
	if _, err := sg.f.WriteAt(data, off); err != nil {
		// Give back what a short write took; the next append writes at off either way.
		if terr := sg.f.Truncate(off); terr != nil {
			err = errors.Join(err, terr)
		}
		sg.mu.Unlock()
		return 0, fmt.Errorf("append segment: %w", err)
	}
	sg.size += int64(len(data))
	n := sg.gs.wrote()
	f := sg.f
	sg.mu.Unlock()
	if sg.sync {
		if err := sg.gs.syncTo(f, n); err != nil {
			return 0, fmt.Errorf("sync segment: %w", err)
		}
	}
	return off, nil
}

// reader returns the file to read committed data from.
func (sg *segment) reader() (*os.File, error) {
	sg.mu.Lock()
	defer sg.mu.Unlock()
	if err := sg.open(); err != nil {
		return nil, err
	}
	return sg.f, nil
}

func (sg *segment) close() error {
	sg.mu.Lock()
	defer sg.mu.Unlock()
	if sg.f == nil {
		return nil
	}
	err := sg.f.Close()
	sg.f = nil
	return err
}

func newSegment(bucketDir string, gen int, sync bool) *segment {
	return &segment{path: segmentPath(bucketDir, gen), sync: sync}
}

// segmentPath names generation gen of a bucket's segment; compaction writes the next one.
func segmentPath(bucketDir string, gen int) string {
	return filepath.Join(bucketDir, fmt.Sprintf("segment-%d.dat", gen))
}

// defaultCompactGarbage is the garbage a segment must hold, beyond holding more garbage
// than live data, before start-up rewrites it.
const defaultCompactGarbage = 16 << 20

// compactSegments rewrites, at start-up, each bucket segment that is mostly garbage: live
// data is copied to the next generation, offsets are updated in memory, and the journal
// compaction that follows commits the switch (see removeStaleSegments).
func (s *store) compactSegments(minGarbage int64) error {
	for _, b := range s.buckets {
		st, err := os.Stat(b.seg.path)
		if err != nil {
			continue // no segment yet
		}
		var live int64
		var refs []*version
		for _, k := range b.sortedKeys() {
			rec := b.keys[k]
			for i := range rec.Versions {
				if v := &rec.Versions[i]; !v.DeleteMarker && v.Blob == "" && v.Size > 0 {
					live += v.Size
					refs = append(refs, v)
				}
			}
		}
		garbage := st.Size() - live
		if garbage < minGarbage || garbage <= live {
			continue
		}
		if err := b.rewriteSegment(refs, s.sync); err != nil {
			return err
		}
	}
	return nil
}

func (b *bucketState) rewriteSegment(refs []*version, sync bool) error {
	old, err := os.Open(b.seg.path)
	if err != nil {
		return fmt.Errorf("open segment: %w", err)
	}
	defer old.Close()
	gen := b.cfg.Segment + 1
	f, err := os.CreateTemp(b.dir, tempPrefix+"segment-*")
	if err != nil {
		return fmt.Errorf("create segment: %w", err)
	}
	offsets := make([]int64, len(refs))
	var off int64
	for i, v := range refs {
		if _, err := io.Copy(f, io.NewSectionReader(old, v.Off, v.Size)); err != nil {
			f.Close()
			os.Remove(f.Name())
			return fmt.Errorf("copy segment data: %w", err)
		}
		offsets[i] = off
		off += v.Size
	}
	if err := commitTemp(f, segmentPath(b.dir, gen), sync); err != nil {
		return err
	}
	for i, v := range refs {
		v.Off = offsets[i]
	}
	b.cfg.Segment = gen
	b.seg = newSegment(b.dir, gen, sync)
	return nil
}

// removeStaleSegments deletes segment generations the journal no longer references.
func (s *store) removeStaleSegments() error {
	for _, b := range s.buckets {
		current := filepath.Base(b.seg.path)
		matches, _ := filepath.Glob(filepath.Join(b.dir, "segment-*.dat"))
		for _, m := range matches {
			if filepath.Base(m) != current {
				if err := os.Remove(m); err != nil {
					return fmt.Errorf("remove old segment: %w", err)
				}
			}
		}
	}
	return nil
}

// objectData is an object's bytes: a section of the bucket segment or a blob file.
type objectData struct {
	io.ReaderAt
	size   int64
	closer io.Closer // the blob file; nil for the shared segment
}

func (d objectData) Close() error {
	if d.closer != nil {
		return d.closer.Close()
	}
	return nil
}

// reader reads the whole object.
func (d objectData) reader() io.Reader { return io.NewSectionReader(d.ReaderAt, 0, d.size) }
