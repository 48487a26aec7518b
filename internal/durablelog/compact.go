package durablelog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// compactSuffix names a compaction's temporary file beside the log: "<log>.compact-<random>".
const compactSuffix = ".compact-"

// Compact replaces the log with the records snapshot emits (each emitted record is one frame),
// then reclaims the old file's space. The new file is fsynced and renamed over the log, and
// the directory fsynced, whatever the SyncPolicy. Appends wait meanwhile; Appends that were
// waiting for an fsync are durable through the new file. On error the log is unchanged.
//
// snapshot must emit the state that every record appended so far describes (see the package
// documentation) and must not call the Log.
func (l *Log) Compact(ctx context.Context, snapshot func(emit func(rec []byte) error) error) error {
	l.swapMu.Lock()
	defer l.swapMu.Unlock()
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dir := filepath.Dir(l.path)
	osf, err := os.CreateTemp(dir, filepath.Base(l.path)+compactSuffix+"*")
	if err != nil {
		return fmt.Errorf("compact %s: %w", l.path, err)
	}
	tmp := osf.Name()
	if err := osf.Chmod(0o644); err != nil {
		osf.Close()
		os.Remove(tmp)
		return fmt.Errorf("compact %s: %w", l.path, err)
	}
	f := l.wrap(osf)
	abandon := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("compact %s: %w", l.path, err)
	}
	w := &frameWriter{f: f, buf: make([]byte, 0, 256<<10)}
	emit := func(rec []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, p := frameLen([][]byte{rec}); int64(p) > l.opts.MaxBatch {
			return fmt.Errorf("record of %d bytes: %w", len(rec), ErrTooLarge)
		}
		return w.add(rec)
	}
	if err := snapshot(emit); err != nil {
		return abandon(err)
	}
	if err := w.flush(); err != nil {
		return abandon(err)
	}
	if err := f.Sync(); err != nil {
		return abandon(err)
	}
	if err := os.Rename(tmp, l.path); err != nil {
		return abandon(err)
	}
	// The rename happened: the path names the new file, so the Log continues in it, through
	// a handle opened by its name when possible (so that errors name the log, not the temp).
	if named, err := os.OpenFile(l.path, os.O_RDWR, 0); err == nil {
		f.Close()
		f = l.wrap(named)
	}
	old := l.f
	l.f, l.size = f, w.off
	l.pending.finish(nil)
	l.pending = newBatch(l.size)
	l.needTrunc = false
	if cerr := old.Close(); cerr != nil {
		l.log.Warn("durablelog: close replaced file", "path", l.path, "err", cerr)
	}
	if err := syncDir(dir); err != nil {
		// Until the directory is synced, a power loss could bring the old file back: refuse
		// writes until a probe manages to sync it.
		l.needDirSync = true
		return l.failLocked("compact", err, l.size)
	}
	l.healedLocked()
	return nil
}

// frameWriter writes single-record frames to a file through a buffer.
type frameWriter struct {
	f   File
	off int64
	buf []byte
}

func (w *frameWriter) add(rec []byte) error {
	w.buf = appendFrame(w.buf, [][]byte{rec})
	if len(w.buf) >= cap(w.buf)/2 {
		return w.flush()
	}
	return nil
}

func (w *frameWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	n, err := w.f.WriteAt(w.buf, w.off)
	w.off += int64(n)
	w.buf = w.buf[:0]
	return err
}

// removeCompactionTemps deletes temporary files of compactions a crash interrupted.
func removeCompactionTemps(path string) error {
	dir, base := filepath.Dir(path), filepath.Base(path)+compactSuffix
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("open log %s: %w", path, err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), base) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("open log %s: remove stale compaction: %w", path, err)
			}
		}
	}
	return nil
}
