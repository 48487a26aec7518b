package durablelog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// SyncPolicy says when an Append is durable.
type SyncPolicy int

const (
	// SyncEach fsyncs every Append before it returns.
	SyncEach SyncPolicy = iota
	// SyncGroup fsyncs before Append returns, sharing one fsync among concurrent Appends.
	SyncGroup
	// SyncNone never fsyncs on Append: records survive the death of the process, not a power
	// loss.
	SyncNone
)

func (p SyncPolicy) String() string {
	switch p {
	case SyncEach:
		return "each"
	case SyncGroup:
		return "group"
	case SyncNone:
		return "none"
	}
	return fmt.Sprintf("SyncPolicy(%d)", int(p))
}

// DefaultMaxBatch is the default limit on the payload of one Append.
const DefaultMaxBatch = 64 << 20

// maxBatchLimit is what the 32-bit length field can carry, with room to spare.
const maxBatchLimit = 1 << 31

// Options configure a Log.
type Options struct {
	// Sync says when an Append is durable (default SyncEach).
	Sync SyncPolicy
	// Logger receives what Open recovers (corrupt ranges at Error, a torn tail at Warn) and
	// write errors (Error). Default: slog.Default().
	Logger *slog.Logger
	// MaxBatch limits the payload of one Append: its records plus a length prefix of 1 to 5
	// bytes each (default DefaultMaxBatch, at most 2 GiB). Frames larger than this are
	// treated as corrupt when read, so reopen a log with the limit it was written with.
	MaxBatch int64
	// ProbeInterval is how long an unhealthy Log refuses Appends after a failed attempt
	// before it lets one try to write again (default 0: every Append tries).
	ProbeInterval time.Duration
	// WrapFile, when set, wraps every file the Log writes (the log and a compaction's new
	// file). For fault-injection tests.
	WrapFile func(File) File
	// Now is the clock ProbeInterval is measured with (default time.Now).
	Now func() time.Time
}

// Errors.
var (
	// ErrUnhealthy is wrapped by every Append error caused by the disk (with the cause, also
	// wrapped): the write failed, or an earlier one did and the log refuses writes for now.
	ErrUnhealthy = errors.New("durable log unhealthy")
	// ErrClosed is returned by calls on a closed Log.
	ErrClosed = errors.New("durable log closed")
	// ErrTooLarge is returned by an Append whose batch exceeds Options.MaxBatch.
	ErrTooLarge = errors.New("batch too large for the durable log")
)

// unhealthyError wraps ErrUnhealthy and the disk error behind it.
type unhealthyError struct {
	path  string
	cause error
}

func (e *unhealthyError) Error() string {
	return fmt.Sprintf("durable log %s unhealthy: %v", e.path, e.cause)
}

func (e *unhealthyError) Unwrap() []error { return []error{ErrUnhealthy, e.cause} }

// batch is the Appends written since the last fsync began (SyncGroup): they become durable,
// or fail, together.
type batch struct {
	start int64 // file offset of the batch's first frame
	done  chan struct{}
	err   error
}

func newBatch(start int64) *batch { return &batch{start: start, done: make(chan struct{})} }

func (b *batch) finish(err error) {
	b.err = err
	close(b.done)
}

// Log is an append-only file of checksummed records. Its methods are safe for concurrent use.
type Log struct {
	path string
	opts Options
	log  *slog.Logger
	rec  Recovery

	swapMu sync.RWMutex // held for reading by Replay, for writing by Compact and Close
	frames sync.Pool    // *[]byte: Append's frame buffers, reused (up to maxPooledFrame)
	syncMu sync.Mutex   // one fsync (or compaction) at a time; taken before mu

	mu          sync.Mutex
	f           File
	size        int64  // end of the last frame written
	pending     *batch // SyncGroup: frames written and not yet covered by an fsync
	unhealthy   error  // the cause, while writes are refused
	needTrunc   bool   // the file may extend past size: truncate before writing
	needDirSync bool   // a compaction's rename may not be durable yet
	lastFail    time.Time
	closed      bool
}

// Open opens (or creates) the log at path, cuts a torn tail, and scans it for corrupt
// frames, which it reports in Recovery and logs at Error level.
func Open(path string, opts Options) (*Log, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = DefaultMaxBatch
	}
	if opts.MaxBatch > maxBatchLimit {
		return nil, fmt.Errorf("open %s: MaxBatch %d over %d", path, opts.MaxBatch, int64(maxBatchLimit))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	l := &Log{path: path, opts: opts, log: opts.Logger}
	dir := filepath.Dir(path)
	if err := removeCompactionTemps(path); err != nil {
		return nil, err
	}
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, os.ErrNotExist)
	osf, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	f := l.wrap(osf)
	if created && opts.Sync != SyncNone {
		if err := syncDir(dir); err != nil {
			f.Close()
			return nil, fmt.Errorf("open log %s: sync dir: %w", path, err)
		}
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open log: %w", err)
	}
	rec, err := scan(f, st.Size(), opts.MaxBatch, nil)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open log %s: %w", path, err)
	}
	for _, c := range rec.Corrupt {
		l.log.Error("durablelog: corrupt records skipped: their data is lost", "path", path,
			"offset", c.Offset, "bytes", c.Bytes, "truncated", c.Truncated)
	}
	if rec.TornBytes > 0 {
		l.log.Warn("durablelog: torn write cut from the end", "path", path, "offset", rec.Bytes, "bytes", rec.TornBytes)
	}
	if rec.Bytes < st.Size() {
		if err := f.Truncate(rec.Bytes); err != nil {
			f.Close()
			return nil, fmt.Errorf("open log %s: truncate torn tail: %w", path, err)
		}
		if opts.Sync != SyncNone {
			if err := f.Sync(); err != nil {
				f.Close()
				return nil, fmt.Errorf("open log %s: sync: %w", path, err)
			}
		}
	}
	l.f, l.size, l.rec = f, rec.Bytes, rec
	l.pending = newBatch(rec.Bytes)
	return l, nil
}

func (l *Log) wrap(f *os.File) File {
	if l.opts.WrapFile != nil {
		return l.opts.WrapFile(f)
	}
	return f
}

// Recovery returns what Open found.
func (l *Log) Recovery() Recovery {
	r := l.rec
	r.Corrupt = append([]Range(nil), r.Corrupt...)
	return r
}

// Path returns the file's path.
func (l *Log) Path() string { return l.path }

// Size returns the size of the file: the end of the last frame written.
func (l *Log) Size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.size
}

// Healthy returns nil, or an error wrapping ErrUnhealthy and the cause while the Log refuses
// writes.
func (l *Log) Healthy() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.unhealthy != nil {
		return &unhealthyError{l.path, l.unhealthy}
	}
	return nil
}

// Replay calls fn with every valid record in order, skipping corrupt frames (which Open
// reported). rec is fn's to keep. An error from fn stops Replay and is returned. fn must not
// call Compact or Close.
func (l *Log) Replay(fn func(rec []byte) error) error {
	l.swapMu.RLock()
	defer l.swapMu.RUnlock()
	l.mu.Lock()
	f, size, closed := l.f, l.size, l.closed
	l.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if _, err := scan(f, size, l.opts.MaxBatch, fn); err != nil {
		return fmt.Errorf("replay %s: %w", l.path, err)
	}
	return nil
}

// maxPooledFrame bounds the frame buffers a Log keeps for later Appends.
const maxPooledFrame = 64 << 10

// Append writes recs as one frame and returns once it is durable per the Log's SyncPolicy.
// On error none of recs is in the log. recs may be reused when Append returns.
func (l *Log) Append(ctx context.Context, recs ...[]byte) error {
	if len(recs) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	n, payload := frameLen(recs)
	if int64(payload) > l.opts.MaxBatch {
		return fmt.Errorf("append %d bytes to %s: %w", payload, l.path, ErrTooLarge)
	}
	fp, _ := l.frames.Get().(*[]byte)
	if fp == nil {
		fp = new([]byte)
	}
	frame := appendFrame(slices.Grow((*fp)[:0], n), recs)
	defer func() { // the file has the frame's bytes (or not) once Append returns
		if cap(frame) <= maxPooledFrame {
			*fp = frame[:0]
			l.frames.Put(fp)
		}
	}()

	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	if err := l.readyLocked(); err != nil {
		l.mu.Unlock()
		return err
	}
	start := l.size
	if _, err := l.f.WriteAt(frame, start); err != nil {
		err = l.failLocked("write", err, start)
		l.mu.Unlock()
		return err
	}
	l.size += int64(len(frame))
	switch l.opts.Sync {
	case SyncNone:
		l.healedLocked()
		l.mu.Unlock()
		return nil
	case SyncEach:
		defer l.mu.Unlock()
		if err := l.f.Sync(); err != nil {
			// Everything before start was fsynced by its own Append.
			return l.failLocked("sync", err, start)
		}
		l.healedLocked()
		return nil
	}
	b := l.pending
	l.mu.Unlock()
	return l.syncGroup(b)
}

// readyLocked lets a write go ahead, or refuses it while the Log is unhealthy.
func (l *Log) readyLocked() error {
	if l.unhealthy == nil {
		return nil
	}
	if d := l.opts.ProbeInterval; d > 0 && l.opts.Now().Sub(l.lastFail) < d {
		return &unhealthyError{l.path, l.unhealthy}
	}
	if l.needTrunc {
		if err := l.f.Truncate(l.size); err != nil {
			l.lastFail = l.opts.Now()
			return &unhealthyError{l.path, err}
		}
		l.needTrunc = false
	}
	if l.needDirSync {
		if err := syncDir(filepath.Dir(l.path)); err != nil {
			l.lastFail = l.opts.Now()
			return &unhealthyError{l.path, err}
		}
		l.needDirSync = false
	}
	return nil
}

// healedLocked records a durable write: a Log that was unhealthy is healthy again.
func (l *Log) healedLocked() {
	if l.unhealthy != nil && !l.needTrunc && !l.needDirSync {
		l.log.Info("durablelog: writes succeed again", "path", l.path, "after", l.unhealthy)
		l.unhealthy = nil
	}
}

// failLocked handles a failed write or fsync: the file is cut back to good (the end of the
// last frame known good), the Log becomes unhealthy, and the error returned wraps
// ErrUnhealthy and err.
func (l *Log) failLocked(op string, err error, good int64) error {
	l.log.Error("durablelog: "+op+" failed; refusing writes until one succeeds", "path", l.path, "err", err)
	l.unhealthy = err
	l.lastFail = l.opts.Now()
	l.size = good
	if terr := l.f.Truncate(good); terr != nil {
		l.needTrunc = true
	}
	return fmt.Errorf("%s %s: %w", op, l.path, &unhealthyError{l.path, err})
}

// syncGroup returns once b is durable: an fsync that began after b's last write covered it,
// or this call runs one that covers every frame written so far.
func (l *Log) syncGroup(b *batch) error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	select {
	case <-b.done:
		return b.err
	default:
	}
	l.mu.Lock()
	// Only fsync leaders, compaction and Close (all under syncMu) replace pending, and b is
	// not done: b is still pending.
	f := l.f
	l.pending = newBatch(l.size)
	l.mu.Unlock()
	err := f.Sync()
	l.mu.Lock()
	if err != nil {
		err = l.failLocked("sync", err, b.start)
		// Frames written after this fsync began were cut too.
		l.pending.finish(err)
		l.pending = newBatch(l.size)
	} else {
		l.healedLocked()
	}
	l.mu.Unlock()
	b.finish(err)
	return err
}

// Close makes pending writes durable per the policy and closes the file.
func (l *Log) Close() error {
	l.swapMu.Lock()
	defer l.swapMu.Unlock()
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	var err error
	if l.opts.Sync == SyncGroup && l.size > l.pending.start {
		if err = l.f.Sync(); err != nil {
			err = l.failLocked("sync", err, l.pending.start)
		}
	}
	l.pending.finish(err)
	if cerr := l.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close %s: %w", l.path, cerr)
	}
	return err
}
