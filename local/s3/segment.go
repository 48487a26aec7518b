package s3

import (
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
// unreferenced tail. Space of overwritten or deleted small objects is not reclaimed.
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

func newSegment(bucketDir string, sync bool) *segment {
	return &segment{path: filepath.Join(bucketDir, "segment.dat"), sync: sync}
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
